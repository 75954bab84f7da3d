// An adopted project's eval of a registered version, run now: the version's read-only checkout (linked from the
// store) handed to eval_command. What rollback's re-evaluation and its preview run where the toy runs its suite.
import Evals
import Foundation
import Hashing
import Registry

extension PlayContext {
    /// The adopted project's settings, or nil in a toy workspace.
    func project() throws -> ProjectSettings? { try ProjectSettings.load(workspace) }

    /// Runs `project`'s eval_command on a checkout of `record`; the checkout is removed afterwards.
    func projectEval(of record: VersionRecord, _ project: ProjectSettings, seed: UInt64? = nil, repeats: Int = 1)
        throws -> EvalResult
    {
        let scratch = try ScratchFolder.make("eval", workspace: workspace, environment: [:])
        let checkout = scratch.path + "/checkout"
        defer {
            Registry.discardCheckout(checkout)
            scratch.remove()
            rmdir(ScratchFolder.root(of: workspace))
        }
        try registry.linkCheckout(record, into: checkout)
        Registry.makeReadOnly(checkout)
        return try ProjectEval.run(
            project, root: workspace.root, checkout: checkout, version: record.id, seed: seed ?? settings.evalSeed,
            repeats: repeats, scratch: scratch.path)
    }

    /// `audit --replay` on an adopted project: replay_command reproduces the request on the version's checkout,
    /// and its standard output must hash to the logged output's SHA-256.
    func projectReplay(_ request: RequestRecord, version: VersionRecord, _ project: ProjectSettings) throws -> Replay {
        guard let command = project.replayCommand else {
            throw PlaybookError.invalid(
                "This project has no replay_command, so the request cannot be replayed; add \"replay_command\" to "
                    + ".labrunner/project.json (see Docs/own-system.md), or audit without --replay.")
        }
        let scratch = try ScratchFolder.make("replay", workspace: workspace, environment: [:])
        let checkout = scratch.path + "/checkout"
        defer {
            Registry.discardCheckout(checkout)
            scratch.remove()
            rmdir(ScratchFolder.root(of: workspace))
        }
        try registry.linkCheckout(version, into: checkout)
        Registry.makeReadOnly(checkout)
        let run = try ProjectCommand.run(
            command, in: workspace.root,
            environment: [
                "LABRUNNER_VERSION_DIR": checkout, "LABRUNNER_REQUEST_ID": request.id,
                "LABRUNNER_INPUT_SHA256": request.inputSHA256,
                "LABRUNNER_REQUEST_AT": Timestamp.string(from: request.at),
            ], timeout: project.timeout, scratch: scratch.path)
        if let failure = ProjectCommand.failure(run, key: "replay_command") {
            throw PlaybookError.invalid(failure.replacingOccurrences(of: "; nothing was recorded", with: "") + ".")
        }
        let replayed = SHA256.hash(run.stdout).hex
        let identical = replayed == request.outputSHA256
        return Replay(
            identical: identical, output: String(decoding: run.stdout.prefix(4096), as: UTF8.self),
            diff: identical
                ? [] : ["--- logged output sha256 \(request.outputSHA256)", "+++ replayed output sha256 \(replayed)"])
    }
}
