// LabRunner's commands in temporary folders, as a person at a terminal runs them: in-process through the command
// table by default, the built binary where a process matters (kills and signals, drills over loopback, scripts
// that call $LABRUNNER, a copied binary).
import Foundation
import LabTestSupport
import Playbook
import Terminal
import Testing

@testable import LabRunner

enum Repository {
    /// The checkout holding Labs/ and Solutions/.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

enum Binary {
    /// The LabRunner executable built beside this test bundle.
    static let path: String = {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            folder.appendingPathComponent("LabRunner").path,
            folder.deletingLastPathComponent().appendingPathComponent("LabRunner").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()
}

extension InProcessCLI {
    /// LabRunner's command table, as main.swift runs it, on the given wall clock. The one place tests build an
    /// AppEnvironment.
    static func labRunner(clock: ManualClock?) -> InProcessCLI {
        InProcessCLI(clock: clock) { arguments, console, now in
            // A canary's bake is paced on the manual clock when there is one: it moves time, never sleeps.
            let pacing: any LoopClock = clock.map { $0.durations } ?? ContinuousClock()
            return LabRunnerApp.cli(environment: AppEnvironment(now: now, clock: ContinuousClock(), pacing: pacing))
                .run(arguments, console: console)
        }
    }
}

final class Sandbox: Sendable {
    /// The wall time in-process commands read.
    enum Time {
        /// A manual clock from a fixed instant, a second per command: dates and ages are the same every run.
        case manual
        /// The real time, for a history that lab scripts (the built binary) also write into.
        case live
    }

    let path: String
    private let folder: TemporaryFolder
    private let cli: InProcessCLI

    init(time: Time = .manual) throws {
        folder = try TemporaryFolder("labrunner-e2e")
        path = folder.path
        cli = .labRunner(clock: time == .manual ? ManualClock(start: InProcessCLI.start) : nil)
    }

    /// The manual clock in-process commands read (nil on live time).
    var clock: ManualClock? { cli.clock }

    /// Runs LabRunner in-process with `arguments` in `folder` (relative to the sandbox): stdin closed unless
    /// `input` scripts a terminal's answers, no colour, `$LABRUNNER` naming the built binary for lab scripts.
    @discardableResult
    func run(
        _ arguments: [String], in folder: String = "", environment: [String: String] = [:], input: [String]? = nil
    ) throws -> RunResult {
        var env = Self.environment(environment)
        env["LABRUNNER"] = env["LABRUNNER"] ?? Binary.path
        return cli.run(arguments, in: location(folder), environment: env, input: input)
    }

    /// Runs the built binary, for what needs a process of its own.
    @discardableResult
    func launch(_ arguments: [String], in folder: String = "", environment: [String: String] = [:]) throws
        -> RunResult
    {
        try runProcess(Binary.path, arguments, in: location(folder), environment: Self.environment(environment))
    }

    /// Runs a bash script in `folder` with `$LABRUNNER` naming the built binary, as lab scripts expect.
    @discardableResult
    func shell(_ script: String, in folder: String) throws -> RunResult {
        try runProcess(
            "/bin/bash", ["-c", script], in: location(folder),
            environment: Self.environment(["LABRUNNER": Binary.path, "USER": "learner"]))
    }

    /// The test process's environment without a workspace or colour, with `extra` on top.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "LABRUNNER_WORKSPACE")
        // One user for in-process commands and lab scripts alike: the person a fresh workspace's roster holds.
        env.removeValue(forKey: "LABRUNNER_USER")
        env["USER"] = "learner"
        for (key, value) in extra { env[key] = value }
        return env
    }

    private func location(_ folder: String) -> String { folder.isEmpty ? path : path + "/" + folder }

    /// Runs and requires success, returning stdout.
    @discardableResult
    func ok(_ arguments: [String], in folder: String = "ws", sourceLocation: SourceLocation = #_sourceLocation) throws
        -> String
    {
        let result = try run(arguments, in: folder)
        #expect(
            result.status == 0, "LabRunner \(arguments.joined(separator: " ")) failed: \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.stdout
    }

    func json(_ arguments: [String], in folder: String = "ws", sourceLocation: SourceLocation = #_sourceLocation)
        throws -> JSONValueBox
    {
        try JSONValueBox(parsing: try ok(arguments + ["--json"], in: folder, sourceLocation: sourceLocation))
    }

    func write(_ text: String, to relative: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + relative))
    }

    func read(_ relative: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path + "/" + relative) ?? Data(), as: UTF8.self)
    }

    /// Rewrites `relative` through `change`, failing the test when the text did not change.
    func edit(
        _ relative: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String
    ) throws {
        try LabTestSupport.edit(file: path + "/" + relative, sourceLocation: sourceLocation, change)
    }

    /// A snapshot of every file under `relative` (path → bytes), to prove a failed command wrote nothing.
    func snapshot(_ relative: String = "ws") -> [String: Data] { LabTestSupport.snapshot(of: path + "/" + relative) }
}

extension RunResult {
    /// stdout as JSON.
    var json: JSONValueBox { get throws { try JSONValueBox(parsing: stdout) } }
}
