// Plain monospace tables and progress bars for command output.
import Foundation
import Synchronization

public struct Table: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    public var alignRight: Set<Int>

    public init(headers: [String], rows: [[String]], alignRight: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.alignRight = alignRight
    }

    /// Columns two spaces apart, the header underlined with dashes; the last column is not padded.
    public func render() -> String {
        let all = [headers] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for index in 0..<columns {
                let cell = index < cells.count ? cells[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if alignRight.contains(index) {
                    parts.append(padding + cell)
                } else {
                    parts.append(index == columns - 1 ? cell : cell + padding)
                }
            }
            var line = parts.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
        var output = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        output += rows.map(line)
        return output.joined(separator: "\n") + "\n"
    }
}

/// A progress bar on stderr, drawn only on a terminal and only once work has taken longer than a threshold.
public final class ProgressBar: Sendable {
    private struct State {
        var done = 0
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
        var finished = false
    }

    private let total: Int
    private let label: String
    private let console: Console
    private let minimumDuration: Duration
    private let start: ContinuousClock.Instant
    private let state = Mutex(State())

    public init(total: Int, label: String, console: Console, minimumDuration: Duration = .seconds(1)) {
        self.total = max(total, 1)
        self.label = label
        self.console = console
        self.minimumDuration = minimumDuration
        self.start = ContinuousClock.now
    }

    public func advance(by count: Int = 1) {
        guard console.stderrIsTerminal else { return }
        let now = ContinuousClock.now
        let text: String? = state.withLock { state in
            state.done = min(total, state.done + count)
            guard !state.finished, now - start >= minimumDuration else { return nil }
            if let last = state.lastDraw, now - last < .milliseconds(100), state.done < total { return nil }
            state.lastDraw = now
            state.drawn = true
            return render(state.done)
        }
        if let text { console.writeErr("\r" + text) }
    }

    public func finish() {
        let drawn = state.withLock { state -> Bool in
            defer { state.finished = true }
            return state.drawn && !state.finished
        }
        if drawn { console.writeErr("\r" + render(total) + "\n") }
    }

    private func render(_ done: Int) -> String {
        let width = 30
        let filled = width * done / total
        let percent = 100 * done / total
        return "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(percent)% (\(done)/\(total))"
    }
}

/// A progress bar fed by `(done, total)` callbacks, as evals report: made on the first call, when the total is
/// known, and like any bar drawn only once the work has taken over a second.
public final class ProgressFeed: Sendable {
    private let bar = Mutex<ProgressBar?>(nil)
    private let console: Console
    private let label: String

    public init(console: Console, label: String) {
        self.console = console
        self.label = label
    }

    public func update(_ done: Int, _ total: Int) {
        bar.withLock { bar in
            if bar == nil { bar = ProgressBar(total: total, label: label, console: console) }
            bar?.advance()
        }
    }

    public func finish() { bar.withLock { $0?.finish() } }
}
