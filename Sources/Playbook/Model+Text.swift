// The toy model's commands' results: a training run from files (the data read, the weights written), and an
// eval run with whether it was recorded.
public import Foundation
public import Evals
public import Registry
public import Terminal
import ToyModel

/// `train`: a recorded training run, with the data it read and the weights file it wrote (as resolved).
public struct TrainingReport: Encodable, Sendable {
    public var run: TrainingRun
    public var data: String
    public var weights: String

    /// As `train --json` prints it.
    public func encode(to encoder: any Encoder) throws {
        try [
            "weights": weights, "weights_sha256": run.weightsSHA256, "data_sha256": run.dataSHA256,
            "seed": String(run.seed), "training_event": String(run.event),
        ].encode(to: encoder)
    }
}

extension TrainingReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "Trained \(weights) (sha256 \(run.weightsSHA256.prefix(12))) from \(data) (sha256 \(run.dataSHA256.prefix(12))), seed \(run.seed)"
        )
        out.line("Recorded as training run event #\(run.event): register checks weights against it.")
    }
}

extension Training {
    /// `train`: trains on the CSV at `dataPath` (default: the workspace's training data), writes the weights to
    /// `weightsPath` (default: system/weights.json) and records the run; in an adopted project, runs its train_command.
    public static func run(
        data dataPath: String?, weights weightsPath: String?, seed: UInt64, by actor: String, in workspace: Workspace,
        now: @escaping @Sendable () -> Date
    ) throws -> TrainingReport {
        if let project = try ProjectSettings.load(workspace) {
            guard dataPath == nil, weightsPath == nil else {
                throw PlaybookError.invalid(
                    "In an adopted project the settings name the training data and what is trained; drop --data and "
                        + "--out (edit \"dataset\" and \"train_output\" in .labrunner/project.json instead).")
            }
            return try runProject(project, seed: seed, by: actor, in: workspace, now: now)
        }
        let data = dataPath ?? workspace.trainingDataPath
        let weights = weightsPath ?? workspace.systemPath + "/weights.json"
        guard FileManager.default.fileExists(atPath: data) else {
            throw PlaybookError.invalid("Cannot read training data \(data); check the path given to --data.")
        }
        let csv = try InputLimits.read(data, shown: data, limit: InputLimits.trainingData)
        let run = try run(csv: csv, dataPath: data, outPath: weights, seed: seed, by: actor, in: workspace, now: now)
        return TrainingReport(run: run, data: data, weights: weights)
    }
}

/// `eval run`: the result, and whether it was recorded as evidence (only for a registered version).
public struct EvalRunReport: Encodable, Sendable {
    public var result: EvalResult
    public var recorded: Bool
    /// The system's temperature and the repeats run, for the note about sampled rates.
    var temperature: Double
    var repeats: Int

    public init(result: EvalResult, recorded: Bool, temperature: Double, repeats: Int) {
        self.result = result
        self.recorded = recorded
        self.temperature = temperature
        self.repeats = repeats
    }

    /// The result's own fields with `recorded` added.
    public func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recorded, forKey: .recorded)
    }

    enum CodingKeys: String, CodingKey { case recorded }
}

extension EvalRunReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        result.render(&out)
        if temperature > 0, repeats < 10 {
            out.line(
                out.styled("note: temperature \(temperature) samples; use --repeats 30 for a stable rate.", .yellow))
        }
        out.line(
            recorded
                ? "Recorded in the registry as evidence for version \(result.version.prefix(12))."
                : "Not recorded: these are the live workspace files; register them, or pass --version REF.")
    }
}
