// Training the registry witnessed: `train` inside a workspace records a `training.recorded` event (data hash,
// seed, hyperparameters, trainer version, output hash), and register verifies weights against those runs, so
// lineage rests on what the registry saw happen rather than on what weights.json says about itself.
public import Foundation
import Hashing
public import Registry
import Terminal
import ToyModel

/// `training.recorded`: what a run trained on, how, and the hash of what it produced. The toy's trainer records
/// its hyperparameters; an adopted project's run records its `train_command` instead (the trainer is the user's).
public struct TrainingRecorded: EventPayload {
    public static let kind = "training.recorded"
    /// The training data's path as people type it (workspace-relative inside the workspace).
    public var data: String
    public var dataSHA256: String
    public var seed: UInt64
    public var epochs: Int?
    public var learningRate: Double?
    public var l2: Double?
    public var trainerVersion: String
    public var output: String
    /// The output's hash: the weights file's, or an adopted project's trained component's as the manifest has it.
    public var weightsSHA256: String
    /// An adopted project's train_command, as run.
    public var command: String?
    /// The SHA-256 of what train_command printed on standard output.
    public var commandOutputSHA256: String?

    enum CodingKeys: String, CodingKey {
        case data, seed, epochs, l2, output, command
        case commandOutputSHA256 = "command_output_sha256"
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
        var hyperparameters: [String: String] = [:]
        if let epochs = recorded.epochs { hyperparameters["epochs"] = String(epochs) }
        if let rate = recorded.learningRate { hyperparameters["learning_rate"] = String(rate) }
        if let l2 = recorded.l2 { hyperparameters["l2"] = String(l2) }
        if let command = recorded.command { hyperparameters["command"] = command }
        self.hyperparameters = hyperparameters
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

    /// Trains weights from `csv`, records the run in the workspace's registry, then puts the weights at `outPath`.
    ///
    /// The order is what keeps lineage verification true: the weights are staged beside `outPath` first (a full
    /// disk fails there, having changed nothing), the run is recorded, and only then does one rename put the file
    /// in place. So every weights file train leaves on disk is the output of a recorded run, even after a crash at
    /// any step, and `register` never finds train's own output unverified. A run recorded whose file then failed to
    /// land names an output hash that no file has: it can never verify anything, and the message says so.
    public static func run(
        csv: Data, dataPath: String, outPath: String, seed: UInt64, by actor: String, in workspace: Workspace,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> TrainingRun {
        let dataHash = SHA256.hash(csv).hex
        let weights = try Trainer.train(
            csv: csv, dataName: relative(dataPath, in: workspace), dataSHA256: dataHash, seed: seed)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: outPath, isDirectory: &isFolder), isFolder.boolValue {
            throw RegistryError.writeFailed(path: outPath, reason: "it is a folder; give a file path instead")
        }
        let registry = try Registry(root: workspace.registryPath, now: now)
        let staged = try StagedOutput.file(weights, at: outPath)
        let run: TrainingRun
        do {
            run = try record(
                dataPath: dataPath, dataSHA256: dataHash, seed: seed, weights: weights, outPath: outPath, by: actor,
                in: workspace, registry: registry)
        } catch RegistryError.writeRecorded(let path, let reason, let event, let kind) {
            // The run stands (the next write completes its event), so its weights land too.
            let recorded = RegistryError.writeRecorded(path: path, reason: reason, event: event, kind: kind)
            try place(staged, afterEvent: event, applying: true)
            throw recorded
        } catch {
            throw staged.failed(error)
        }
        try place(staged, afterEvent: run.event, applying: false)
        return run
    }

    /// Puts the staged weights in place after their run was recorded as event `seq`; a failure says the run is
    /// recorded, the file unchanged, and how to get the file (train again: the same data and seed give the same
    /// weights, recorded again).
    static func place(_ staged: StagedOutput, afterEvent seq: Int, applying: Bool) throws {
        do {
            try staged.place()
        } catch {
            var reason = SystemErrors.reason(for: error)
            if case .writeFailed(_, let failed) = error as? RegistryError { reason = failed }
            let left = staged.discard() ? "" : " (delete the temp file it left beside it)"
            throw RegistryError.stepFailedAfter(
                done: "The training run is recorded as event #\(seq) (\(recordedEvent))"
                    + (applying ? " and takes effect with the next write to the registry" : ""),
                step: "could not write \(staged.destination): \(reason)\(left), so the file is unchanged; run "
                    + "'LabRunner train' again to write it.")
        }
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
            outPath: weightsPath, by: actor, in: workspace,
            registry: try Registry(root: workspace.registryPath, now: now))
    }

    @discardableResult
    static func record(
        dataPath: String, dataSHA256: String, seed: UInt64, weights: Data, outPath: String, by actor: String,
        in workspace: Workspace, registry: Registry
    ) throws -> TrainingRun {
        let recorded = TrainingRecorded(
            data: relative(dataPath, in: workspace), dataSHA256: dataSHA256, seed: seed, epochs: Trainer.epochs,
            learningRate: Trainer.learningRate, l2: Trainer.l2, trainerVersion: Trainer.version,
            output: relative(outPath, in: workspace), weightsSHA256: SHA256.hash(weights).hex)
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
