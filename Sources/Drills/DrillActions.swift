// A drill's action items as work a team follows up: each has an id (A-0001, unique in the room), a text, an
// owner (a participant of the drill; the incident commander when the item follows from the call), a due date (the
// drill's end plus 14 days) and a status. The items are part of the drill's record, which the room's log commits
// to, so they never change; closing one is its own event in the room's log (`drill.action-closed`: who, when,
// the note), and every reader folds those closures over the records. fsck names a closure of an unknown item.
public import Foundation
import Hashing
public import Registry
public import Terminal

/// Open until a `drill.action-closed` event closes it.
public enum ActionStatus: String, Codable, Sendable {
    case open, closed
    /// An older record's item, written as a sentence without an id: shown as it was, not tracked.
    case untracked
}

/// One action item as a drill's record stores it.
public struct ActionItem: Codable, Sendable, Equatable {
    /// A-0001; nil for an older record's sentence, and until the room numbers it (`DrillRoom.save`).
    public var id: String?
    public var text: String
    /// The participant who owns it ("unassigned" when nobody took part).
    public var owner: String?
    public var due: Date?
    /// As recorded: always open; closures are events (see `DrillActions.rows`).
    public var status: ActionStatus

    public init(id: String? = nil, text: String, owner: String?, due: Date?, status: ActionStatus = .open) {
        self.id = id
        self.text = text
        self.owner = owner
        self.due = due
        self.status = status
    }

    /// Written before items had owners: a plain sentence ("Team: …"), kept as it was.
    public var isLegacy: Bool { owner == nil && due == nil && id == nil }

    enum CodingKeys: String, CodingKey { case id, text, owner, due, status }

    public init(from decoder: any Decoder) throws {
        // Older records store each item as one sentence.
        if let sentence = try? decoder.singleValueContainer().decode(String.self) {
            (id, text, owner, due, status) = (nil, sentence, nil, nil, .untracked)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
        due = try container.decodeIfPresent(Date.self, forKey: .due)
        status = try container.decodeIfPresent(ActionStatus.self, forKey: .status) ?? .open
    }

    public func encode(to encoder: any Encoder) throws {
        if isLegacy {
            // Re-encoded exactly as it was read, so an older record's bytes do not change.
            var single = encoder.singleValueContainer()
            try single.encode(text)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(owner, forKey: .owner)
        try container.encodeIfPresent(due, forKey: .due)
        try container.encode(status, forKey: .status)
    }
}

/// `drill.action-closed`, in the room's log: the actor closed `action` (of `drill`) with `note`.
public struct DrillActionClosed: EventPayload {
    public static let kind = "drill.action-closed"
    public var action: String
    public var drill: String
    public var note: String

    public init(action: String, drill: String, note: String) {
        self.action = action
        self.drill = drill
        self.note = note
    }
}

/// One action item with its status now, as `drill actions` lists it.
public struct ActionRow: Codable, Sendable, Equatable {
    public var id: String?
    public var drill: String
    public var text: String
    public var owner: String?
    public var due: Date?
    public var status: ActionStatus
    public var closedBy: String?
    public var closedAt: Date?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, drill, text, owner, due, status, note
        case closedBy = "closed_by"
        case closedAt = "closed_at"
    }

    /// "A-0001 (alice, due 2026-12-18): text" for a debrief.
    public var line: String {
        let who = [owner, due.map { "due " + DrillDebrief.date($0) }].compactMap { $0 }.joined(separator: ", ")
        return (id ?? "—") + (who.isEmpty ? "" : " (\(who))") + ": " + text
    }
}

/// Every action item in the room, oldest drill first.
public struct ActionList: Codable, Sendable, Equatable, TextRendering {
    public var items: [ActionRow]
    public var at: Date

    public var open: Int { items.filter { $0.status == .open }.count }

    public func render(_ out: inout TextOutput) {
        guard !items.isEmpty else {
            out.line("No action items yet: each drill's record adds the follow-ups its debrief names.")
            return
        }
        let rows = items.map { item -> [String] in
            let overdue = item.status == .open && (item.due.map { $0 < at } ?? false)
            var status = item.status.rawValue + (overdue ? " (OVERDUE)" : "")
            if item.status == .closed {
                status += " by \(item.closedBy ?? "?")" + (item.closedAt.map { " " + DrillDebrief.date($0) } ?? "")
            }
            let text = item.text + (item.note.map { " — closed: \($0)" } ?? "")
            return [
                item.id ?? "—", item.drill, status, item.owner ?? "—", item.due.map(DrillDebrief.date) ?? "—", text,
            ]
        }
        out.line(Table(headers: ["ID", "Drill", "Status", "Owner", "Due", "Action"], rows: rows).render())
        out.line(
            "\(open) open of \(items.filter { $0.status != .untracked }.count); close one with "
                + "'LabRunner drill actions close ID --note TEXT'.")
    }
}

/// What `drill actions close` refuses, writing nothing.
public enum DrillActionsError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case alreadyClosed(id: String, by: String, at: Date)
    case badNote(limit: Int)

    public var description: String {
        switch self {
        case .unknown(let id):
            return "There is no action item \(id) in this room; 'LabRunner drill actions' lists them."
        case .alreadyClosed(let id, let by, let at):
            return "\(id) was already closed by \(by) at \(Timestamp.string(from: at)); nothing was recorded."
        case .badNote(let limit):
            return "--note must say what was done, on one line of at most \(limit) characters."
        }
    }
}

public enum DrillActions {
    /// Days from the drill's end to an item's due date.
    public static let defaultDueDays = 14
    public static let noteLimit = 500

    /// Who owns an item: the first participant holding `role`, else the commander at the drill's end, else the
    /// most active participant ("unassigned" when nobody took part).
    public static func owner(_ role: DrillRole?, participants: [Participant], commander: String?) -> String {
        if let role, role != .commander, let holder = participants.first(where: { $0.roles.contains(role) }) {
            return holder.name
        }
        return commander ?? participants.max { ($0.actions, $1.name) < ($1.actions, $0.name) }?.name ?? "unassigned"
    }

    /// An item's due date: the drill's end plus `defaultDueDays`.
    public static func due(after endedAt: Date) -> Date { endedAt.addingTimeInterval(Double(defaultDueDays) * 86_400) }

    /// Numbers `record`'s unnumbered items after every id in `others` (A-0001, A-0002, …).
    public static func number(_ record: DrillRecord, after others: [DrillRecord]) -> DrillRecord {
        var next =
            others.flatMap(\.actionItems).compactMap { $0.id.flatMap { Int($0.dropFirst(2)) } }.max() ?? 0
        var numbered = record
        for index in numbered.actionItems.indices
        where numbered.actionItems[index].id == nil && !numbered.actionItems[index].isLegacy {
            next += 1
            numbered.actionItems[index].id = String(format: "A-%04d", next)
        }
        return numbered
    }

    /// Every item of `records` with the closures in `events` folded over it (closures after `asOf` ignored).
    public static func rows(_ records: [DrillRecord], events: [Event], asOf: Date? = nil) throws -> [ActionRow] {
        var closed: [String: (event: Event, payload: DrillActionClosed)] = [:]
        for (event, payload) in try events.payloads(DrillActionClosed.self)
        where closed[payload.action] == nil && asOf.map({ event.at <= $0 }) ?? true {
            closed[payload.action] = (event, payload)
        }
        return records.flatMap { record in
            record.actionItems.map { item in
                let closure = item.id.flatMap { closed[$0] }
                return ActionRow(
                    id: item.id, drill: record.id, text: item.text, owner: item.owner, due: item.due,
                    status: closure == nil ? item.status : .closed, closedBy: closure?.event.actor,
                    closedAt: closure?.event.at, note: closure?.payload.note)
            }
        }
    }

    /// The room's action items now.
    public static func list(_ room: Workspace, now: Date) throws -> ActionList {
        let records = try DrillRoom(room).records()
        return ActionList(items: try rows(records, events: try events(room)), at: now)
    }

    /// Closes `id` with `note` as `actor`; refused, writing nothing, for an unknown or closed item or a bad note.
    @discardableResult
    public static func close(
        _ id: String, note: String, by actor: String, in room: Workspace, now: @escaping @Sendable () -> Date
    ) throws -> ActionRow {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty, !note.contains(where: \.isNewline), note.count <= noteLimit else {
            throw DrillActionsError.badNote(limit: noteLimit)
        }
        let records = try DrillRoom(room).records()
        func check(_ events: [Event]) throws -> ActionRow {
            guard let row = try rows(records, events: events).first(where: { $0.id == id }) else {
                throw DrillActionsError.unknown(id)
            }
            if row.status == .closed {
                throw DrillActionsError.alreadyClosed(id: id, by: row.closedBy ?? "?", at: row.closedAt ?? now())
            }
            return row
        }
        let registry = try Registry(root: room.registryPath, now: now)
        var row = try check(try registry.events())
        // Checked again under the lock: two people closing the same item at once, one wins.
        let event = try registry.write { writer in
            row = try check(try registry.events())
            return try writer.append(DrillActionClosed(action: id, drill: row.drill, note: note), actor: actor)
        }
        row.status = .closed
        row.closedBy = event.actor
        row.closedAt = event.at
        row.note = note
        return row
    }

    /// What fsck names: a closure of an item no record holds, and a second closure of one.
    public static func problems(_ records: [DrillRecord], events: [Event]) throws -> [String] {
        let known = Set(records.flatMap(\.actionItems).compactMap(\.id))
        var seen: Set<String> = []
        var problems: [String] = []
        for (event, closed) in try events.payloads(DrillActionClosed.self) {
            if !known.contains(closed.action) {
                problems.append(
                    "Event #\(event.seq) closes the action item \(closed.action), which no drill record holds.")
            } else if !seen.insert(closed.action).inserted {
                problems.append("Event #\(event.seq) closes the action item \(closed.action) a second time.")
            }
        }
        return problems
    }

    static func events(_ room: Workspace) throws -> [Event] {
        guard FileManager.default.fileExists(atPath: room.registryPath + "/events.jsonl") else { return [] }
        return try Registry(root: room.registryPath).events()
    }
}
