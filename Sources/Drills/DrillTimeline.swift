// Reads a drill from its own workspace's event log: the fault (once revealed), the laps — each the time of a
// recorded event, never typed in —, who held which role, and whether the team made the right call.
public import Foundation
import Hashing
public import Playbook
public import Registry

/// A move of production made in response to the alarm.
public struct ResponseMove: Codable, Sendable, Equatable {
    public var to: String
    public var at: Date
    public var by: String
    public var event: Int
    public var play: String?
}

/// Everything a drill's log says about it.
public struct DrillFolding: Sendable {
    public var drill: String
    public var code: String
    public var startedAt: Date
    public var endedAt: Date?
    public var ending: String?
    public var fault: FaultFacts?
    public var incident: Incident?
    public var laps: [Lap]
    public var participants: [Participant]
    /// Production moves after the alarm (after the fault shipped, when there was no alarm), oldest first.
    public var responseMoves: [ResponseMove]
}

public enum DrillTimeline {
    /// Whether the drill's end is recorded.
    public static func hasEnded(drill: String, in context: PlayContext) throws -> Bool {
        try context.registry.events().contains { $0.kind == DrillEvent.ended && $0.data["drill"] == drill }
    }

    public static func fold(events: [Event], drill: String) throws -> DrillFolding? {
        guard let start = events.first(where: { $0.kind == DrillEvent.started && $0.data["drill"] == drill }) else {
            return nil
        }
        let mine = events.filter { $0.seq >= start.seq }
        let end = mine.first { $0.kind == DrillEvent.ended && $0.data["drill"] == drill }
        let fault = mine.first { $0.kind == DrillEvent.fault && $0.data["drill"] == drill }.flatMap {
            FaultFacts(event: $0)
        }
        let ids = DrillMarking.incidentIDs(events: mine, drill: drill)
        let incident = try Incidents.all(events: mine).first { ids.contains($0.id) }
        let roles = roleClaims(mine, drill: drill)
        func role(_ actor: String, at time: Date) -> String? {
            let held = roles.filter { $0.actor == actor && $0.at <= time }.map(\.role.rawValue)
            return held.isEmpty ? nil : Array(Set(held)).sorted().joined(separator: "+")
        }
        var reached: [Phase: Event] = [:]
        if let incident,
            let opened = mine.first(where: {
                $0.kind == Incidents.opened && $0.data["incident"] == incident.id
            })
        {
            reached[.detected] = opened
            let after = mine.filter { $0.seq > opened.seq }
            reached[.acknowledged] = after.first { $0.kind == DrillEvent.acknowledged && $0.data["drill"] == drill }
            if let bad = fault?.badVersion {
                reached[.diagnosed] = after.first { names($0, bad) }
            }
            reached[.mitigated] = after.first {
                $0.kind == EventKind.tagMoved && $0.data["tag"] == "production"
            }
            reached[.recovered] = after.first {
                $0.kind == DrillEvent.recovered && $0.data["incident"] == incident.id
            }
            reached[.resolved] = after.first { $0.kind == Incidents.closed && $0.data["incident"] == incident.id }
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
            laps.append(
                Lap(
                    phase: phase, at: at, seconds: max(0, at.timeIntervalSince(from)), event: event.seq,
                    by: event.actor, role: role(event.actor, at: event.at)))
        }
        let since = time(.detected) ?? fault?.shippedAt
        let responseMoves = mine.compactMap { event -> ResponseMove? in
            guard event.kind == EventKind.tagMoved, event.data["tag"] == "production", let to = event.data["to"],
                let since, event.at >= since, event.actor != FaultShipper.shipper
            else { return nil }
            return ResponseMove(to: to, at: event.at, by: event.actor, event: event.seq, play: event.data["play"])
        }
        return DrillFolding(
            drill: drill, code: start.data["code"] ?? "", startedAt: start.at, endedAt: end?.at,
            ending: end?.data["ending"], fault: fault, incident: incident, laps: laps,
            participants: participants(mine, start: start, roles: roles), responseMoves: responseMoves)
    }

    /// An investigation that named the shipped version among its suspects, or a diff with it on one side.
    static func names(_ event: Event, _ bad: String) -> Bool {
        switch event.kind {
        case InvestigatePlay.concludedEvent:
            return event.data["suspect"] == bad
                || (event.data["suspects"] ?? "").split(separator: " ").contains(Substring(bad))
        case DrillEvent.looked:
            return event.data["from"] == bad || event.data["to"] == bad
        default:
            return false
        }
    }

    struct RoleClaim {
        var actor: String
        var role: DrillRole
        var at: Date
    }

    static func roleClaims(_ events: [Event], drill: String) -> [RoleClaim] {
        events.compactMap { event in
            guard event.kind == DrillEvent.joined, event.data["drill"] == drill,
                let role = event.data["role"].flatMap(DrillRole.init)
            else { return nil }
            return RoleClaim(actor: event.actor, role: role, at: event.at)
        }
    }

    /// The people who acted during the drill: everyone who joined or wrote an event, except the kit itself.
    static func participants(_ events: [Event], start: Event, roles: [RoleClaim]) -> [Participant] {
        let kit: Set<String> = ["drill", "monitor", FaultShipper.shipper]
        var actions: [String: Int] = [:]
        for event in events where event.seq > start.seq && !kit.contains(event.actor) {
            actions[event.actor, default: 0] += 1
        }
        return actions.keys.sorted().map { name in
            let held = Set(roles.filter { $0.actor == name }.map(\.role))
            return Participant(
                name: name, roles: DrillRole.allCases.filter { held.contains($0) }, actions: actions[name] ?? 0)
        }
    }
}

extension FaultFacts {
    init?(event: Event) {
        guard let kind = event.data["kind"].flatMap(FaultKind.init), let bad = event.data["bad_version"],
            let parent = event.data["parent"], let good = event.data["last_known_good"]
        else { return nil }
        self.init(
            kind: kind, shippedAt: event.data["shipped_at"].flatMap(Timestamp.date(from:)) ?? event.at,
            badVersion: bad, parent: parent, lastKnownGood: good, badComponent: event.data["bad_component"],
            requiredComponent: event.data["required_component"], shippedBy: FaultShipper.shipper)
    }
}
