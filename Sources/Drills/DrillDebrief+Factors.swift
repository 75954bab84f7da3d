// The debrief's contributing factors and its follow-ups. Factors are read from what the drill's registry shows,
// never typed: the fault reached production forced past a failed gate (the promotion's recorded override), the
// canary was skipped (no canary ran on the shipped version before production moved to it), and how long the
// alarm took. Only factors that hold are listed. Follow-ups are this drill's action items with their status now,
// and what earlier drills in the room still had open when this one ended.
import Foundation
public import Playbook
public import Registry

extension DrillDebrief {
    /// The factors that hold for `record`, from the drill's events (none when its workspace is gone).
    public static func factors(_ record: DrillRecord, events: [Event], versions: [String: String] = [:]) throws
        -> [String]
    {
        guard let fault = record.fault else { return [] }
        let label = versions[fault.badVersion] ?? String(fault.badVersion.prefix(12))
        var lines: [String] = []
        let arrival = try events.first { event in
            guard event.is(TagMoved.self) else { return false }
            let move = try event.payload(as: TagMoved.self)
            return Registry.servingTags.contains(move.tag) && move.to == fault.badVersion
        }
        if let arrival {
            let facts = try TagMoveFacts.of(arrival)
            if facts.gate == .overridden {
                let finding = facts.gateFinding.map { "the gate said: \($0)" } ?? "the gate failed"
                let why = facts.overrideReason.map { "; override reason: \"\($0)\"" } ?? ""
                lines.append(
                    "The fault reached production forced past a failed gate: \(arrival.actor) promoted \(label) "
                        + "with --force (event #\(arrival.seq); \(finding)\(why)).")
            }
            let canaried =
                try facts.canary != nil
                || events.contains { event in
                    guard event.seq < arrival.seq, event.is(CanaryStarted.self) else { return false }
                    return try event.payload(as: CanaryStarted.self).candidate == fault.badVersion
                }
            if !canaried {
                lines.append(
                    "The canary was skipped: no canary ran on \(label) before it reached production "
                        + "(event #\(arrival.seq)).")
            }
        }
        if let detected = record.laps.first(where: { $0.phase == .detected }), let seconds = detected.seconds {
            let how = fault.kind.detectedByComplaint ? "Customers' complaints took" : "The alarm took"
            let against = seconds <= detected.targetSeconds ? "within" : "over"
            lines.append(
                "\(how) \(Int(seconds.rounded())) s from the fault shipping to detection (\(against) the "
                    + "\(Int(detected.targetSeconds)) s target).")
        }
        return lines
    }

    /// This drill's action items with their status now, and the items earlier drills in `room` still had open
    /// when this one ended.
    static func followUps(_ record: DrillRecord, room: Workspace) throws -> (own: [ActionRow], earlier: [ActionRow]) {
        let records = try DrillRoom(room).records()
        let events = try DrillActions.events(room)
        let mine = records.first { $0.id == record.id } ?? record
        let own = try DrillActions.rows([mine], events: events)
        let before = records.filter { $0.id != record.id && $0.startedAt < record.startedAt }
        let earlier = try DrillActions.rows(before, events: events, asOf: record.endedAt).filter {
            $0.status == .open
        }
        return (own, earlier)
    }

    /// "Still open from D-0001: A-0001 (alice, due 2026-12-18): text", one line per item.
    var stillOpenLines: [String] { stillOpen.map { "Still open from \($0.drill): \($0.line)" } }

    /// Action rows: id, owner, due, status (with who closed it and the note), text.
    var actionRows: [[String]] {
        let rows =
            actions.isEmpty
            ? record.actionItems.map { item in
                ActionRow(
                    id: item.id, drill: record.id, text: item.text, owner: item.owner, due: item.due,
                    status: item.status)
            } : actions
        return rows.map { row in
            var status = row.status.rawValue
            if row.status == .closed {
                status += " by \(row.closedBy ?? "?")" + (row.note.map { ": \($0)" } ?? "")
            }
            return [row.id ?? "—", row.owner ?? "—", row.due.map(Self.date) ?? "—", status, row.text]
        }
    }
}
