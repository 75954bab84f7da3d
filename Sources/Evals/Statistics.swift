// The statistics behind verdicts: Wilson intervals for pass rates and an exact McNemar test for paired runs.
import Foundation

public enum Statistics {
    /// The 95% Wilson score interval for `passes` out of `runs`.
    public static func wilson(passes: Int, runs: Int, z: Double = 1.959964) -> (low: Double, high: Double) {
        guard runs > 0 else { return (0, 1) }
        let n = Double(runs)
        let p = Double(passes) / n
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Two-sided exact McNemar p-value: the binomial(n = b + c, 1/2) probability of a split at least as uneven.
    public static func exactMcNemar(_ b: Int, _ c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let low = min(b, c)
        let logHalf = Double(n) * log(0.5)
        var tail = 0.0
        for k in 0...low {
            tail += exp(logChoose(n, k) + logHalf)
        }
        return min(1, 2 * tail)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}

public struct Comparison: Codable, Sendable, Equatable {
    /// "better", "worse" or "indistinguishable" (B relative to A).
    public var verdict: String
    /// Pass rate of B minus pass rate of A over the paired runs.
    public var delta: Double
    public var deltaLow: Double
    public var deltaHigh: Double
    public var pValue: Double
    public var alpha: Double
    public var test: String
    public var pairs: Int
    /// Pairs where only A passed, and where only B passed.
    public var onlyA: Int
    public var onlyB: Int
    public var suiteSHA256: String

    enum CodingKeys: String, CodingKey {
        case verdict, delta, alpha, test, pairs
        case deltaLow = "delta_low"
        case deltaHigh = "delta_high"
        case pValue = "p_value"
        case onlyA = "only_a_passed"
        case onlyB = "only_b_passed"
        case suiteSHA256 = "suite_sha256"
    }
}

public enum EvalComparer {
    public static let testName = "exact McNemar test (two-sided) on case-by-case, repeat-by-repeat pairs"

    /// Pairs A's and B's outcomes by case id and repeat and tests whether B differs from A.
    public static func compare(
        _ a: EvalResult, _ b: EvalResult, alpha: Double = 0.01, allowDifferentSuites: Bool = false
    )
        throws -> Comparison
    {
        guard a.suiteSHA256 == b.suiteSHA256 || allowDifferentSuites else {
            throw EvalsError.differentSuites(a: a.suiteSHA256, b: b.suiteSHA256)
        }
        let outcomesB = Dictionary(b.cases.map { ($0.id, $0.outcomes) }, uniquingKeysWith: { first, _ in first })
        var pairs = 0
        var onlyA = 0
        var onlyB = 0
        for caseA in a.cases {
            guard let bitsB = outcomesB[caseA.id] else { continue }
            for (left, right) in zip(caseA.outcomes, bitsB) {
                pairs += 1
                if left == "1", right == "0" { onlyA += 1 }
                if left == "0", right == "1" { onlyB += 1 }
            }
        }
        guard pairs > 0 else { throw EvalsError.unpaired(reason: "they share no case ids") }
        let n = Double(pairs)
        let delta = Double(onlyB - onlyA) / n
        let variance = max(0, (Double(onlyA + onlyB) / n - delta * delta) / n)
        let half = 1.959964 * variance.squareRoot()
        let p = Statistics.exactMcNemar(onlyA, onlyB)
        let verdict = p < alpha ? (delta > 0 ? "better" : "worse") : "indistinguishable"
        return Comparison(
            verdict: verdict, delta: delta, deltaLow: delta - half, deltaHigh: delta + half, pValue: p, alpha: alpha,
            test: testName, pairs: pairs, onlyA: onlyA, onlyB: onlyB, suiteSHA256: b.suiteSHA256)
    }
}
