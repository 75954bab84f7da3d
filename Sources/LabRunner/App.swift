// The command table: every LabRunner command as data, help rendered from it, and what `LabRunner` with no
// arguments says: where you are, and the one command to run next.
import Drills
import Foundation
import LabKit
import Playbook
import Terminal

/// What commands need from the outside world, injected so tests can fake time: the wall clock, a monotonic
/// clock for durations, and the sleep the live views and waits use between looks.
struct AppEnvironment: Sendable {
    var now: @Sendable () -> Date = { Date() }
    var clock: any Clock<Duration> = ContinuousClock()
    /// The clock a canary's requests are paced on over its bake time (a manual clock's, in tests).
    var pacing: any LoopClock = ContinuousClock()
    var sleep: @Sendable (Duration) -> Void = { duration in
        Thread.sleep(
            forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static let live = AppEnvironment()
}

enum LabRunnerApp {
    static let version = "0.1.0"

    static func cli(environment: AppEnvironment) -> CLI {
        CLI(root: root(environment), version: version, globalOptions: [Common.workspace, Common.json])
    }

    static func root(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "LabRunner",
            abstract: "Learn, prove and rehearse AI model version control on a bundled toy AI system.",
            discussion: """
                Run with no arguments to see where you are and what to do next.
                Commands find the workspace like git finds a repository: they walk up from the current
                folder to one holding .labrunner/ (or use --workspace DIR, or LABRUNNER_WORKSPACE).
                """,
            options: [Common.workspace],
            subcommands: ordered(
                RegistryCommands.all(env) + ModelCommands.all(env) + PlayCommands.all(env) + IncidentCommands.all(env)
                    + ServingCommands.all(env) + EvidenceCommands.all(env) + ToolCommands.all(env)
                    + PeopleCommands.all(context: { try Common.context($0, $1, env) }, io: Common.io, json: Common.json)
                    + [LabCommands.spec(env), CritiqueCommands.spec(env), DrillCommands.spec(env)])
        ) { invocation, console in
            try StatusCommand.run(env, invocation, console)
        }
    }

    /// The order commands are listed in help: the order a learner meets them.
    static let commandOrder = [
        "lab", "init", "adopt", "ask", "train", "register", "versions", "show", "diff", "eval", "suite", "policy",
        "people", "approve", "promote", "tag", "tags", "traffic", "requests", "serve", "monitor", "audit", "incident",
        "rollback", "deploy", "experiment", "investigate", "gc", "log", "checkout", "fsck", "writeup", "report",
        "bundle", "verify", "challenge", "drill", "roi", "critique", "hash", "bench",
    ]

    static func ordered(_ commands: [CommandSpec]) -> [CommandSpec] {
        commands.sorted { (commandOrder.firstIndex(of: $0.name) ?? 99) < (commandOrder.firstIndex(of: $1.name) ?? 99) }
    }
}

enum StatusCommand {
    static func run(_ env: AppEnvironment, _ invocation: Invocation, _ console: Console) throws -> Int32 {
        console.out(
            console.styled("Rollback Lab", .bold) + " — practise AI model version control on a toy support assistant.")
        var catalog: LabCatalog?
        do {
            catalog = try LabCommands.catalog(console)
        } catch let error as LabError {
            // An author's broken LABRUNNER_LABS must neither stop the kit being used by hand nor hide silently.
            if case .badManifest = error { console.err("warning: \(error)") }
        }
        let whereabouts = try Whereabouts.find(
            catalog: catalog, workspace: try? Common.workspace(invocation, console), user: console.userName,
            now: env.now)
        let drillLine = whereabouts.workspace.flatMap { DrillSession.statusLine(in: $0, now: env.now()) }
        console.show { whereabouts.render(&$0, drillLine: drillLine, console: console) }
        return 0
    }
}
