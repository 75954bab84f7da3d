// A command table run in-process, as DESIGN §10 wants most command tests to run: a console that captures
// stdout and stderr apart, is not a terminal and has no colour, stdin closed or scripted, the current folder
// and environment handed in (never the test process's own), and a manual wall clock.
public import Foundation
public import Playbook
import Synchronization
public import Terminal

/// A program's command table, run in-process against a console and a wall clock.
public struct InProcessCLI: Sendable {
    /// Runs one command line (without the program name) and returns its exit status.
    public typealias Entry =
        @Sendable (_ arguments: [String], _ console: Console, _ now: @escaping @Sendable () -> Date)
        -> Int32

    /// Where a manual clock starts: a fixed instant, so dates, quarters and ages are the same on every run.
    public static let start = Date(timeIntervalSince1970: 1_796_115_600)  // 2026-12-01T09:00:00Z

    private let entry: Entry
    /// The wall time commands read, moved by the test; nil means the real time, for histories that child
    /// processes (lab scripts) write into as well, whose events must stay in order with the in-process ones.
    public let clock: ManualClock?

    public init(clock: ManualClock? = ManualClock(start: InProcessCLI.start), entry: @escaping Entry) {
        self.clock = clock
        self.entry = entry
    }

    /// Runs `arguments` with `folder` as the current folder. Each command starts a second after the one before
    /// on a manual clock, as commands typed one after another do, so their events never share an instant.
    /// `input` scripts the answers to questions, as on a terminal; without it stdin is closed.
    public func run(
        _ arguments: [String], in folder: String, environment: [String: String], input: [String]? = nil
    ) -> RunResult {
        clock?.advance(seconds: 1)
        let now: @Sendable () -> Date
        if let clock { now = clock.now } else { now = { Date() } }
        let captured = CapturedStreams(input: input ?? [])
        let console = Console(
            writeOut: { captured.out($0) }, writeErr: { captured.err($0) }, readLine: { captured.nextLine() },
            stdoutIsTerminal: false, stdinIsTerminal: input != nil, stderrIsTerminal: false,
            environment: environment, currentDirectory: folder)
        let status = entry(arguments, console, now)
        return captured.result(status: status)
    }
}

/// What a command wrote to each stream, and the lines it may still read.
private final class CapturedStreams: Sendable {
    private struct State {
        var stdout = ""
        var stderr = ""
        var input: [String]
    }
    private let state: Mutex<State>

    init(input: [String]) { state = Mutex(State(input: input)) }

    func out(_ text: String) { state.withLock { $0.stdout += text } }
    func err(_ text: String) { state.withLock { $0.stderr += text } }
    func nextLine() -> String? { state.withLock { $0.input.isEmpty ? nil : $0.input.removeFirst() } }
    func result(status: Int32) -> RunResult {
        state.withLock { RunResult(status: status, stdout: $0.stdout, stderr: $0.stderr) }
    }
}
