// Evals as evidence: every manufacturable regression is measured, noise is not mistaken for one,
// and the statistics agree with values worked by hand.
import Foundation
import LabTestSupport
import Testing

@testable import Evals
@testable import ToyModel

/// The bundled system in a temporary folder, evaluated without a registry.
extension InstalledSystem {
    func system(version: String = "workspace") throws -> ToySystem {
        try ToySystem(directory: root + "/system", version: version)
    }

    func suite(_ name: String = "core", system: ToySystem? = nil) throws -> EvalSuite {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/evals/\(name).jsonl"))
        return try EvalSuite(
            name: name, data: data, sha256: "suite-\(name)", fileName: "evals/\(name).jsonl",
            knownIntents: system?.intents)
    }

    func run(repeats: Int = 1, seed: UInt64 = 1) throws -> EvalResult {
        let system = try system()
        return try EvalRunner.run(suite: try suite(system: system), system: system, seed: seed, repeats: repeats)
    }
}

@Suite struct EvalsTests {
    @Test func theShippedSystemPassesAtLeast90PercentOfCore() throws {
        let workspace = try InstalledSystem("evals")
        let result = try workspace.run()
        #expect(result.cases.count >= 200)
        #expect(result.passRate >= 0.90)
        #expect(result.passRate < 1.0)
        #expect(result.ciLow < result.passRate && result.passRate < result.ciHigh)
        let smoke = try workspace.suite("smoke")
        #expect(smoke.cases.count == 20)
    }

    /// The five regressions the labs manufacture, each by editing one component, plus a cosmetic edit.
    @Test func everyManufacturedRegressionIsMeasured() throws {
        let baseline = try InstalledSystem("evals").run()
        func points(_ result: EvalResult) -> Double { (baseline.passRate - result.passRate) * 100 }

        let escalation = try InstalledSystem("evals")
        try escalation.edit("system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover",
                with: "escalate: refund_over_500, account_takeover")
        }
        let escalated = try escalation.run()
        #expect(escalated.categories["escalate:legal_threat"]?.passRate == 0, "the whole rule category fails")

        let temperature = try InstalledSystem("evals")
        try temperature.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 1.0")
        }
        #expect(points(try temperature.run(repeats: 5)) >= 10)

        let labels = try InstalledSystem("evals")
        try labels.edit("data/train.csv") { csv in
            csv.split(separator: "\n").map { line in
                if line.hasSuffix(",refund_request") { return line.dropLast("refund_request".count) + "returns" }
                if line.hasSuffix(",returns") { return line.dropLast("returns".count) + "refund_request" }
                return String(line)
            }.joined(separator: "\n") + "\n"
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: labels.root + "/data/train.csv"))
        try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "swapped", seed: DefaultSystem.defaultSeed)
            .write(to: URL(fileURLWithPath: labels.root + "/system/weights.json"))
        #expect(points(try labels.run()) >= 10)

        let document = try InstalledSystem("evals")
        try FileManager.default.removeItem(atPath: document.root + "/system/index/orders.md")
        #expect(points(try document.run()) >= 10)

        let threshold = try InstalledSystem("evals")
        try threshold.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"confidence_threshold\": 0.45", with: "\"confidence_threshold\": 0")
        }
        let unsure = try threshold.run()
        #expect(points(unsure) >= 10)
        #expect(unsure.categories["clarify"]?.passRate == 0)

        let cosmetic = try InstalledSystem("evals")
        try cosmetic.edit("system/prompt.md") { $0 + "\nReviewed by the support team on Monday.\n" }
        let same = try cosmetic.run()
        #expect(same.cases == baseline.cases)
    }

    @Test func selfComparisonAtTemperatureIsRarelyAFalseAlarm() throws {
        let workspace = try InstalledSystem("evals")
        try workspace.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        let system = try workspace.system()
        let suite = try workspace.suite(system: system)
        var alarms = 0
        for pair in 0..<10 {
            let a = try EvalRunner.run(suite: suite, system: system, seed: UInt64(1000 + pair), repeats: 5)
            let b = try EvalRunner.run(suite: suite, system: system, seed: UInt64(5000 + pair), repeats: 5)
            if try EvalComparer.compare(a, b).verdict != .indistinguishable { alarms += 1 }
        }
        #expect(alarms <= 1)
    }

    @Test func theEscalationRegressionIsWorseAtTemperature() throws {
        let good = try InstalledSystem("evals")
        try good.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        let bad = try InstalledSystem("evals")
        try bad.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        try bad.edit("system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover",
                with: "escalate: refund_over_500, account_takeover")
        }
        let goodSystem = try good.system()
        let badSystem = try bad.system()
        let suite = try good.suite(system: goodSystem)
        for seed in UInt64(1)...3 {
            let a = try EvalRunner.run(suite: suite, system: goodSystem, seed: seed, repeats: 10)
            let b = try EvalRunner.run(suite: suite, system: badSystem, seed: seed, repeats: 10)
            let comparison = try EvalComparer.compare(a, b)
            #expect(comparison.verdict == .worse)
            #expect(comparison.delta < 0)
        }
    }

    @Test func statisticsMatchHandWorkedValues() {
        // Ten ±1 differences, nine one way: Binomial(10, 1/2), P(X ≤ 1) = 11/1024, two-sided 22/1024 (McNemar).
        let mcnemar = Statistics.signFlipTest(Array(repeating: 1, count: 9) + [-1])
        #expect(abs(mcnemar.pValue - 22.0 / 1024) < 1e-12)
        #expect(mcnemar.method == .exact)
        // ±3 ±1 ±2: of the 8 sign patterns, 2 reach |sum| ≥ 6 and 6 reach |sum| ≥ 2; zeros change nothing.
        #expect(abs(Statistics.signFlipTest([3, 1, 2]).pValue - 0.25) < 1e-12)
        #expect(abs(Statistics.signFlipTest([3, 0, 1, 0, 2, 0]).pValue - 0.25) < 1e-12)
        #expect(abs(Statistics.signFlipTest([3, 1, -2]).pValue - 0.75) < 1e-12)
        #expect(abs(Statistics.signFlipTest([6, 2, 4]).pValue - 0.25) < 1e-12, "a common factor changes nothing")
        #expect(Statistics.signFlipTest([0, 0]).pValue == 1)
        #expect(Statistics.signFlipTest([2, -2]).pValue == 1)
        // Student's t, 97.5% quantiles from tables.
        #expect(abs(Statistics.t975(df: 3) - 3.182) < 0.001)
        #expect(abs(Statistics.t975(df: 5) - 2.571) < 0.001)
        #expect(abs(Statistics.t975(df: 10) - 2.228) < 0.001)
        #expect(abs(Statistics.t975(df: 199) - 1.972) < 0.001)
        // Mean 0.2, s = 0.1, n = 3: half-width t(2) × 0.1 / √3 = 0.2484.
        let estimate = Statistics.meanWithTInterval([0.1, 0.2, 0.3])
        #expect(abs(estimate.mean - 0.2) < 1e-12)
        #expect(abs(estimate.low - -0.0484) < 0.0001 && abs(estimate.high - 0.4484) < 0.0001)
        let interval = Statistics.wilson(passes: 90, runs: 100)
        #expect(abs(interval.low - 0.8256) < 0.001 && abs(interval.high - 0.9448) < 0.001)
    }

    @Test func theMonteCarloSignFlipTestIsSeededAndAgreesWithTheExactOne() {
        let differences = [5, 3, -1, 4, 2, 6, -2, 3, 1, 4, 2, -3, 5, 1, 2]
        let exact = Statistics.signFlipTest(differences)
        let sampled = Statistics.signFlipTest(differences, exactLimit: 0)
        #expect(exact.method == .exact)
        #expect(sampled.method == .monteCarlo(draws: 20_000))
        #expect(abs(exact.pValue - sampled.pValue) < 0.002)
        #expect(Statistics.signFlipTest(differences, exactLimit: 0) == sampled, "same data, same p-value")
    }

    /// One run made of synthetic outcomes, one string of repeats per case.
    func result(_ outcomes: [String], suite: String = "s") -> EvalResult {
        let cases = outcomes.enumerated().map { index, bits in
            CaseOutcome(id: "case-\(index)", category: "c", outcomes: bits, failures: [])
        }
        let runs = outcomes.reduce(0) { $0 + $1.count }
        let passes = cases.reduce(0) { $0 + $1.passes }
        let interval = EvalRunner.interval(of: cases, runs: runs)
        return EvalResult(
            version: "v", suite: suite, suiteSHA256: suite, seed: 1, repeats: outcomes.first?.count ?? 0,
            temperature: 0.7, runs: runs, passes: passes, passRate: Double(passes) / Double(runs),
            ciLow: interval.low, ciHigh: interval.high, ciMethod: interval.method, categories: [:], cases: cases)
    }

    @Test func repeatsOfOneCaseAreNotIndependentEvidence() throws {
        let allPass = String(repeating: "1", count: 30)
        let allFail = String(repeating: "0", count: 30)
        // One case of ten goes from always passing to always failing: 30 discordant repeats, but one case.
        let a = result(Array(repeating: allPass, count: 10))
        let b = result(Array(repeating: allPass, count: 9) + [allFail])
        let comparison = try EvalComparer.compare(a, b)
        #expect(comparison.verdict == .indistinguishable)
        #expect(comparison.pValue == 1)
        #expect(comparison.cases == 10 && comparison.casesAHigher == 1 && comparison.casesBHigher == 0)
        #expect(abs(comparison.delta - -0.1) < 1e-12)
        // Ten cases that all fail in B are as unlikely under "no difference" as ten fair coins all landing alike.
        let broken = result(Array(repeating: allFail, count: 10))
        let worse = try EvalComparer.compare(a, broken)
        #expect(worse.verdict == .worse)
        #expect(abs(worse.pValue - 2.0 / 1024) < 1e-12)
        #expect(worse.test.contains("sign-flip") && worse.test.contains("10 of 10 cases differ"))

        // A run's interval is as wide as its cases allow: 18 of 20 cases always pass, 2 always fail.
        let run = result(Array(repeating: allPass, count: 18) + [allFail, allFail])
        let overCases = Statistics.wilson(passes: 18, runs: 20)
        #expect(abs(run.passRate - 0.9) < 1e-12)
        #expect(abs(run.ciLow - overCases.low) < 1e-12 && abs(run.ciHigh - overCases.high) < 1e-12)
        #expect(run.ciMethod == "Wilson score interval over 20 cases")
        // With one repeat it is the Wilson interval over cases, as before.
        let once = result(Array(repeating: "1", count: 18) + ["0", "0"])
        #expect(abs(once.ciLow - overCases.low) < 1e-12 && abs(once.ciHigh - overCases.high) < 1e-12)
        // Cases that each pass half their repeats: the spread is within cases, so repeats count in full.
        let halves = result(Array(repeating: String(repeating: "10", count: 15), count: 20))
        let overRuns = Statistics.wilson(passes: 300, runs: 600)
        #expect(abs(halves.ciLow - overRuns.low) < 1e-12 && abs(halves.ciHigh - overRuns.high) < 1e-12)
        // In between, the interval is wider than Wilson over runs and narrower than over cases.
        let mixed = result(
            Array(repeating: allPass, count: 10) + Array(repeating: String(repeating: "110", count: 10), count: 10))
        let naive = Statistics.wilson(passes: mixed.passes, runs: mixed.runs)
        let coarse = Statistics.wilson(proportion: mixed.passRate, trials: 20)
        #expect(mixed.ciLow < naive.low && mixed.ciLow > coarse.low)
        #expect(mixed.ciMethod?.contains("effective cases") == true)
    }

    @Test func casesWithDifferentRepeatCountsPairByFraction() throws {
        let a = result(["10", "11", "00"])
        let b = result(["110", "111", "000"])
        let comparison = try EvalComparer.compare(a, b)
        // Differences 2/3 − 1/2, 0, 0: one case differs, so p = 1.
        #expect(abs(comparison.delta - (2.0 / 3 - 0.5) / 3) < 1e-12)
        #expect(comparison.pValue == 1)
        #expect(comparison.casesBHigher == 1)
    }

    @Test func comparingDifferentSuitesIsRefusedUnlessAllowed() throws {
        let workspace = try InstalledSystem("evals")
        let a = try workspace.run()
        var b = a
        b.suiteSHA256 = "another"
        #expect(throws: EvalsError.differentSuites(a: a.suiteSHA256, b: "another")) { try EvalComparer.compare(a, b) }
        #expect(try EvalComparer.compare(a, b, allowDifferentSuites: true).verdict == .indistinguishable)
    }

    @Test func badSuitesAreNamedWithFileAndLine() throws {
        let intents = ["order_status", "unclear"]
        let good = #"{"id":"a","input":"where is it","expect":{"intent":"order_status"}}"#
        #expect(
            throws: EvalsError.malformedCase(
                file: "evals/x.jsonl", line: 2, reason: "it is not a JSON object of the case format")
        ) {
            try EvalSuite(
                name: "x", data: Data("\(good)\n{broken\n".utf8), sha256: "s", fileName: "evals/x.jsonl",
                knownIntents: intents)
        }
        let unknown = #"{"id":"b","input":"hello","expect":{"intent":"teleport"}}"#
        #expect(throws: EvalsError.unknownIntent(file: "evals/x.jsonl", line: 1, intent: "teleport")) {
            try EvalSuite(
                name: "x", data: Data(unknown.utf8), sha256: "s", fileName: "evals/x.jsonl", knownIntents: intents)
        }
        let workspace = try InstalledSystem("evals")
        let system = try workspace.system()
        #expect(throws: EvalsError.badRepeats(0)) {
            try EvalRunner.run(suite: try workspace.suite(system: system), system: system, seed: 1, repeats: 0)
        }
    }
}
