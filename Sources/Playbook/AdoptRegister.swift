// Play 1 on an adopted project: the components named in `.labrunner/project.json` are hashed streaming, copied
// into a read-only checkout verified against those hashes, evaluated there by the project's `eval_command`, and
// stored once (the store takes the checkout's copies by hard link) with the eval recorded beside the version.
import Evals
import Foundation
import Hashing
import Registry

enum AdoptRegister {
    static func run(
        _ request: RegisterRequest, project: ProjectSettings, parent: VersionRecord?, in context: PlayContext,
        progress: (@Sendable (Int, Int) -> Void)?
    ) throws -> RegisterResult {
        let registry = context.registry
        let root = context.workspace.root
        let streamed = try Registry.prepare(
            paths: project.absolutePaths(root: root),
            dataset: project.dataset.map { ($0, Workspace.absolute($0, from: root)) }, projectRoot: root,
            progress: progress.map { report in { done, total in report(done, total) } })
        let prepared = streamed.prepared
        guard project.evalCommand != nil || registry.isRegistered(prepared.id) else { throw ProjectEval.noEvalCommand }
        var facts = RegisterFacts()
        var lineage = (broken: false, unverified: false)
        if project.trainCommand != nil, !registry.isRegistered(prepared.id),
            let trained = prepared.manifest.components[project.trainedComponent]?.sha256
        {
            // A project that trains under the registry: what counts is a run `train` witnessed, as for the toy.
            let dataset = prepared.manifest.lineage?.sha256
            switch try Training.verify(weights: trained, dataset: dataset, events: try registry.events()) {
            case .verified(let run): facts.lineageTrainingEvent = run.event
            case .broken(let data):
                guard request.lineageBrokenOK, let dataset else {
                    throw PlaybookError.lineageBroken(
                        weights: data, dataset: dataset ?? "absent", component: project.trainedComponent,
                        data: project.dataset ?? "the dataset")
                }
                lineage.broken = true
                facts.lineageBroken = "\(project.trainedComponent) trained on \(data), dataset is \(dataset)"
            case .unverified:
                guard request.lineageUnverifiedOK else {
                    throw PlaybookError.lineageUnverified(weights: trained, component: project.trainedComponent)
                }
                lineage.unverified = true
                facts.lineageUnverified =
                    "\(project.trainedComponent) \(trained) was produced by no training run the registry recorded"
            }
        }
        let scratch = try ScratchFolder.make("register", workspace: context.workspace, environment: [:])
        defer {
            Registry.discardCheckout(scratch.path + "/checkout")
            scratch.remove()
            // The scratch root too when nothing else is in it: a refused register leaves the project as it was.
            rmdir(ScratchFolder.root(of: context.workspace))
        }
        let checkout = scratch.path + "/checkout"
        try Registry.stageCheckout(streamed, into: checkout)
        if registry.isRegistered(prepared.id) {
            let missing = streamed.files.filter { !registry.objects.contains($0.sha256) }.count
            try registry.storeFiles(streamed, staged: checkout)
            return try RegisterPlay.reregister(prepared, request, parent: parent?.id, stored: missing, in: context)
        }
        let experiment = try Experiments.attach(request.experiment, in: context)
        if let experiment {
            facts.experiment = experiment.name
            facts.expiresAt = experiment.expiresAt
        }
        let result = try ProjectEval.run(
            project, root: root, checkout: checkout, version: prepared.id, seed: context.settings.evalSeed, repeats: 1,
            scratch: scratch.path)
        let (outcome, summary) = try RegisterPlay.record(
            request, parent: parent?.id, facts: facts, eval: result, experiment: experiment, in: context
        ) { metadata, attachments in
            try registry.register(streamed, staged: checkout, metadata: metadata, attachments: attachments)
        }
        return RegisterResult(
            record: outcome.record, existing: outcome.existing, eval: outcome.existing ? nil : summary,
            lineageBroken: lineage.broken, lineageUnverified: lineage.unverified, experiment: experiment?.name,
            warnings: [])
    }
}
