// Reads a drill from its own workspace's event log: the fault (once revealed), the laps — each the time of a
// recorded event, never typed in —, who held which role, and whether the team made the right call.
public import Foundation
public import Playbook
public import Registry

/// A move of production made in response to the alarm.
public struct ResponseMove: Codable, Sendable, Equatable {
    public var to: String
    public var at: Date
    public var by: String
    public var event: Int
    public var play: TagMoveFacts.Play?
}

/// Everything a drill's log says about it.
public struct DrillFolding: Sendable {
    public var drill: String
    public var code: String
    public var startedAt: Date
    public var endedAt: Date?
    public var ending: DrillEnding?
    public var fault: FaultFacts?
    public var incident: Incident?
    public var laps: [Lap]
    public var participants: [Participant]
    /// Production moves after the alarm (after the fault shipped, when there was no alarm), oldest first.
    public var responseMoves: [ResponseMove]
    /// Moves of the `canary` tag after the alarm, oldest first (the bad-canary fault is stopped by one).
    public var canaryMoves: [ResponseMove] = []
    /// The incident commander at the end of the log read (nil: nobody holds the role).
    public var commander: String? = nil
    /// The drill's plan, once its seal is opened (a team's fault travels in it; the catalogue file may be gone).
    public var plan: SealedPlan? = nil
}

public enum DrillTimeline {
    /// Whether the drill's end is recorded.
    public static func hasEnded(drill: String, in context: PlayContext) throws -> Bool {
        try !context.registry.events().payloads(DrillEnded.self, where: DrillEnded.CodingKeys.drill, is: drill)
            .isEmpty
    }

    public static func fold(events: [Event], drill: String) throws -> DrillFolding? {
        guard
            let (start, started) = try events.payloads(
                DrillStarted.self, where: DrillStarted.CodingKeys.drill, is: drill
            )
            .first
        else { return nil }
        let mine = events.filter { $0.seq >= start.seq }
        let end = try mine.payloads(DrillEnded.self, where: DrillEnded.CodingKeys.drill, is: drill).first
        // Sealed until the token is recorded at the end; older drills recorded it in plain text.
        let revealed = try DrillSeal.revealed(events: mine, drill: drill)
        let fault =
            try mine.payloads(DrillFaultShipped.self, where: DrillFaultShipped.CodingKeys.drill, is: drill)
            .first?.payload.facts ?? revealed?.facts
        let ids = try DrillMarking.incidentIDs(events: mine, drill: drill)
        let incident = try Incidents.all(events: mine).first { ids.contains($0.id) }
        let roles = try roleClaims(mine, drill: drill)
        func role(_ actor: String, at time: Date) -> String? {
            let held = roles.filter { $0.actor == actor && $0.holds(at: time) }.map(\.role.rawValue)
            return held.isEmpty ? nil : Array(Set(held)).sorted().joined(separator: "+")
        }
        var reached: [Phase: Event] = [:]
        if let incident,
            let opened = try mine.payloads(IncidentOpened.self).first(where: { $0.payload.incident == incident.id })?
                .event
        {
            reached[.detected] = opened
            let after = mine.filter { $0.seq > opened.seq }
            reached[.acknowledged] =
                try after.payloads(DrillAcknowledged.self, where: DrillAcknowledged.CodingKeys.drill, is: drill).first?
                .event
            if let bad = fault?.badVersion {
                reached[.diagnosed] = try after.first { try names($0, bad) }
            }
            // Production moved, or a live canary was stopped: either takes customers off a version.
            reached[.mitigated] =
                try after.payloads(TagMoved.self).first {
                    $0.payload.tag == "production"
                        || $0.payload.tag == CanarySlice.tag && $0.event.actor != FaultShipper.shipper
                }?.event
            reached[.recovered] =
                try after.payloads(DrillRecovered.self).first { $0.payload.incident == incident.id }?.event
            reached[.resolved] = try after.payloads(IncidentClosed.self).first { $0.payload.incident == incident.id }?
                .event
        }
        func time(_ phase: Phase) -> Date? {
            guard let event = reached[phase] else { return nil }
            return phase == .detected ? (incident?.detectedAt ?? event.at) : event.at
        }
        var laps: [Lap] = []
        for phase in Phase.allCases {
            guard let at = time(phase), let event = reached[phase] else {
                laps.append(Lap(phase: phase, at: nil, seconds: nil, event: nil, by: nil, role: nil))
                continue
            }
            // From the latest earlier phase reached at or before this one; the first lap runs from the fault.
            let earlier = Phase.allCases.prefix { $0 != phase }.compactMap(time).filter { $0 <= at }
            let from = earlier.max() ?? fault?.shippedAt ?? start.at
            let by = try ranBy(event)
            laps.append(
                Lap(
                    phase: phase, at: at, seconds: max(0, at.timeIntervalSince(from)), event: event.seq, by: by,
                    role: role(by, at: event.at)))
        }
        let since = time(.detected) ?? fault?.shippedAt
        let responseMoves = try moves(of: "production", in: mine, since: since)
        var folding = DrillFolding(
            drill: drill, code: revealed?.plan?.code ?? started.code, startedAt: start.at, endedAt: end?.event.at,
            ending: end?.payload.ending, fault: fault, incident: incident, laps: laps,
            participants: participants(mine, start: start, roles: roles), responseMoves: responseMoves,
            commander: roles.last { $0.role == .commander && $0.until == nil }?.actor, plan: revealed?.plan)
        folding.canaryMoves = try moves(of: CanarySlice.tag, in: mine, since: since)
        return folding
    }

    /// The moves of `tag` since the alarm by the team (not the fault's shipper nor its approver), oldest first.
    static func moves(of tag: String, in mine: [Event], since: Date?) throws -> [ResponseMove] {
        try mine.payloads(TagMoved.self).compactMap { event, move -> ResponseMove? in
            guard move.tag == tag, let since, event.at >= since,
                ![FaultShipper.shipper, FaultShipper.approver].contains(event.actor)
            else {
                return nil
            }
            return ResponseMove(
                to: move.to, at: event.at, by: try ranBy(event), event: event.seq,
                play: try move.facts(of: event).play)
        }
    }

    /// An investigation that named the shipped version among its suspects, or a diff with it on one side.
    static func names(_ event: Event, _ bad: String) throws -> Bool {
        if event.is(InvestigationConcluded.self) {
            let concluded = try event.payload(as: InvestigationConcluded.self)
            return concluded.suspect == bad || concluded.suspectIDs.contains(bad)
        }
        if event.is(DrillDiffRead.self) {
            let diff = try event.payload(as: DrillDiffRead.self)
            return diff.from == bad || diff.to == bad
        }
        return false
    }

    /// A role held from `at` until `until` (a commander who handed off), or to the end.
    struct RoleClaim {
        var actor: String
        var role: DrillRole
        var at: Date
        var until: Date?

        func holds(at time: Date) -> Bool { at <= time && until.map { time <= $0 } ?? true }
    }

    /// Joins and handoffs, in order: a handoff ends the commander's claim and starts the new one's.
    static func roleClaims(_ events: [Event], drill: String) throws -> [RoleClaim] {
        var claims: [RoleClaim] = []
        for event in events {
            if event.is(DrillJoined.self) {
                let joined = try event.payload(as: DrillJoined.self)
                guard joined.drill == drill else { continue }
                claims.append(RoleClaim(actor: event.actor, role: joined.role, at: event.at))
            } else if event.is(DrillHandedOff.self) {
                let handoff = try event.payload(as: DrillHandedOff.self)
                guard handoff.drill == drill else { continue }
                for index in claims.indices where claims[index].role == handoff.role && claims[index].until == nil {
                    claims[index].until = event.at
                }
                claims.append(RoleClaim(actor: handoff.to, role: handoff.role, at: event.at))
            }
        }
        return claims
    }

    /// Who a production move is credited to: whoever ran the command (a promotion's `--by`), not the approver
    /// the event is recorded under.
    static func ranBy(_ event: Event) throws -> String {
        guard event.is(TagMoved.self) else { return event.actor }
        return try event.payload(as: TagMoved.self).facts(of: event).runBy ?? event.actor
    }

    /// The people who acted during the drill: everyone who joined or wrote an event, except the kit itself.
    static func participants(_ events: [Event], start: Event, roles: [RoleClaim]) -> [Participant] {
        let kit: Set<String> = ["drill", "monitor", FaultShipper.shipper, FaultShipper.approver]
        var actions: [String: Int] = [:]
        // Adding a joiner to the roster is the kit's bookkeeping, not an action of whoever heads it.
        for event in events where event.seq > start.seq && !kit.contains(event.actor) && !event.is(PersonAdded.self) {
            actions[event.actor, default: 0] += 1
        }
        // Someone handed the commander's role counts even before their first action.
        for claim in roles where actions[claim.actor] == nil { actions[claim.actor] = 0 }
        return actions.keys.sorted().map { name in
            let held = Set(roles.filter { $0.actor == name }.map(\.role))
            return Participant(
                name: name, roles: DrillRole.allCases.filter { held.contains($0) }, actions: actions[name] ?? 0)
        }
    }
}
