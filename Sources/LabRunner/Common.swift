// Options and helpers shared by the commands: the workspace, --json, --out, --yes, who acts, and JSON output.
import Foundation
import Hashing
import Playbook
import Registry
import Terminal

enum Common {
    static let workspace = Option<String?>(
        "workspace", "dir", help: "The workspace to use (default: found from the current folder).")
    static let json = Flag("json", help: "Print the result as JSON for scripts.")
    /// The two options every command that reads a workspace and prints a result takes, last in its list.
    static let io: [any OptionDeclaration] = [workspace, json]
    static let out = Option<String?>("out", "file", help: "Also save the result as JSON in this file.")
    static let yes = Flag("yes", short: "y", help: "Answer yes to the confirmation question.")

    /// `--by NAME`, defaulting to the person running the command; `help` says what they do.
    static func by(_ help: String) -> Option<String> {
        Option("by", "name", help: help, defaultFrom: Console.userName(in:))
    }

    /// A TCP port as `--port` takes it.
    @Sendable static func port(_ text: String) throws -> UInt16 {
        guard let port = UInt16(text) else { throw UsageError("--port must be a number from 0 to 65535.") }
        return port
    }

    /// Said when a version argument is missing: bash reads an unquoted `#1` as the start of a comment.
    static let quoteRefHint = "If you typed #N, quote it ('#1'): in a shell an unquoted # starts a comment."

    /// A version argument such as `<ref>`, with the hint for a `#N` the shell swallowed.
    static func ref(_ name: String, _ help: String) -> Argument<String> {
        Argument(name, help: help, missingHint: quoteRefHint)
    }

    static func workspace(_ invocation: Invocation, _ console: Console) throws -> Workspace {
        try Workspace.locate(
            explicit: try invocation[workspace], environment: console.environment,
            currentDirectory: console.currentDirectory)
    }

    static func registry(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> (
        Workspace, Registry
    ) {
        let workspace = try workspace(invocation, console)
        return (workspace, try Registry(root: workspace.registryPath, now: env.now))
    }

    static func context(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> PlayContext {
        try PlayContext(workspace: try workspace(invocation, console), now: env.now)
    }

    /// A path the user typed, relative to the current folder.
    static func path(_ given: String, _ console: Console) -> String {
        Workspace.absolute(given, from: console.currentDirectory)
    }

    /// Asks before a consequential step; without a terminal and without --yes it refuses rather than wait.
    static func confirm(_ question: String, command: String, _ invocation: Invocation, _ console: Console) throws {
        if try invocation[yes] { return }
        guard let answer = console.confirm(question) else { throw PlaybookError.needsConfirmation(command: command) }
        guard answer else { throw PlaybookError.declined }
    }

    /// Saves the result as canonical JSON where `--out` says (relative to the current folder), if it says.
    static func saveOut<T: Encodable>(_ value: T, _ invocation: Invocation, _ console: Console) throws {
        guard let given = try invocation[out] else { return }
        try write(Data((try CanonicalJSON.prettyString(value) + "\n").utf8), to: path(given, console))
        console.err("Saved \(given).")
    }

    /// Writes a file atomically with the folders it names, all or nothing (`StagedOutput.write`).
    static func write(_ data: Data, to path: String) throws { try StagedOutput.write(data, to: path) }

    /// Prints any Encodable as canonical pretty JSON.
    static func printJSON<T: Encodable>(_ value: T, _ console: Console) throws {
        console.writeOut(try CanonicalJSON.prettyString(value))
    }

    /// The result as JSON with --json, else as its text; the status is success.
    @discardableResult
    static func emit<T: Encodable & TextRendering>(_ value: T, _ invocation: Invocation, _ console: Console) throws
        -> Int32
    {
        try emit(value, invocation, console) { value.render(&$0) }
    }

    /// The result as JSON with --json, else the text `render` builds; the status is success.
    @discardableResult
    static func emit<T: Encodable>(
        _ value: T, _ invocation: Invocation, _ console: Console, text render: (inout TextOutput) throws -> Void
    ) throws -> Int32 {
        if try invocation[json] { try printJSON(value, console) } else { try console.show(render) }
        return 0
    }
}

/// A page printed as Markdown or as one HTML file.
enum PageFormat: String, OptionChoice { case md, html }
