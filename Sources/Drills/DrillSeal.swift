// The game master's token and what it seals: the drill's plan (its code, fault, moment and right call) in the
// `drill.started` event, and what shipped in `drill.fault.sealed`. Each is stored as a commitment (SHA-256 over a
// salt derived from the token and the plaintext, so the few possible plans cannot be tried one by one) plus the
// plaintext sealed (`SealedBox`) under a key derived from the token. No participant file holds the token: the
// supervisor keeps it in memory and the game master's terminal shows it once. At the end the token is recorded
// (`drill.opened`), and every reader opens both seals and checks them against their commitments.
public import Foundation
import Hashing
public import Playbook
public import Registry

/// What the plan seal holds.
public struct SealedPlan: Codable, Sendable, Equatable {
    public var code: String
    public var fault: FaultKind
    public var shipAfterSeconds: Double
    public var rightCall: RightCall
    /// The team's fault, when the drill plays one from a team's catalogue.
    public var team: TeamFault? = nil

    enum CodingKeys: String, CodingKey {
        case code, fault, team
        case shipAfterSeconds = "ship_after_s"
        case rightCall = "right_call"
    }
}

/// `drill.fault.sealed`: a change shipped; what it was is sealed until the drill ends.
public struct DrillFaultSealed: EventPayload {
    public static let kind = "drill.fault.sealed"
    public var drill: String
    public var seal: String
    public var commitment: String
    public var drillID: String

    public init(drill: String, seal: String, commitment: String) {
        self.drill = drill
        self.seal = seal
        self.commitment = commitment
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, seal, commitment
        case drillID = "drill_id"
    }
}

/// `drill.opened`: the game master's token, recorded once the drill has ended, which opens its seals.
public struct DrillOpened: EventPayload {
    public static let kind = "drill.opened"
    public var drill: String
    public var token: String
    public var drillID: String

    public init(drill: String, token: String) {
        self.drill = drill
        self.token = token
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, token
        case drillID = "drill_id"
    }
}

/// What a drill's seals held, once opened and checked.
public struct DrillRevealed: Sendable, Equatable {
    public var plan: SealedPlan?
    public var facts: FaultFacts?
}

public struct DrillSeal: Sendable, Equatable {
    /// What `drill.started` stores as its code while the plan is sealed.
    public static let sealedCode = "sealed"
    public let token: String

    /// A fresh token: 128 random bits as 32 hex digits.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    public init(token: String = DrillSeal.newToken()) throws {
        let token = token.trimmingCharacters(in: .whitespaces).lowercased()
        guard token.count == 32, token.allSatisfy(\.isHexDigit) else { throw DrillsError.badToken }
        self.token = token
    }

    var key: [UInt8] { SHA256.hash("labrunner drill key v1\n" + token).bytes }

    func commitment(_ label: String, _ plaintext: Data) -> String {
        SHA256.hash(Data("labrunner drill commitment v1\n\(label)\n\(token)\n".utf8) + plaintext).hex
    }

    /// `value` sealed under this token, and its commitment; `label` names the value (one nonce per label).
    func seal(_ label: String, _ value: some Encodable) throws -> (box: String, commitment: String) {
        let plaintext = try CanonicalJSON.encode(value)
        let nonce = Array(SHA256.hash("labrunner drill nonce\n" + label).bytes.prefix(16))
        return (SealedBox.seal(plaintext, key: key, nonce: nonce), commitment(label, plaintext))
    }

    /// The value in `box`: nil when this is not the token that sealed it; an error when it opens but does not
    /// match its commitment (the log was altered).
    func open<T: Decodable>(_ type: T.Type, _ label: String, box: String, commitment: String, drill: String)
        throws -> T?
    {
        guard let plaintext = SealedBox.open(box, key: key) else { return nil }
        guard self.commitment(label, plaintext) == commitment,
            let value = try? CanonicalJSON.decoder().decode(type, from: plaintext)
        else { throw DrillsError.sealBroken(id: drill) }
        return value
    }

    /// The plan of `drill`, opened with this token from its `drill.started` event; refused when the token is not
    /// the drill's.
    public func plan(events: [Event], drill: String) throws -> SealedPlan {
        guard
            let (_, started) = try events.payloads(DrillStarted.self, where: DrillStarted.CodingKeys.drill, is: drill)
                .first, let box = started.sealedPlan, let commitment = started.planCommitment
        else { throw DrillsError.noSuchDrill(drill) }
        guard let plan = try open(SealedPlan.self, "plan", box: box, commitment: commitment, drill: drill) else {
            throw DrillsError.wrongToken(id: drill)
        }
        return plan
    }

    /// What the seals of `drill` held, when its token is recorded; each seal checked against its commitment.
    public static func revealed(events: [Event], drill: String) throws -> DrillRevealed? {
        guard
            let (_, opened) = try events.payloads(DrillOpened.self, where: DrillOpened.CodingKeys.drill, is: drill)
                .first
        else { return nil }
        guard let seal = try? DrillSeal(token: opened.token) else { throw DrillsError.sealBroken(id: drill) }
        let plan = try? seal.plan(events: events, drill: drill)
        var facts: FaultFacts?
        if let (_, shipped) = try events.payloads(
            DrillFaultSealed.self, where: DrillFaultSealed.CodingKeys.drill, is: drill
        ).first {
            guard
                let opened = try seal.open(
                    FaultFacts.self, "fault", box: shipped.seal, commitment: shipped.commitment, drill: drill)
            else { throw DrillsError.sealBroken(id: drill) }
            facts = opened
        }
        return DrillRevealed(plan: plan, facts: facts)
    }

    /// Records the token once the drill has ended, after checking that it opens the drill's seals; writes nothing
    /// when it does not, or when the token is already recorded.
    @discardableResult
    public func open(drill: String, by actor: String, in context: PlayContext) throws -> DrillRevealed {
        let events = try context.registry.events()
        if let revealed = try Self.revealed(events: events, drill: drill) { return revealed }
        _ = try plan(events: events, drill: drill)
        try context.registry.write { writer in
            _ = try writer.append(DrillOpened(drill: drill, token: token), actor: actor)
        }
        return try Self.revealed(events: try context.registry.events(), drill: drill)
            ?? DrillRevealed(plan: nil, facts: nil)
    }
}
