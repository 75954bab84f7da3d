// An examiner's challenge bound to a workspace: the first event after creation records the challenge's nonce
// and salt, and every lab started there is laid from the seed they derive for that lab, so another learner's
// registry, answers or reference outputs do not fit.
public import Foundation
import Hashing
public import Registry

/// `challenge.bound`: the workspace answers the examiner's challenge with this nonce.
public struct ChallengeBound: EventPayload, Equatable {
    public static let kind = "challenge.bound"
    /// 256 bits of the examiner's OS randomness, hex.
    public var nonce: String
    /// The seed-derivation salt, hex.
    public var salt: String
    /// The labs the challenge asks for, by id, comma-separated (an event is a flat set of fields).
    public var labs: String
    public var learner: String
    public var issuedAt: Date
    /// The SHA-256 of the challenge file's signed bytes: which challenge, exactly, was bound.
    public var challengeSHA256: String

    public init(
        nonce: String, salt: String, labs: String, learner: String, issuedAt: Date, challengeSHA256: String
    ) {
        self.nonce = nonce
        self.salt = salt
        self.labs = labs
        self.learner = learner
        self.issuedAt = issuedAt
        self.challengeSHA256 = challengeSHA256
    }

    enum CodingKeys: String, CodingKey {
        case nonce, salt, labs, learner
        case issuedAt = "issued_at"
        case challengeSHA256 = "challenge_sha256"
    }

    /// The seed lab `labID` is laid from under a challenge with this nonce and salt.
    public static func seed(nonce: String, salt: String, labID: String) -> Int {
        let digest = SHA256.hash(Data("\(salt)|\(nonce)|\(labID)".utf8))
        return Int(digest.bytes.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) + 1
    }

    public func seed(for labID: String) -> Int { Self.seed(nonce: nonce, salt: salt, labID: labID) }
}

extension Sequence<Event> {
    /// The challenge a workspace answers: a `challenge.bound` that is the first event after the workspace's
    /// creation (events of its own setup only before it); nil when the workspace was not made for a challenge.
    public func challengeBinding() -> (event: Event, payload: ChallengeBound)? {
        guard let event = first(where: { $0.kind == ChallengeBound.kind || $0.kind.hasPrefix("lab.") }),
            event.kind == ChallengeBound.kind, let payload = try? event.payload(as: ChallengeBound.self)
        else { return nil }
        return (event, payload)
    }
}
