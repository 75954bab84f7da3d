// The bundled toy system: its default files compiled into the binary (Defaults/, embedded by the
// EmbedKitFiles plugin), laid into a new workspace with its weights trained on the spot.
public import Foundation

public enum DefaultSystem {
    public static let defaultSeed: UInt64 = 42

    /// The bundled files, relative to the workspace they are laid into.
    static let files = [
        "system/prompt.md", "system/config.json", "data/train.csv", "data/traffic.jsonl", "evals/core.jsonl",
        "evals/smoke.jsonl",
    ]

    /// Where the embedded copies live in the generated table: Sources/ToyModel/Defaults/…
    static let embeddedPrefix = "Defaults/"

    /// Every embedded default file by its path relative to a workspace, decoded once.
    static let embedded: [String: Data] = {
        var result: [String: Data] = [:]
        for file in EmbeddedKitFiles.files where file.path.hasPrefix(embeddedPrefix) {
            result[String(file.path.dropFirst(embeddedPrefix.count))] = Data(base64Encoded: file.base64)
        }
        return result
    }()

    /// Every bundled file's path and bytes, in path order: what a fingerprint of the bundled system hashes.
    public static var bundled: [(path: String, data: Data)] {
        embedded.sorted { $0.key < $1.key }.map { (path: $0.key, data: $0.value) }
    }

    /// Lays system/{prompt.md, config.json, weights.json, index/…}, data/ and evals/ into `workspace`, never
    /// overwriting anything; weights.json is trained from data/train.csv with the default seed.
    public static func install(into workspace: String, trainingDataSHA256: (Data) -> String) throws {
        let manager = FileManager.default
        let documents = embedded.keys.filter { $0.hasPrefix("system/index/") }.sorted()
        let targets = files + documents + ["system/weights.json"]
        for target in targets where manager.fileExists(atPath: workspace + "/" + target) {
            throw ToyModelError.destinationExists(path: workspace + "/" + target)
        }
        for relative in files + documents {
            guard let data = embedded[relative] else { throw ToyModelError.resourcesMissing }
            try write(data, to: workspace + "/" + relative)
        }
        guard let csv = embedded["data/train.csv"] else { throw ToyModelError.resourcesMissing }
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
