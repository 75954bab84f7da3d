// Break-glass: promoting past a safety the kit otherwise enforces. Each reason is one `Override`; a promotion
// with any is refused without --force, needs a reason and a second person (not the owner, not the actor, the
// one rule in `Roster.secondPerson`), and is recorded as `promotion.break_glass` in the same write as the move.
import Foundation
public import Registry

/// `promotion.break_glass`: what was overridden, by whom, why; the `tag.moved` that follows is the move.
public struct BreakGlass: EventPayload {
    public static let kind = "promotion.break_glass"

    /// What a break-glass promotion overrode. An inconclusive canary is not one: nothing passes it.
    public enum Override: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
        /// A floored (safety) category is worse than production's.
        case failedFloor = "failed-floor"
        /// An incident named the candidate the bad version.
        case namedBad = "named-bad"
        public var description: String { rawValue }
    }

    public var candidate: String
    public var production: String?
    public var owner: String
    public var approver: String
    /// Who ran the promotion, when not the approver.
    public var runBy: String?
    public var reason: String
    /// Comma-separated overrides (see `overrideList`).
    public var overrides: String
    /// Comma-separated floored categories that were worse.
    public var floors: String?
    /// Comma-separated incident ids that named the candidate bad.
    public var incidents: String?
    public var approvalSigned: Bool

    public var overrideList: [Override] {
        overrides.split(separator: ",").compactMap { Override(rawValue: String($0)) }
    }
    public var floorList: [String] { floors.map { $0.split(separator: ",").map(String.init) } ?? [] }
    public var incidentList: [String] { incidents.map { $0.split(separator: ",").map(String.init) } ?? [] }

    enum CodingKeys: String, CodingKey {
        case candidate, production, owner, approver, reason, overrides, floors, incidents
        case runBy = "run_by"
        case approvalSigned = "approval_signed"
    }

    /// One line for the write-up, the audit and the report.
    public var summary: String {
        var what: [String] = []
        if !floorList.isEmpty { what.append("failed floors " + floorList.joined(separator: ", ")) }
        if !incidentList.isEmpty { what.append("named bad by incident " + incidentList.joined(separator: ", ")) }
        return "break-glass: " + what.joined(separator: "; ") + " — approved by \(approver)"
            + (approvalSigned ? " (signed)" : " (unsigned)") + ", reason: \(reason)"
    }
}

/// What a promotion would override, worked out from the gate and the incidents before anything moves.
public struct BreakGlassNeed: Sendable, Equatable {
    public var floors: [String]
    public var incidents: [String]

    public var overrides: [BreakGlass.Override] {
        (floors.isEmpty ? [] : [.failedFloor]) + (incidents.isEmpty ? [] : [.namedBad])
    }
    public var isNeeded: Bool { !overrides.isEmpty }

    public var sentence: String {
        var what: [String] = []
        if !floors.isEmpty { what.append("floored categories worse: " + floors.joined(separator: ", ")) }
        if !incidents.isEmpty { what.append("named bad by incident " + incidents.joined(separator: ", ")) }
        return what.joined(separator: "; ")
    }

    /// The incidents (open or closed, false alarms aside) that named `candidate` the bad version.
    static func incidents(naming candidate: String, in context: PlayContext) throws -> [String] {
        // An incident closed as a false alarm said the version was not at fault: it names nothing bad.
        try Incidents.all(events: try context.registry.events()).filter {
            $0.badVersion == candidate && $0.falseAlarm != true
        }.map(\.id)
    }
}
