// Running a suite: every case, every repeat, outcomes kept per repeat so two runs can be paired later,
// and a pass rate whose interval treats the case, not the repeat, as the unit.
import Foundation
import Hashing
public import ToyModel

public struct CaseOutcome: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    /// One character per repeat: "1" passed, "0" failed.
    public var outcomes: String
    /// Why the first failing repeat failed.
    public var failures: [String]

    public var passes: Int { outcomes.reduce(0) { $0 + ($1 == "1" ? 1 : 0) } }
}

public struct CategoryRate: Codable, Sendable, Equatable {
    public var cases: Int
    public var runs: Int
    public var passes: Int
    public var passRate: Double

    enum CodingKeys: String, CodingKey {
        case cases, runs, passes
        case passRate = "pass_rate"
    }
}

public struct EvalResult: Codable, Sendable, Equatable {
    public var version: String
    public var suite: String
    public var suiteSHA256: String
    public var seed: UInt64
    public var repeats: Int
    public var temperature: Double
    public var runs: Int
    public var passes: Int
    /// The mean of the per-case pass fractions (with equal repeats per case, passes / runs).
    public var passRate: Double
    /// The 95% case-level interval for `passRate` (see `Statistics.caseLevelInterval`).
    public var ciLow: Double
    public var ciHigh: Double
    /// How the interval was made, in words (absent in results recorded before it was stated).
    public var ciMethod: String?
    public var categories: [String: CategoryRate]
    public var cases: [CaseOutcome]
    /// SHA-256 of what an `eval_command` printed (every repeat, in order); absent for the toy's suites.
    public var outputSHA256: String? = nil

    enum CodingKeys: String, CodingKey {
        case version, suite, seed, repeats, temperature, runs, passes, categories, cases
        case outputSHA256 = "output_sha256"
        case suiteSHA256 = "suite_sha256"
        case passRate = "pass_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case ciMethod = "ci_method"
    }
}

public enum EvalRunner {
    /// The seed for repeat `repeatIndex` of a run seeded `seed`: reproducible and well spread.
    public static func repeatSeed(_ seed: UInt64, _ repeatIndex: Int) -> UInt64 {
        SeededGenerator.mix(seed, UInt64(repeatIndex))
    }

    /// Why an answer fails its expectations (empty: it passes). The traffic generator's "satisfied" too.
    public static func judge(_ answer: Answer, against expect: Expectation) -> [String] {
        Judge.failures(answer, against: expect)
    }

    public static func run(
        suite: EvalSuite, system: ToySystem, seed: UInt64, repeats: Int, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> EvalResult {
        guard repeats >= 1 else { throw EvalsError.badRepeats(repeats) }
        let seeds = (0..<repeats).map { repeatSeed(seed, $0) }
        var outcomes: [CaseOutcome] = []
        outcomes.reserveCapacity(suite.cases.count)
        var passes = 0
        for (index, evalCase) in suite.cases.enumerated() {
            var bits = [UInt8](repeating: UInt8(ascii: "0"), count: repeats)
            var firstFailure: [String] = []
            for (position, repeatSeed) in seeds.enumerated() {
                let reasons = Judge.failures(system.ask(evalCase.input, seed: repeatSeed), against: evalCase.expect)
                if reasons.isEmpty {
                    bits[position] = UInt8(ascii: "1")
                    passes += 1
                } else if firstFailure.isEmpty {
                    firstFailure = reasons
                }
            }
            outcomes.append(
                CaseOutcome(
                    id: evalCase.id, category: evalCase.category ?? "uncategorised",
                    outcomes: String(decoding: bits, as: UTF8.self), failures: firstFailure))
            progress?(index + 1, suite.cases.count)
        }
        var categories: [String: CategoryRate] = [:]
        for outcome in outcomes {
            var rate = categories[outcome.category] ?? CategoryRate(cases: 0, runs: 0, passes: 0, passRate: 0)
            rate.cases += 1
            rate.runs += repeats
            rate.passes += outcome.passes
            rate.passRate = Double(rate.passes) / Double(rate.runs)
            categories[outcome.category] = rate
        }
        let runs = suite.cases.count * repeats
        let (low, high, method) = interval(of: outcomes, runs: runs)
        return EvalResult(
            version: system.version, suite: suite.name, suiteSHA256: suite.sha256, seed: seed, repeats: repeats,
            temperature: system.temperature, runs: runs, passes: passes, passRate: Double(passes) / Double(runs),
            ciLow: low, ciHigh: high, ciMethod: method, categories: categories, cases: outcomes)
    }

    /// The case-level 95% interval of a run and its description: Wilson over cases when no case's outcome
    /// varies between repeats, else Wilson at the effective number of cases.
    public static func interval(of cases: [CaseOutcome], runs: Int) -> (low: Double, high: Double, method: String) {
        let fractions = cases.map { $0.outcomes.isEmpty ? 0 : Double($0.passes) / Double($0.outcomes.count) }
        let interval = Statistics.caseLevelInterval(fractions: fractions, runs: runs)
        let method =
            interval.effectiveCases == Double(cases.count)
            ? "Wilson score interval over \(cases.count) cases"
            : String(
                format: "Wilson score interval at %.1f effective cases (%d cases, repeats within a case clustered)",
                interval.effectiveCases, cases.count)
        return (interval.low, interval.high, method)
    }
}
