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
