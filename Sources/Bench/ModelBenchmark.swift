// `bench model`: in-process answers, an eval of core with 30 repeats, training, and optionally how often
// `eval compare` cries wolf or misses a regression.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Terminal
import ToyModel

public struct ModelFigures: Encodable, Sendable {
    public var asksPerSecond: Double
    public var evalCore30RepeatsMS: Double
    public var trainMS: Double
    public var falseAlarms: Int?
    public var seedPairs: Int?
    public var regressionDetected: Int?
    public var smallerRegressionDetected: Int?

    enum CodingKeys: String, CodingKey {
        case asksPerSecond = "asks_per_second"
        case evalCore30RepeatsMS = "eval_core_30_repeats_ms"
        case trainMS = "train_ms"
        case falseAlarms = "false_alarms"
        case seedPairs = "seed_pairs"
        case regressionDetected = "regression_detected"
        case smallerRegressionDetected = "smaller_regression_detected"
    }
}

public enum ModelBenchmark {
    public static func run(calibration: Bool, _ env: BenchEnvironment) throws -> ModelFigures {
        let workspace = try env.workspace(keep: nil)
        defer { try? FileManager.default.removeItem(atPath: workspace.root) }
        let context = try PlayContext(workspace: workspace, now: env.now)
        let system = try context.liveSystem()
        let suite = try context.suite(named: "core", for: system)
        let inputs = suite.cases.map(\.input)
        let asks = 200_000
        var sink = 0
        let askMS = env.milliseconds {
            for index in 0..<asks { sink &+= system.ask(inputs[index % inputs.count], seed: 1).text.count }
        }
        let evalMS = try env.milliseconds {
            _ = try EvalRunner.run(suite: suite, system: system, seed: 1, repeats: 30)
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: workspace.trainingDataPath))
        let trainMS = try env.milliseconds {
            _ = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: SHA256.hash(csv).hex, seed: 42)
        }
        var figures = ModelFigures(
            asksPerSecond: Double(asks) / (askMS / 1000), evalCore30RepeatsMS: evalMS,
            trainMS: trainMS + Double(sink & 0))
        if calibration {
            let calibration = try calibrate(workspace, env)
            figures.falseAlarms = calibration.alarms
            figures.seedPairs = calibration.pairs
            figures.regressionDetected = calibration.detected
            figures.smallerRegressionDetected = calibration.smallerDetected
        }
        return figures
    }

    /// 100 independent seed pairs at temperature 0.7 with 30 repeats: how often compare cries wolf on the
    /// shipped system against itself, how often it calls lab 05's escalation regression (two triggers
    /// dropped) worse, and its power against a smaller regression (one trigger dropped). A regressed run
    /// shares its baseline's seeds, as `eval compare` does by default.
    static func calibrate(_ workspace: Workspace, _ env: BenchEnvironment) throws -> (
        pairs: Int, alarms: Int, detected: Int, smallerDetected: Int
    ) {
        let pairs = 100
        let configPath = workspace.systemPath + "/config.json"
        let promptPath = workspace.systemPath + "/prompt.md"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let sampled = try ToySystem(directory: workspace.systemPath)
        let prompt = try String(contentsOfFile: promptPath, encoding: .utf8)
        let directive = "escalate: refund_over_500, legal_threat, account_takeover"
        func variant(_ replacement: String) throws -> ToySystem {
            guard prompt.contains(directive) else {
                throw PlaybookError.invalid("The shipped prompt no longer has '\(directive)'; update the calibration.")
            }
            try prompt.replacingOccurrences(of: directive, with: replacement).write(
                toFile: promptPath, atomically: true, encoding: .utf8)
            return try ToySystem(directory: workspace.systemPath)
        }
        let regressed = try variant("escalate: account_takeover")
        let smaller = try variant("escalate: refund_over_500, account_takeover")
        let data = try Data(contentsOf: URL(fileURLWithPath: workspace.evalsPath + "/core.jsonl"))
        let suite = try EvalSuite(
            name: "core", data: data, sha256: SHA256.hash(data).hex, fileName: "evals/core.jsonl",
            knownIntents: sampled.intents)
        let progress = env.progress("calibrating", pairs)
        var alarms = 0
        var detected = 0
        var smallerDetected = 0
        for pair in 0..<pairs {
            let seed = UInt64(10_000 + pair)
            let a = try EvalRunner.run(suite: suite, system: sampled, seed: seed, repeats: 30)
            let b = try EvalRunner.run(suite: suite, system: sampled, seed: UInt64(20_000 + pair), repeats: 30)
            if try EvalComparer.compare(a, b).verdict != .indistinguishable { alarms += 1 }
            let worse = try EvalRunner.run(suite: suite, system: regressed, seed: seed, repeats: 30)
            if try EvalComparer.compare(a, worse).verdict == .worse { detected += 1 }
            let slightly = try EvalRunner.run(suite: suite, system: smaller, seed: seed, repeats: 30)
            if try EvalComparer.compare(a, slightly).verdict == .worse { smallerDetected += 1 }
            progress.advance()
        }
        progress.finish()
        return (pairs, alarms, detected, smallerDetected)
    }
}
