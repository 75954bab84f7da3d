// The bundle's manifest: an in-toto Statement v1 whose subjects are every member with its SHA-256 and whose
// predicate says which kit, learner, labs and event-log head the bundle speaks for.
public import Foundation
public import LabKit

public struct Statement: Codable, Sendable, Equatable {
    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let bundlePredicateType = "https://rollback-lab.invalid/bundle/v1"

    public var type: String
    public var subject: [Subject]
    public var predicateType: String
    public var predicate: BundlePredicate

    enum CodingKeys: String, CodingKey {
        case type = "_type"
        case subject, predicateType, predicate
    }

    public init(subject: [Subject], predicate: BundlePredicate) {
        type = Statement.statementType
        self.subject = subject
        predicateType = Statement.bundlePredicateType
        self.predicate = predicate
    }
}

/// One bundle member, named by its path inside the bundle.
public struct Subject: Codable, Sendable, Equatable {
    public var name: String
    public var digest: [String: String]

    public init(name: String, sha256: String) {
        self.name = name
        digest = ["sha256": sha256]
    }
}

public struct BundlePredicate: Codable, Sendable, Equatable {
    public var kitVersion: String
    public var learner: String
    /// When the grades, report and write-up were made: verify re-derives them as of this moment.
    public var createdAt: Date
    public var labs: [BundledLab]
    public var eventLog: EventLogHead

    enum CodingKeys: String, CodingKey {
        case learner, labs
        case kitVersion = "kit_version"
        case createdAt = "created_at"
        case eventLog = "event_log"
    }
}

public struct BundledLab: Codable, Sendable, Equatable {
    public var id: String
    public var manifestSHA256: String
    public var score: Int
    public var maxScore: Int
    public var status: TestResult.Status
    public var doneBy: String

    enum CodingKeys: String, CodingKey {
        case id, score, status
        case manifestSHA256 = "manifest_sha256"
        case maxScore = "max_score"
        case doneBy = "done_by"
    }
}

/// The last event of the log: its sequence number and the SHA-256 of its line (what the next event chains to).
public struct EventLogHead: Codable, Sendable, Equatable {
    public var seq: Int
    public var sha256: String
}
