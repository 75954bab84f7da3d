// `train` in an adopted project: the project's own `train_command`, witnessed as the toy's trainer is. The
// command runs in the project folder with LABRUNNER_DATASET, LABRUNNER_SEED and LABRUNNER_OUTPUT; when it exits
// 0 with the training data unchanged, the run is recorded as `training.recorded` (data hash, command, seed, the
// trained component's hash as register will see it), so register can verify the version's lineage. A failed run
// records nothing.
import Foundation
import Hashing
import Registry

extension Training {
    /// Runs `project`'s train_command and records the run.
    static func runProject(
        _ project: ProjectSettings, seed: UInt64, by actor: String, in workspace: Workspace,
        now: @escaping @Sendable () -> Date
    ) throws -> TrainingReport {
        guard let command = project.trainCommand else {
            throw PlaybookError.invalid(
                "This project has no train_command, so there is nothing to train; add \"train_command\" to "
                    + ".labrunner/project.json (see Docs/own-system.md).")
        }
        guard let dataset = project.dataset else {
            throw PlaybookError.invalid(
                "train_command needs the training data its lineage names; add \"dataset\": PATH to "
                    + ".labrunner/project.json (see Docs/own-system.md).")
        }
        let root = workspace.root
        let name = project.trainedComponent
        guard let outputPath = project.components[name] else {
            throw PlaybookError.invalid("No component is named '\(name)'; set \"train_output\" to the trained one.")
        }
        let registry = try Registry(root: workspace.registryPath, now: now)
        let before = try hashes(project, name: name, root: root)
        let scratch = try ScratchFolder.make("train", workspace: workspace, environment: [:])
        defer {
            scratch.remove()
            rmdir(ScratchFolder.root(of: workspace))
        }
        let run = try ProjectCommand.run(
            command, in: root,
            environment: [
                "LABRUNNER_DATASET": Workspace.absolute(dataset, from: root), "LABRUNNER_SEED": String(seed),
                "LABRUNNER_OUTPUT": Workspace.absolute(outputPath, from: root),
            ], timeout: project.timeout, scratch: scratch.path)
        if let failure = ProjectCommand.failure(run, key: "train_command") {
            throw PlaybookError.invalid(failure + ".")
        }
        let after = try hashes(project, name: name, root: root)
        guard after.data == before.data else {
            throw PlaybookError.invalid(
                "The training data \(dataset) changed while train_command ran, so the run's lineage is unknown; "
                    + "nothing was recorded. Keep the data fixed during training and run 'LabRunner train' again.")
        }
        let recorded = TrainingRecorded(
            data: dataset, dataSHA256: after.data, seed: seed, trainerVersion: "train_command", output: outputPath,
            weightsSHA256: after.output, command: command, commandOutputSHA256: SHA256.hash(run.stdout).hex)
        let event = try registry.write { writer in try writer.append(recorded, actor: actor) }
        return TrainingReport(run: TrainingRun(recorded, event: event), data: dataset, weights: outputPath)
    }

    /// The dataset's hash and the trained component's, streaming and as register's manifest has them.
    static func hashes(_ project: ProjectSettings, name: String, root: String) throws -> (data: String, output: String)
    {
        let paths = project.absolutePaths(root: root).filter { $0.key == name }
        let dataset = project.dataset.map { ($0, Workspace.absolute($0, from: root)) }
        let prepared = try Registry.prepare(paths: paths, dataset: dataset, projectRoot: root).prepared
        return (prepared.manifest.lineage?.sha256 ?? "", prepared.manifest.components[name]?.sha256 ?? "")
    }
}
