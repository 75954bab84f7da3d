// The canary's power plan: before it sends anything, how many requests each safety signal needs on each slice to
// detect the set minimum drop at the set one-sided alpha and power, and the smallest batch that gives them.
//
// The formula: a one-sided two-proportion test, normal approximation, slices of unequal size. With production's
// baseline rate p0, the drop to detect d (`canary_min_effect`, capped at p0: a rate cannot fall below zero),
// p1 = p0 - d, k = production's share of the batch over the candidate's, and p̄ = (p1 + k·p0) / (1 + k):
//
//     n_candidate  = ⌈ (z(1-α)·√(p̄(1-p̄)(1 + 1/k)) + z(power)·√(p1(1-p1) + p0(1-p0)/k))² / d² ⌉
//     n_production = ⌈ k · n_candidate ⌉
//
// where z(q) is the standard normal quantile. The baseline is production's rate on the traffic cases the canary
// draws from, each asked once in memory (nothing is sent or logged). The batch is the smallest whose routing
// (interleaved: the candidate gets exactly its share of every prefix) gives each slice what its signals need.
import Evals
import Foundation
public import Registry
public import Terminal
import ToyModel

/// One safety signal's share of the plan.
public struct CanarySignalPlan: Codable, Sendable, Equatable {
    public var name: CanarySignal.Name
    /// Production's rate of this signal on the traffic the canary draws from.
    public var baseline: Double
    /// The absolute drop the canary must detect (the setting, capped at the baseline).
    public var minEffect: Double
    public var alpha: Double
    public var power: Double
    /// Requests each slice needs for this signal.
    public var candidateRequests: Int
    public var productionRequests: Int

    enum CodingKeys: String, CodingKey {
        case name, baseline, alpha, power
        case minEffect = "min_effect"
        case candidateRequests = "candidate_requests"
        case productionRequests = "production_requests"
    }

    /// As the event records it: `baseline B, min effect D, alpha A, power P, needs candidate N, production M`.
    public var summary: String {
        String(
            format: "baseline %.4f, min effect %.4f, alpha %g, power %g, needs candidate %d, production %d", baseline,
            minEffect, alpha, power, candidateRequests, productionRequests)
    }
}

/// How many requests a canary sends: the plan's own number, or one the user gave.
public enum CanaryRequests: Sendable, Equatable, OptionValue {
    case auto
    case count(Int)

    public init?(optionText: String) {
        if optionText == "auto" {
            self = .auto
        } else if let count = Int(optionText) {
            self = .count(count)
        } else {
            return nil
        }
    }

    public static var expectation: String { "a whole number or 'auto'" }

    public var optionText: String {
        switch self {
        case .auto: return "auto"
        case .count(let count): return String(count)
        }
    }
}

/// What the canary will do, said before its first request.
public struct CanaryPlan: Codable, Sendable, Equatable {
    public var percent: Double
    public var signals: [CanarySignalPlan]
    /// The smallest batch whose routing gives every slice the requests its safety signals need.
    public var requests: Int
    /// The batch the canary sends: `requests` with auto, else the number given.
    public var sending: Int
    public var auto: Bool
    /// The settings it was planned with: the drop to detect, the power, each safety signal's alpha, the bake.
    public var minEffect: Double
    public var power: Double
    public var safetyAlpha: Double
    public var bakeSeconds: Double
    public var baseline: String
    public var formula: String

    enum CodingKeys: String, CodingKey {
        case percent, signals, requests, sending, auto, baseline, formula, power
        case minEffect = "min_effect"
        case safetyAlpha = "safety_alpha"
        case bakeSeconds = "bake_seconds"
    }

    public static let formula =
        "one-sided two-proportion test, normal approximation: n_candidate = ceil((z(1-alpha) sqrt(pbar(1-pbar)(1+1/k)) "
        + "+ z(power) sqrt(p1(1-p1) + p0(1-p0)/k))^2 / d^2), n_production = ceil(k n_candidate), p1 = p0 - d, "
        + "k = production's share / the candidate's, pbar = (p1 + k p0)/(1 + k)"
    public static let baselineSource = "production's rate on the traffic cases (each asked once, in memory)"
    /// The most requests a canary may send.
    public static let maximumRequests = 100_000

    /// Requests the candidate's slice and production's need, across the safety signals.
    public var candidateNeeds: Int { signals.map(\.candidateRequests).max() ?? 0 }
    public var productionNeeds: Int { signals.map(\.productionRequests).max() ?? 0 }
    /// True when the batch sent is smaller than the plan's: unless a signal drops, the canary is inconclusive.
    public var underpowered: Bool { sending < requests }
}

extension Canary {
    /// The safety signals: one-sided guardrails, each tested at `canary_safety_alpha` and each planned for.
    public static let safetySignals: [CanarySignal.Name] = [.escalationRate, .refusalRate]

    /// Plans a canary of `percent`% against `production` before anything is sent: the baseline rates, the
    /// requests each safety signal needs, and the batch that gives them. Writes nothing.
    public static func plan(
        percent: Double, requests: CanaryRequests, production: VersionRecord, seed: UInt64, in context: PlayContext
    ) throws -> CanaryPlan {
        let settings = context.settings.canary
        let system = try context.system(for: production)
        var baseline = VersionSignals(version: production.id)
        for (index, labelled) in try Traffic.cases(in: context, intents: system.intents).enumerated() {
            baseline.add(system.ask(labelled.input, seed: Traffic.mix(seed, UInt64(index))))
        }
        let share = percent / 100
        let k = (1 - share) / share
        let signals = safetySignals.map { name in
            let p0 = name == .escalationRate ? baseline.escalationRate : baseline.refusalRate
            let effect = min(settings.minEffect, p0)
            let candidate = candidateRequests(
                baseline: p0, effect: effect, ratio: k, alpha: settings.safetyAlpha, power: settings.power)
            return CanarySignalPlan(
                name: name, baseline: p0, minEffect: effect, alpha: settings.safetyAlpha, power: settings.power,
                candidateRequests: candidate, productionRequests: Int((k * Double(candidate)).rounded(.up)))
        }
        var plan = CanaryPlan(
            percent: percent, signals: signals, requests: 0, sending: 0, auto: requests == .auto,
            minEffect: settings.minEffect, power: settings.power, safetyAlpha: settings.safetyAlpha,
            bakeSeconds: settings.bakeSeconds, baseline: CanaryPlan.baselineSource, formula: CanaryPlan.formula)
        guard
            let needed = batch(
                candidate: plan.candidateNeeds, production: plan.productionNeeds, percent: percent)
        else {
            throw PlaybookError.invalid(
                "This canary's plan needs more than \(CanaryPlan.maximumRequests) requests (candidate slice "
                    + "\(plan.candidateNeeds), production \(plan.productionNeeds)); send a larger share with --canary P, "
                    + "or raise canary_min_effect in .labrunner/settings.json.")
        }
        plan.requests = needed
        switch requests {
        case .auto: plan.sending = needed
        case .count(let count): plan.sending = count
        }
        return plan
    }

    /// Requests the candidate's slice needs to detect a drop of `effect` from `baseline` (the formula above);
    /// none when the rate cannot drop.
    static func candidateRequests(baseline p0: Double, effect d: Double, ratio k: Double, alpha: Double, power: Double)
        -> Int
    {
        guard d > 0 else { return 0 }
        let p1 = p0 - d
        let pooled = (p1 + k * p0) / (1 + k)
        let null = normalQuantile(1 - alpha) * (pooled * (1 - pooled) * (1 + 1 / k)).squareRoot()
        let alternative = normalQuantile(power) * (p1 * (1 - p1) + p0 * (1 - p0) / k).squareRoot()
        let n = ((null + alternative) * (null + alternative) / (d * d)).rounded(.up)
        return n < Double(CanaryPlan.maximumRequests) ? max(1, Int(n)) : CanaryPlan.maximumRequests
    }

    /// The standard normal quantile: z with Φ(z) = q, found by bisection on Φ(z) = erfc(-z/√2)/2.
    static func normalQuantile(_ q: Double) -> Double {
        var low = -40.0
        var high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < q { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Whether request `index` of a canary goes to the candidate: interleaved, so that after any number of
    /// requests the candidate has had exactly its share (rounded down) and the plan's ratio k holds. Which case a
    /// request asks is drawn independently (from the seed), so each slice is still a random sample of the traffic.
    static func routesToCandidate(_ index: Int, percent: Double) -> Bool {
        let basisPoints = Int((percent * 100).rounded())
        return (index + 1) * basisPoints / 10_000 > index * basisPoints / 10_000
    }

    /// The smallest batch whose routing gives the candidate `candidate` requests and production `production`;
    /// nil when it takes more than the most a canary may send.
    static func batch(candidate: Int, production: Int, percent: Double) -> Int? {
        var counts = (candidate: 0, production: 0)
        for index in 0..<CanaryPlan.maximumRequests {
            if counts.candidate >= candidate, counts.production >= production { return max(index, 1) }
            if routesToCandidate(index, percent: percent) {
                counts.candidate += 1
            } else {
                counts.production += 1
            }
        }
        return counts.candidate >= candidate && counts.production >= production ? CanaryPlan.maximumRequests : nil
    }
}
