// Judges a drill: the call (right target, not the parent; no rollback on a false alarm; no whole-version
// rollback when the release carries a required change), each lap against its target, and the team's time
// against the kit's own scripted response on the same drill. Every finding is one sentence a debrief prints.
import Foundation
public import Playbook
import Registry

public enum DrillScoring {
    /// The phases a right response passes through for `kind`: a false alarm is never mitigated nor recovered.
    public static func expectedPhases(_ kind: FaultKind?) -> [Phase] {
        kind == .noise ? [.detected, .acknowledged, .diagnosed, .resolved] : Phase.allCases
    }

    public static func judge(_ folding: DrillFolding, in context: PlayContext) throws -> CallVerdict? {
        guard let fault = folding.fault else { return nil }
        let registry = context.registry
        let expected = fault.kind.rightCall
        let moves = folding.responseMoves
        // From the log alone: a moved-to id the log never registered prints as its prefix.
        let labels = Dictionary(
            try registry.versionSummaries().map { ($0.id, "#\($0.seq) \($0.shortID)") }, uniquingKeysWith: { a, _ in a }
        )
        func label(_ id: String) -> String { labels[id] ?? String(id.prefix(12)) }
        let good = label(fault.lastKnownGood)
        switch expected {
        case .investigateAndKeep:
            guard let first = moves.first else {
                return CallVerdict(
                    right: true, expected: expected,
                    finding: "Kept production on \(label(fault.badVersion)): the shipped change altered nothing "
                        + "customers see, and the alarm came from the newsletter's traffic mix.",
                    firstTarget: nil)
            }
            return CallVerdict(
                right: false, expected: expected,
                finding: "Moved production to \(label(first.to)) on a false alarm: the shipped change was notes "
                    + "only (its diff says so) and the signals moved with the traffic mix, so the rollback fixed "
                    + "nothing and cost a release.",
                firstTarget: first.to)
        case .rollBackToLastKnownGood:
            guard let first = moves.first else {
                return CallVerdict(
                    right: false, expected: expected,
                    finding: "Production never moved: the bad version \(label(fault.badVersion)) kept serving "
                        + "customers until the drill ended.",
                    firstTarget: nil)
            }
            if first.to == fault.lastKnownGood {
                let byHand =
                    first.play == nil
                    ? " It was moved by hand ('LabRunner tag'), so no confirming eval ran and the incident has no "
                        + "rollback time; 'LabRunner rollback' records both." : ""
                return CallVerdict(
                    right: true, expected: expected,
                    finding: "Rolled back to the last known good \(good), not to the bad version's parent "
                        + "\(label(fault.parent)).\(byHand)",
                    firstTarget: first.to)
            }
            let why = try RollbackPlay.reasonsNotKnownGood(first.to, in: context)
            var finding =
                first.to == fault.parent
                ? "Rolled back to the bad version's parent \(label(first.to)), not the last known good \(good)"
                : "Moved production to \(label(first.to)), not the last known good \(good)"
            if !why.isEmpty { finding += ": it \(why.joined(separator: "; "))" }
            if moves.dropFirst().contains(where: { $0.to == fault.lastKnownGood }) {
                finding += "; production reached \(good) only later"
            }
            return CallVerdict(right: false, expected: expected, finding: finding + ".", firstTarget: first.to)
        case .fixForward:
            let bad = try registry.record(id: fault.badVersion)
            let lkg = try registry.record(id: fault.lastKnownGood)
            let required = fault.requiredComponent ?? ""
            let badPart = fault.badComponent ?? ""
            let requiredHash = bad.manifest.components[required]?.sha256
            for move in moves {
                let record = try registry.record(id: move.to)
                if record.manifest.components[required]?.sha256 != requiredHash {
                    return CallVerdict(
                        right: false, expected: expected,
                        finding: "Moved production to \(label(move.to)), which undoes the required change in "
                            + "\(required) (\(bad.metadata.reason)); roll back only \(badPart) and keep \(required).",
                        firstTarget: moves.first?.to)
                }
            }
            guard let last = moves.last else {
                return CallVerdict(
                    right: false, expected: expected,
                    finding: "Production never moved: the bad \(badPart) in \(label(fault.badVersion)) kept "
                        + "serving customers until the drill ended.",
                    firstTarget: nil)
            }
            let final = try registry.record(id: last.to)
            guard final.manifest.components[badPart]?.sha256 == lkg.manifest.components[badPart]?.sha256 else {
                return CallVerdict(
                    right: false, expected: expected,
                    finding: "Production ended on \(label(last.to)), which kept the required \(required) but "
                        + "still carries the bad \(badPart); restore \(badPart) from \(good).",
                    firstTarget: moves.first?.to)
            }
            return CallVerdict(
                right: true, expected: expected,
                finding: "Fixed forward: \(label(last.to)) keeps the required \(required) and restores \(badPart) "
                    + "from \(good).",
                firstTarget: moves.first?.to)
        }
    }

    /// 50 for the right call, 30 shared by the expected laps met, 20 for speed against the scripted response
    /// (all 20 at no overhead, none at 15 minutes or more).
    public static func score(call: CallVerdict?, laps: [Lap], kind: FaultKind?, overhead: Double?) -> Int {
        guard let call else { return 0 }
        let expected = expectedPhases(kind)
        let met = laps.filter { expected.contains($0.phase) && $0.met == true }.count
        var points = call.right ? 50.0 : 0
        points += 30 * Double(met) / Double(expected.count)
        if let overhead { points += 20 * max(0, 1 - max(0, overhead) / 900) }
        return Int(points.rounded())
    }

    /// One action item per thing that went wrong, owned by the role that should take it.
    public static func actionItems(call: CallVerdict?, laps: [Lap], kind: FaultKind?, participants: [Participant])
        -> [String]
    {
        var items: [String] = []
        if let call, !call.right {
            switch call.expected {
            case .rollBackToLastKnownGood:
                items.append(
                    "Operator: run 'LabRunner rollback --dry-run' before moving production; it names the last "
                        + "known good and why newer versions are skipped.")
            case .investigateAndKeep:
                items.append(
                    "Commander: before rolling back, read the shipped version's diff and 'investigate'; a "
                        + "notes-only change with shifted traffic is not a regression.")
            case .fixForward:
                items.append(
                    "Commander: read the bad release's reason before rolling back; when it carries a required "
                        + "change, restore only the bad component and promote that.")
            }
        }
        for lap in laps where expectedPhases(kind).contains(lap.phase) {
            if lap.seconds == nil {
                items.append("Team: the drill ended before '\(lap.phase.rawValue)' (\(lap.phase.meaning)).")
            } else if lap.met == false, let seconds = lap.seconds {
                items.append(
                    "Team: '\(lap.phase.rawValue)' took \(Int(seconds))s against a target of "
                        + "\(Int(lap.targetSeconds))s; rehearse that step.")
            }
        }
        let held = Set(participants.flatMap(\.roles))
        for role in DrillRole.allCases where !held.contains(role) {
            items.append(
                "Team: nobody held the \(role.title) role; name one with 'LabRunner drill join \(role.rawValue)'.")
        }
        return items
    }
}
