// Eval results as registry evidence: full results stored as blobs, summaries in events and metadata,
// so a grader can find every eval of a version and recompute it from stored blobs.
public import Evals
public import Foundation
import Hashing
public import Registry

/// The facts of one recorded eval run, as events and version metadata carry them, and when it was recorded.
/// Its fields are the recorded ones (`summary.passRate` reads `summary.recorded.passRate`); on stdout and in
/// reports it is one flat object, those fields and `at`.
@dynamicMemberLookup
public struct EvalSummary: Codable, Sendable, Equatable {
    /// What ran it.
    public enum Source: String, Codable, Sendable, CustomStringConvertible {
        case register, promote, rollback, investigate
        case evalRun = "eval run"
        case evalCompare = "eval compare"
        public var description: String { rawValue }
    }

    /// The summary as its event records it (without the time, which is the event's).
    public var recorded: EvalRecorded
    public var at: Date

    public subscript<T>(dynamicMember field: KeyPath<EvalRecorded, T>) -> T { recorded[keyPath: field] }

    init(_ recorded: EvalRecorded, at: Date) {
        self.recorded = recorded
        self.at = at
    }

    init(_ result: EvalResult, blob: String, source: Source, at: Date) {
        self.init(
            EvalRecorded(
                version: result.version, suite: result.suite, suiteSHA256: result.suiteSHA256,
                passRate: result.passRate, ciLow: result.ciLow, ciHigh: result.ciHigh, seed: result.seed,
                repeats: result.repeats, temperature: result.temperature, result: blob, source: source),
            at: at)
    }

    enum CodingKeys: String, CodingKey { case at }

    public init(from decoder: any Decoder) throws {
        recorded = try EvalRecorded(from: decoder)
        at = try decoder.container(keyedBy: CodingKeys.self).decode(Date.self, forKey: .at)
    }

    public func encode(to encoder: any Encoder) throws {
        try recorded.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(at, forKey: .at)
    }
}

/// `eval.recorded`: one eval run, its full result stored as a blob. The eval made at register is the same set
/// of fields in the version's metadata, each name prefixed `eval_`.
public struct EvalRecorded: EventPayload, Equatable {
    public static let kind = "eval.recorded"
    public var version: String
    public var suite: String
    public var suiteSHA256: String
    public var passRate: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var seed: UInt64
    public var repeats: Int
    public var temperature: Double
    /// Blob hash of the full `EvalResult` JSON.
    public var result: String
    public var source: EvalSummary.Source

    enum CodingKeys: String, CodingKey {
        case version, suite, seed, repeats, temperature, result, source
        case suiteSHA256 = "suite_sha256"
        case passRate = "pass_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
    }
}

public enum EvalLedger {
    public static let eventKind = EvalRecorded.kind
    static let metadataPrefix = "eval_"

    /// The register-time eval as version metadata fields.
    static func metadataFields(_ summary: EvalSummary) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try EventFields.encode(summary.recorded).map { (metadataPrefix + $0.key, $0.value) })
    }

    /// The eval recorded at register, or nil for a version registered without one; damaged fields are an error.
    static func registerEval(of version: VersionRecord) throws -> EvalSummary? {
        let fields = Dictionary(
            uniqueKeysWithValues: version.metadata.extra.compactMap { key, value in
                key.hasPrefix(metadataPrefix) ? (String(key.dropFirst(metadataPrefix.count)), value) : nil
            })
        guard !fields.isEmpty else { return nil }
        do {
            return EvalSummary(try EventFields.decode(EvalRecorded.self, from: fields), at: version.metadata.createdAt)
        } catch {
            throw RegistryError.corruptFile(
                path: "versions/\(version.id).json", reason: "its register-time eval does not read: \(error)")
        }
    }

    /// The bytes stored for a full eval result.
    static func encode(_ result: EvalResult) throws -> Data { try CanonicalJSON.encode(result) }

    /// Stores the full result and appends one `eval.recorded` event.
    @discardableResult
    public static func record(
        _ result: EvalResult, source: EvalSummary.Source, actor: String, in context: PlayContext
    ) throws -> EvalSummary {
        try recordEvent(result, source: source, actor: actor, in: context).summary
    }

    /// `record`, with the event it appended (for a play that must say what it recorded when a later step fails).
    static func recordEvent(
        _ result: EvalResult, source: EvalSummary.Source, actor: String, in context: PlayContext
    ) throws -> (summary: EvalSummary, event: Event) {
        let blob = try context.registry.objects.put(try encode(result))
        let summary = EvalSummary(result, blob: blob, source: source, at: context.now())
        let event = try context.registry.write { writer in try writer.append(summary.recorded, actor: actor) }
        return (summary, event)
    }

    /// Every eval of `version`, oldest first: the one recorded at register, then `eval.recorded` events.
    public static func summaries(for version: VersionRecord, events: [Event]) throws -> [EvalSummary] {
        let recorded = try events.payloads(EvalRecorded.self, where: EvalRecorded.CodingKeys.version, is: version.id)
        return try [registerEval(of: version)].compactMap { $0 }
            + recorded.map { EvalSummary($0.payload, at: $0.event.at) }
    }

    /// The most recent eval of `version` on a suite with this hash.
    public static func latest(for version: VersionRecord, suiteSHA256: String, events: [Event]) throws
        -> EvalSummary?
    {
        try summaries(for: version, events: events).last { $0.suiteSHA256 == suiteSHA256 }
    }

    /// Loads a full result back from its blob.
    public static func load(_ summary: EvalSummary, from registry: Registry) throws -> EvalResult {
        let data = try registry.objects.get(summary.result)
        do {
            return try CanonicalJSON.decoder().decode(EvalResult.self, from: data)
        } catch {
            throw PlaybookError.invalid(
                "The stored eval result \(summary.result.prefix(12)) is damaged; run 'LabRunner fsck' for a full report."
            )
        }
    }
}
