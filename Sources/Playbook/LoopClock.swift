// The clock the kit's waiting loops run on (traffic pacing, the monitors' looks, the drill supervisor's ticks):
// a `Clock<Duration>` that a plain thread can also wait on. Those loops are synchronous, so they cannot await
// `sleep(for:)`; `pause(for:)` blocks the thread on a real clock and moves the time on a manual one, which lets
// a test run minutes of looks in milliseconds.
import Foundation

public protocol LoopClock: Clock<Swift.Duration> {
    /// Returns once `duration` has passed on this clock.
    func pause(for duration: Swift.Duration)
}

extension LoopClock {
    /// Starts measuring from now on this clock.
    public func stopwatch() -> Stopwatch {
        let start = now
        return Stopwatch { start.duration(to: self.now) }
    }
}

/// Time elapsed on a clock since the stopwatch was started; keeps the clock's own instant type out of sight.
public struct Stopwatch: Sendable {
    private let read: @Sendable () -> Duration

    init(read: @escaping @Sendable () -> Duration) { self.read = read }

    public var elapsed: Duration { read() }
}

extension ContinuousClock: LoopClock {
    public func pause(for duration: Duration) {
        guard duration > .zero else { return }
        Thread.sleep(forTimeInterval: duration.seconds)
    }
}

extension Duration {
    /// The duration in seconds, as the kit's reports and rates use it.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole microseconds, as the attribution log records latency.
    public var wholeMicroseconds: Int {
        Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000)
    }
}
