// Calendar quarters by UTC (2026-Q4), the unit the pilot's numbers are reported in.
public import Foundation
import Hashing

public struct Quarter: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var number: Int

    public init(year: Int, number: Int) {
        self.year = year
        self.number = number
    }

    /// Parses `YYYY-Qn` (case-insensitive q); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), year >= 1970,
            parts[1].count == 2, parts[1].first == "Q", let number = Int(parts[1].dropFirst()), (1...4).contains(number)
        else { return nil }
        self.init(year: year, number: number)
    }

    /// The quarter holding `date`, read from its UTC timestamp so no calendar or time zone is involved.
    public init(containing date: Date) {
        let stamp = Timestamp.string(from: date)
        let year = Int(stamp.prefix(4)) ?? 1970
        let month = Int(stamp.dropFirst(5).prefix(2)) ?? 1
        self.init(year: year, number: (month - 1) / 3 + 1)
    }

    public var description: String { "\(year)-Q\(number)" }

    /// The first instant of the quarter (UTC).
    public var start: Date { Self.firstOfMonth(year: year, month: (number - 1) * 3 + 1) }

    /// The first instant of the next quarter (UTC).
    public var end: Date {
        number == 4 ? Self.firstOfMonth(year: year + 1, month: 1) : Self.firstOfMonth(year: year, month: number * 3 + 1)
    }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }

    private static func firstOfMonth(year: Int, month: Int) -> Date {
        let text = String(format: "%04d-%02d-01T00:00:00.000Z", year, month)
        return Timestamp.date(from: text) ?? Date(timeIntervalSince1970: 0)
    }
}
