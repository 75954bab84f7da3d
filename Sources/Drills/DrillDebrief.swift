// `drill report`: a finished drill's debrief, shaped like an SRE postmortem — what shipped and what it cost,
// the call, who held which role, the timeline from the drill's own event log, the laps against their targets,
// the team against the kit's scripted response, and the action items with owners. Built from the room's record
// plus the drill workspace's event and attribution logs; rendered as Markdown or one self-contained HTML page.
// Both renderings are byte-stable: every time is printed from the logs, never from the clock.
public import Foundation
import Hashing
public import Playbook
public import Registry
import Reports

/// One line of the debrief's timeline: a recorded event, relative to the fault shipping.
public struct DebriefEntry: Codable, Sendable, Equatable {
    public var event: Int
    public var at: Date
    /// Seconds after the fault shipped (negative: before it); from the drill's start when no fault shipped.
    public var offsetSeconds: Double
    public var who: String
    public var role: String?
    public var what: String
    /// The phase this event reached, when it reached one.
    public var phase: Phase?

    enum CodingKeys: String, CodingKey {
        case event, at, who, role, what, phase
        case offsetSeconds = "offset_s"
    }
}

/// What the bad version did to customers, from the drill workspace's attribution log.
public struct DebriefImpact: Codable, Sendable, Equatable {
    public var badVersion: String
    /// Requests the bad version answered during the drill.
    public var requests: Int
    public var firstAt: Date?
    public var lastAt: Date?
    /// The version production served before the fault, and its requests.
    public var baseline: String?
    public var baselineRequests: Int
    /// The label-free signals that shifted significantly from the baseline to the bad version.
    public var shifts: [SignalShift]
    /// False when either side had too few requests for a verdict.
    public var enoughData: Bool

    enum CodingKeys: String, CodingKey {
        case requests, baseline, shifts
        case badVersion = "bad_version"
        case firstAt = "first_at"
        case lastAt = "last_at"
        case baselineRequests = "baseline_requests"
        case enoughData = "enough_data"
    }
}

public struct DrillDebrief: Codable, Sendable, Equatable {
    public var record: DrillRecord
    /// "#3 1a2b3c4d5e6f" for each version the logs name.
    public var versions: [String: String]
    public var timeline: [DebriefEntry]
    public var impact: DebriefImpact?
    /// The kit's scripted response for this fault, as the game master's sheet prints it.
    public var script: [String]
    /// False when the drill's own workspace is gone: the debrief then rests on the record alone.
    public var workspaceFound: Bool
    /// The scribe's notes (`drill note`), oldest first: the debrief's narrative.
    public var narrative: [ScribeNote] = []
    /// What the registry shows contributed (see `factors`), only those that hold.
    public var factors: [String] = []
    /// This drill's action items with their status now (closures are events in the room's log).
    public var actions: [ActionRow] = []
    /// Earlier drills' items still open when this drill ended.
    public var stillOpen: [ActionRow] = []

    enum CodingKeys: String, CodingKey {
        case record, versions, timeline, impact, script, narrative, factors, actions
        case workspaceFound = "workspace_found"
        case stillOpen = "still_open"
    }

    /// The drill's own workspace, from its record.
    public static func drillWorkspace(_ record: DrillRecord, room: Workspace) -> Workspace {
        Workspace(root: record.workspace.hasPrefix("/") ? record.workspace : room.root + "/" + record.workspace)
    }

    /// The debrief of `record`, reading the drill's own workspace in `room` when it is still there.
    public static func load(_ record: DrillRecord, room: Workspace) throws -> DrillDebrief {
        var debrief = try loadDrill(record, room: room)
        (debrief.actions, debrief.stillOpen) = try followUps(record, room: room)
        return debrief
    }

    static func loadDrill(_ record: DrillRecord, room: Workspace) throws -> DrillDebrief {
        let workspace = drillWorkspace(record, room: room)
        guard FileManager.default.fileExists(atPath: workspace.registryPath) else {
            return try build(record, events: [], requests: [], workspaceFound: false)
        }
        let registry = try Registry(root: workspace.registryPath, now: { record.endedAt })
        var requests: [RequestRecord] = []
        try AttributionLog(registryRoot: registry.root).forEach { request in
            requests.append(request)
            return true
        }
        return try build(record, events: try registry.events(), requests: requests, workspaceFound: true)
    }

    /// The debrief from a record and the drill workspace's logs; a damaged event is an error naming it.
    public static func build(
        _ record: DrillRecord, events: [Event], requests: [RequestRecord], workspaceFound: Bool = true
    ) throws -> DrillDebrief {
        var versions: [String: String] = [:]
        for (_, registered) in try events.payloads(VersionRegistered.self) {
            versions[registered.id] = "#\(registered.seq) \(registered.id.prefix(12))"
        }
        let anchor = record.fault?.shippedAt ?? record.startedAt
        let start = try events.payloads(DrillStarted.self, where: DrillStarted.CodingKeys.drill, is: record.id).first
        let end = try events.payloads(DrillEnded.self, where: DrillEnded.CodingKeys.drill, is: record.id).first
        let mine = events.filter { event in
            guard let start else { return false }
            return event.seq >= start.event.seq && event.seq <= (end?.event.seq ?? Int.max)
        }
        let claims = try DrillTimeline.roleClaims(mine, drill: record.id)
        var reached: [Int: Phase] = [:]
        for lap in record.laps { if let event = lap.event { reached[event] = reached[event] ?? lap.phase } }
        let timeline = try mine.map { event -> DebriefEntry in
            let who = try DrillTimeline.ranBy(event)
            let held = Set(claims.filter { $0.actor == who && $0.holds(at: event.at) }.map(\.role.rawValue))
            return DebriefEntry(
                event: event.seq, at: event.at, offsetSeconds: event.at.timeIntervalSince(anchor), who: who,
                role: held.isEmpty ? nil : held.sorted().joined(separator: "+"),
                what: try describe(event, versions: versions, record: record), phase: reached[event.seq])
        }
        let script =
            record.fault.map {
                OptimalResponse.script(
                    for: $0.kind, component: $0.badComponent, badVersion: $0.badVersion, parent: $0.parent,
                    lastKnownGood: $0.lastKnownGood)
            } ?? []
        return DrillDebrief(
            record: record, versions: versions, timeline: timeline,
            impact: workspaceFound ? record.fault.map { impact($0, requests: requests) } : nil, script: script,
            workspaceFound: workspaceFound, narrative: try DrillLog.notes(events: mine, drill: record.id),
            factors: try factors(record, events: events, versions: versions))
    }

    static func impact(_ fault: FaultFacts, requests: [RequestRecord]) -> DebriefImpact {
        let served = requests.filter { $0.version == fault.badVersion }
        let before = Signals.compute(requests.filter { $0.at < fault.shippedAt })
        // Production before the fault: the version that answered most of the traffic before it shipped.
        let baseline = before.values.sorted { ($0.requests, $1.version) > ($1.requests, $0.version) }.first
        let bad = Signals.compute(served)[fault.badVersion] ?? VersionSignals(version: fault.badVersion)
        let comparison = baseline.map { Signals.compare(baseline: $0, current: bad) }
        return DebriefImpact(
            badVersion: fault.badVersion, requests: served.count, firstAt: served.map(\.at).min(),
            lastAt: served.map(\.at).max(), baseline: baseline?.version, baselineRequests: baseline?.requests ?? 0,
            shifts: comparison.map { $0.shifts.filter(\.significant) } ?? [],
            enoughData: comparison?.enoughData ?? false)
    }

    /// One event as a sentence for the timeline.
    static func describe(_ event: Event, versions: [String: String], record: DrillRecord? = nil) throws -> String {
        func label(_ id: String?) -> String {
            guard let id else { return "?" }
            return versions[id] ?? String(id.prefix(12))
        }
        switch event.kind {
        case DrillStarted.kind:
            let started = try event.payload(as: DrillStarted.self)
            let code = started.code == DrillSeal.sealedCode ? record?.code ?? started.code : started.code
            return
                "Drill \(started.drill) started (code \(code)\(started.sealedPlan == nil ? "" : ", sealed until the end"))."
        case DrillFaultSealed.kind:
            guard let fault = record?.fault else { return "A change shipped; what it was stayed sealed." }
            return "FAULT REVEALED: \(fault.name) shipped as \(label(fault.badVersion))"
                + " — \(fault.summary)."
        case DrillFaultShipped.kind:
            let fault = try event.payload(as: DrillFaultShipped.self).facts
            return "FAULT REVEALED: \(fault.name) shipped as \(label(fault.badVersion))"
                + " — \(fault.summary)."
        case DrillJoined.kind:
            return "Joined as \(try event.payload(as: DrillJoined.self).role.title)."
        case DrillHandedOff.kind:
            return "Handed the incident commander's role to \(try event.payload(as: DrillHandedOff.self).to)."
        case DrillInjected.kind:
            let inject = try event.payload(as: DrillInjected.self)
            return "The game master injected \(inject.inject.title): \(inject.detail)"
        case DrillNoted.kind:
            return "Note: \(try event.payload(as: DrillNoted.self).text)"
        case DrillAcknowledged.kind:
            return "Acknowledged \(try event.payload(as: DrillAcknowledged.self).incident)."
        case DrillDiffRead.kind:
            let diff = try event.payload(as: DrillDiffRead.self)
            return "Read the diff \(label(diff.from)) → \(label(diff.to))"
                + (diff.components.isEmpty ? "" : " (changed: \(diff.components))") + "."
        case DrillRecovered.kind:
            return "Live signals back within bounds on \(label(try event.payload(as: DrillRecovered.self).version))."
        case DrillEnded.kind:
            return "Drill ended (\(try event.payload(as: DrillEnded.self).ending.rawValue))."
        case TagMoved.kind:
            let move = try event.payload(as: TagMoved.self)
            let how = try move.facts(of: event).play.map { " (\($0.rawValue))" } ?? ""
            return "Moved \(move.tag) \(label(move.from)) → \(label(move.to))\(how): \(move.reason)."
        case VersionRegistered.kind:
            let registered = try event.payload(as: VersionRegistered.self)
            return "Registered \(label(registered.id)): \(registered.reason)."
        case IncidentOpened.kind:
            let opened = try event.payload(as: IncidentOpened.self)
            return "Opened \(opened.incident): \(opened.symptom)"
        case IncidentUpdated.kind:
            let updated = try event.payload(as: IncidentUpdated.self)
            let status = updated.status.map { " \($0.rawValue)" } ?? ""
            let confirmed = updated.confirmed.map { $0 ? ", behaviour confirmed" : ", confirmation failed" } ?? ""
            return "Updated \(updated.incident):\(status)\(confirmed)"
                + (updated.timeToRollback.map { ", time to rollback \(duration($0.value))" } ?? "") + "."
        case EvalRecorded.kind:
            let eval = try event.payload(as: EvalRecorded.self)
            return "Eval of \(label(eval.version)) on \(eval.suite): pass rate "
                + String(format: "%.1f%%", eval.passRate * 100) + " (\(eval.source.rawValue))."
        case IncidentClosed.kind:
            let closed = try event.payload(as: IncidentClosed.self)
            return "Closed \(closed.incident): \(closed.resolution)"
        case InvestigationConcluded.kind:
            let concluded = try event.payload(as: InvestigationConcluded.self)
            let suspects = concluded.suspectIDs.map(label)
            return "Investigated" + (suspects.isEmpty ? "" : "; suspects \(suspects.joined(separator: ", "))")
                + ": \(concluded.verdict.rawValue)."
        default:
            // A kind the debrief has no sentence for: its first few fields, as stored.
            let details = event.data.sorted { $0.key < $1.key }.filter {
                $0.key != DrillMarking.key && $0.key != "drill"
            }
            .prefix(3).map { key, value -> String in
                "\(key)=\(versions[value] ?? (value.count == 64 ? String(value.prefix(12)) : value))"
            }
            return event.kind + (details.isEmpty ? "" : " " + details.joined(separator: " "))
        }
    }

    // MARK: Shared facts, so both renderings say the same

    static func date(_ date: Date) -> String { String(Timestamp.string(from: date).prefix(10)) }
    static func time(_ date: Date) -> String { Timestamp.string(from: date) }
    static func duration(_ seconds: Double) -> String { TimeParsing.describe(max(0, seconds)) }

    /// "T+1:05" (minutes:seconds after the fault shipped), "T-0:30" before it.
    static func offset(_ seconds: Double) -> String {
        let whole = Int(abs(seconds).rounded())
        return (seconds < -0.5 ? "T-" : "T+") + String(format: "%d:%02d", whole / 60, whole % 60)
    }

    func label(_ id: String) -> String { versions[id] ?? String(id.prefix(12)) }

    /// The scribe's notes as the narrative prints them: "T+1:05 (06:32:55Z) carol: text".
    var narrativeLines: [String] {
        let anchor = record.fault?.shippedAt ?? record.startedAt
        return narrative.map { note in
            "\(Self.offset(note.at.timeIntervalSince(anchor))) (\(Self.time(note.at).dropFirst(11))) \(note.by): "
                + note.text
        }
    }

    var title: String {
        let fault = record.fault.map { "\($0.name) fault" } ?? "no fault shipped"
        return "Drill \(record.id) — \(Self.date(record.startedAt)) — \(fault)"
    }

    /// The summary's sentences, in order.
    var summary: [String] {
        var lines: [String] = []
        if let fault = record.fault {
            lines.append(
                "What shipped: \(fault.summary) — \(label(fault.badVersion)), at "
                    + "\(Self.time(fault.shippedAt)), \(Self.duration(fault.shippedAt.timeIntervalSince(record.startedAt))) "
                    + "after the drill started.")
        } else {
            lines.append("No fault shipped: the drill ended before its moment came.")
        }
        if let impact {
            var sentence =
                "Impact: the bad version answered \(impact.requests) request\(impact.requests == 1 ? "" : "s")"
            if let first = impact.firstAt, let last = impact.lastAt {
                sentence += " over \(Self.duration(last.timeIntervalSince(first)))"
            }
            if let baseline = impact.baseline {
                let against = "against \(label(baseline)) before it (\(impact.baselineRequests) requests)"
                if !impact.enoughData {
                    sentence += "; too few requests to compare its label-free signals \(against)"
                } else if impact.shifts.isEmpty {
                    sentence += "; its label-free signals showed no significant shift \(against)"
                } else {
                    sentence +=
                        "; its label-free signals differed \(against): "
                        + impact.shifts.map(Self.shift).joined(
                            separator: "; ")
                }
            }
            lines.append(sentence + ".")
        } else if !workspaceFound {
            lines.append("Impact: unknown — the drill's own workspace (\(record.workspace)) is gone.")
        }
        if let call = record.call {
            lines.append(
                "Outcome: \(call.right ? "RIGHT" : "WRONG") call (expected: \(call.expected.rawValue)). \(call.finding)"
            )
        } else {
            lines.append("Outcome: \(record.outcome).")
        }
        var score = "Score: \(record.score)/100"
        if let mitigate = record.timeToMitigateSeconds { score += "; time to mitigate \(Self.duration(mitigate))" }
        lines.append(score + "; the drill \(record.ending) at \(Self.time(record.endedAt)).")
        return lines
    }

    static func shift(_ shift: SignalShift) -> String {
        let value: (Double) -> String =
            shift.signal == .meanConfidence || shift.signal == .answerWords
            ? { String(format: "%.3g", $0) } : { String(format: "%.1f%%", $0 * 100) }
        return "\(shift.signal.label) \(value(shift.baseline)) → \(value(shift.current)) "
            + String(format: "(p=%.2g)", shift.pValue)
    }

    /// Role rows: role, who held it, and their actions.
    var roleRows: [[String]] {
        DrillRole.allCases.map { role in
            let holders = record.participants.filter { $0.roles.contains(role) }
            return [
                role.title,
                holders.isEmpty ? "nobody" : holders.map(\.name).joined(separator: ", "),
                holders.isEmpty ? "—" : holders.map { "\($0.name): \($0.actions)" }.joined(separator: ", "),
            ]
        }
    }

    /// People who acted without a role.
    var unroled: [Participant] { record.participants.filter { $0.roles.isEmpty } }

    var timelineRows: [[String]] {
        timeline.map { entry in
            [
                Self.offset(entry.offsetSeconds), String(Self.time(entry.at).dropFirst(11)),
                entry.who + (entry.role.map { " (\($0))" } ?? ""),
                entry.what + (entry.phase.map { " → \($0.rawValue.uppercased())" } ?? ""),
            ]
        }
    }

    var lapRows: [[String]] {
        record.laps.map { lap in
            [
                lap.phase.rawValue, lap.seconds.map(Self.duration) ?? "—", Self.duration(lap.targetSeconds),
                lap.met.map { $0 ? "met" : "missed" } ?? "not reached",
                [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
            ]
        }
    }

    /// The team against the kit's scripted response, as label–value rows.
    var responseRows: [[String]] {
        let noise = record.fault?.kind == .noise
        let measure = noise ? "detection → resolved" : "detection → mitigated"
        let detected = record.laps.first { $0.phase == .detected }?.at
        let finished = record.laps.first { $0.phase == (noise ? .resolved : .mitigated) }?.at
        let team = zip(detected, finished).map { $1.timeIntervalSince($0) }
        return [
            ["Team (\(measure))", team.map(Self.duration) ?? "not reached"],
            ["Kit's scripted response", record.optimalSeconds.map(Self.duration) ?? "not measured"],
            ["Human overhead", record.overheadSeconds.map(Self.duration) ?? "—"],
        ]
    }

    var wentWell: [String] {
        var lines: [String] = []
        if let call = record.call, call.right { lines.append("The call was right: \(call.finding)") }
        let expected = DrillScoring.expectedPhases(record.fault?.kind)
        let met = record.laps.filter { expected.contains($0.phase) && $0.met == true }
        if !met.isEmpty {
            lines.append(
                "Laps within target: "
                    + met.map {
                        "\($0.phase.rawValue) \(Self.duration($0.seconds ?? 0)) (target \(Self.duration($0.targetSeconds)))"
                    }.joined(separator: ", ") + ".")
        }
        let held = DrillRole.allCases.filter { role in record.participants.contains { $0.roles.contains(role) } }
        if held.count == DrillRole.allCases.count { lines.append("Every role was held.") }
        if let overhead = record.overheadSeconds, overhead <= 60 {
            lines.append("Within a minute of the kit's scripted response (overhead \(Self.duration(overhead))).")
        }
        return lines
    }

    var wentWrong: [String] {
        var lines: [String] = []
        if let call = record.call, !call.right { lines.append("The call was wrong: \(call.finding)") }
        let expected = DrillScoring.expectedPhases(record.fault?.kind)
        for lap in record.laps where expected.contains(lap.phase) {
            if lap.seconds == nil {
                lines.append("'\(lap.phase.rawValue)' was never reached (\(lap.phase.meaning)).")
            } else if lap.met == false, let seconds = lap.seconds {
                lines.append(
                    "'\(lap.phase.rawValue)' took \(Self.duration(seconds)) against \(Self.duration(lap.targetSeconds))."
                )
            }
        }
        for role in DrillRole.allCases where !record.participants.contains(where: { $0.roles.contains(role) }) {
            lines.append("Nobody held the \(role.title) role.")
        }
        if record.ending != .ended { lines.append("The drill was \(record.ending), not ended with 'drill end'.") }
        return lines
    }

}

// MARK: Markdown

extension DrillDebrief {
    public var markdown: String {
        var out: [String] = ["# \(title)", ""]
        func table(_ headers: [String], _ rows: [[String]]) {
            func cell(_ text: String) -> String {
                text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            }
            out.append("| " + headers.map(cell).joined(separator: " | ") + " |")
            out.append("|" + headers.map { _ in " --- |" }.joined())
            for row in rows { out.append("| " + row.map(cell).joined(separator: " | ") + " |") }
            out.append("")
        }
        func bullets(_ lines: [String], empty: String) {
            out += (lines.isEmpty ? [empty] : lines).map { "- " + $0 }
            out.append("")
        }
        out += ["## Summary", ""]
        bullets(summary, empty: "")
        out += ["## Contributing factors", ""]
        bullets(factors, empty: "None the registry shows.")
        out += ["## Roles", ""]
        table(["Role", "Held by", "Actions"], roleRows)
        if !unroled.isEmpty {
            out += [
                "Acted without a role: " + unroled.map { "\($0.name) (\($0.actions))" }.joined(separator: ", ") + ".",
                "",
            ]
        }
        out += ["## Narrative", ""]
        bullets(narrativeLines, empty: "The scribe took no notes ('LabRunner drill note TEXT' during the drill).")
        out += ["## Timeline", ""]
        if timeline.isEmpty {
            out += ["The drill's event log is not available; the laps below come from its record.", ""]
        } else {
            out += ["Times are relative to the fault shipping (T+0:00), UTC clock beside them.", ""]
            table(["T", "UTC", "Who", "What"], timelineRows)
        }
        out += ["## Laps against targets", ""]
        table(["Phase", "Took", "Target", "Result", "By"], lapRows)
        out += ["## The team against the kit's scripted response", ""]
        table(["Measure", "Time"], responseRows)
        if !script.isEmpty {
            out += ["The scripted response (what a perfect team runs the moment the alarm fires):", "", "```"]
            out += script
            out += ["```", ""]
        }
        out += ["## What went well", ""]
        bullets(wentWell, empty: "Nothing this time: see below.")
        out += ["## What went wrong", ""]
        bullets(wentWrong, empty: "Nothing: every expected lap within target and the right call.")
        out += ["## Action items", ""]
        if actionRows.isEmpty {
            out += ["None.", ""]
        } else {
            table(["ID", "Owner", "Due", "Status", "Action"], actionRows)
        }
        if !stillOpenLines.isEmpty { bullets(stillOpenLines, empty: "") }
        out.append("Drill code \(record.code): 'LabRunner drill start --code \(record.code)' replays the same drill.")
        return out.joined(separator: "\n") + "\n"
    }
}
