// Training the registry witnessed: `train` inside a workspace records a `training.recorded` event (data hash,
// seed, hyperparameters, trainer version, output hash), and register verifies weights against those runs, so
// lineage rests on what the registry saw happen rather than on what weights.json says about itself.
public import Foundation
import Hashing
public import Registry
import ToyModel

/// `training.recorded`: what a run trained on, how, and the hash of what it produced.
public struct TrainingRecorded: EventPayload {
    public static let kind = "training.recorded"
    /// The training data's path as people type it (workspace-relative inside the workspace).
    public var data: String
    public var dataSHA256: String
    public var seed: UInt64
    public var epochs: Int
    public var learningRate: Double
    public var l2: Double
    public var trainerVersion: String
    public var output: String
    public var weightsSHA256: String

    enum CodingKeys: String, CodingKey {
        case data, seed, epochs, l2, output
        case dataSHA256 = "data_sha256"
        case learningRate = "learning_rate"
        case trainerVersion = "trainer_version"
        case weightsSHA256 = "weights_sha256"
    }
}

/// One recorded training run, as its event states it.
public struct TrainingRun: Encodable, Sendable, Equatable {
    public var data: String
    public var dataSHA256: String
    public var seed: UInt64
    public var hyperparameters: [String: String]
    public var trainerVersion: String
    public var output: String
    public var weightsSHA256: String
    public var by: String
    public var at: Date
    public var event: Int

    enum CodingKeys: String, CodingKey {
        case data, seed, hyperparameters, output, by, at, event
        case dataSHA256 = "data_sha256"
        case trainerVersion = "trainer_version"
        case weightsSHA256 = "weights_sha256"
    }

    init(_ recorded: TrainingRecorded, event: Event) {
        data = recorded.data
        dataSHA256 = recorded.dataSHA256
        seed = recorded.seed
        hyperparameters = [
            "epochs": String(recorded.epochs), "learning_rate": String(recorded.learningRate),
            "l2": String(recorded.l2),
        ]
        trainerVersion = recorded.trainerVersion
        output = recorded.output
        weightsSHA256 = recorded.weightsSHA256
        by = event.actor
        at = event.at
        self.event = event.seq
    }
}

/// What register concluded about a version's weights.
public enum LineageFinding: Sendable, Equatable {
    /// A recorded run produced these weights from the lineage's data.
    case verified(TrainingRun)
    /// Recorded runs produced these weights, but from other data.
    case broken(trainedOn: String)
    /// No recorded run produced these weights.
    case unverified(weights: String)
}

public enum Training {
    public static let recordedEvent = TrainingRecorded.kind

    /// Trains weights from `csv`, records the run in the workspace's registry, then writes the weights to `outPath`.
    /// The event comes first: a run the registry recorded whose file then failed to write is still a true record.
    public static func run(
        csv: Data, dataPath: String, outPath: String, seed: UInt64, by actor: String, in workspace: Workspace,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> TrainingRun {
        let dataHash = SHA256.hash(csv).hex
        let weights = try Trainer.train(
            csv: csv, dataName: relative(dataPath, in: workspace), dataSHA256: dataHash, seed: seed)
        // The weights are written before the run is recorded: a write that fails records nothing.
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: outPath, isDirectory: &isFolder), isFolder.boolValue {
            throw RegistryError.writeFailed(path: outPath, reason: "it is a folder; give a file path instead")
        }
        try FileManager.default.createDirectory(
            atPath: (outPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try weights.write(to: URL(fileURLWithPath: outPath), options: .atomic)
        return try record(
            dataPath: dataPath, dataSHA256: dataHash, seed: seed, weights: weights, outPath: outPath, by: actor,
            in: workspace, now: now)
    }

    /// Records the weights `init` trained when it laid the bundled system down (they are a training run too).
    public static func recordInstalled(
        in workspace: Workspace, seed: UInt64, by actor: String, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let weightsPath = workspace.systemPath + "/weights.json"
        // A workspace laid without the bundled data or weights has no installed training to witness.
        guard let csv = FileManager.default.contents(atPath: workspace.trainingDataPath),
            let weights = FileManager.default.contents(atPath: weightsPath)
        else { return }
        try record(
            dataPath: workspace.trainingDataPath, dataSHA256: SHA256.hash(csv).hex, seed: seed, weights: weights,
            outPath: weightsPath, by: actor, in: workspace, now: now)
    }

    @discardableResult
    static func record(
        dataPath: String, dataSHA256: String, seed: UInt64, weights: Data, outPath: String, by actor: String,
        in workspace: Workspace, now: @escaping @Sendable () -> Date
    ) throws -> TrainingRun {
        let recorded = TrainingRecorded(
            data: relative(dataPath, in: workspace), dataSHA256: dataSHA256, seed: seed, epochs: Trainer.epochs,
            learningRate: Trainer.learningRate, l2: Trainer.l2, trainerVersion: Trainer.version,
            output: relative(outPath, in: workspace), weightsSHA256: SHA256.hash(weights).hex)
        let registry = try Registry(root: workspace.registryPath, now: now)
        let event = try registry.write { writer in try writer.append(recorded, actor: actor) }
        return TrainingRun(recorded, event: event)
    }

    /// Every recorded training run, oldest first.
    public static func runs(events: [Event]) throws -> [TrainingRun] {
        try events.payloads(TrainingRecorded.self).map { TrainingRun($0.payload, event: $0.event) }
    }

    /// Whether the weights with hash `weights` are the output of a recorded run on `dataset` (nil: no lineage).
    public static func verify(weights: String, dataset: String?, events: [Event]) throws -> LineageFinding {
        let producers = try runs(events: events).filter { $0.weightsSHA256 == weights }
        guard let last = producers.last else { return .unverified(weights: weights) }
        guard let dataset else { return .verified(last) }
        if let match = producers.last(where: { $0.dataSHA256 == dataset }) { return .verified(match) }
        return .broken(trainedOn: last.dataSHA256)
    }

    /// A path inside the workspace as the workspace-relative path people type; others stay absolute.
    static func relative(_ path: String, in workspace: Workspace) -> String {
        let prefix = workspace.root.hasSuffix("/") ? workspace.root : workspace.root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
