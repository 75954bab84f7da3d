// The roles' own events: one incident commander at a time (the role passes with `drill handoff NAME`, recorded),
// and the scribe's timestamped notes, which become the debrief's narrative.
public import Foundation
public import Playbook
public import Registry

/// `drill.handoff`: the incident commander passes the role to `to` (the actor is the commander handing over).
public struct DrillHandedOff: EventPayload {
    public static let kind = "drill.handoff"
    public var drill: String
    public var role: DrillRole
    public var to: String
    public var drillID: String

    public init(drill: String, to: String) {
        self.drill = drill
        role = .commander
        self.to = to
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, role, to
        case drillID = "drill_id"
    }
}

/// `drill.note`: a line of the scribe's notes; its time is the event's.
public struct DrillNoted: EventPayload {
    public static let kind = "drill.note"
    public var drill: String
    public var text: String
    public var drillID: String

    public init(drill: String, text: String) {
        self.drill = drill
        self.text = text
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, text
        case drillID = "drill_id"
    }
}

/// One line of the debrief's narrative: the scribe's note, when, by whom.
public struct ScribeNote: Codable, Sendable, Equatable {
    public var at: Date
    public var by: String
    public var text: String
    public var event: Int
}

extension DrillLog {
    /// The longest note `drill note` takes.
    public static let noteLimit = 500

    /// The incident commander now (nil: nobody holds the role).
    public static func commander(drill: String, in context: PlayContext) throws -> String? {
        try DrillTimeline.roleClaims(try context.registry.events(), drill: drill)
            .last { $0.role == .commander && $0.until == nil }?.actor
    }

    /// Refuses, writing nothing, a second commander: the role passes with a handoff.
    static func checkJoin(drill: String, role: DrillRole, by actor: String, in context: PlayContext) throws {
        guard role == .commander, let holder = try commander(drill: drill, in: context),
            Roster.identity(holder) != Roster.identity(actor)
        else { return }
        throw DrillsError.commanderHeld(holder: holder)
    }

    /// The commander `actor` passes the role to `name`, who joins the roster if they are not on it yet.
    @discardableResult
    public static func handoff(drill: String, to name: String, by actor: String, in context: PlayContext) throws
        -> Event
    {
        let name = name.trimmingCharacters(in: .whitespaces)
        func check() throws {
            guard let holder = try commander(drill: drill, in: context) else { throw DrillsError.noCommander }
            guard Roster.identity(holder) == Roster.identity(actor) else {
                throw DrillsError.notCommander(actor: actor, holder: holder)
            }
            guard Roster.identity(name) != Roster.identity(actor) else { throw DrillsError.handoffToSelf(actor) }
        }
        try check()
        try addToRoster(name, in: context)
        // Checked again under the lock, so two handoffs at once cannot both pass the role.
        return try context.registry.write { writer in
            try check()
            return try writer.append(DrillHandedOff(drill: drill, to: name), actor: actor)
        }
    }

    /// A note by a scribe, stamped with the event's time; refused when `actor` is not a scribe or the text is
    /// empty, several lines or too long.
    @discardableResult
    public static func note(drill: String, text: String, by actor: String, in context: PlayContext) throws -> Event {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.contains(where: \.isNewline), text.count <= noteLimit else {
            throw DrillsError.badNote(limit: noteLimit)
        }
        let scribes = try DrillTimeline.roleClaims(try context.registry.events(), drill: drill)
            .filter { $0.role == .scribe }.map { Roster.identity($0.actor) }
        guard scribes.contains(Roster.identity(actor)) else { throw DrillsError.notScribe(actor) }
        return try append(DrillNoted(drill: drill, text: text), by: actor, context)
    }

    /// The scribe's notes of `drill`, oldest first.
    public static func notes(events: [Event], drill: String) throws -> [ScribeNote] {
        try events.payloads(DrillNoted.self, where: DrillNoted.CodingKeys.drill, is: drill).map { event, note in
            ScribeNote(at: event.at, by: event.actor, text: note.text, event: event.seq)
        }
    }

    /// Someone not yet on the drill's roster is added with the roles a participant acts in (owner, operator,
    /// reviewer), by the person heading the roster (who started the drill), so every later action of theirs is a
    /// roster person's.
    static func addToRoster(_ name: String, in context: PlayContext) throws {
        let roster = try context.registry.roster()
        guard !roster.isEmpty, roster.person(name) == nil,
            let head = roster.people.first(where: { $0.roles.contains(Roster.Role.learner.rawValue) })
                ?? roster.people.first
        else { return }
        try context.registry.addPerson(name, key: nil, roles: [.owner, .operator, .reviewer], by: head.name)
    }
}
