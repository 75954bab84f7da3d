// The check library: named predicates over recorded evidence. A lab manifest only names and parameterises
// them; each returns pass or fail with one sentence that teaches.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Reports
import ToyModel

public struct CheckOutcome: Sendable, Equatable {
    public var passed: Bool
    public var message: String

    static func pass(_ message: String) -> CheckOutcome { CheckOutcome(passed: true, message: message) }
    static func fail(_ message: String) -> CheckOutcome { CheckOutcome(passed: false, message: message) }
}

struct CheckInput {
    var evidence: Evidence
    var spec: LabCheckSpec
    var labID: String

    func param(_ key: String) -> String { spec.param(key) ?? "" }
    func number(_ key: String, default value: Double) -> Double { spec.param(key).flatMap(Double.init) ?? value }
    /// When this lab was started; evidence a lab asks for must come after it.
    var since: Date? { evidence.start(of: labID)?.at }
    /// Whether something recorded at `date` happened during this lab (a lab never started has nothing).
    func duringLab(_ date: Date) -> Bool { since.map { date >= $0 } ?? false }
    /// The production moves a play made during this lab.
    func moves(play: TagMoveFacts.Play) -> [TagMove] { evidence.moves(play: play).filter { duringLab($0.at) } }
}

struct CheckDefinition: Sendable {
    var requiredParams: [String]
    var run: @Sendable (CheckInput) throws -> CheckOutcome
}

enum CheckLibrary {
    static let definitions: [String: CheckDefinition] = [
        "eval_file": CheckDefinition(requiredParams: ["file"], run: evalFile),
        "root_version": CheckDefinition(requiredParams: [], run: rootVersion),
        "single_component_change": CheckDefinition(requiredParams: ["component"], run: singleComponentChange),
        "retrained_version": CheckDefinition(requiredParams: [], run: retrainedVersion),
        "no_broken_lineage": CheckDefinition(requiredParams: [], run: noBrokenLineage),
        "promotions": CheckDefinition(requiredParams: ["minimum"], run: promotions),
        "canary_promotion": CheckDefinition(requiredParams: [], run: canaryPromotion),
        "second_approver": CheckDefinition(requiredParams: [], run: secondApprover),
        "production_moves_gated": CheckDefinition(requiredParams: [], run: productionMovesGated),
        "traffic": CheckDefinition(requiredParams: ["minimum"], run: traffic),
        "audit_file": CheckDefinition(requiredParams: ["file"], run: auditFile),
        "forced_promotion": CheckDefinition(requiredParams: [], run: forcedPromotion),
        "traffic_on_forced": CheckDefinition(requiredParams: ["minimum"], run: trafficOnForced),
        "eval_after_forced": CheckDefinition(requiredParams: [], run: evalAfterForced),
        "rollback_to_last_known_good": CheckDefinition(requiredParams: [], run: rollbackToLastKnownGood),
        "rollback_confirmed": CheckDefinition(requiredParams: [], run: rollbackConfirmed),
        "incident_closed": CheckDefinition(requiredParams: [], run: incidentClosed),
        "experiment_started": CheckDefinition(requiredParams: ["max_ttl_days"], run: experimentStarted),
        "experiment_version": CheckDefinition(requiredParams: [], run: experimentVersion),
        "fair_comparison": CheckDefinition(requiredParams: [], run: fairComparison),
        "experiment_ended": CheckDefinition(requiredParams: [], run: experimentEnded),
        "gc_dry_run_first": CheckDefinition(requiredParams: [], run: gcDryRunFirst),
        "gc_metadata_survives": CheckDefinition(requiredParams: [], run: gcMetadataSurvives),
        "investigation": CheckDefinition(requiredParams: ["verdict", "owner"], run: investigation),
        "kept_innocent_change": CheckDefinition(requiredParams: ["owner"], run: keptInnocentChange),
        "regression_resolved": CheckDefinition(requiredParams: ["owner", "component"], run: regressionResolved),
        "reproduced_weights": CheckDefinition(requiredParams: ["file", "version"], run: reproducedWeights),
        "answer": CheckDefinition(requiredParams: ["file", "field"], run: answer),
        "training_seed_named": CheckDefinition(requiredParams: ["file", "field", "version"], run: trainingSeedNamed),
        "writeup_matches_registry": CheckDefinition(requiredParams: ["file"], run: writeupMatchesRegistry),
        "writeup_cites_registry": CheckDefinition(requiredParams: ["file", "min_words"], run: writeupCitesRegistry),
    ]

    /// The version a check's parameter names, or nil while the registry has none by that name (a lab's versions
    /// appear as it goes); a damaged record is an error.
    static func version(named ref: String, in evidence: Evidence) throws -> VersionRecord? {
        do {
            return try evidence.registry.resolve(ref)
        } catch let error as RegistryError {
            switch error {
            case .unknownRef, .ambiguousRef, .tagNotFound, .tagHasNoHistory: return nil
            default: throw error
            }
        }
    }

    /// The incident a write-up names (or would choose), or nil when it names none this registry rolled back.
    static func writtenUpIncident(_ id: String?, evidence: Evidence, moves: [TagMove]) throws -> Incident? {
        do {
            return try Writeup.incident(id, events: evidence.events, moves: moves)
        } catch is WriteupError {
            return nil
        } catch PlaybookError.unknownIncident {
            return nil
        }
    }

    // MARK: Versions and lineage

    static func evalFile(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        guard let data = input.evidence.file(file) else {
            return .fail(
                "\(file) does not exist yet: save the baseline's eval with 'LabRunner eval run --out \(file)'.")
        }
        // The learner's own file: one that does not read fails the check, with the way to write it again.
        guard let claimed = try? CanonicalJSON.decoder().decode(EvalResult.self, from: data) else {
            return .fail("\(file) is not an eval result; write it again with 'LabRunner eval run --out \(file)'.")
        }
        let recomputed = try Baseline.evaluate(suite: claimed.suite, seed: claimed.seed, repeats: claimed.repeats)
        guard claimed.suiteSHA256 == recomputed.suiteSHA256 else {
            return .fail("\(file) was run on a different \(claimed.suite) suite than the bundled one.")
        }
        guard claimed.passes == recomputed.passes, claimed.runs == recomputed.runs else {
            return .fail(
                "\(file) claims \(claimed.passes)/\(claimed.runs) passes but the bundled baseline scores \(recomputed.passes)/\(recomputed.runs): results are recomputed, not trusted."
            )
        }
        return .pass(
            "\(file) holds the baseline's \(claimed.suite) eval: \(PromotePlay.percent(claimed.passRate)), and the grader got the same."
        )
    }

    static func rootVersion(_ input: CheckInput) throws -> CheckOutcome {
        guard let root = input.evidence.versions.first(where: { $0.metadata.parent == nil }) else {
            return .fail("No version is registered yet: register the baseline with 'LabRunner register --root'.")
        }
        return .pass("\(input.evidence.label(root.id)) is the root version, owned by \(root.metadata.owner).")
    }

    static func singleComponentChange(_ input: CheckInput) throws -> CheckOutcome {
        let component = input.param("component")
        let evidence = input.evidence
        for version in evidence.versions {
            guard let parentID = version.metadata.parent, let parent = evidence.version(parentID) else { continue }
            let names = Set(version.manifest.components.keys).union(parent.manifest.components.keys)
            let changed = names.filter { version.manifest.components[$0] != parent.manifest.components[$0] }
            if changed == [component], version.manifest.lineage == parent.manifest.lineage {
                return .pass(
                    "\(evidence.label(version.id)) differs from its parent \(evidence.label(parentID)) only in \(component), yet has its own id: weights-only versioning would call them the same."
                )
            }
        }
        return .fail(
            "No version differs from its parent in \(component) alone: change only system/\(component) and register it with --parent."
        )
    }

    static func retrainedVersion(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        var unverified: VersionRecord?
        for version in evidence.versions where version.metadata.extra["lineage_broken"] == nil {
            guard let parentID = version.metadata.parent, let parent = evidence.version(parentID),
                let lineage = version.manifest.lineage, lineage != parent.manifest.lineage,
                version.manifest.components["weights.json"] != parent.manifest.components["weights.json"]
            else { continue }
            // Weights no recorded training run produced (an edited weights file) claim a retraining nobody did.
            guard version.metadata.extra["lineage_unverified"] == nil else {
                unverified = unverified ?? version
                continue
            }
            return .pass(
                "\(evidence.label(version.id)) carries weights retrained on data \(lineage.sha256.prefix(12)), and its lineage says so."
            )
        }
        if let unverified {
            return .fail(
                "\(evidence.label(unverified.id))'s weights were produced by no training run the registry recorded: retrain them with 'LabRunner train' rather than editing or copying a weights file."
            )
        }
        return .fail(
            "No version carries weights retrained on a changed data/train.csv: edit the data, run 'LabRunner train', then register."
        )
    }

    static func noBrokenLineage(_ input: CheckInput) throws -> CheckOutcome {
        if let broken = input.evidence.versions.first(where: { $0.metadata.extra["lineage_broken"] != nil }) {
            return .fail(
                "\(input.evidence.label(broken.id)) was registered with broken lineage (weights trained on other data); retrain with 'LabRunner train' instead of overriding."
            )
        }
        if let unverified = input.evidence.versions.first(where: { $0.metadata.extra["lineage_unverified"] != nil }) {
            return .fail(
                "\(input.evidence.label(unverified.id)) was registered with unverified lineage (weights no recorded training run produced); retrain with 'LabRunner train' instead of overriding."
            )
        }
        return .pass("Every version's weights were trained on the dataset its lineage names.")
    }

    // MARK: Promotion

    static func promotions(_ input: CheckInput) throws -> CheckOutcome {
        let minimum = Int(input.number("minimum", default: 1))
        let gated = input.moves(play: .promote).filter { input.evidence.facts(of: $0).gate == .passed }
        guard gated.count >= minimum else {
            return .fail(
                "Production was promoted through a passing gate \(gated.count) time(s); this lab needs \(minimum): use 'LabRunner promote'."
            )
        }
        return .pass("Production moved \(gated.count) time(s) through a passing eval gate.")
    }

    static func canaryPromotion(_ input: CheckInput) throws -> CheckOutcome {
        guard
            case let (move, canary)? = input.moves(play: .promote).lazy.compactMap({ move in
                input.evidence.facts(of: move).canary.map { (move, $0) }
            }).first
        else {
            return .fail("No promotion ran a canary first: add --canary PERCENT to 'LabRunner promote'.")
        }
        return .pass(
            "\(input.evidence.label(move.to)) took \(canary.percent)% of a canary batch before the tag moved."
        )
    }

    static func secondApprover(_ input: CheckInput) throws -> CheckOutcome {
        let roster = try input.evidence.registry.roster()
        for move in input.moves(play: .promote) {
            guard let version = input.evidence.version(move.to), let approver = input.evidence.facts(of: move).approver
            else {
                continue
            }
            // The one identity rule: a respelling of the owner is the owner, and a name the roster lacks is nobody.
            if Roster.identity(approver) != Roster.identity(version.metadata.owner),
                roster.isEmpty || roster.person(approver) != nil
            {
                return .pass(
                    "\(approver) approved \(input.evidence.label(move.to)), owned by \(version.metadata.owner): a second person."
                )
            }
        }
        return .fail(
            "No promotion was approved by a second person on the roster: pass --approver with someone else's name "
                + "from 'LabRunner people list'.")
    }

    static func productionMovesGated(_ input: CheckInput) throws -> CheckOutcome {
        if let manual = input.evidence.productionMoves.first(where: {
            ![.promote, .rollback, .labReset].contains(input.evidence.facts(of: $0).play)
        }) {
            return .fail(
                "Production was moved to \(input.evidence.label(manual.to)) by a plain tag move, skipping the eval gate: use 'LabRunner promote'."
            )
        }
        return .pass(
            "Every production move went through a play (promote or rollback), so each has a gate or an incident.")
    }

    // MARK: Traffic and audit

    static func requests(_ evidence: Evidence) throws -> [RequestRecord] {
        var records: [RequestRecord] = []
        try AttributionLog(registryRoot: evidence.registry.root).forEach { record in
            records.append(record)
            return true
        }
        return records
    }

    static func traffic(_ input: CheckInput) throws -> CheckOutcome {
        let minimum = Int(input.number("minimum", default: 1))
        let since = input.since ?? .distantPast
        let served = try requests(input.evidence).filter { $0.at >= since }
        guard served.count >= minimum else {
            return .fail(
                "\(served.count) request(s) reached production since this lab started; send at least \(minimum) with 'LabRunner traffic'."
            )
        }
        let versions = Set(served.map(\.version))
        return .pass("\(served.count) requests are in the attribution log, answered by \(versions.count) version(s).")
    }

    static func auditFile(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        let evidence = input.evidence
        guard let data = evidence.file(file) else {
            return .fail("\(file) does not exist yet: audit a request with 'LabRunner audit REQUEST_ID --out \(file)'.")
        }
        // The learner's own file: one that does not read fails the check, with the way to write it again.
        guard let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let request = report["request"] as? [String: Any], let requestID = request["id"] as? String,
            let version = report["version"] as? [String: Any], let claimed = version["id"] as? String
        else {
            return .fail(
                "\(file) is not an audit report; write it again with 'LabRunner audit REQUEST_ID --out \(file)'.")
        }
        guard let logged = try AttributionLog(registryRoot: evidence.registry.root).lookup(requestID) else {
            return .fail("\(file) names request \(requestID), which is not in the attribution log.")
        }
        guard logged.version == claimed else {
            return .fail(
                "\(file) says \(requestID) was answered by \(claimed.prefix(12)), but the attribution log says \(evidence.label(logged.version))."
            )
        }
        if input.spec.param("answered_by") == "incident_bad_version" {
            let bad = Set(evidence.incidents.compactMap(\.badVersion))
            guard bad.contains(logged.version) else {
                return .fail(
                    "\(requestID) was answered by \(evidence.label(logged.version)), not by a version an incident names as bad: audit a request served during the incident ('LabRunner requests --version VERSION')."
                )
            }
        }
        // Challenge mode: the request the complaint describes (by its words and time), not any of the incident's.
        if let rank = Int(input.param("audit_rank")), let since = input.since {
            let target = try evidence.auditTarget(
                rank: rank, before: since, incidentOnly: input.param("audit_among") != "all")
            guard target?.id == requestID else {
                return .fail(
                    "\(requestID) is not the request the complaint describes: find the customer by their words and the time they wrote (complaint.txt) in 'LabRunner requests'."
                )
            }
        }
        if input.spec.param("replay") == "required" {
            let replay = report["replay"] as? [String: Any]
            guard replay?["identical"] as? Bool == true else {
                return .fail("\(file) has no identical replay: audit again with --replay.")
            }
            guard let record = evidence.version(logged.version) else {
                return .fail("Version \(logged.version.prefix(12)) of \(requestID) is not registered.")
            }
            let answer = try evidence.context.system(for: record).ask(logged.input, seed: logged.seed)
            let output = String(decoding: try CanonicalJSON.encode(answer), as: UTF8.self)
            guard output == logged.output else {
                return .fail("Replaying \(requestID) from the registry's blobs does not reproduce the logged output.")
            }
        }
        return .pass(
            "\(requestID) was answered by \(evidence.label(logged.version)); \(file) agrees with the attribution log.")
    }

    // MARK: The manufactured incident

    /// The first production move made through an overridden gate.
    static func forcedMove(_ evidence: Evidence) -> TagMove? {
        evidence.moves(play: .promote).first { evidence.facts(of: $0).gate == .overridden }
    }

    static func forcedPromotion(_ input: CheckInput) throws -> CheckOutcome {
        guard let move = forcedMove(input.evidence) else {
            return .fail(
                "No promotion overrode a failed gate: a worse version needs 'LabRunner promote REF --force --reason TEXT', and the override is recorded."
            )
        }
        guard let reason = input.evidence.facts(of: move).overrideReason, !reason.isEmpty else {
            return .fail("The override of \(input.evidence.label(move.to)) has no recorded reason.")
        }
        return .pass(
            "\(input.evidence.label(move.to)) reached production over a failed gate, with the recorded reason \"\(reason)\"."
        )
    }

    static func trafficOnForced(_ input: CheckInput) throws -> CheckOutcome {
        guard let move = forcedMove(input.evidence) else {
            return .fail("No forced promotion yet, so no traffic on it: promote the worse version first.")
        }
        let minimum = Int(input.number("minimum", default: 1))
        let served = try requests(input.evidence).filter { $0.version == move.to }
        guard served.count >= minimum else {
            return .fail(
                "Only \(served.count) request(s) were answered by \(input.evidence.label(move.to)); send at least \(minimum) with 'LabRunner traffic' and watch the satisfied rate."
            )
        }
        let satisfied = served.filter { $0.satisfied == true }.count
        return .pass(
            "\(served.count) customers met \(input.evidence.label(move.to)); \(PromotePlay.percent(Double(satisfied) / Double(served.count))) were satisfied."
        )
    }

    static func evalAfterForced(_ input: CheckInput) throws -> CheckOutcome {
        guard let move = forcedMove(input.evidence) else {
            return .fail("No forced promotion yet: there is nothing to confirm with an eval.")
        }
        let evals = try input.evidence.evals(of: move.to).filter { $0.source != .register && $0.at > move.at }
        guard let confirmation = evals.first else {
            return .fail(
                "No eval of \(input.evidence.label(move.to)) was recorded after it reached production: confirm the drop with 'LabRunner eval run --version production'."
            )
        }
        return .pass(
            "An eval after the promotion measured \(input.evidence.label(move.to)) at \(PromotePlay.percent(confirmation.passRate)) (95% CI \(PromotePlay.percent(confirmation.ciLow))–\(PromotePlay.percent(confirmation.ciHigh)))."
        )
    }

    // MARK: Rollback

    /// The first incident opened since the lab started: the one the lab is about.
    static func labIncident(_ input: CheckInput) -> Incident? {
        input.evidence.incident(openedSinceStartOf: input.labID)
    }

    static func noIncident(_ input: CheckInput) -> CheckOutcome {
        input.since == nil
            ? .fail(
                "Lab \(input.labID) was never started, so its alert never fired: run 'LabRunner lab start \(input.labID)'."
            )
            : .fail("No incident was opened since lab \(input.labID) started.")
    }

    /// The version production held just before the bad one first arrived: where a rollback should land.
    static func expectedGoodVersion(before bad: String, in evidence: Evidence) -> String? {
        guard let arrival = evidence.productionMoves.firstIndex(where: { $0.to == bad }), arrival > 0 else {
            return nil
        }
        return evidence.productionMoves[arrival].from
    }

    static func rollbackToLastKnownGood(_ input: CheckInput) throws -> CheckOutcome {
        guard let incident = labIncident(input) else { return noIncident(input) }
        guard let good = incident.goodVersion, let bad = incident.badVersion else {
            return .fail(
                "\(incident.id) has no rollback yet: production still serves the bad version. Run 'LabRunner rollback --reason TEXT'."
            )
        }
        // The kit's own judgment when it moved: the rollback records whether its target was the last known good by
        // the live rule (older rollbacks did not: the version before the bad one stands in).
        let rollback = input.evidence.productionMoves.last {
            input.evidence.facts(of: $0).play == .rollback && input.evidence.facts(of: $0).incident == incident.id
        }
        if let rollback, let judged = input.evidence.facts(of: rollback).lastKnownGood {
            guard judged else {
                return .fail(
                    "Production was rolled back to \(input.evidence.label(good)), which was not the last known good (it had not run cleanly in production, or a newer version had): let 'LabRunner rollback' find it, and read 'LabRunner rollback --dry-run' for why."
                )
            }
            return .pass(
                "\(incident.id): production went from \(input.evidence.label(bad)) back to the last known good \(input.evidence.label(good))."
            )
        }
        let expected = expectedGoodVersion(before: bad, in: input.evidence)
        guard expected == nil || good == expected else {
            return .fail(
                "Production was rolled back to \(input.evidence.label(good)), but the last known good before \(input.evidence.label(bad)) was \(input.evidence.label(expected ?? "")): let 'LabRunner rollback' find it."
            )
        }
        return .pass(
            "\(incident.id): production went from \(input.evidence.label(bad)) back to the last known good \(input.evidence.label(good))."
        )
    }

    static func rollbackConfirmed(_ input: CheckInput) throws -> CheckOutcome {
        guard let incident = labIncident(input) else { return noIncident(input) }
        guard incident.confirmed == true, let live = incident.liveEvidence else {
            return .fail(
                "\(incident.id)'s rollback is not confirmed by live evidence: re-running the suite that passed at registration proves nothing new. Send production traffic to the restored version, then run 'LabRunner incident confirm \(incident.id)'."
            )
        }
        return .pass(
            "\(incident.id)'s rollback was confirmed by live signals: \(live.requests) requests on the restored version back within bounds of \(input.evidence.label(live.baseline))'s last healthy window."
        )
    }

    static func incidentClosed(_ input: CheckInput) throws -> CheckOutcome {
        guard let incident = labIncident(input) else { return noIncident(input) }
        guard incident.status == .closed, let resolution = incident.resolution, !resolution.isEmpty else {
            return .fail(
                "\(incident.id) is still \(incident.status): close it with 'LabRunner incident close \(incident.id) --resolution TEXT'."
            )
        }
        return .pass("\(incident.id) is closed: \"\(resolution)\".")
    }
}
