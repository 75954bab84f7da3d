// Evals as evidence: every manufacturable regression is measured, noise is not mistaken for one,
// and the statistics agree with values worked by hand.
import Foundation
import Testing

@testable import Evals
@testable import ToyModel

final class Workspace {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("evals-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try DefaultSystem.install(into: root) { _ in String(repeating: "d", count: 64) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func edit(_ relative: String, _ change: (String) -> String) throws {
        let path = root + "/" + relative
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(
            toFile: path, atomically: true, encoding: .utf8)
    }

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
        let workspace = try Workspace()
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
        let baseline = try Workspace().run()
        func points(_ result: EvalResult) -> Double { (baseline.passRate - result.passRate) * 100 }

        let escalation = try Workspace()
        try escalation.edit("system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover",
                with: "escalate: refund_over_500, account_takeover")
        }
        let escalated = try escalation.run()
        #expect(escalated.categories["escalate:legal_threat"]?.passRate == 0, "the whole rule category fails")

        let temperature = try Workspace()
        try temperature.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 1.0")
        }
        #expect(points(try temperature.run(repeats: 5)) >= 10)

        let labels = try Workspace()
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

        let document = try Workspace()
        try FileManager.default.removeItem(atPath: document.root + "/system/index/orders.md")
        #expect(points(try document.run()) >= 10)

        let threshold = try Workspace()
        try threshold.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"confidence_threshold\": 0.45", with: "\"confidence_threshold\": 0")
        }
        let unsure = try threshold.run()
        #expect(points(unsure) >= 10)
        #expect(unsure.categories["clarify"]?.passRate == 0)

        let cosmetic = try Workspace()
        try cosmetic.edit("system/prompt.md") { $0 + "\nReviewed by the support team on Monday.\n" }
        let same = try cosmetic.run()
        #expect(same.cases == baseline.cases)
    }

    @Test func selfComparisonAtTemperatureIsRarelyAFalseAlarm() throws {
        let workspace = try Workspace()
        try workspace.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        let system = try workspace.system()
        let suite = try workspace.suite(system: system)
        var alarms = 0
        for pair in 0..<10 {
            let a = try EvalRunner.run(suite: suite, system: system, seed: UInt64(1000 + pair), repeats: 5)
            let b = try EvalRunner.run(suite: suite, system: system, seed: UInt64(5000 + pair), repeats: 5)
            if try EvalComparer.compare(a, b).verdict != "indistinguishable" { alarms += 1 }
        }
        #expect(alarms <= 1)
    }

    @Test func theEscalationRegressionIsWorseAtTemperature() throws {
        let good = try Workspace()
        try good.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        let bad = try Workspace()
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
            #expect(comparison.verdict == "worse")
            #expect(comparison.delta < 0)
        }
    }

    @Test func statisticsMatchHandWorkedValues() {
        // Binomial(n = 10, 1/2): P(X ≤ 1) = 11/1024, two-sided 22/1024.
        #expect(abs(Statistics.exactMcNemar(1, 9) - 22.0 / 1024) < 1e-12)
        #expect(Statistics.exactMcNemar(0, 0) == 1)
        #expect(Statistics.exactMcNemar(5, 5) == 1)
        let interval = Statistics.wilson(passes: 90, runs: 100)
        #expect(abs(interval.low - 0.8256) < 0.001 && abs(interval.high - 0.9448) < 0.001)
    }

    @Test func comparingDifferentSuitesIsRefusedUnlessAllowed() throws {
        let workspace = try Workspace()
        let a = try workspace.run()
        var b = a
        b.suiteSHA256 = "another"
        #expect(throws: EvalsError.differentSuites(a: a.suiteSHA256, b: "another")) { try EvalComparer.compare(a, b) }
        #expect(try EvalComparer.compare(a, b, allowDifferentSuites: true).verdict == "indistinguishable")
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
        let workspace = try Workspace()
        let system = try workspace.system()
        #expect(throws: EvalsError.badRepeats(0)) {
            try EvalRunner.run(suite: try workspace.suite(system: system), system: system, seed: 1, repeats: 0)
        }
    }
}
