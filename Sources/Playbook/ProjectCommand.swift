// Running a project's own commands (eval_command, train_command, replay_command, post_deploy_command): `/bin/sh -c`
// in a folder, with the LABRUNNER_* variables of its contract, its output captured to files in a scratch folder,
// and a timeout after which its whole process group is killed. The environment is this process's, never a
// console's: the commands are the user's programs, run as the user would run them.
public import Foundation

/// How one run of a project command ended.
public struct CommandRun: Sendable {
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut(Double)
    }
    public var ending: Ending
    public var stdout: Data
    public var stderr: Data

    /// The last non-empty line of standard error, for a message.
    public var lastError: String {
        let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
        return lines.last.map { String($0.prefix(200)) } ?? ""
    }
}

public enum ProjectCommand {
    /// Runs `command` in `folder` with `environment` added to this process's. Output goes to files in `scratch`.
    public static func run(
        _ command: String, in folder: String, environment: [String: String], timeout: Double, scratch: String,
        inherited: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CommandRun {
        let outPath = scratch + "/stdout"
        let errPath = scratch + "/stderr"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = Self.environment(environment, inherited: inherited)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { @Sendable _ in finished.signal() }
        try process.run()
        let pid = process.processIdentifier
        var ending: CommandRun.Ending
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // Foundation starts the child in a process group of its own: everything it started goes too.
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            finished.wait()
            ending = .timedOut(timeout)
        } else {
            ending =
                process.terminationReason == .uncaughtSignal
                ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        }
        try? out.close()
        try? err.close()
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        return CommandRun(ending: ending, stdout: stdout, stderr: stderr)
    }

    /// What a project command sees: this process's environment (the user's PATH, HOME, virtualenv; never a
    /// console's stand-in), minus every inherited `LABRUNNER_*` variable, so an outer run's checkout, seed or
    /// injected fault cannot leak into a command whose contract does not set it, plus the contract's own.
    static func environment(_ contract: [String: String], inherited: [String: String]) -> [String: String] {
        inherited.filter { !$0.key.hasPrefix("LABRUNNER_") }.merging(contract) { _, set in set }
    }

    /// The sentence for a run that did not exit 0 (nil when it did), naming the setting it came from.
    static func failure(_ run: CommandRun, key: String) -> String? {
        let detail = run.lastError.isEmpty ? "" : " (its last error line: \(run.lastError))"
        switch run.ending {
        case .exited(0): return nil
        case .exited(let status):
            return "\(key) exited with status \(status)\(detail); nothing was recorded. Run it by hand to see why"
        case .signalled(let signal):
            return
                "\(key) crashed (killed by signal \(signal))\(detail); nothing was recorded. Run it by hand to see why"
        case .timedOut(let seconds):
            return "\(key) did not finish within \(Int(seconds)) seconds and was stopped; nothing was recorded. "
                + "Make it faster or raise command_timeout_seconds in .labrunner/project.json"
        }
    }
}
