// The plays' results as command output: register, the promotion gate, promote, rollback and its preview (the
// canary's plan and report are in Canary+Text.swift). What `--json` prints for register is here too.
import Foundation
import Hashing
public import Registry
public import Terminal

/// A version id shortened as the commands print it, or "none".
func shortVersion(_ id: String?) -> String { id.map { String($0.prefix(12)) } ?? "none" }

func padded(_ text: String, _ width: Int) -> String {
    text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
}

extension RegisterResult: TextRendering {
    public func render(_ out: inout TextOutput) {
        if existing, restoredBlobs > 0 {
            out.line(
                "Already registered: this content is version #\(record.seq) \(record.shortID); its \(restoredBlobs) "
                    + "garbage-collected blob(s) are restored, so it can serve and its audits replay again.")
            return
        }
        if existing {
            out.line(
                "Already registered: this content is version #\(record.seq) \(record.shortID); no new version was "
                    + "made (who registered it again, and why, is recorded as version.reregistered).")
            return
        }
        out.line(
            "Registered version #\(record.seq) \(out.styled(record.shortID, .yellow)) (owner \(record.metadata.owner))")
        for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
            out.line("  \(padded(name, 14)) \(padded(entry.kind.rawValue, 6)) \(entry.sha256.prefix(12))")
        }
        if let lineage = record.manifest.lineage {
            out.line(
                "  \(padded("lineage", 14)) \(padded("data", 6)) \(lineage.sha256.prefix(12)) (\(lineage.dataset))")
        }
        if let eval {
            out.line(
                String(
                    format: "Gate eval on %@: pass rate %.1f%% (95%% CI %.1f–%.1f%%)", eval.suite,
                    eval.passRate * 100, eval.ciLow * 100, eval.ciHigh * 100))
        }
        if lineageBroken { out.line(out.styled("Recorded: lineage broken (weights trained on other data).", .yellow)) }
        if lineageUnverified {
            out.line(out.styled("Recorded: lineage unverified (no recorded training run made these weights).", .yellow))
        }
        if let experiment { out.line("Part of experiment \(experiment).") }
    }

    /// What `register --json` prints.
    public var json: RegisteredJSON { RegisteredJSON(self) }
}

public struct RegisteredJSON: Encodable, Sendable {
    var id: String
    var seq: Int
    var existing: Bool
    var components: [String: String]
    var lineage: DatasetLineage?
    var eval: EvalSummary?
    var lineageBroken: Bool
    var lineageUnverified: Bool
    var experiment: String?
    var restoredBlobs: Int?

    init(_ result: RegisterResult) {
        id = result.record.id
        seq = result.record.seq
        existing = result.existing
        components = result.record.manifest.components.mapValues(\.sha256)
        lineage = result.record.manifest.lineage
        eval = result.eval
        lineageBroken = result.lineageBroken
        lineageUnverified = result.lineageUnverified
        experiment = result.experiment
        restoredBlobs = result.restoredBlobs > 0 ? result.restoredBlobs : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, existing, components, lineage, eval, experiment
        case restoredBlobs = "restored_blobs"
        case lineageBroken = "lineage_broken"
        case lineageUnverified = "lineage_unverified"
    }
}

extension PromotionGate: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "Candidate #\(candidate.seq) \(candidate.shortID); production \(production.map { "#\($0.seq) \($0.shortID)" } ?? "none")"
        )
        out.line("Gate: \(passed ? out.styled("passed", .green) : out.styled("failed", .red)) — \(finding)")
    }
}

extension PromoteResult {
    public func render(_ out: inout TextOutput, approver: String) {
        let facts = try? TagMoveFacts.of(event)
        let verb =
            facts?.breakGlass != nil
            ? "Promoted through break-glass (\(facts?.breakGlass ?? ""), recorded as promotion.break_glass)"
            : overridden ? "Promoted with a recorded override" : "Promoted"
        let signed = facts?.approvalSigned == true ? ", signed approval" : ""
        out.line(
            "\(verb): production → #\(gate.candidate.seq) \(gate.candidate.shortID) (approver \(facts?.approver ?? approver)\(signed), event #\(event.seq))"
        )
    }
}

extension RollbackResult {
    /// `to` is the record of the version production moved back to.
    public func render(_ out: inout TextOutput, to: VersionRecord) {
        out.line(
            "Rolled back production: \(shortVersion(from)) → #\(to.seq) \(to.shortID)\(lastKnownGood ? " (last known good)" : "")"
        )
        for finding in targetFindings {
            out.line(out.styled("warning: #\(to.seq) is not known good: \(finding)", .yellow))
        }
        if let live, live.recovered {
            out.line("Behaviour \(out.styled("confirmed", .green)) by live signals: \(live.finding).")
        } else if let confirmation {
            out.line(
                out.styled("NOT confirmed yet", .yellow) + " — \(reevaluated ?? "re-evaluated") "
                    + String(format: "(%@ pass rate %.1f%%)", confirmation.suite, confirmation.passRate * 100))
        }
        out.line(
            "Incident \(incident.id): time to rollback \(TimeParsing.describe(timeToRollbackSeconds)) from detection at \(Timestamp.string(from: incident.detectedAt))"
        )
        if let live, !live.recovered {
            out.line(
                "Incident \(incident.id) stays open for live confirmation (\(live.finding)): once production traffic "
                    + "reaches #\(to.seq), run 'LabRunner incident confirm \(incident.id)'.")
        }
    }
}

extension IncidentConfirmation: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("\(incident.id): rollback \(out.styled("confirmed", .green)) by live signals: \(verdict.finding).")
        out.line(
            "Recorded as event #\(event). Close it with 'LabRunner incident close \(incident.id) --resolution TEXT'.")
    }
}

extension RollbackPreview {
    /// `to` is the record of the version production would move back to.
    public func render(_ out: inout TextOutput, to: VersionRecord) {
        out.line(
            "Would roll back production: \(shortVersion(from)) → #\(to.seq) \(to.shortID)\(lastKnownGood ? " (last known good)" : "")"
        )
        if !skipped.isEmpty { out.line("Skipped, newest first:") }
        for skipped in skipped {
            out.line("  #\(skipped.seq) \(shortVersion(skipped.version)): \(skipped.reasons.joined(separator: "; "))")
        }
        for finding in targetFindings {
            out.line(out.styled("warning: #\(to.seq) is not known good: \(finding)", .yellow))
        }
        if let reevaluation {
            out.line(
                "Today's eval of #\(to.seq): " + out.styled(reevaluation.finding, reevaluation.passes ? .green : .red))
        }
        out.line("Nothing was changed. Run without --dry-run (and with --reason TEXT) to move production.")
    }
}
