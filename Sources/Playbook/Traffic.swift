// The traffic generator lives in Playbook, not Serving, because Playbook's canary sends this traffic, and a lower
// layer cannot import Serving.
//
// Simulated production traffic: the one generator of customer requests (which labelled case request i asks,
// the campaign mix, the answer seed, all from one seed) and its in-process transport, answered by whatever a
// route (by default the production tag, read at each request) points to, each one recorded in the attribution
// log. Serving's live traffic sends the same requests over HTTP.
public import Evals
import Foundation
import Hashing
import Registry
public import ToyModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct VersionTraffic: Codable, Sendable, Equatable {
    public var requests: Int
    public var satisfied: Int
    public var satisfiedRate: Double { requests == 0 ? 0 : Double(satisfied) / Double(requests) }

    enum CodingKeys: String, CodingKey {
        case requests, satisfied
        case satisfiedRate = "satisfied_rate"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(satisfied, forKey: .satisfied)
        try container.encode(satisfiedRate, forKey: .satisfiedRate)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decode(Int.self, forKey: .requests)
        satisfied = try container.decode(Int.self, forKey: .satisfied)
    }

    init(requests: Int = 0, satisfied: Int = 0) {
        self.requests = requests
        self.satisfied = satisfied
    }
}

public struct TrafficReport: Encodable, Sendable {
    public var requests: Int
    public var satisfied: Int
    public var byVersion: [String: VersionTraffic]
    public var firstRequest: String?
    public var lastRequest: String?
    public var seconds: Double
    public var satisfiedRate: Double { requests == 0 ? 0 : Double(satisfied) / Double(requests) }
    public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    enum CodingKeys: String, CodingKey {
        case requests, satisfied, seconds
        case byVersion = "by_version"
        case firstRequest = "first_request"
        case lastRequest = "last_request"
        case satisfiedRate = "satisfied_rate"
        case requestsPerSecond = "requests_per_second"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(satisfied, forKey: .satisfied)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(byVersion, forKey: .byVersion)
        try container.encodeIfPresent(firstRequest, forKey: .firstRequest)
        try container.encodeIfPresent(lastRequest, forKey: .lastRequest)
        try container.encode(satisfiedRate, forKey: .satisfiedRate)
        try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
    }
}

/// Answers requests with the toy system of a given version, loading each version once.
public final class VersionedAnswerer: @unchecked Sendable {
    // Confined to one thread at a time by its callers (the traffic loop, or a server under its own lock).
    private var systems: [String: ToySystem] = [:]
    private let context: PlayContext

    public init(context: PlayContext) { self.context = context }

    public func system(for id: String) throws -> ToySystem {
        if let cached = systems[id] { return cached }
        let loaded = try context.system(for: try context.registry.record(id: id))
        if systems.count > 16 { systems.removeAll() }
        systems[id] = loaded
        return loaded
    }
}

public enum Traffic {
    public static let casesFile = "data/traffic.jsonl"

    /// The labelled traffic cases shipped with the workspace (same format as eval cases).
    public static func cases(in context: PlayContext, intents: [String]) throws -> [EvalCase] {
        let path = context.workspace.root + "/" + casesFile
        guard FileManager.default.fileExists(atPath: path) else { throw PlaybookError.noTrafficCases(path: path) }
        let data = try InputLimits.read(path, shown: casesFile, limit: InputLimits.suite)
        let suite = try EvalSuite(
            name: "traffic", data: data, sha256: SHA256.hash(data).hex, fileName: casesFile, knownIntents: intents)
        guard !suite.cases.isEmpty else { throw PlaybookError.noTrafficCases(path: path) }
        return suite.cases
    }

    /// A well-mixed 64-bit value for request `index` of a run seeded with `seed`.
    public static func mix(_ seed: UInt64, _ index: UInt64) -> UInt64 { SeededGenerator.mix(seed, index) }

    /// The labelled case for request draw `draw`: uniform over `cases`, except that during a campaign every
    /// other request comes from the cases expecting one of `campaign`'s intents (a newsletter, a sale).
    static func pick(_ cases: [EvalCase], draw: UInt64, campaign: Set<String>? = nil) -> EvalCase {
        if let campaign, draw >> 63 == 1 {
            let pool = cases.filter { campaign.contains($0.expect.intent) }
            if !pool.isEmpty { return pool[Int((draw >> 1) % UInt64(pool.count))] }
        }
        return cases[Int(draw % UInt64(cases.count))]
    }

    /// Waits on `clock` until request `index` of a run paced at `rate` per second, begun when `started` was, is
    /// due.
    public static func waitForTurn(_ index: Int, rate: Double, started: Stopwatch, on clock: any LoopClock) {
        clock.pause(for: .seconds(Double(index) / rate) - started.elapsed)
    }

    /// Sends `requests` simulated requests. `route` picks the serving version for request i (default: the
    /// production tag, re-read at every request). `rate` > 0 paces requests per second on `clock`, which also
    /// times each answer.
    public static func run(
        requests: Int, rate: Double, seed: UInt64, source: String = "traffic", campaign: Set<String>? = nil,
        in context: PlayContext, clock: any LoopClock = ContinuousClock(), route: ((Int) throws -> String)? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws -> TrafficReport {
        guard requests > 0 else { throw PlaybookError.invalid("--requests must be at least 1.") }
        guard rate >= 0, rate.isFinite else {
            throw PlaybookError.invalid("--rate must be 0 (as fast as possible) or more.")
        }
        let registry = context.registry
        guard registry.tag("production") != nil || route != nil else { throw PlaybookError.noProduction }
        let answerer = VersionedAnswerer(context: context)
        let log = AttributionLog(registryRoot: registry.root)
        let started = clock.stopwatch()
        var generator: RequestGenerator?
        var report = TrafficReport(
            requests: 0, satisfied: 0, byVersion: [:], firstRequest: nil, lastRequest: nil, seconds: 0)
        var batch: [RequestRecord] = []
        let encoder = CanonicalJSON.encoder()
        for index in 0..<requests {
            if rate > 0 { waitForTurn(index, rate: rate, started: started, on: clock) }
            let answering = clock.stopwatch()
            guard let version = try route?(index) ?? registry.tag("production") else {
                throw PlaybookError.noProduction
            }
            let system = try answerer.system(for: version)
            // The cases are read once the first version is loaded: they are checked against its intents.
            let customers =
                try generator
                ?? RequestGenerator(cases: try Self.cases(in: context, intents: system.intents), seed: seed)
            generator = customers
            let request = customers.request(index, campaign: campaign)
            let labelled = request.labelled
            let answer = system.ask(labelled.input, seed: request.seed)
            let satisfied = EvalRunner.judge(answer, against: labelled.expect).isEmpty
            let output = String(decoding: try encoder.encode(answer), as: UTF8.self)
            let record = RequestRecord(
                id: AttributionLog.newRequestID(), at: context.now(), version: version, seed: request.seed,
                input: labelled.input, inputSHA256: SHA256.hash(labelled.input).hex, output: output,
                outputSHA256: SHA256.hash(output).hex, satisfied: satisfied, source: source, caseID: labelled.id,
                latencyMicros: answering.elapsed.wholeMicroseconds)
            batch.append(record)
            report.requests += 1
            report.satisfied += satisfied ? 1 : 0
            report.byVersion[version, default: VersionTraffic()].requests += 1
            report.byVersion[version, default: VersionTraffic()].satisfied += satisfied ? 1 : 0
            if report.firstRequest == nil { report.firstRequest = record.id }
            report.lastRequest = record.id
            if batch.count >= 1024 || rate > 0 && rate < 200 {
                try append(batch, to: log)
                batch.removeAll(keepingCapacity: true)
            }
            progress?(index + 1)
        }
        if !batch.isEmpty { try append(batch, to: log) }
        report.seconds = started.elapsed.seconds
        return report
    }

    /// Appends a batch to the attribution log. The log's first append creates the file before it writes (the
    /// index names the file it describes); when that append fails (a full disk) the empty file it made is removed
    /// again, under the log's own lock and only while still empty, so a failed run leaves no log behind.
    static func append(_ batch: [RequestRecord], to log: AttributionLog) throws {
        let path = log.folder + "/log.jsonl"
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            try log.append(batch)
        } catch {
            if !existed { removeIfEmpty(path, lock: log.folder + "/lock") }
            throw error
        }
    }

    static func removeIfEmpty(_ path: String, lock: String) {
        let descriptor = open(lock, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { return }
        }
        defer { flock(descriptor, LOCK_UN) }
        var info = stat()
        if stat(path, &info) == 0, info.st_size == 0 { unlink(path) }
    }
}

/// One simulated customer request: the labelled case it asks and the seed its answer is drawn with.
public struct SimulatedRequest: Sendable {
    public var labelled: EvalCase
    public var seed: UInt64
}

/// The one generator of simulated customers, whichever transport carries them (in-process here, HTTP in
/// Serving's live traffic): request i of a run seeded with `seed` asks the same case, under the same mix.
public struct RequestGenerator: Sendable {
    public let cases: [EvalCase]
    public let seed: UInt64

    public init(cases: [EvalCase], seed: UInt64) {
        self.cases = cases
        self.seed = seed
    }

    /// Request `index`; during a campaign (a newsletter, a sale) half the requests ask about its intents.
    public func request(_ index: Int, campaign: Set<String>? = nil) -> SimulatedRequest {
        let draw = Traffic.mix(seed, UInt64(index))
        return SimulatedRequest(
            labelled: Traffic.pick(cases, draw: draw, campaign: campaign), seed: Traffic.mix(draw, 0x5EED))
    }
}
