// Eval results as registry evidence: full results stored as blobs, summaries in events and metadata,
// so a grader can find every eval of a version and recompute it from stored blobs.
public import Evals
public import Foundation
import Hashing
public import Registry

/// The facts of one recorded eval run, as events and version metadata carry them.
public struct EvalSummary: Codable, Sendable, Equatable {
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
    /// What ran it: "register", "eval run", "rollback", "investigate", …
    public var source: String
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case version, suite, seed, repeats, temperature, result, source, at
        case suiteSHA256 = "suite_sha256"
        case passRate = "pass_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
    }

    /// The summary as flat string fields (event data, or version metadata with a prefix).
    func fields(prefix: String = "") -> [String: String] {
        [
            prefix + "version": version, prefix + "suite": suite, prefix + "suite_sha256": suiteSHA256,
            prefix + "pass_rate": String(passRate), prefix + "ci_low": String(ciLow),
            prefix + "ci_high": String(ciHigh), prefix + "seed": String(seed), prefix + "repeats": String(repeats),
            prefix + "temperature": String(temperature), prefix + "result": result, prefix + "source": source,
        ]
    }

    init?(fields: [String: String], prefix: String = "", at: Date) {
        guard let version = fields[prefix + "version"], let suite = fields[prefix + "suite"],
            let suiteSHA256 = fields[prefix + "suite_sha256"],
            let passRate = fields[prefix + "pass_rate"].flatMap(Double.init),
            let ciLow = fields[prefix + "ci_low"].flatMap(Double.init),
            let ciHigh = fields[prefix + "ci_high"].flatMap(Double.init),
            let seed = fields[prefix + "seed"].flatMap(UInt64.init),
            let repeats = fields[prefix + "repeats"].flatMap(Int.init),
            let temperature = fields[prefix + "temperature"].flatMap(Double.init),
            let result = fields[prefix + "result"]
        else { return nil }
        self.init(
            version: version, suite: suite, suiteSHA256: suiteSHA256, passRate: passRate, ciLow: ciLow, ciHigh: ciHigh,
            seed: seed, repeats: repeats, temperature: temperature, result: result,
            source: fields[prefix + "source"] ?? "register", at: at)
    }

    init(
        version: String, suite: String, suiteSHA256: String, passRate: Double, ciLow: Double, ciHigh: Double,
        seed: UInt64, repeats: Int, temperature: Double, result: String, source: String, at: Date
    ) {
        self.version = version
        self.suite = suite
        self.suiteSHA256 = suiteSHA256
        self.passRate = passRate
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.seed = seed
        self.repeats = repeats
        self.temperature = temperature
        self.result = result
        self.source = source
        self.at = at
    }

    init(_ result: EvalResult, blob: String, source: String, at: Date) {
        self.init(
            version: result.version, suite: result.suite, suiteSHA256: result.suiteSHA256, passRate: result.passRate,
            ciLow: result.ciLow, ciHigh: result.ciHigh, seed: result.seed, repeats: result.repeats,
            temperature: result.temperature, result: blob, source: source, at: at)
    }
}

public enum EvalLedger {
    public static let eventKind = "eval.recorded"
    static let metadataPrefix = "eval_"

    /// The bytes stored for a full eval result.
    static func encode(_ result: EvalResult) throws -> Data { try CanonicalJSON.encode(result) }

    /// Stores the full result and appends one `eval.recorded` event.
    @discardableResult
    public static func record(_ result: EvalResult, source: String, actor: String, in context: PlayContext) throws
        -> EvalSummary
    {
        let blob = try context.registry.objects.put(try encode(result))
        let summary = EvalSummary(result, blob: blob, source: source, at: context.now())
        try context.registry.write { writer in
            try writer.append(kind: eventKind, actor: actor, data: summary.fields())
        }
        return summary
    }

    /// Every eval of `version`, oldest first: the one recorded at register, then `eval.recorded` events.
    public static func summaries(for version: VersionRecord, events: [Event]) -> [EvalSummary] {
        var result: [EvalSummary] = []
        if let atRegister = EvalSummary(
            fields: version.metadata.extra, prefix: metadataPrefix, at: version.metadata.createdAt)
        {
            result.append(atRegister)
        }
        for event in events where event.kind == eventKind && event.data["version"] == version.id {
            if let summary = EvalSummary(fields: event.data, at: event.at) { result.append(summary) }
        }
        return result
    }

    /// The most recent eval of `version` on a suite with this hash.
    public static func latest(for version: VersionRecord, suiteSHA256: String, events: [Event]) -> EvalSummary? {
        summaries(for: version, events: events).last { $0.suiteSHA256 == suiteSHA256 }
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
