// An eval run from outcomes a project's own `eval_command` reported (one JSON line per case and repeat): the
// same result type, categories and case-level interval as the toy's suites, so gates and comparisons read both.
import Foundation

extension EvalResult {
    /// A result from per-case outcomes (`outcomes`: one "1"/"0" per repeat), `suite` naming what ran.
    public static func fromOutcomes(
        version: String, suite: String, suiteSHA256: String, seed: UInt64, cases: [CaseOutcome], outputSHA256: String
    ) -> EvalResult {
        let repeats = cases.first?.outcomes.count ?? 0
        var categories: [String: CategoryRate] = [:]
        var passes = 0
        for outcome in cases {
            var rate = categories[outcome.category] ?? CategoryRate(cases: 0, runs: 0, passes: 0, passRate: 0)
            rate.cases += 1
            rate.runs += outcome.outcomes.count
            rate.passes += outcome.passes
            rate.passRate = Double(rate.passes) / Double(max(rate.runs, 1))
            categories[outcome.category] = rate
            passes += outcome.passes
        }
        let runs = cases.reduce(0) { $0 + $1.outcomes.count }
        let (low, high, method) = EvalRunner.interval(of: cases, runs: runs)
        return EvalResult(
            version: version, suite: suite, suiteSHA256: suiteSHA256, seed: seed, repeats: repeats, temperature: 0,
            runs: runs, passes: passes, passRate: Double(passes) / Double(max(runs, 1)), ciLow: low, ciHigh: high,
            ciMethod: method, categories: categories, cases: cases, outputSHA256: outputSHA256)
    }
}

extension CaseOutcome {
    /// A case as a project's eval command reported it: one "1"/"0" per repeat.
    public static func reported(id: String, category: String, outcomes: String, failures: [String]) -> CaseOutcome {
        CaseOutcome(id: id, category: category, outcomes: outcomes, failures: failures)
    }
}
