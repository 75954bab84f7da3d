// What the plays record on the tag moves they make, beside the registry's own fields (tag, from, to, reason):
// which play moved it, and for a promotion its gate, approver and canary; for a rollback its incident. One
// type for every mover, so every reader asks the same questions of a move ("was it gated?", "by which play?").
import Foundation
public import Registry

public struct TagMoveFacts: Codable, Sendable, Equatable {
    /// The play that moved the tag; absent for a plain `LabRunner tag` move.
    public enum Play: String, Codable, Sendable, CustomStringConvertible {
        case promote, rollback, experiment
        /// A lab reset putting a lab's tags back (LabKit).
        case labReset = "lab-reset"
        /// A drill shipping its fault (Drills).
        case drill
        public var description: String { rawValue }
    }

    /// A promotion's gate: passed, or failed and overridden (break-glass, with a reason).
    public enum Gate: String, Codable, Sendable, CustomStringConvertible {
        case passed, overridden
        public var description: String { rawValue }
    }

    public var play: Play?
    public var approver: String?
    public var gate: Gate?
    public var gateFinding: String?
    public var suiteSHA256: String?
    public var candidatePassRate: Double?
    public var productionPassRate: Double?
    public var highStakes: Bool?
    public var overrideReason: String?
    /// Comma-separated floored categories the candidate was worse in (see `brokenFloors`).
    public var floorsBroken: String?
    public var canary: CanaryFacts?
    /// The incident a rollback answered.
    public var incident: String?
    /// A rollback's target was the last known good by the live rule when it moved (false: a version named by
    /// REF that is not).
    public var lastKnownGood: Bool?
    /// The lab a lab reset restored.
    public var lab: String?
    /// The drill that made the move (the field Drills marks its own events with).
    public var drillID: String?
    /// The pinned policy (settings) a promotion's gate or a rollback decided under (Policy.swift).
    public var policySHA256: String?
    /// Who ran the promotion, when not the approver.
    public var runBy: String?
    /// The approver's signed approval: when they signed it and the armored `ssh-keygen -Y sign` signature.
    public var approvalSignedAt: String?
    public var approvalSignature: String?
    /// Comma-separated break-glass overrides (see `BreakGlass.Override`), when the move was one.
    public var breakGlass: String?

    public var approvalSigned: Bool { approvalSignature != nil }

    public init(
        play: Play? = nil, approver: String? = nil, gate: Gate? = nil, gateFinding: String? = nil,
        suiteSHA256: String? = nil, candidatePassRate: Double? = nil, productionPassRate: Double? = nil,
        highStakes: Bool? = nil, overrideReason: String? = nil, floorsBroken: [String] = [],
        canary: CanaryFacts? = nil, incident: String? = nil, lastKnownGood: Bool? = nil, lab: String? = nil,
        drillID: String? = nil, policySHA256: String? = nil
    ) {
        self.lastKnownGood = lastKnownGood
        self.play = play
        self.approver = approver
        self.gate = gate
        self.gateFinding = gateFinding
        self.suiteSHA256 = suiteSHA256
        self.candidatePassRate = candidatePassRate
        self.productionPassRate = productionPassRate
        self.highStakes = highStakes
        self.overrideReason = overrideReason
        self.floorsBroken = floorsBroken.isEmpty ? nil : floorsBroken.joined(separator: ",")
        self.canary = canary
        self.incident = incident
        self.lab = lab
        self.drillID = drillID
        self.policySHA256 = policySHA256
    }

    public var brokenFloors: [String] { floorsBroken.map { $0.split(separator: ",").map(String.init) } ?? [] }

    enum CodingKeys: String, CodingKey {
        case play, approver, gate, canary, incident, lab
        case gateFinding = "gate_finding"
        case suiteSHA256 = "suite_sha256"
        case candidatePassRate = "candidate_pass_rate"
        case productionPassRate = "production_pass_rate"
        case highStakes = "high_stakes"
        case overrideReason = "override_reason"
        case floorsBroken = "floors_broken"
        case drillID = "drill_id"
        case lastKnownGood = "last_known_good"
        case policySHA256 = "policy_sha256"
        case runBy = "run_by"
        case approvalSignedAt = "approval_signed_at"
        case approvalSignature = "approval_signature"
        case breakGlass = "break_glass"
    }
}

extension TagMove {
    /// What the play that made this move recorded on it; a damaged field is an error naming the event.
    public func facts() throws -> TagMoveFacts { try details(as: TagMoveFacts.self) }
}

extension Registry {
    /// Moves a tag recording a play's facts with it (see `moveTag(_:to:by:reason:expecting:details:)`).
    @discardableResult
    public func moveTag(
        _ name: String, to id: String, by actor: String, reason: String, expecting: TagExpectation = .any,
        facts: TagMoveFacts, first: ((inout Writer) throws -> Void)? = nil
    ) throws -> Event {
        try moveTag(
            name, to: id, by: actor, reason: reason, expecting: expecting, details: try EventFields.encode(facts),
            first: first)
    }
}

extension TagMoveFacts {
    /// The facts on a `tag.moved` event; a damaged field is an error naming the event.
    public static func of(_ event: Event) throws -> TagMoveFacts {
        let moved = try event.payload(as: TagMoved.self)
        do {
            return try EventFields.decode(TagMoveFacts.self, from: moved.details)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: event.seq, kind: event.kind, reason: error.reason)
        }
    }
}
