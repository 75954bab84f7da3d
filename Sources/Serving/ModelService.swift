// The deploy step: answers HTTP requests with whatever `production` points to at that moment (a live canary's
// slice with the `canary` tag's version, see `CanarySlice`), records every answer in the attribution log under
// a unique request id, takes late labels, and reports its health and metrics (label-free signals per version).
import Dispatch
import Evals
import Foundation
import Hashing
public import Playbook
import Registry
import Synchronization
public import ToyModel

public final class ModelService: Sendable {
    private struct State {
        var systems: [String: ToySystem] = [:]
        /// Versions being loaded (off this lock); a request for one waits for that load instead of starting another.
        var loads: [String: PendingLoad] = [:]
        /// The version actually serving, and why the production target is not, when it cannot be loaded: both as
        /// of the newest reading of the tag set here (`reading`), so a slow load that ends late cannot put back
        /// a version production has left since.
        var serving: String?
        var problem: String?
        var reading = 0
        var requests: [String: Int] = [:]
        var errors = 0
        var satisfied: [String: (yes: Int, known: Int)] = [:]
        var signals: [String: VersionSignals] = [:]
        var feedback: [String: Int] = [:]
        var latencyBuckets = [Int](repeating: 0, count: ModelService.bucketBounds.count + 1)
        var latencySum = 0.0
        var latencyCount = 0
    }

    static let bucketBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5]
    private let context: PlayContext
    private let log: AttributionLog
    private let cases: [String: EvalCase]
    private let state = Mutex(State())
    /// Readings of the production tag, numbered in the order they were made (the tag is read under this lock,
    /// which is held for that file read only).
    private let readings = Mutex(0)
    /// Loads the system of a version id; the registry's by default, a stand-in in tests.
    private let load: @Sendable (String) throws -> ToySystem
    private let encoder = Mutex(CanonicalJSON.encoder())
    /// Longest `text` accepted on /v1/ask, in characters: a support message, not a document.
    public let maxTextCharacters: Int
    /// Times each answer (the latency logged and in /metrics); wall time is the context's.
    private let clock: any LoopClock

    /// `load` builds the system of a version id (by default from the registry's blobs).
    public init(
        context: PlayContext, maxTextCharacters: Int = 16_384, clock: any LoopClock = ContinuousClock(),
        load: (@Sendable (String) throws -> ToySystem)? = nil
    ) throws {
        self.context = context
        self.load = load ?? { try context.system(for: try context.registry.record(id: $0)) }
        self.maxTextCharacters = maxTextCharacters
        self.clock = clock
        log = AttributionLog(registryRoot: context.registry.root)
        let system = try context.liveSystem()
        cases = Dictionary(
            (try? Traffic.cases(in: context, intents: system.intents))?.map { ($0.id, $0) } ?? [],
            uniquingKeysWith: { first, _ in first })
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("POST", "/v1/ask"): return ask(request)
        case ("POST", "/v1/feedback"): return feedback(request)
        case ("GET", "/v1/version"): return version()
        case ("GET", "/healthz"): return health()
        case ("GET", "/metrics"): return metrics()
        case (_, "/v1/ask"), (_, "/v1/feedback"), (_, "/v1/version"), (_, "/healthz"), (_, "/metrics"):
            return .error(405, "\(request.method) is not allowed on \(request.path).")
        default:
            return .error(
                404,
                "No endpoint \(request.path); try POST /v1/ask, POST /v1/feedback, GET /v1/version, /healthz or /metrics."
            )
        }
    }

    /// Flushes the attribution log (on shutdown).
    public func flush() { log.sync() }

    /// Drops the input text of requests older than the workspace's `input_retention_days`; returns how many.
    @discardableResult
    public func applyRetention() throws -> Int {
        let now = context.now()
        return try log.dropInputs(answeredBefore: context.settings.inputCutoff(now: now), now: now)
    }

    /// The system for the current production target; if it cannot be loaded, the last good one and the reason.
    /// A version not loaded yet is loaded off the state lock, so health and metrics never wait on a load; with
    /// `waitingForLoad` false, a load another request has under way is not waited for either while a version
    /// that served until now can answer (it does, with the one loading named).
    /// With `routing` (a request's id), a live canary's slice gets the canary's system instead; the canary never
    /// becomes "the version serving" health reports, and one that cannot be loaded leaves the request to production.
    private func currentSystem(waitingForLoad: Bool = true, routing requestID: String? = nil) -> (
        ToySystem?, String?, loading: String?
    ) {
        let (target, reading, canary) = readings.withLock { count -> (String?, Int, Bool) in
            count += 1
            let production = context.registry.tag("production")
            if let requestID, CanarySlice.takes(requestID: requestID),
                let canary = CanarySlice.live(
                    canary: context.registry.tag(CanarySlice.tag), production: production)
            {
                return (canary, count, true)
            }
            return (production, count, false)
        }
        guard let target else { return (nil, nil, nil) }
        enum Step {
            case cached(ToySystem)
            case waitFor(PendingLoad)
            case loadIt(PendingLoad)
        }
        let step = state.withLock { state -> Step in
            if let system = state.systems[target] {
                if !canary { Self.settle(&state, on: target, reading: reading) }
                return .cached(system)
            }
            if let pending = state.loads[target] { return .waitFor(pending) }
            let pending = PendingLoad()
            state.loads[target] = pending
            return .loadIt(pending)
        }
        let loaded: Result<ToySystem, ServingError>
        switch step {
        case .cached(let system): return (system, target, nil)
        case .waitFor(let pending):
            let serving = state.withLock { state in
                state.serving.flatMap { version in state.systems[version].map { (version, $0) } }
            }
            if !waitingForLoad, let (version, system) = serving { return (system, version, target) }
            loaded = pending.wait()
        case .loadIt(let pending):
            loaded = Result { try load(target) }.mapError { ServingError("\($0)") }
            state.withLock { state in
                state.loads[target] = nil
                if case .success(let system) = loaded {
                    if state.systems.count > 8 { state.systems.removeAll() }
                    state.systems[target] = system
                }
            }
            pending.finish(loaded)
        }
        if canary {
            guard case .success(let system) = loaded else { return currentSystem(waitingForLoad: waitingForLoad) }
            return (system, target, nil)
        }
        return state.withLock { state in
            switch loaded {
            case .success(let system):
                Self.settle(&state, on: target, reading: reading)
                return (system, target, nil)
            case .failure(let error):
                if reading > state.reading {
                    state.reading = reading
                    state.problem = "production points to \(target.prefix(12)) but it cannot be loaded: \(error)"
                }
                let fallback = state.serving.flatMap { state.systems[$0] }
                return (fallback, state.serving, nil)
            }
        }
    }

    /// Records `target` as serving, unless a newer reading of the tag has already settled the state.
    private static func settle(_ state: inout State, on target: String, reading: Int) {
        guard reading > state.reading else { return }
        state.reading = reading
        state.serving = target
        state.problem = nil
    }

    private struct AskBody: Decodable {
        var text: String
    }

    private struct SeedBody: Decodable {
        var seed: UInt64?
    }

    private func failed(_ response: HTTPResponse) -> HTTPResponse {
        state.withLock { $0.errors += 1 }
        return response
    }

    /// JSONDecoder lets the last of two equal keys win without a word; a body that gives a key twice is refused
    /// instead, as a settings file is.
    private func refusingDuplicateKeys(in body: Data) -> HTTPResponse? {
        JSONReader.duplicateKey(in: body).map {
            failed(.error(400, "The body gives the key '\($0)' more than once; send each key once."))
        }
    }

    private func ask(_ request: HTTPRequest) -> HTTPResponse {
        let answering = clock.stopwatch()
        if let refused = refusingDuplicateKeys(in: request.body) { return refused }
        guard let asked = try? JSONDecoder().decode(AskBody.self, from: request.body), !asked.text.isEmpty else {
            return failed(.error(400, "The body must be JSON like {\"text\": \"where is my order\", \"seed\": 1}."))
        }
        let text = asked.text
        guard text.count <= maxTextCharacters else {
            return failed(
                .error(
                    413,
                    "The text has \(text.count) characters; the service takes at most \(maxTextCharacters), so send a shorter message."
                ))
        }
        guard let seedBody = try? JSONDecoder().decode(SeedBody.self, from: request.body) else {
            return failed(.error(400, "The seed must be a whole number from 0 to \(UInt64.max), such as 1."))
        }
        let seed = seedBody.seed ?? 1
        let chosenID = request.header("X-Request-Id")
        if let chosenID, !RequestRecord.isValidID(chosenID) {
            return failed(.error(400, "X-Request-Id must be 1 to 128 printable characters without spaces."))
        }
        let requestID = chosenID ?? AttributionLog.newRequestID()
        guard case (let system?, let version?, _) = currentSystem(routing: requestID) else {
            return failed(
                .error(503, "Nothing is in production; promote a version with 'LabRunner promote REF --approver NAME'.")
            )
        }
        let answer = system.ask(text, seed: seed)
        let labelled = request.header("X-Case-Id").flatMap { cases[$0] }
        let satisfied = labelled.map { EvalRunner.judge(answer, against: $0.expect).isEmpty }
        let body = (try? encoder.withLock { try $0.encode(answer) }) ?? Data()
        let output = String(decoding: body, as: UTF8.self)
        let seconds = answering.elapsed.seconds
        let record = RequestRecord(
            id: requestID, at: context.now(), version: version, seed: seed, input: text,
            inputSHA256: SHA256.hash(text).hex, output: output, outputSHA256: SHA256.hash(output).hex,
            satisfied: satisfied, source: "http", caseID: labelled?.id, latencyMicros: Int(seconds * 1_000_000))
        do {
            guard try log.appendIfNew(record, durable: false) else {
                return failed(
                    .error(
                        409,
                        "Request id \(requestID) is already in the attribution log; send a new X-Request-Id, or none to get one."
                    ))
            }
        } catch {
            return failed(.error(500, "The answer could not be recorded in the attribution log: \(error)"))
        }
        state.withLock { state in
            state.requests[version, default: 0] += 1
            state.signals[version, default: VersionSignals(version: version)].add(answer, satisfied: satisfied)
            if let satisfied {
                state.satisfied[version, default: (0, 0)].known += 1
                state.satisfied[version, default: (0, 0)].yes += satisfied ? 1 : 0
            }
            let bucket = ModelService.bucketBounds.firstIndex { seconds <= $0 } ?? ModelService.bucketBounds.count
            state.latencyBuckets[bucket] += 1
            state.latencySum += seconds
            state.latencyCount += 1
        }
        return .json(200, body + Data("\n".utf8), headers: [("X-Model-Version", version), ("X-Request-Id", requestID)])
    }

    private struct FeedbackBody: Decodable {
        var requestID: String
        var satisfied: Bool

        enum CodingKeys: String, CodingKey {
            case satisfied
            case requestID = "request_id"
        }
    }

    /// A late label: `{"request_id": "...", "satisfied": true}`, recorded once per request.
    private func feedback(_ request: HTTPRequest) -> HTTPResponse {
        if let refused = refusingDuplicateKeys(in: request.body) { return refused }
        guard let body = try? JSONDecoder().decode(FeedbackBody.self, from: request.body),
            RequestRecord.isValidID(body.requestID)
        else {
            return failed(.error(400, "The body must be JSON like {\"request_id\": \"req-…\", \"satisfied\": true}."))
        }
        let outcome: FeedbackOutcome
        do {
            outcome = try log.recordFeedback(requestID: body.requestID, satisfied: body.satisfied, at: context.now())
        } catch {
            return failed(.error(500, "The label could not be recorded: \(error)"))
        }
        switch outcome {
        case .unknownRequest:
            return failed(
                .error(404, "No request \(body.requestID) in the attribution log; label a request it answered."))
        case .alreadyRecorded(let first):
            return failed(
                .error(
                    409,
                    "Request \(body.requestID) already has its label (satisfied: \(first.satisfied)); a request is labelled once."
                ))
        case .recorded(let record):
            state.withLock { state in
                state.feedback[record.version, default: 0] += 1
                state.satisfied[record.version, default: (0, 0)].known += 1
                state.satisfied[record.version, default: (0, 0)].yes += record.satisfied ? 1 : 0
            }
            let json = (try? CanonicalJSON.encode(record)) ?? Data()
            return .json(200, json + Data("\n".utf8))
        }
    }

    private func version() -> HTTPResponse {
        let (_, version, _) = currentSystem()
        guard let version else { return .error(503, "Nothing is in production yet.") }
        let since = (try? context.registry.tagHistory("production").last { $0.to == version })?.map {
            Timestamp.string(from: $0.at)
        }
        let json = "{\"since\":\"\(since ?? "")\",\"version\":\"\(version)\"}\n"
        return .json(200, Data(json.utf8))
    }

    /// Never waits on a load another request has under way while a version is serving: it answers with that
    /// version and names the one loading. Before anything has served, it waits for the first load.
    private func health() -> HTTPResponse {
        let (_, version, loading) = currentSystem(waitingForLoad: false)
        let problem = state.withLock { $0.problem }
        let status = problem == nil && version != nil ? "ok" : "degraded"
        var object: [String: String] = ["status": status]
        object["version"] = version
        object["loading"] = loading
        object["problem"] = problem ?? (version == nil ? "nothing is in production" : nil)
        let body = (try? CanonicalJSON.encode(object)) ?? Data()
        return .json(status == "ok" ? 200 : 503, body + Data("\n".utf8))
    }

    private func metrics() -> HTTPResponse {
        let text = state.withLock { state -> String in
            var lines = [
                "# HELP labrunner_requests_total Answered requests by serving version.",
                "# TYPE labrunner_requests_total counter",
            ]
            for (version, count) in state.requests.sorted(by: { $0.key < $1.key }) {
                lines.append("labrunner_requests_total{version=\"\(version.prefix(12))\"} \(count)")
            }
            lines += [
                "# HELP labrunner_errors_total Requests answered with an error.",
                "# TYPE labrunner_errors_total counter",
                "labrunner_errors_total \(state.errors)",
            ]
            for (name, help, value) in [
                (
                    "labrunner_labelled_total", "Labelled requests (X-Case-Id) by serving version.",
                    { (counts: (yes: Int, known: Int)) in counts.known }
                ),
                (
                    "labrunner_satisfied_total", "Labelled requests whose answer met the label.",
                    { (counts: (yes: Int, known: Int)) in counts.yes }
                ),
            ] {
                lines += ["# HELP \(name) \(help)", "# TYPE \(name) counter"]
                for (version, counts) in state.satisfied.sorted(by: { $0.key < $1.key }) {
                    lines.append("\(name){version=\"\(version.prefix(12))\"} \(value(counts))")
                }
            }
            lines += [
                "# HELP labrunner_satisfied_ratio Share of labelled requests whose answer met the label.",
                "# TYPE labrunner_satisfied_ratio gauge",
            ]
            for (version, counts) in state.satisfied.sorted(by: { $0.key < $1.key }) where counts.known > 0 {
                lines.append(
                    "labrunner_satisfied_ratio{version=\"\(version.prefix(12))\"} \(Double(counts.yes) / Double(counts.known))"
                )
            }
            lines += [
                "# HELP labrunner_feedback_total Late labels (POST /v1/feedback) by the version that answered.",
                "# TYPE labrunner_feedback_total counter",
            ]
            for (version, count) in state.feedback.sorted(by: { $0.key < $1.key }) {
                lines.append("labrunner_feedback_total{version=\"\(version.prefix(12))\"} \(count)")
            }
            // Label-free signals since the service started, per version (Playbook's Signals computes them).
            for signal in Signal.allCases where signal != .intentMix && signal != .citedMix {
                let name = "labrunner_\(signal.rawValue)"
                lines += [
                    "# HELP \(name) Label-free signal: \(signal.label), per serving version.", "# TYPE \(name) gauge",
                ]
                for (version, signals) in state.signals.sorted(by: { $0.key < $1.key }) {
                    lines.append("\(name){version=\"\(version.prefix(12))\"} \(signals.value(signal))")
                }
            }
            lines += ["# HELP labrunner_latency_seconds Time to answer.", "# TYPE labrunner_latency_seconds histogram"]
            var cumulative = 0
            for (index, bound) in ModelService.bucketBounds.enumerated() {
                cumulative += state.latencyBuckets[index]
                lines.append("labrunner_latency_seconds_bucket{le=\"\(bound)\"} \(cumulative)")
            }
            cumulative += state.latencyBuckets[ModelService.bucketBounds.count]
            lines.append("labrunner_latency_seconds_bucket{le=\"+Inf\"} \(cumulative)")
            lines.append("labrunner_latency_seconds_sum \(state.latencySum)")
            lines.append("labrunner_latency_seconds_count \(state.latencyCount)")
            return lines.joined(separator: "\n") + "\n"
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Data(text.utf8))
    }
}

/// One load under way: whoever needs the same version meanwhile waits for its result instead of loading it too.
private final class PendingLoad: Sendable {
    private let result = Mutex<Result<ToySystem, ServingError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ loaded: Result<ToySystem, ServingError>) {
        result.withLock { $0 = loaded }
        done.signal()
    }

    /// Blocks until the load finished; each waiter passes the signal on to the next.
    func wait() -> Result<ToySystem, ServingError> {
        done.wait()
        done.signal()
        return result.withLock { $0 } ?? .failure(ServingError("the load ended without a result"))
    }
}
