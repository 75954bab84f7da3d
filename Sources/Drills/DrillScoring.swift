// Judges a drill: the call (right target, not the parent; no rollback on a false alarm; no whole-version
// rollback when the release carries a required change), graded by its consequence — the harm while the bad
// version served (from the attribution log), what a wrong call broke, an incident closed while the regression
// was live — then looking before acting, each lap against its target, and the team's time against the kit's
// own scripted response on the same drill. Every finding is one sentence a debrief prints.
public import Foundation
public import Playbook
import Registry

public enum DrillScoring {
    /// The phases a right response passes through for `kind`: a false alarm is never mitigated nor recovered.
    public static func expectedPhases(_ kind: FaultKind?) -> [Phase] {
        kind == .noise ? [.detected, .acknowledged, .diagnosed, .resolved] : Phase.allCases
    }

    /// The call's share of the score; looking before acting, the laps and speed share the rest.
    public static let callPoints = 60
    public static let diagnosisPoints = 15
    public static let lapPoints = 15
    public static let speedPoints = 10
    /// What harm (the bad version answering every request after the alarm) takes off a right call.
    public static let harmPoints = 10

    /// The call, graded by consequence (`CallVerdict.points`).
    public static func judge(_ folding: DrillFolding, in context: PlayContext) throws -> CallVerdict? {
        guard var verdict = try verdict(folding, in: context), let fault = folding.fault else { return nil }
        let registry = context.registry
        let harm = fault.kind == .noise ? nil : try harmShare(folding, fault, in: context)
        verdict.harmShare = harm
        let resolved = folding.laps.first { $0.phase == .resolved }
        let closedAt = resolved?.at
        let diagnosed = folding.laps.first { $0.phase == .diagnosed }?.at != nil
        let bad = try registry.record(id: fault.badVersion)
        let part = fault.badComponent ?? ""
        func carriesTheFault(_ id: String) throws -> Bool {
            try registry.record(id: id).manifest.components[part]?.sha256 == bad.manifest.components[part]?.sha256
        }
        if fault.kind != .noise, let closedSeq = resolved?.event, let incident = folding.incident?.id {
            // What served when the incident was closed: the last response move recorded before the close.
            // For a canary, what served its slice: the last canary move before the close.
            let served = fault.kind == .badCanary ? folding.canaryMoves : folding.responseMoves
            let serving = served.last { $0.event < closedSeq }?.to ?? fault.badVersion
            if try carriesTheFault(serving) {
                verdict.right = false
                verdict.points = 0
                verdict.finding =
                    "Closed \(incident) while production (\(serving.prefix(12))) still carried the bad \(part): a "
                    + "failed call, whatever came later. " + verdict.finding
                return verdict
            }
        }
        switch (fault.kind.rightCall, verdict.right) {
        case (.investigateAndKeep, true):
            guard diagnosed else {
                verdict.right = false
                verdict.points = callPoints / 2
                verdict.finding =
                    "Kept production, but nobody read the shipped version's diff or investigated: keeping it was a "
                    + "guess, not a call."
                break
            }
            verdict.points = closedAt == nil ? callPoints * 3 / 4 : callPoints
            if closedAt == nil { verdict.finding += " The incident was left open, though." }
        case (.investigateAndKeep, false):
            // A rollback on a false alarm harmed nobody but cost a release and fixed nothing.
            verdict.points = callPoints / 4
        case (_, true):
            verdict.points = callPoints - Int((Double(harmPoints) * (harm ?? 0)).rounded())
        case (.stopCanary, false):
            // Production was healthy: moving it was harm (a needless release move), credited a little only when
            // the canary was stopped as well; leaving the canary serving earns nothing.
            let stopped = try folding.canaryMoves.contains { try !carriesTheFault($0.to) }
            verdict.points = !folding.responseMoves.isEmpty && stopped ? callPoints / 4 : 0
        case (.fixForward, false):
            // Undoing a legally required change, or leaving the bad component serving: nothing to credit.
            verdict.points = 0
        case (_, false):
            // Customers restored, but to a version never vetted as known good, earns part; still broken, none.
            let target = folding.responseMoves.first?.to
            verdict.points = try target.map { try carriesTheFault($0) ? 0 : callPoints / 2 } ?? 0
        }
        return verdict
    }

    /// The share of the requests answered from the alarm (the fault shipping, without one) to the drill's end
    /// that the bad version answered; nil when none were answered.
    static func harmShare(_ folding: DrillFolding, _ fault: FaultFacts, in context: PlayContext) throws -> Double? {
        let from = folding.laps.first { $0.phase == .detected }?.at ?? fault.shippedAt
        let to = folding.endedAt ?? context.now()
        var total = 0
        var bad = 0
        try AttributionLog(registryRoot: context.registry.root).forEach { request in
            if request.at >= from && request.at <= to {
                total += 1
                if request.version == fault.badVersion { bad += 1 }
            }
            return true
        }
        return total == 0 ? nil : Double(bad) / Double(total)
    }

    /// Right or wrong and why, before the consequence is weighed.
    static func verdict(_ folding: DrillFolding, in context: PlayContext) throws -> CallVerdict? {
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
        case .fixForwardWithoutKnownGood:
            return try withoutKnownGood(fault, moves: moves, label: label, in: context)
        case .stopCanary:
            return try stoppedCanary(fault, folding: folding, label: label, in: context)
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

    /// A bad canary: right when the canary tag leaves the bad version and production is not moved (it was healthy).
    static func stoppedCanary(
        _ fault: FaultFacts, folding: DrillFolding, label: (String) -> String, in context: PlayContext
    ) throws -> CallVerdict {
        let registry = context.registry
        let bad = try registry.record(id: fault.badVersion)
        let part = fault.badComponent ?? ""
        let stop = try folding.canaryMoves.first {
            try registry.record(id: $0.to).manifest.components[part]?.sha256 != bad.manifest.components[part]?.sha256
        }
        let slice = "\(CanarySlice.percent)% slice"
        if let first = folding.responseMoves.first {
            return CallVerdict(
                right: false, expected: .stopCanary,
                finding: "Moved production to \(label(first.to)) though production was healthy: the bad version "
                    + "\(label(fault.badVersion)) answered only the canary's \(slice), so the production move was "
                    + "needless" + (stop == nil ? " and the canary kept serving it." : "; the canary was stopped too."),
                firstTarget: first.to)
        }
        guard let stop else {
            return CallVerdict(
                right: false, expected: .stopCanary,
                finding: "The canary was never stopped: \(label(fault.badVersion)) kept answering the \(slice) of "
                    + "customers until the drill ended.",
                firstTarget: nil)
        }
        return CallVerdict(
            right: true, expected: .stopCanary,
            finding: "Stopped the canary (the canary tag moved to \(label(stop.to))) and kept production where it "
                + "was: only the canary's \(slice) was bad.",
            firstTarget: nil)
    }

    /// No version is known good (the no-clean-lkg fault): right when production ends, promoted through the gate, on
    /// a version without the bad component; a rollback or a hand move to a disqualified version is wrong.
    static func withoutKnownGood(
        _ fault: FaultFacts, moves: [ResponseMove], label: (String) -> String, in context: PlayContext
    ) throws -> CallVerdict {
        let registry = context.registry
        let bad = try registry.record(id: fault.badVersion)
        let part = fault.badComponent ?? ""
        guard let last = moves.last else {
            return CallVerdict(
                right: false, expected: .fixForwardWithoutKnownGood,
                finding: "Production never moved: the bad \(part) in \(label(fault.badVersion)) kept serving "
                    + "customers, and with no version known good 'rollback' has no target; fix forward.",
                firstTarget: nil)
        }
        let final = try registry.record(id: last.to)
        if final.manifest.components[part]?.sha256 == bad.manifest.components[part]?.sha256 {
            return CallVerdict(
                right: false, expected: .fixForwardWithoutKnownGood,
                finding: "Production ended on \(label(last.to)), which still carries the bad \(part); restore it "
                    + "from the parent \(label(fault.parent)).",
                firstTarget: moves.first?.to)
        }
        // A fix forward restores the component and promotes through the gate; restoring the parent's bytes yields
        // the parent's own id, so the play, not the id, tells it from a rollback to a disqualified version.
        guard last.play == .promote else {
            let why = try RollbackPlay.reasonsNotKnownGood(last.to, in: context)
            return CallVerdict(
                right: false, expected: .fixForwardWithoutKnownGood,
                finding: "Moved production back to \(label(last.to)), a version the registry disqualifies"
                    + (why.isEmpty ? "" : " (it \(why.joined(separator: "; ")))")
                    + ": with no known good version, fix forward instead.",
                firstTarget: moves.first?.to)
        }
        return CallVerdict(
            right: true, expected: .fixForwardWithoutKnownGood,
            finding: "Fixed forward: with no version known good, \(label(last.to)) restores \(part) on top of "
                + "the shipped change.",
            firstTarget: moves.first?.to)
    }

    /// The call's points (60, graded by consequence), 15 for reading the shipped change before moving
    /// production, 15 shared by the expected laps met, and 10 for speed against the scripted response (all at no
    /// overhead, none at 15 minutes or more).
    public static func score(call: CallVerdict?, laps: [Lap], kind: FaultKind?, overhead: Double?) -> Int {
        guard let call else { return 0 }
        let expected = expectedPhases(kind)
        let met = laps.filter { expected.contains($0.phase) && $0.met == true }.count
        var points = Double(call.points ?? (call.right ? callPoints : 0))
        let diagnosed = laps.first { $0.phase == .diagnosed }?.at
        let mitigated = laps.first { $0.phase == .mitigated }?.at
        if let diagnosed, mitigated.map({ diagnosed <= $0 }) ?? true { points += Double(diagnosisPoints) }
        points += Double(lapPoints) * Double(met) / Double(expected.count)
        if let overhead { points += Double(speedPoints) * max(0, 1 - max(0, overhead) / 900) }
        return Int(points.rounded())
    }

    /// One action item per thing that went wrong, each with an owner and a due date (the drill's end plus
    /// `DrillActions.defaultDueDays`): the commander (at the drill's end) owns what follows from the call; a lap's
    /// item goes to who held the role that lap needs. Numbered when the room records them.
    public static func actionItems(
        call: CallVerdict?, laps: [Lap], kind: FaultKind?, participants: [Participant], commander: String? = nil,
        endedAt: Date
    ) -> [ActionItem] {
        var items: [ActionItem] = []
        func add(_ role: DrillRole?, _ text: String) {
            items.append(
                ActionItem(
                    text: text, owner: DrillActions.owner(role, participants: participants, commander: commander),
                    due: DrillActions.due(after: endedAt)))
        }
        if let call, !call.right, call.finding.contains("a failed call") {
            add(
                .commander,
                "Close the incident only once live signals are back on a restored version ('recovered' on the drill "
                    + "status); a closed incident stops everyone looking.")
        } else if let call, !call.right {
            switch call.expected {
            case .rollBackToLastKnownGood:
                add(
                    .commander,
                    "Run 'LabRunner rollback --dry-run' before moving production; it names the last known good and "
                        + "why newer versions are skipped.")
            case .investigateAndKeep:
                add(
                    .commander,
                    "Before rolling back, read the shipped version's diff and 'investigate'; a notes-only change "
                        + "with shifted traffic is not a regression.")
            case .fixForwardWithoutKnownGood:
                add(
                    .commander,
                    "When 'rollback' finds no known good version, restore the bad component from the shipped "
                        + "version's parent, register and promote that, rather than reach back to a version the "
                        + "registry disqualifies.")
            case .stopCanary:
                add(
                    .commander,
                    "When the alarm names the canary version, stop the canary ('LabRunner tag canary production "
                        + "--by NAME --reason TEXT') and leave production alone: it was healthy.")
            case .fixForward:
                add(
                    .commander,
                    "Read the bad release's reason before rolling back; when it carries a required change, restore "
                        + "only the bad component and promote that.")
            }
        }
        for lap in laps where expectedPhases(kind).contains(lap.phase) {
            // Acknowledging and closing are the commander's; diagnosing, moving and watching recovery the operator's.
            let role: DrillRole = [.detected, .acknowledged, .resolved].contains(lap.phase) ? .commander : .operator
            if lap.seconds == nil {
                add(role, "Rehearse '\(lap.phase.rawValue)': the drill ended before it (\(lap.phase.meaning)).")
            } else if lap.met == false, let seconds = lap.seconds {
                add(
                    role,
                    "Rehearse '\(lap.phase.rawValue)': it took \(Int(seconds))s against a target of "
                        + "\(Int(lap.targetSeconds))s.")
            }
        }
        let held = Set(participants.flatMap(\.roles))
        for role in DrillRole.allCases where !held.contains(role) {
            add(nil, "Name a \(role.title) next time: nobody held the role ('LabRunner drill join \(role.rawValue)').")
        }
        return items
    }
}
