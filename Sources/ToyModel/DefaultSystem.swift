// The bundled toy system: laid into a new workspace, with its weights trained on the spot.
public import Foundation

public enum DefaultSystem {
    public static let defaultSeed: UInt64 = 42

    /// The bundled files, relative to the workspace they are laid into.
    static let files = [
        "system/prompt.md", "system/config.json", "data/train.csv", "data/traffic.jsonl", "evals/core.jsonl",
        "evals/smoke.jsonl",
    ]

    static func resourceRoot() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Defaults", withExtension: nil) else {
            throw ToyModelError.resourcesMissing
        }
        return url
    }

    /// Lays system/{prompt.md, config.json, weights.json, index/…}, data/ and evals/ into `workspace`, never
    /// overwriting anything; weights.json is trained from data/train.csv with the default seed.
    public static func install(into workspace: String, trainingDataSHA256: (Data) -> String) throws {
        let root = try resourceRoot()
        let manager = FileManager.default
        let indexSource = root.appendingPathComponent("system/index")
        let documents = (try? manager.contentsOfDirectory(atPath: indexSource.path))?.sorted() ?? []
        let targets = files + documents.map { "system/index/" + $0 } + ["system/weights.json"]
        for target in targets where manager.fileExists(atPath: workspace + "/" + target) {
            throw ToyModelError.destinationExists(path: workspace + "/" + target)
        }
        for relative in files + documents.map({ "system/index/" + $0 }) {
            guard let data = manager.contents(atPath: root.appendingPathComponent(relative).path) else {
                throw ToyModelError.resourcesMissing
            }
            try write(data, to: workspace + "/" + relative)
        }
        guard let csv = manager.contents(atPath: workspace + "/data/train.csv") else {
            throw ToyModelError.resourcesMissing
        }
        let weights = try Trainer.train(
            csv: csv, dataName: "data/train.csv", dataSHA256: trainingDataSHA256(csv), seed: defaultSeed)
        try write(weights, to: workspace + "/system/weights.json")
    }

    private static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
