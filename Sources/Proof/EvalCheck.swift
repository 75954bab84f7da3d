// Every recorded eval re-run from stored blobs: the version's components, the suite the result names by hash,
// the recorded seed and repeats; the outcome must match the stored result and the summary that cites it.
import Evals
import Foundation
import LabKit
import Playbook
import Registry

enum EvalCheck {
    static func run(_ evidence: Evidence, suites: [String: Data], _ report: inout VerifyReport) {
        let versions: [VersionRecord]
        do {
            versions = try evidence.registry.versions()
        } catch {
            report.fail("registry/versions/", "cannot be read: \(error)")
            return
        }
        let evalEvents: [(event: Event, payload: EvalRecorded)]
        do {
            evalEvents = try evidence.events.payloads(EvalRecorded.self)
        } catch {
            report.fail("registry/events.jsonl", "cannot be read: \(error)")
            return
        }
        var rerun: [String: EvalResult] = [:]
        var checked = 0
        var unstored = 0
        var collected = 0
        for version in versions {
            let recorded = evalEvents.filter { $0.payload.version == version.id }
            let summaries: [EvalSummary]
            do {
                summaries = try EvalLedger.summaries(for: version, events: evidence.events)
            } catch {
                report.fail("registry/events.jsonl", "cannot be read: \(error)")
                return
            }
            for summary in summaries {
                let place =
                    recorded.first { $0.payload.result == summary.result && $0.event.at == summary.at }
                    .map { "registry/events.jsonl line \($0.event.seq)" }
                    ?? "registry/versions/\(version.id).json"
                let what = "the \(summary.source) eval of #\(version.seq) on \(summary.suite)"
                let result: EvalResult
                do {
                    result = try EvalLedger.load(summary, from: evidence.registry)
                } catch {
                    report.fail(
                        place, "\(what) cites result \(summary.result.prefix(12)), which is missing or damaged.")
                    continue
                }
                if result.version != version.id || result.suiteSHA256 != summary.suiteSHA256
                    || result.passRate != summary.passRate || result.seed != summary.seed
                    || result.repeats != summary.repeats
                {
                    report.fail(
                        place,
                        "\(what) says \(summary.passRate) on suite \(summary.suiteSHA256.prefix(12)) (seed \(summary.seed)), "
                            + "but its stored result says \(result.passRate) on \(result.suiteSHA256.prefix(12)) "
                            + "(seed \(result.seed)).")
                    continue
                }
                let key = "\(version.id) \(result.suiteSHA256) \(result.seed) \(result.repeats)"
                let fresh: EvalResult
                if let cached = rerun[key] {
                    fresh = cached
                } else {
                    // The suite is in the registry's store, or else among the bundle's eval files, or nowhere.
                    let data: Data
                    if evidence.registry.objects.contains(result.suiteSHA256) {
                        do {
                            data = try evidence.registry.objects.get(result.suiteSHA256)
                        } catch {
                            report.fail(place, "\(what) names suite \(result.suiteSHA256.prefix(12)): \(error)")
                            continue
                        }
                    } else if let bundled = suites[result.suiteSHA256] {
                        data = bundled
                    } else {
                        unstored += 1
                        continue
                    }
                    do {
                        let system = try evidence.context.system(for: version)
                        let suite = try EvalSuite(
                            name: result.suite, data: data, sha256: result.suiteSHA256,
                            fileName: "suite \(result.suiteSHA256.prefix(12))", knownIntents: nil)
                        fresh = try EvalRunner.run(
                            suite: suite, system: system, seed: result.seed, repeats: max(1, result.repeats))
                    } catch {
                        // gc deletes the components of dead experiments by design; their evals stay, unrunnable.
                        let collection: Event?
                        do {
                            collection = try evidence.registry.collection(of: version.id)
                        } catch let readError {
                            report.fail("registry/events.jsonl", "cannot be read: \(readError)")
                            return
                        }
                        if collection != nil {
                            collected += 1
                            continue
                        }
                        report.fail(place, "\(what) cannot be re-run from the stored blobs: \(error)")
                        continue
                    }
                    rerun[key] = fresh
                }
                checked += 1
                if fresh.passes != result.passes || fresh.runs != result.runs || fresh.cases != result.cases {
                    report.fail(
                        place,
                        "\(what) recorded \(result.passes)/\(result.runs) passes; re-run from the stored blobs it "
                            + "gives \(fresh.passes)/\(fresh.runs).")
                }
            }
        }
        report.checked.append("\(checked) recorded evals, re-run from stored blobs")
        if collected > 0 {
            report.notes.append(
                "\(collected) recorded eval(s) of garbage-collected versions were checked against their stored results "
                    + "but not re-run: gc deleted their components.")
        }
        if unstored > 0 {
            report.notes.append(
                "\(unstored) recorded eval(s) ran on a suite the bundle does not hold, so they were not re-run.")
        }
    }
}
