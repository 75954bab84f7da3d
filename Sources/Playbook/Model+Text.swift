// The toy model's commands' results as output: a training run, and an eval run with whether it was recorded.
import Foundation
public import Evals
public import Terminal

extension TrainingRun {
    /// What `train` prints; `weights` and `data` are the paths as the command resolved them.
    public func render(_ out: inout TextOutput, weights: String, data: String) {
        out.line(
            "Trained \(weights) (sha256 \(weightsSHA256.prefix(12))) from \(data) (sha256 \(dataSHA256.prefix(12))), seed \(seed)"
        )
        out.line("Recorded as training run event #\(event): register checks weights against it.")
    }

    /// What `train --json` prints.
    public func json(weights: String) -> [String: String] {
        [
            "weights": weights, "weights_sha256": weightsSHA256, "data_sha256": dataSHA256, "seed": String(seed),
            "training_event": String(event),
        ]
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
