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
