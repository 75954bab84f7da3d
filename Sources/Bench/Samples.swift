// The project's benchmarks, whose figures the README quotes: the registry, the toy model and the plays, each
// timed in one process on a throwaway workspace. This file: timing samples and the workspace they run in.
public import Foundation
import Playbook
import Registry
public import Terminal

/// Timing samples in milliseconds with the statistics the README quotes.
public struct Samples: Encodable, Sendable {
    public var count: Int
    public var medianMS: Double
    public var p99MS: Double

    public init(_ milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        count = sorted.count
        medianMS = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        p99MS =
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
    }

    enum CodingKeys: String, CodingKey {
        case count
        case medianMS = "median_ms"
        case p99MS = "p99_ms"
    }
}

/// What every benchmark needs from outside: time, and a progress bar for its long loops.
public struct BenchEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var clock: any Clock<Duration>
    /// Starts a progress bar of `total` steps.
    public var progress: @Sendable (_ label: String, _ total: Int) -> ProgressBar

    public init(
        now: @escaping @Sendable () -> Date, clock: any Clock<Duration>,
        progress: @escaping @Sendable (_ label: String, _ total: Int) -> ProgressBar
    ) {
        self.now = now
        self.clock = clock
        self.progress = progress
    }

    /// How long `body` took, in milliseconds.
    func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// A new workspace for a benchmark: in `keep` (a new folder the caller keeps), else a scratch folder the caller
    /// removes.
    func workspace(keep: String?) throws -> Workspace {
        let root =
            keep
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("labrunner-bench-\(UUID().uuidString)")
            .path
        return try WorkspaceSetup.create(at: root, actor: "bench", now: now)
    }
}
