// Durations (7d, 12h, 90m) and times (ISO 8601 UTC, "now", "-15m") as people type them.
public import Foundation
import Hashing

public enum TimeParsing {
    /// Parses `7d`, `12h`, `90m`, `45s` into seconds.
    public static func duration(_ text: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let scale = units[unit], let amount = Double(text.dropLast()), amount > 0,
            amount.isFinite
        else { throw PlaybookError.badDuration(text) }
        return amount * scale
    }

    /// Parses an ISO 8601 UTC time, `now`, or a past offset like `-15m`; refuses times in the future.
    public static func pastTime(_ text: String, now: Date) throws -> Date {
        let date: Date
        if text == "now" {
            date = now
        } else if text.hasPrefix("-") {
            date = now.addingTimeInterval(-(try duration(String(text.dropFirst()))))
        } else if let parsed = Timestamp.date(from: text) {
            date = parsed
        } else {
            throw PlaybookError.badTime(text)
        }
        try refuseFuture(date, given: text, now: now)
        return date
    }

    /// A time after `now` (a second of slack for clocks read a moment apart) is refused with both times named.
    public static func refuseFuture(_ date: Date, given text: String, now: Date) throws {
        guard date <= now.addingTimeInterval(1) else {
            throw PlaybookError.invalid(
                "\(text) (\(Timestamp.string(from: date))) is in the future: it is now \(Timestamp.string(from: now)); "
                    + "give a time that has already happened.")
        }
    }

    /// `1d 2h`, `3m 4s`, `0.8s`, `0.04s`: a duration for people (machine steps under a second keep two places).
    public static func describe(_ seconds: TimeInterval) -> String {
        if seconds < 0.95 { return String(format: "%.2fs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h \((total % 3600) / 60)m" }
        return "\(total / 86_400)d \((total % 86_400) / 3600)h"
    }
}
