// The drill's own events, each one write under the registry's lock, so several people acting from several
// terminals at once lose nothing; and the payloads of the ones written here (the fault's is beside its shipper,
// the recovery's beside the drill's monitor).
import Foundation
public import Playbook
public import Registry

/// How a drill ended, as its `drill.ended` event and its record store it.
public enum DrillEnding: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// `drill end`.
    case ended
    /// Ctrl-C on the drill's process, or its process died and someone ran `drill end`.
    case interrupted
    /// Its process died and nobody ended it: the next `drill start` found it so.
    case abandoned

    public var description: String { rawValue }
}

/// `drill.started`: the drill's code (which replays it; `sealed` while the plan is sealed) and the monitor's window.
public struct DrillStarted: EventPayload {
    public static let kind = "drill.started"
    public var drill: String
    public var code: String
    public var windowSeconds: Int
    /// The mark every drill-written event carries (see `DrillMarking`); the drill's own id.
    public var drillID: String
    /// The plan (code, fault, moment, right call) sealed under the game master's token, and its commitment.
    public var sealedPlan: String?
    public var planCommitment: String?

    public init(drill: String, code: String, windowSeconds: Int) {
        self.drill = drill
        self.code = code
        self.windowSeconds = windowSeconds
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, code
        case windowSeconds = "window_s"
        case drillID = "drill_id"
        case sealedPlan = "sealed_plan"
        case planCommitment = "plan_commitment"
    }
}

/// `drill.joined`: the actor takes a role for the rest of the drill.
public struct DrillJoined: EventPayload {
    public static let kind = "drill.joined"
    public var drill: String
    public var role: DrillRole
    public var drillID: String

    public init(drill: String, role: DrillRole) {
        self.drill = drill
        self.role = role
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, role
        case drillID = "drill_id"
    }
}

/// `drill.acknowledged`: someone acknowledged the drill's alarm.
public struct DrillAcknowledged: EventPayload {
    public static let kind = "drill.acknowledged"
    public var drill: String
    public var incident: String
    public var drillID: String

    public init(drill: String, incident: String) {
        self.drill = drill
        self.incident = incident
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, incident
        case drillID = "drill_id"
    }
}

/// `drill.diff`: a diff someone read during the drill.
public struct DrillDiffRead: EventPayload {
    public static let kind = "drill.diff"
    public var drill: String
    public var from: String
    public var to: String
    /// Comma-separated components that differ (see `componentNames`).
    public var components: String
    public var drillID: String

    public init(drill: String, from: String, to: String, components: [String]) {
        self.drill = drill
        self.from = from
        self.to = to
        self.components = components.joined(separator: ",")
        drillID = drill
    }

    public var componentNames: [String] { components.split(separator: ",").map(String.init) }

    enum CodingKeys: String, CodingKey {
        case drill, from, to, components
        case drillID = "drill_id"
    }
}

/// `drill.ended`: how the drill ended.
public struct DrillEnded: EventPayload {
    public static let kind = "drill.ended"
    public var drill: String
    public var ending: DrillEnding
    public var drillID: String

    public init(drill: String, ending: DrillEnding) {
        self.drill = drill
        self.ending = ending
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, ending
        case drillID = "drill_id"
    }
}

public enum DrillLog {
    /// Starts the drill with its plan sealed under `seal`: the log says a drill started, not what it will ship.
    @discardableResult
    public static func start(
        drill: String, plan: DrillPlan, seal: DrillSeal, by actor: String, in context: PlayContext
    ) throws -> Event {
        var started = DrillStarted(drill: drill, code: DrillSeal.sealedCode, windowSeconds: Int(plan.window))
        let sealed = try seal.seal(
            "plan",
            SealedPlan(
                code: plan.code, fault: plan.fault, shipAfterSeconds: plan.shipAfter, rightCall: plan.fault.rightCall,
                team: plan.team))
        started.sealedPlan = sealed.box
        started.planCommitment = sealed.commitment
        return try append(started, by: actor, context)
    }

    /// `actor` takes `role` for the rest of the drill (several people may share one, one person may hold several).
    @discardableResult
    /// One incident commander at a time: a second is refused (the role passes with `handoff`). Someone not on
    /// the drill's roster yet joins it (see `addToRoster`).
    public static func join(drill: String, role: DrillRole, by actor: String, in context: PlayContext) throws -> Event {
        try checkJoin(drill: drill, role: role, by: actor, in: context)
        try addToRoster(actor, in: context)
        // Checked again under the lock: two people claiming the role at once, one wins.
        return try context.registry.write { writer in
            try checkJoin(drill: drill, role: role, by: actor, in: context)
            return try writer.append(DrillJoined(drill: drill, role: role), actor: actor)
        }
    }

    /// Acknowledges the drill's open alarm; refused (writing nothing) when there is none yet.
    @discardableResult
    public static func acknowledge(drill: String, by actor: String, in context: PlayContext) throws -> Event {
        let events = try context.registry.events()
        let ids = try DrillMarking.incidentIDs(events: events, drill: drill)
        guard let incident = try Incidents.all(events: events).last(where: { ids.contains($0.id) }) else {
            throw PlaybookError.invalid(
                "There is no alarm to acknowledge yet: the monitor has not opened an incident in drill \(drill). "
                    + "Watch 'LabRunner drill status' and acknowledge when it fires.")
        }
        return try append(DrillAcknowledged(drill: drill, incident: incident.id), by: actor, context)
    }

    /// A diff someone read during the drill: diff writes nothing else, and the diagnosis lap needs it.
    @discardableResult
    public static func looked(
        drill: String, from: String, to: String, components: [String], by actor: String, in context: PlayContext
    ) throws -> Event {
        try append(DrillDiffRead(drill: drill, from: from, to: to, components: components), by: actor, context)
    }

    @discardableResult
    public static func end(drill: String, ending: DrillEnding, by actor: String, in context: PlayContext) throws
        -> Event
    {
        try append(DrillEnded(drill: drill, ending: ending), by: actor, context)
    }

    /// The on-disk word for the ending, for callers that still pass it as text; an unknown word is refused.
    @discardableResult
    public static func end(drill: String, ending: String, by actor: String, in context: PlayContext) throws -> Event {
        try end(drill: drill, ending: try DrillEnding(word: ending), by: actor, in: context)
    }

    static func append<P: EventPayload>(_ payload: P, by actor: String, _ context: PlayContext) throws -> Event {
        try context.registry.write { writer in try writer.append(payload, actor: actor) }
    }
}

extension DrillEnding {
    init(word: String) throws {
        guard let ending = DrillEnding(rawValue: word) else {
            throw DrillsError.unknownEnding(word)
        }
        self = ending
    }
}
