// The statistics behind pass rates and verdicts, with the case as the unit of analysis: a case-level interval
// for one run's pass rate, and a sign-flip permutation test with a t-interval over cases for two paired runs.
import Foundation
import Hashing
import ToyModel

public enum Statistics {
    /// The 95% Wilson score interval for `passes` out of `runs` independent trials.
    public static func wilson(passes: Int, runs: Int, z: Double = 1.959964) -> (low: Double, high: Double) {
        guard runs > 0 else { return (0, 1) }
        return wilson(proportion: Double(passes) / Double(runs), trials: Double(runs), z: z)
    }

    /// The Wilson score interval for a proportion observed over `trials` (which may be an effective,
    /// non-integer number of trials).
    public static func wilson(proportion p: Double, trials n: Double, z: Double = 1.959964) -> (
        low: Double, high: Double
    ) {
        guard n > 0 else { return (0, 1) }
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - half), min(1, centre + half))
    }

    /// A 95% interval for the mean of per-case pass fractions, the case being the unit: the Wilson score
    /// interval at the effective number of cases n_eff = p(1 − p) / (s² / n), where s² / n is the
    /// case-clustered variance of the mean (the design-effect adjustment of Korn and Graubard, 1998).
    /// n_eff is kept between the number of cases (every case all-pass or all-fail: repeats add nothing) and
    /// the number of runs (repeats as good as independent cases), so with one repeat, or outcomes that never
    /// vary within a case, this is exactly the Wilson interval over cases.
    public static func caseLevelInterval(fractions: [Double], runs: Int) -> (
        low: Double, high: Double, effectiveCases: Double
    ) {
        let n = Double(fractions.count)
        guard n > 0 else { return (0, 1, 0) }
        let p = fractions.reduce(0, +) / n
        let spread = p * (1 - p)
        var effective = n
        if fractions.count > 1, spread > 0 {
            let variance = fractions.reduce(0) { $0 + ($1 - p) * ($1 - p) } / (n - 1)
            effective = variance > 0 ? spread / (variance / n) : Double(runs)
        }
        effective = min(max(effective, n), max(n, Double(runs)))
        let interval = wilson(proportion: p, trials: effective)
        return (interval.low, interval.high, effective)
    }

    /// The two-sided 97.5% quantile of Student's t with `df` degrees of freedom (for 95% intervals): closed
    /// values for 1 to 4, the Cornish–Fisher expansion beyond (within 0.001 of tables from 5 on).
    public static func t975(df: Int) -> Double {
        let z = 1.959964
        switch df {
        case ..<1: return .infinity
        case 1: return 12.706205
        case 2: return 4.302653
        case 3: return 3.182446
        case 4: return 2.776445
        default:
            let v = Double(df)
            let z3 = z * z * z
            let z5 = z3 * z * z
            let z7 = z5 * z * z
            let z9 = z7 * z * z
            return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
                + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v)
        }
    }

    /// The mean of paired differences with its 95% t-interval over the pairs (clamped to [−1, 1], the range
    /// of a difference of pass fractions). Fewer than two pairs carry no spread: the interval is [−1, 1].
    public static func meanWithTInterval(_ differences: [Double]) -> (mean: Double, low: Double, high: Double) {
        let n = Double(differences.count)
        guard n > 0 else { return (0, -1, 1) }
        let mean = differences.reduce(0, +) / n
        guard differences.count > 1 else { return (mean, -1, 1) }
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = t975(df: differences.count - 1) * (variance / n).squareRoot()
        return (mean, max(-1, mean - half), min(1, mean + half))
    }

    /// How a sign-flip p-value was obtained.
    public enum SignFlipMethod: Sendable, Equatable {
        /// The whole permutation distribution (all 2^m sign patterns), computed by convolution.
        case exact
        /// A seeded Monte-Carlo sample of sign patterns (deterministic for the same data).
        case monteCarlo(draws: Int)
    }

    /// Draws for the Monte-Carlo sign-flip test, used only when the exact distribution would be too big.
    public static let signFlipDraws = 20_000
    /// The fixed seed of the Monte-Carlo sign-flip test: the same data always gets the same p-value.
    public static let signFlipSeed: UInt64 = 0x5169_4E46_4C49_5053
    /// The most additions the exact convolution may take before the Monte-Carlo test is used instead.
    public static let exactWorkLimit = 100_000_000

    /// Two-sided sign-flip permutation test of "the differences are symmetric about zero" on integer
    /// differences (per-case differences over a common denominator): the p-value is the share of the 2^m
    /// sign patterns of the m nonzero differences whose sum is at least as far from zero as the observed one.
    /// Zeros flip to themselves, so they contribute nothing. Exact by convolution over the integer lattice
    /// while that takes at most `exactLimit` additions; otherwise `draws` seeded random sign patterns, with
    /// p = (1 + hits) / (1 + draws) so a Monte-Carlo p-value is never zero.
    public static func signFlipTest(
        _ differences: [Int], exactLimit: Int = exactWorkLimit, draws: Int = signFlipDraws, seed: UInt64 = signFlipSeed
    ) -> (pValue: Double, method: SignFlipMethod) {
        var magnitudes = differences.filter { $0 != 0 }.map { $0.magnitude }
        let observed = differences.reduce(0, +).magnitude
        guard !magnitudes.isEmpty, observed > 0 else { return (1, .exact) }
        // A common factor scales every sum alike: dividing it out shrinks the lattice without changing p.
        let divisor = magnitudes.reduce(0) { gcd($0, $1) }
        magnitudes = magnitudes.map { $0 / divisor }
        let threshold = observed / divisor
        let total = magnitudes.reduce(0, +)
        var work = 0
        var reach: UInt = 0
        for magnitude in magnitudes {
            reach += magnitude
            work += 2 * Int(reach) + 1
            if work > exactLimit { break }
        }
        if work <= exactLimit {
            // probabilities[s + total] = P(sum of the flipped magnitudes = s), built one difference at a time.
            let width = 2 * Int(total) + 1
            var probabilities = [Double](repeating: 0, count: width)
            var next = probabilities
            let centre = Int(total)
            probabilities[centre] = 1
            var span = 0
            for magnitude in magnitudes.map({ Int($0) }) {
                let low = centre - span - magnitude
                let high = centre + span + magnitude
                for index in low...high { next[index] = 0 }
                for index in (centre - span)...(centre + span) where probabilities[index] > 0 {
                    let half = probabilities[index] / 2
                    next[index - magnitude] += half
                    next[index + magnitude] += half
                }
                swap(&probabilities, &next)
                span += magnitude
            }
            let cut = Int(threshold)
            var tail = 0.0
            for offset in cut...Int(total) {
                tail += probabilities[centre + offset] + probabilities[centre - offset]
            }
            return (min(1, tail), .exact)
        }
        var generator = SeededGenerator(seed: seed)
        var hits = 0
        for _ in 0..<draws {
            var sum = 0
            var bits: UInt64 = 0
            for (index, magnitude) in magnitudes.enumerated() {
                if index % 64 == 0 { bits = generator.next() }
                sum += bits & 1 == 1 ? Int(magnitude) : -Int(magnitude)
                bits >>= 1
            }
            if sum.magnitude >= threshold { hits += 1 }
        }
        return (Double(1 + hits) / Double(1 + draws), .monteCarlo(draws: draws))
    }

    static func gcd(_ a: UInt, _ b: UInt) -> UInt {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    static func lcm(_ a: Int, _ b: Int) -> Int {
        guard a > 0, b > 0 else { return max(a, b) }
        let (product, overflow) = (a / Int(gcd(UInt(a), UInt(b)))).multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}

public struct Comparison: Codable, Sendable, Equatable {
    /// B relative to A, as the output states it.
    public enum Verdict: String, Codable, Sendable, CustomStringConvertible {
        case better, worse, indistinguishable
        public var description: String { rawValue }
    }

    public var verdict: Verdict
    /// The mean over paired cases of B's pass fraction minus A's (equal to the difference of the two pass
    /// rates when both ran every case the same number of times).
    public var delta: Double
    /// The 95% t-interval over cases for `delta`.
    public var deltaLow: Double
    public var deltaHigh: Double
    /// The two-sided sign-flip permutation p-value on the per-case differences.
    public var pValue: Double
    public var alpha: Double
    /// The test, in words, as the output states it.
    public var test: String
    /// How the interval for `delta` was made, in words.
    public var interval: String
    /// Cases present in both runs (the unit of analysis).
    public var cases: Int
    /// Paired cases where A's pass fraction is higher, and where B's is; the rest are ties and count for nothing.
    public var casesAHigher: Int
    public var casesBHigher: Int
    /// Monte-Carlo draws behind the p-value; absent when the permutation distribution was computed exactly.
    public var draws: Int?
    public var suiteSHA256: String

    enum CodingKeys: String, CodingKey {
        case verdict, delta, alpha, test, interval, cases, draws
        case deltaLow = "delta_low"
        case deltaHigh = "delta_high"
        case pValue = "p_value"
        case casesAHigher = "cases_a_higher"
        case casesBHigher = "cases_b_higher"
        case suiteSHA256 = "suite_sha256"
    }
}

public enum EvalComparer {
    public static let intervalName = "95% t-interval over paired cases of the mean per-case difference"

    /// Pairs A's and B's per-case pass fractions by case id and tests whether B differs from A, the case
    /// being the unit: repeats of one case are not independent evidence, so they only sharpen its fraction.
    public static func compare(
        _ a: EvalResult, _ b: EvalResult, alpha: Double = 0.01, allowDifferentSuites: Bool = false
    )
        throws -> Comparison
    {
        guard a.suiteSHA256 == b.suiteSHA256 || allowDifferentSuites else {
            throw EvalsError.differentSuites(a: a.suiteSHA256, b: b.suiteSHA256)
        }
        let casesB = Dictionary(b.cases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let pairs = a.cases.compactMap { caseA in
            casesB[caseA.id].flatMap { caseB in
                caseA.outcomes.isEmpty || caseB.outcomes.isEmpty ? nil : (caseA, caseB)
            }
        }
        guard !pairs.isEmpty else { throw EvalsError.unpaired(reason: "they share no case ids") }
        let differences = pairs.map {
            Double($1.passes) / Double($1.outcomes.count) - Double($0.passes) / Double($0.outcomes.count)
        }
        // Exact integer differences over the common denominator of the repeat counts, so ties in the
        // permutation distribution are exact; beyond 2^20 a difference is rounded to that grid.
        let grid = 1 << 20
        let denominator = pairs.reduce(1) {
            Statistics.lcm(Statistics.lcm($0, $1.0.outcomes.count), $1.1.outcomes.count)
        }
        let lattice: [Int]
        if denominator <= grid {
            lattice = pairs.map { caseA, caseB in
                caseB.passes * (denominator / caseB.outcomes.count) - caseA.passes
                    * (denominator / caseA.outcomes.count)
            }
        } else {
            lattice = differences.map { Int(($0 * Double(grid)).rounded()) }
        }
        let test = Statistics.signFlipTest(lattice)
        let estimate = Statistics.meanWithTInterval(differences)
        let differing = differences.filter { $0 != 0 }.count
        let method: String
        var draws: Int?
        switch test.method {
        case .exact:
            method = "exact sign-flip permutation test"
        case .monteCarlo(let count):
            method = "Monte-Carlo sign-flip permutation test (\(count) seeded draws)"
            draws = count
        }
        let verdict: Comparison.Verdict =
            test.pValue < alpha ? (estimate.mean > 0 ? .better : .worse) : .indistinguishable
        return Comparison(
            verdict: verdict, delta: estimate.mean, deltaLow: estimate.low, deltaHigh: estimate.high,
            pValue: test.pValue, alpha: alpha,
            test: "\(method) (two-sided) on per-case pass-fraction differences B − A; "
                + "\(differing) of \(pairs.count) cases differ",
            interval: intervalName, cases: pairs.count, casesAHigher: differences.filter { $0 < 0 }.count,
            casesBHigher: differences.filter { $0 > 0 }.count, draws: draws, suiteSHA256: b.suiteSHA256)
    }
}
