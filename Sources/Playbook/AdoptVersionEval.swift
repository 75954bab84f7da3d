// An adopted project's eval of a registered version, run now: the version's read-only checkout (linked from the
// store) handed to eval_command. What rollback's re-evaluation and its preview run where the toy runs its suite.
import Evals
import Foundation
import Registry

extension PlayContext {
    /// The adopted project's settings, or nil in a toy workspace.
    func project() throws -> ProjectSettings? { try ProjectSettings.load(workspace) }

    /// Runs `project`'s eval_command on a checkout of `record`; the checkout is removed afterwards.
    func projectEval(of record: VersionRecord, _ project: ProjectSettings) throws -> EvalResult {
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
            project, root: workspace.root, checkout: checkout, version: record.id, seed: settings.evalSeed,
            repeats: 1, scratch: scratch.path)
    }
}
