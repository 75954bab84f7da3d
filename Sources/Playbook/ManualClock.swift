// A wall clock that moves only when told: scenarios and drills lay weeks of history in seconds with it, and
// tests drive whole drills with it.
public import Foundation
import Synchronization

public final class ManualClock: Sendable {
    private let date: Mutex<Date>

    public init(start: Date) { date = Mutex(start) }

    public var now: @Sendable () -> Date { { [self] in date.withLock { $0 } } }
    public func advance(seconds: Double) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
    public func advance(minutes: Double) { advance(seconds: minutes * 60) }
    public func advance(days: Double) { advance(seconds: days * 86_400) }
    public func set(_ to: Date) { date.withLock { $0 = to } }
}

/// SplitMix64 with helpers for picking: scenarios and drills draw every choice from one seed, stable across
/// platforms, so a code reproduces the same run elsewhere.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    public mutating func bool() -> Bool { next() & 1 == 1 }

    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public mutating func pick<T>(_ items: [T], count: Int) -> [T] {
        var pool = items
        var chosen: [T] = []
        while chosen.count < count, !pool.isEmpty { chosen.append(pool.remove(at: int(0...(pool.count - 1)))) }
        return chosen
    }
}

extension ManualClock {
    /// The same time as a clock of durations, for the loops that wait (traffic pacing, the monitors): a pause on
    /// it moves this clock's wall time forward by the pause instead of sleeping, so the two stay in step.
    public var durations: Durations { Durations(manual: self) }

    fileprivate func advance(to later: Date) { date.withLock { $0 = max($0, later) } }

    public struct Durations: LoopClock {
        public struct Instant: InstantProtocol {
            let date: Date

            public func advanced(by duration: Duration) -> Instant {
                Instant(date: date.addingTimeInterval(duration.seconds))
            }

            public func duration(to other: Instant) -> Duration { .seconds(other.date.timeIntervalSince(date)) }

            public static func < (earlier: Instant, later: Instant) -> Bool { earlier.date < later.date }
        }

        let manual: ManualClock

        public var now: Instant { Instant(date: manual.now()) }

        public var minimumResolution: Duration { .microseconds(1) }

        public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            try Task.checkCancellation()
            manual.advance(to: deadline.date)
        }

        public func pause(for duration: Duration) {
            guard duration > .zero else { return }
            manual.advance(seconds: duration.seconds)
        }
    }
}
