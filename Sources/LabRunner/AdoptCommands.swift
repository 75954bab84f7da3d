// `LabRunner adopt [DIR]`: an existing project becomes a workspace (Playbook's AdoptPlay does the work).
import Playbook
import Terminal

enum AdoptCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "adopt", abstract: "Put an existing project's own files under the registry.",
                discussion: AdoptPlay.discussion, arguments: [folder],
                options: [component, dataset, evalCommand, trainCommand, replayCommand, Common.json]
            ) { invocation, console in
                let request = AdoptRequest(
                    folder: Common.path(try invocation[folder] ?? ".", console), components: try invocation[component],
                    dataset: try invocation[dataset], evalCommand: try invocation[evalCommand],
                    trainCommand: try invocation[trainCommand], replayCommand: try invocation[replayCommand])
                return try Common.emit(
                    try AdoptPlay.run(request, actor: console.userName, now: env.now), invocation, console)
            },
            CommandSpec(
                name: "deploy", abstract: "Keep a deploy folder whose current link follows production.",
                discussion: DeployFolder.discussion, options: [deployTo, Common.workspace, Common.json],
                subcommands: [
                    CommandSpec(
                        name: "status", abstract: "Which release current points at, and whether it is production.",
                        options: Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        return try Common.emit(try DeployFolder.status(in: context), invocation, console)
                    }
                ]
            ) { invocation, console in
                let (context, folder) = (try Common.context(invocation, console, env), try invocation[deployTo])
                let report = try DeployFolder.deploy(
                    to: Common.path(folder, console), by: console.userName, in: context)
                return try Common.emit(report, invocation, console)
            },
        ]
    }

    static let deployTo = Option<String>(
        "to", "dir", help: "The deploy folder (new, empty, or one already).", missing: "Give the folder: --to DIR.")
    static let folder = Argument<String?>(optional: "dir", help: "The project folder (default: the current folder).")
    static let component = RepeatingOption(
        "component", "name=path", help: "A component: its name and its path inside the project (repeatable).")
    static let dataset = Option<String?>("dataset", "path", help: "The training data file, recorded as lineage.")
    static let evalCommand = Option<String?>(
        "eval-command", "command", help: "The shell command that evaluates a version (Docs/own-system.md).")
    static let trainCommand = Option<String?>("train-command", "command", help: "The shell command that trains.")
    static let replayCommand = Option<String?>(
        "replay-command", "command", help: "The shell command that reproduces a request, for 'audit --replay'.")
}
