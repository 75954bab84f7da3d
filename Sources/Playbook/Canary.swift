// The canary that can stop a promotion: a slice of simulated traffic goes to the candidate, the rest to
// production, and the candidate is compared with production on that slice's own answers: labelled satisfaction
// where the traffic carries labels, and the escalation, refusal and citation rates always. A one-sided
// two-proportion z-test per signal, Bonferroni-corrected over the signals, decides whether the candidate is worse.
// The slices are the shared label-free signals (Signals.swift); the test here is one-sided, since a canary asks
// only whether the candidate is worse. Before its first request the candidate is pinned (`canary.started`), so gc
// can never take the blobs it answers from.
import Evals
import Foundation
import Hashing
public import Registry
import ToyModel

/// One signal on the canary slice: the candidate's rate against production's, and the test.
public struct CanarySignal: Encodable, Sendable, Equatable {
    public enum Name: String, Encodable, Sendable, CustomStringConvertible {
        case satisfaction
        case escalationRate = "escalation_rate"
        case refusalRate = "refusal_rate"
        case citationRate = "citation_rate"
        public var description: String { rawValue }
    }

    public var name: Name
    public var candidate: Double
    public var production: Double
    public var candidateRequests: Int
    public var productionRequests: Int
    /// One-sided p-value for "the candidate's rate is lower than production's".
    public var pValue: Double
    public var worse: Bool

    enum CodingKeys: String, CodingKey {
        case name, candidate, production, worse
        case candidateRequests = "candidate_requests"
        case productionRequests = "production_requests"
        case pValue = "p_value"
    }
}

public struct CanaryReport: Encodable, Sendable {
    public var percent: Double
    public var requests: Int
    public var candidate: VersionTraffic
    public var production: VersionTraffic
    public var signals: [CanarySignal]
    public var alpha: Double
    public var test: String
    /// True when at least one signal says the candidate is worse: the promotion stops.
    public var aborted: Bool
    public var finding: String
    public var firstRequest: String?
    public var lastRequest: String?

    enum CodingKeys: String, CodingKey {
        case percent, requests, candidate, production, signals, alpha, test, aborted, finding
        case firstRequest = "first_request"
        case lastRequest = "last_request"
    }
}

public enum Canary {
    public static let defaultRequests = 200
    public static let testName =
        "one-sided two-proportion z-test (pooled) per signal, candidate lower than production, Bonferroni over the signals"

    /// Compares the candidate's slice with production's. A signal is worse when its one-sided p-value is below
    /// alpha divided by the number of signals tested (Bonferroni), so testing several signals does not inflate
    /// the chance of stopping a good candidate.
    public static func compare(candidate: VersionSignals, production: VersionSignals, alpha: Double) -> [CanarySignal] {
        var pairs: [(CanarySignal.Name, Int, Int, Int, Int)] = []
        if candidate.labelled > 0, production.labelled > 0 {
            pairs.append(
                (.satisfaction, candidate.satisfied, candidate.labelled, production.satisfied, production.labelled))
        }
        pairs.append(
            (.escalationRate, candidate.escalated, candidate.requests, production.escalated, production.requests))
        pairs.append((.refusalRate, candidate.refused, candidate.requests, production.refused, production.requests))
        pairs.append((.citationRate, candidate.cited, candidate.requests, production.cited, production.requests))
        let threshold = alpha / Double(pairs.count)
        return pairs.map { name, candidateHits, candidateN, productionHits, productionN in
            let p = lowerPValue(candidateHits, candidateN, productionHits, productionN)
            return CanarySignal(
                name: name, candidate: rate(candidateHits, candidateN), production: rate(productionHits, productionN),
                candidateRequests: candidateN, productionRequests: productionN, pValue: p, worse: p < threshold)
        }
    }

    static func rate(_ hits: Int, _ n: Int) -> Double { n == 0 ? 0 : Double(hits) / Double(n) }

    /// P(a rate difference at least this large | equal rates), for H1: candidate's rate < production's.
    static func lowerPValue(_ candidateHits: Int, _ candidateN: Int, _ productionHits: Int, _ productionN: Int)
        -> Double
    {
        guard candidateN > 0, productionN > 0 else { return 1 }
        let pooled = Double(candidateHits + productionHits) / Double(candidateN + productionN)
        let variance = pooled * (1 - pooled) * (1 / Double(candidateN) + 1 / Double(productionN))
        guard variance > 0 else { return 1 }
        let z = (rate(productionHits, productionN) - rate(candidateHits, candidateN)) / variance.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// Sends `requests` simulated requests, `percent` of them to `candidate` and the rest to `production`, then
    /// compares the two slices. The requests are real traffic: they stay in the attribution log whatever is decided.
    /// Before the first one, the candidate is pinned (`pin`), so gc can never take the blobs it answers from.
    public static func run(
        percent: Double, requests: Int, candidate: String, production: String, seed: UInt64, by actor: String,
        in context: PlayContext
    ) throws -> CanaryReport {
        let policy = try context.policyInForce(by: actor)
        try pin(
            CanaryStarted(
                candidate: candidate, production: production, percent: percent, requests: requests,
                policySHA256: policy),
            by: actor, in: context)
        let report = try Traffic.run(
            requests: requests, rate: 0, seed: seed, source: "canary", in: context,
            route: { index in
                Double(Traffic.mix(seed ^ 0xCA9A, UInt64(index)) % 10_000) < percent * 100 ? candidate : production
            })
        let records = try batch(first: report.firstRequest, last: report.lastRequest, count: requests, in: context)
        let slices = Signals.compute(records)
        let alpha = context.settings.alpha
        let signals = compare(
            candidate: slices[candidate] ?? VersionSignals(version: candidate),
            production: slices[production] ?? VersionSignals(version: production), alpha: alpha)
        let worse = signals.filter(\.worse)
        let finding =
            worse.isEmpty
            ? "no signal worse on the canary slice (\(signals.count) signals, alpha \(alpha) Bonferroni-corrected)"
            : worse.map { signal in
                "\(signal.name) \(Rate.percent(signal.candidate)) against production's \(Rate.percent(signal.production)) "
                    + "(p = \(String(format: "%.2g", signal.pValue)))"
            }.joined(separator: "; ") + " on the canary slice"
        return CanaryReport(
            percent: percent, requests: requests, candidate: report.byVersion[candidate] ?? VersionTraffic(),
            production: report.byVersion[production] ?? VersionTraffic(), signals: signals, alpha: alpha,
            test: testName, aborted: !worse.isEmpty, finding: finding, firstRequest: report.firstRequest,
            lastRequest: report.lastRequest)
    }

    /// The canary's own records, read back from the attribution log between its first and last request.
    static func batch(first: String?, last: String?, count: Int, in context: PlayContext) throws -> [RequestRecord] {
        guard let first, let last else { return [] }
        let log = AttributionLog(registryRoot: context.registry.root)
        func between(_ records: [RequestRecord]) -> [RequestRecord]? {
            guard let start = records.firstIndex(where: { $0.id == first }),
                let end = records.lastIndex(where: { $0.id == last }), start <= end
            else { return nil }
            return records[start...end].filter { $0.source == "canary" }
        }
        // Other traffic may interleave; the tail of the log almost always holds the whole batch.
        if let found = between(try log.recent(limit: count * 2 + 1024)) { return found }
        var all: [RequestRecord] = []
        try log.forEach { record in
            all.append(record)
            return true
        }
        return between(all) ?? []
    }
}

/// `canary.started`: a canary is about to answer customers from `candidate`. Recorded before its first request,
/// under the registry's writer lock and only while the candidate's blobs are all in the store; gc keeps the
/// blobs of every version a canary was started on (see GarbageCollect.swift for the interleavings).
public struct CanaryStarted: EventPayload {
    public static let kind = "canary.started"
    public var candidate: String
    public var production: String
    public var percent: Double
    public var requests: Int
    /// The pinned policy the canary runs under (Policy.swift).
    public var policySHA256: String? = nil

    enum CodingKeys: String, CodingKey {
        case candidate, production, percent, requests
        case policySHA256 = "policy_sha256"
    }
}

extension Canary {
    /// Records `started` if the candidate's and production's blobs are all there: under the same lock gc
    /// deletes under, so a canary either sees the blobs gc took and refuses before answering, or is in the log
    /// gc plans from.
    static func pin(_ started: CanaryStarted, by actor: String, in context: PlayContext) throws {
        let registry = context.registry
        try registry.write { writer in
            try registry.requireArtifacts(of: try registry.record(id: started.candidate), to: "start a canary on")
            try registry.requireArtifacts(of: try registry.record(id: started.production), to: "compare a canary with")
            try writer.append(started, actor: actor)
        }
    }
}

/// A canary as the tag move it allowed, or the stopped promotion it ended, records it: flat `canary_*` fields.
public struct CanaryFacts: EventFieldGroup, Equatable {
    public static let presenceKey = "canary_decision"

    public enum Decision: String, Codable, Sendable, CustomStringConvertible {
        case passed, aborted
        public var description: String { rawValue }
    }

    public var percent: Double
    public var requests: Int
    public var decision: Decision
    public var finding: String
    public var test: String
    public var alpha: Double
    public var candidateSatisfied: Double
    public var productionSatisfied: Double
    /// Each signal tested, as `candidate R (n N), production R (n N), p P` (satisfaction only where the traffic
    /// carried labels).
    public var satisfaction: String?
    public var escalationRate: String?
    public var refusalRate: String?
    public var citationRate: String?

    public init(_ canary: CanaryReport) {
        percent = canary.percent
        requests = canary.requests
        decision = canary.aborted ? .aborted : .passed
        finding = canary.finding
        test = canary.test
        alpha = canary.alpha
        candidateSatisfied = canary.candidate.satisfiedRate
        productionSatisfied = canary.production.satisfiedRate
        var texts: [CanarySignal.Name: String] = [:]
        for signal in canary.signals {
            texts[signal.name] = String(
                format: "candidate %.4f (n %d), production %.4f (n %d), p %.4g", signal.candidate,
                signal.candidateRequests, signal.production, signal.productionRequests, signal.pValue)
        }
        satisfaction = texts[.satisfaction]
        escalationRate = texts[.escalationRate]
        refusalRate = texts[.refusalRate]
        citationRate = texts[.citationRate]
    }

    enum CodingKeys: String, CodingKey {
        case percent = "canary_percent"
        case requests = "canary_requests"
        case decision = "canary_decision"
        case finding = "canary_finding"
        case test = "canary_test"
        case alpha = "canary_alpha"
        case candidateSatisfied = "canary_candidate_satisfied"
        case productionSatisfied = "canary_production_satisfied"
        case satisfaction = "canary_satisfaction"
        case escalationRate = "canary_escalation_rate"
        case refusalRate = "canary_refusal_rate"
        case citationRate = "canary_citation_rate"
    }
}
