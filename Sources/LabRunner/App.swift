// The command table: every LabRunner command as data, help rendered from it.
import Foundation
import Hashing
import Registry
import Terminal

/// What commands need from the outside world, injected so tests can fake time.
struct AppEnvironment: Sendable {
    var now: @Sendable () -> Date
    var clock: ContinuousClock

    static let live = AppEnvironment(now: { Date() }, clock: ContinuousClock())
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
                RegistryCommands.all(env) + ModelCommands.all(env) + PlaybookCommands.all(env)
                    + [
                        ServeCommand.spec(env), HashCommand.spec, BenchCommands.spec(env), LabCommands.spec(env),
                        WriteupCommand.spec(env), ReportCommand.spec(env), PilotCommands.roiSpec(env),
                        CritiqueCommands.spec(env), DrillCommands.spec(env),
                    ] + ProofCommands.all(env))
        ) { invocation, console in
            try StatusCommand.run(env, invocation, console)
        }
    }
}

/// The order commands are listed in help: the order a learner meets them.
let commandOrder = [
    "lab", "init", "ask", "train", "register", "versions", "show", "diff", "eval", "suite", "promote", "tag", "tags",
    "traffic",
    "requests", "serve", "monitor", "audit", "incident", "rollback", "experiment", "investigate", "gc", "log",
    "checkout", "fsck", "writeup", "report", "bundle", "verify", "drill", "roi", "critique",
    "hash",
    "bench",
]

func ordered(_ commands: [CommandSpec]) -> [CommandSpec] {
    commands.sorted { (commandOrder.firstIndex(of: $0.name) ?? 99) < (commandOrder.firstIndex(of: $1.name) ?? 99) }
}

/// Options and helpers shared by commands that work inside a workspace.
enum Common {
    static let workspace = OptionSpec.value(
        "workspace", "dir", help: "The workspace to use (default: found from the current folder).")
    static let json = OptionSpec.flag("json", help: "Print the result as JSON for scripts.")

    static func workspace(_ invocation: Invocation, _ console: Console) throws -> Workspace {
        try Workspace.locate(
            explicit: invocation.value("workspace"), environment: console.environment,
            currentDirectory: console.currentDirectory)
    }

    static func registry(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> (
        Workspace, Registry
    ) {
        let workspace = try workspace(invocation, console)
        return (workspace, try Registry(root: workspace.registryPath, now: env.now))
    }

    static let out = OptionSpec.value("out", "file", help: "Also save the result as JSON in this file.")

    /// Saves the result as canonical JSON where `--out` says (relative to the current folder), if it says.
    static func saveOut<T: Encodable>(_ value: T, _ invocation: Invocation, _ console: Console) throws {
        guard let given = invocation.value("out") else { return }
        try write(
            Data((try CanonicalJSON.prettyString(value) + "\n").utf8),
            to: Workspace.absolute(given, from: console.currentDirectory))
        console.err("Saved \(given).")
    }

    /// Writes a file atomically, creating the folders it names. A folder in the way is named, not overwritten.
    static func write(_ data: Data, to path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw RegistryError.writeFailed(path: path, reason: "it is a folder; give a file path instead")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RegistryError.writeFailed(path: path, reason: SystemErrors.reason(for: error))
        }
    }

    /// Said when a version argument is missing: bash reads an unquoted `#1` as the start of a comment.
    static let quoteRefHint = "If you typed #N, quote it ('#1'): in a shell an unquoted # starts a comment."

    /// Prints any Encodable as canonical pretty JSON.
    static func printJSON<T: Encodable>(_ value: T, _ console: Console) throws {
        console.writeOut(try CanonicalJSON.prettyString(value))
    }

    /// The person running the command when no name is given: LABRUNNER_USER (set once per terminal, so each
    /// person in a drill is recorded by name), else the login name.
    static func currentUser(_ console: Console) -> String {
        for key in ["LABRUNNER_USER", "USER", "LOGNAME"] {
            if let name = console.environment[key], !name.trimmingCharacters(in: .whitespaces).isEmpty { return name }
        }
        return "labrunner"
    }
}
