// The canary that can stop a promotion: a slice of simulated traffic goes to the candidate, the rest to
// production, and the candidate is compared with production on that slice's own answers: labelled satisfaction
// where the traffic carries labels, and the escalation, refusal and citation rates always. Each signal gets a
// one-sided two-proportion z-test (a canary asks only whether the candidate is worse). The safety signals
// (escalation and refusal) are guardrails, each tested at `canary_safety_alpha` on its own, and the canary is
// sized for them before it starts (CanaryPlan.swift); the quality signals share the workspace's alpha, Bonferroni
// over them. A canary with fewer requests than its plan, or shorter than its bake time, is inconclusive: it does
// not promote. The slices are the shared label-free signals (Signals.swift). Before its first request the
// candidate is pinned (`canary.started`), so gc can never take the blobs it answers from.
import Evals
import Foundation
import Hashing
public import Registry
import ToyModel

/// One signal on the canary slice: the candidate's rate against production's, and the test.
public struct CanarySignal: Encodable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable, CustomStringConvertible {
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
    /// The level this signal's p-value is held to: `canary_safety_alpha` for a safety signal, the workspace's
    /// alpha shared (Bonferroni) over the quality signals otherwise.
    public var threshold: Double
    /// A safety signal: a guardrail the canary is sized for.
    public var safety: Bool
    public var worse: Bool

    enum CodingKeys: String, CodingKey {
        case name, candidate, production, worse, threshold, safety
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
    /// What was planned before the first request.
    public var plan: CanaryPlan
    /// Passed, aborted (a signal is worse: the promotion stops) or inconclusive (too few requests or too short a
    /// bake to say the candidate is not worse: the promotion stops too).
    public var decision: CanaryFacts.Decision
    /// True when at least one signal says the candidate is worse: the promotion stops.
    public var aborted: Bool
    public var finding: String
    /// How long the canary ran, on the injected clock.
    public var bakedSeconds: Double
    public var firstRequest: String?
    public var lastRequest: String?

    enum CodingKeys: String, CodingKey {
        case percent, requests, candidate, production, signals, alpha, test, plan, decision, aborted, finding
        case bakedSeconds = "baked_seconds"
        case firstRequest = "first_request"
        case lastRequest = "last_request"
    }
}

public enum Canary {
    public static let testName =
        "one-sided two-proportion z-test (pooled) per signal, candidate lower than production; safety signals "
        + "each at canary_safety_alpha, quality signals Bonferroni over them"

    /// Compares the candidate's slice with production's. A safety signal (escalation, refusal) is worse when its
    /// one-sided p-value is below `safetyAlpha`: each is a guardrail of its own, not diluted by the others. A
    /// quality signal (satisfaction, citation) is worse when its p-value is below `alpha` divided by the number
    /// of quality signals tested (Bonferroni).
    public static func compare(
        candidate: VersionSignals, production: VersionSignals, alpha: Double, safetyAlpha: Double
    ) -> [CanarySignal] {
        var pairs: [(CanarySignal.Name, Int, Int, Int, Int)] = []
        if candidate.labelled > 0, production.labelled > 0 {
            pairs.append(
                (.satisfaction, candidate.satisfied, candidate.labelled, production.satisfied, production.labelled))
        }
        pairs.append(
            (.escalationRate, candidate.escalated, candidate.requests, production.escalated, production.requests))
        pairs.append((.refusalRate, candidate.refused, candidate.requests, production.refused, production.requests))
        pairs.append((.citationRate, candidate.cited, candidate.requests, production.cited, production.requests))
        let quality = pairs.filter { !safetySignals.contains($0.0) }.count
        return pairs.map { name, candidateHits, candidateN, productionHits, productionN in
            let p = lowerPValue(candidateHits, candidateN, productionHits, productionN)
            let safety = safetySignals.contains(name)
            let threshold = safety ? safetyAlpha : alpha / Double(max(quality, 1))
            return CanarySignal(
                name: name, candidate: rate(candidateHits, candidateN), production: rate(productionHits, productionN),
                candidateRequests: candidateN, productionRequests: productionN, pValue: p, threshold: threshold,
                safety: safety, worse: p < threshold)
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

    /// Sends `plan.sending` simulated requests, `plan.percent` of them to `candidate` and the rest to
    /// `production`, paced on `clock` over the plan's bake time, then compares the two slices and decides. The
    /// requests are real traffic: they stay in the attribution log whatever is decided. Before the first one, the
    /// candidate is pinned (`pin`), so gc can never take the blobs it answers from.
    public static func run(
        plan: CanaryPlan, candidate: String, production: String, seed: UInt64, by actor: String,
        in context: PlayContext, clock: any LoopClock = ContinuousClock()
    ) throws -> CanaryReport {
        let requests = plan.sending
        let policy = try context.policyInForce(by: actor)
        try pin(
            CanaryStarted(
                candidate: candidate, production: production, percent: plan.percent, requests: requests,
                policySHA256: policy),
            by: actor, in: context)
        let started = clock.stopwatch()
        let report = try Traffic.run(
            requests: requests, rate: plan.bakeSeconds > 0 ? Double(requests) / plan.bakeSeconds : 0, seed: seed,
            source: "canary", in: context, clock: clock,
            route: { index in routesToCandidate(index, percent: plan.percent) ? candidate : production })
        clock.pause(for: .seconds(plan.bakeSeconds) - started.elapsed)
        let baked = started.elapsed.seconds
        let records = try batch(first: report.firstRequest, last: report.lastRequest, count: requests, in: context)
        let slices = Signals.compute(records)
        let alpha = context.settings.alpha
        let signals = compare(
            candidate: slices[candidate] ?? VersionSignals(version: candidate),
            production: slices[production] ?? VersionSignals(version: production), alpha: alpha,
            safetyAlpha: plan.safetyAlpha)
        let (decision, finding) = decide(signals, plan: plan, baked: baked, alpha: alpha)
        return CanaryReport(
            percent: plan.percent, requests: requests,
            candidate: report.byVersion[candidate] ?? VersionTraffic(),
            production: report.byVersion[production] ?? VersionTraffic(), signals: signals, alpha: alpha,
            test: testName, plan: plan, decision: decision, aborted: decision == .aborted, finding: finding,
            bakedSeconds: baked, firstRequest: report.firstRequest, lastRequest: report.lastRequest)
    }

    /// The decision and its sentence: aborted when any signal is worse (a detected drop is evidence however few
    /// the requests); else inconclusive when a safety signal's slice fell short of its plan or the bake time was
    /// not reached; else passed.
    static func decide(_ signals: [CanarySignal], plan: CanaryPlan, baked: Double, alpha: Double) -> (
        CanaryFacts.Decision, String
    ) {
        let worse = signals.filter(\.worse)
        if !worse.isEmpty {
            return (
                .aborted,
                worse.map { signal in
                    "\(signal.name) \(Rate.percent(signal.candidate)) against production's \(Rate.percent(signal.production)) "
                        + "(p = \(String(format: "%.2g", signal.pValue)) < \(String(format: "%.3g", signal.threshold)))"
                }.joined(separator: "; ") + " on the canary slice"
            )
        }
        var short: [String] = []
        for planned in plan.signals {
            guard let signal = signals.first(where: { $0.name == planned.name }) else { continue }
            if signal.candidateRequests < planned.candidateRequests
                || signal.productionRequests < planned.productionRequests
            {
                short.append(
                    "\(planned.name) needs \(planned.candidateRequests) candidate and \(planned.productionRequests) "
                        + "production requests, it got \(signal.candidateRequests) and \(signal.productionRequests)")
            }
        }
        if baked + 1e-9 < plan.bakeSeconds {
            short.append(String(format: "it ran %.3g s of its %.3g s bake time", baked, plan.bakeSeconds))
        }
        if !short.isEmpty {
            return (
                .inconclusive,
                "no signal worse, but too little evidence to say the candidate is not ("
                    + short.joined(separator: "; ") + ")"
            )
        }
        let safety = plan.signals.map(\.name.rawValue).joined(separator: " and ")
        let quality = signals.filter { !$0.safety }.count
        return (
            .passed,
            "no signal worse on the canary slice (\(safety) one-sided at alpha "
                + "\(String(format: "%g", plan.safetyAlpha)) each with the requests their plan needs; "
                + "\(quality) quality signals at alpha \(String(format: "%g", alpha)) Bonferroni-corrected)"
        )
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

    /// `aborted` is a canary that found a signal worse (the promotion stopped); `inconclusive` one with fewer
    /// requests than its plan or a short bake (the promotion stopped too: only break-glass may pass it).
    public enum Decision: String, Codable, Sendable, CustomStringConvertible {
        case passed, aborted, inconclusive
        public var description: String { rawValue }
        /// As people read it: passed, stopped or inconclusive.
        public var word: String { self == .aborted ? "stopped" : rawValue }
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
    // The plan and the counts (absent on canaries recorded before canaries were sized by power).
    public var planRequests: Int?
    public var planEscalationRate: String?
    public var planRefusalRate: String?
    public var safetyAlpha: Double?
    public var power: Double?
    public var minEffect: Double?
    public var bakeSeconds: Double?
    public var bakedSeconds: Double?
    public var candidateRequests: Int?
    public var productionRequests: Int?

    public init(_ canary: CanaryReport) {
        percent = canary.percent
        requests = canary.requests
        decision = canary.decision
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
        planRequests = canary.plan.requests
        planEscalationRate = canary.plan.signals.first { $0.name == .escalationRate }?.summary
        planRefusalRate = canary.plan.signals.first { $0.name == .refusalRate }?.summary
        safetyAlpha = canary.plan.safetyAlpha
        power = canary.plan.power
        minEffect = canary.plan.minEffect
        bakeSeconds = canary.plan.bakeSeconds
        bakedSeconds = canary.bakedSeconds
        candidateRequests = canary.candidate.requests
        productionRequests = canary.production.requests
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
        case planRequests = "canary_plan_requests"
        case planEscalationRate = "canary_plan_escalation_rate"
        case planRefusalRate = "canary_plan_refusal_rate"
        case safetyAlpha = "canary_safety_alpha"
        case power = "canary_power"
        case minEffect = "canary_min_effect"
        case bakeSeconds = "canary_bake_seconds"
        case bakedSeconds = "canary_baked_seconds"
        case candidateRequests = "canary_candidate_requests"
        case productionRequests = "canary_production_requests"
    }
}
