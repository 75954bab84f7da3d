// The checks of the experiment and retention labs: an experiment started and ended, its version changing only
// what it says, a fair comparison, and gc run dry first with metadata kept.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Reports
import ToyModel

extension CheckLibrary {
    // MARK: Experiments and retention

    static func experimentStarted(_ input: CheckInput) throws -> CheckOutcome {
        let maximum = input.number("max_ttl_days", default: 30) * 86_400
        let experiments = try Experiments.all(events: input.evidence.events).filter { input.duringLab($0.startedAt) }
        guard let experiment = experiments.first(where: { $0.expiresAt.timeIntervalSince($0.startedAt) <= maximum })
        else {
            return experiments.isEmpty
                ? .fail(
                    "No experiment was started: branch one with 'LabRunner experiment start NAME --from production --ttl 3d'."
                )
                : .fail(
                    "Every experiment keeps its versions longer than \(Int(maximum / 86_400)) days: give a shorter --ttl."
                )
        }
        return .pass(
            "Experiment \(experiment.name) branched from \(input.evidence.label(experiment.from)); its versions expire \(Timestamp.string(from: experiment.expiresAt))."
        )
    }

    /// With `component` (and optionally `max_changed_lines`), the experiment's version must differ from the
    /// version its experiment branched from in that one component alone: a fair experiment changes one thing.
    static func experimentVersion(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        let candidates = evidence.versions.filter { $0.metadata.extra["experiment"] != nil }
        guard let first = candidates.first else {
            return .fail(
                "No version was registered under an experiment, so nothing will ever expire: register with --experiment NAME."
            )
        }
        var firstProblem: String?
        for version in candidates {
            guard let problem = try extraChanges(of: version, input: input) else {
                return .pass(
                    "\(evidence.label(version.id)) belongs to experiment \(version.metadata.extra["experiment"] ?? "") and expires \(version.metadata.extra["expires_at"] ?? "")."
                )
            }
            firstProblem = firstProblem ?? problem
        }
        return .fail(firstProblem ?? "\(evidence.label(first.id)) changes more than one thing.")
    }

    /// Why an experiment's version is not a one-change experiment, or nil when it is (or the lab does not ask).
    static func extraChanges(of version: VersionRecord, input: CheckInput) throws -> String? {
        let component = input.param("component")
        guard !component.isEmpty else { return nil }
        let evidence = input.evidence
        let experiments = try Experiments.all(events: evidence.events)
        guard let name = version.metadata.extra["experiment"],
            let base = (experiments.last { $0.name == name }?.from).flatMap(evidence.version)
        else { return "\(evidence.label(version.id)) names no experiment this registry started." }
        let cleanUp =
            "put system/ back with 'rm -rf system && LabRunner checkout production system', then make only the one change."
        let names = Set(version.manifest.components.keys).union(base.manifest.components.keys)
        let extra = names.filter { $0 != component && version.manifest.components[$0] != base.manifest.components[$0] }
            .sorted()
        let lineageChanged = version.manifest.lineage != base.manifest.lineage
        guard extra.isEmpty, !lineageChanged else {
            let what = (extra + (lineageChanged ? ["the training data"] : [])).joined(separator: ", ")
            return
                "\(evidence.label(version.id)) also changes \(what) against \(evidence.label(base.id)), where its experiment branched: an experiment changes one thing; \(cleanUp)"
        }
        let wanted = input.spec.param("changed_to") ?? ""
        guard let mine = version.manifest.components[component], let theirs = base.manifest.components[component],
            mine.kind == .file, theirs.kind == .file, mine != theirs
        else {
            return wanted.isEmpty
                ? nil
                : "\(evidence.label(version.id)) leaves \(component) as it was: make the change the experiment asks."
        }
        let added = changedLines(
            from: try evidence.registry.objects.get(theirs.sha256), to: try evidence.registry.objects.get(mine.sha256))
        // What the experiment is to test (experiment.txt): another change, however small, answers another question.
        if !wanted.isEmpty, !added.contains(wanted) {
            return
                "\(evidence.label(version.id)) does not test what was asked: its \(component) never says '\(wanted)' where production's differs (read experiment.txt)."
        }
        guard let maximum = input.spec.param("max_changed_lines").flatMap(Int.init), added.count > maximum else {
            return nil
        }
        let shown = added.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        return
            "\(evidence.label(version.id)) changes \(added.count) lines of \(component) against \(evidence.label(base.id)), where its experiment branched (\(shown)): an experiment changes one thing; \(cleanUp)"
    }

    /// The lines of `new` that `old` lacks (a multiset difference), or the removed ones when more were removed.
    static func changedLines(from old: Data, to new: Data) -> [String] {
        func lines(_ data: Data) -> [String] {
            String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        func missing(_ wanted: [String], from present: [String]) -> [String] {
            var counts: [String: Int] = [:]
            for line in present { counts[line, default: 0] += 1 }
            return wanted.filter { line in
                guard let count = counts[line], count > 0 else { return true }
                counts[line] = count - 1
                return false
            }
        }
        let before = lines(old)
        let after = lines(new)
        let added = missing(after, from: before)
        let removed = missing(before, from: after)
        return added.count >= removed.count ? added : removed
    }

    static func fairComparison(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        let everProduction = Set(evidence.productionMoves.map(\.to))
        let compared = try evidence.events.payloads(EvalRecorded.self).filter {
            $0.payload.source == .evalCompare && input.duringLab($0.event.at)
        }.map(\.payload)
        for (index, eval) in compared.enumerated() {
            let version = eval.version
            guard evidence.version(version)?.metadata.extra["experiment"] != nil else { continue }
            let partners = compared[max(0, index - 1)...min(compared.count - 1, index + 1)]
            if let partner = partners.first(where: { other in
                everProduction.contains(other.version) && other.suiteSHA256 == eval.suiteSHA256
                    && other.seed == eval.seed && other.repeats == eval.repeats
            }) {
                return .pass(
                    "\(evidence.label(version)) was compared with production's \(evidence.label(partner.version)) on the same suite, seed and repeats."
                )
            }
        }
        return .fail(
            "No experiment version was compared with production on the same suite: run 'LabRunner eval compare production exp-NAME'."
        )
    }

    static func experimentEnded(_ input: CheckInput) throws -> CheckOutcome {
        guard let ended = try Experiments.all(events: input.evidence.events).first(where: { !$0.active }) else {
            return .fail(
                "No experiment was ended: close it with 'LabRunner experiment end NAME' once you have decided.")
        }
        return .pass("Experiment \(ended.name) ended; its versions keep their expiry.")
    }

    static func collections(_ evidence: Evidence) throws -> [(event: Event, payload: BlobsCollected)] {
        try evidence.events.payloads(BlobsCollected.self).filter { !$0.payload.blobs.isEmpty }
    }

    static func gcDryRunFirst(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        guard case let (collected, collection)? = try collections(evidence).first else {
            return .fail(
                "No blobs were collected: an experiment version must expire first, then run 'LabRunner gc --dry-run' and 'LabRunner gc --yes'."
            )
        }
        let plans = try evidence.events.payloads(GCPlanned.self).filter { $0.event.seq < collected.seq }
        guard let plan = plans.last?.payload, plan.blobs == collection.blobs else {
            return .fail(
                "Blobs were deleted without a dry run of the same plan first: always run 'LabRunner gc --dry-run' and read it."
            )
        }
        return .pass(
            "A dry run listed the plan, then gc deleted \(collection.blobHashes.count) blob(s) of \(collection.versionIDs.count) expired version(s)."
        )
    }

    static func gcMetadataSurvives(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        guard let collection = try collections(evidence).first?.payload else {
            return .fail("No blobs were collected yet, so there is no collected version to inspect.")
        }
        for id in collection.versionIDs {
            guard evidence.version(id) != nil, try evidence.registeredPassRate(id) != nil else {
                return .fail(
                    "Collected version \(id.prefix(12)) lost its record or its eval: metadata must be kept forever.")
            }
            guard !evidence.productionMoves.contains(where: { $0.to == id }) else {
                return .fail("gc deleted blobs of \(evidence.label(id)), which once held production.")
            }
        }
        return .pass("Every collected version keeps its manifest, metadata, eval and events; only heavy blobs went.")
    }
}
