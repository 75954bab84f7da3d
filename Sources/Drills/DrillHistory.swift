// `drill history`: every finished drill in the room as one row, the cadence, the trend of time to mitigate
// across drills, and who has not held which role lately, so a team rotates its commander, scribe and operator
// instead of letting the same person always drive.
public import Foundation

/// One finished drill as history lists it.
public struct DrillHistoryRow: Codable, Sendable, Equatable {
    /// UTC day the drill started (YYYY-MM-DD).
    public var date: String
    public var id: String
    public var code: String
    public var fault: String?
    /// right, wrong, unfinished or "no fault shipped".
    public var outcome: String
    public var score: Int
    /// Each phase's lap in seconds (absent: not reached), in phase order.
    public var laps: [PhaseSeconds]
    public var timeToMitigateSeconds: Double?
    /// Each person and the roles they held, by name.
    public var roles: [PersonRoles]

    enum CodingKeys: String, CodingKey {
        case date, id, code, fault, outcome, score, laps, roles
        case timeToMitigateSeconds = "time_to_mitigate_s"
    }
}

public struct PhaseSeconds: Codable, Sendable, Equatable {
    public var phase: Phase
    public var seconds: Double?
}

public struct PersonRoles: Codable, Sendable, Equatable {
    public var name: String
    public var roles: [DrillRole]
}

/// Time to mitigate across the drills that reached mitigation, oldest first.
public struct MitigationTrend: Codable, Sendable, Equatable {
    public var drills: [String]
    public var seconds: [Double]
    public var firstSeconds: Double
    public var latestSeconds: Double
    /// Median of the last three, and of every earlier one (absent with three or fewer).
    public var recentMedianSeconds: Double
    public var earlierMedianSeconds: Double?
    /// One block per drill, low to high: ▁▂▃▄▅▆▇█.
    public var sparkline: String

    enum CodingKeys: String, CodingKey {
        case drills, seconds, sparkline
        case firstSeconds = "first_s"
        case latestSeconds = "latest_s"
        case recentMedianSeconds = "recent_median_s"
        case earlierMedianSeconds = "earlier_median_s"
    }

    /// The trend in one sentence.
    public var sentence: String {
        func d(_ seconds: Double) -> String { DrillDebrief.duration(seconds) }
        var text = "Time to mitigate \(sparkline): first \(d(firstSeconds)), latest \(d(latestSeconds))"
        if let earlier = earlierMedianSeconds {
            let change = recentMedianSeconds - earlier
            let direction = abs(change) < 1 ? "level with" : change < 0 ? "faster than" : "slower than"
            text += "; median of the last 3 \(d(recentMedianSeconds)), \(direction) the earlier median \(d(earlier))"
        } else {
            text += "; median \(d(recentMedianSeconds))"
        }
        return text + "."
    }
}

/// A person and the roles they have not held in their last three drills (or ever).
public struct RoleGap: Codable, Sendable, Equatable {
    public var name: String
    /// The drills counted: this person's last three.
    public var drills: [String]
    public var notLately: [DrillRole]
    public var never: [DrillRole]

    enum CodingKeys: String, CodingKey {
        case name, drills, never
        case notLately = "not_lately"
    }

    public var sentence: String {
        let roles = notLately.map { role in role.title + (never.contains(role) ? " (never)" : "") }
        return
            "\(name) has not held \(roles.joined(separator: ", ")) in \(drills.count == 1 ? "their last drill" : "their last \(drills.count) drills")."
    }
}

public struct DrillHistory: Codable, Sendable, Equatable {
    public var rows: [DrillHistoryRow]
    public var cadence: DrillCadence
    public var trend: MitigationTrend?
    public var roleGaps: [RoleGap]

    enum CodingKeys: String, CodingKey {
        case rows, cadence, trend
        case roleGaps = "role_gaps"
    }

    /// How many of a person's latest drills count as "lately".
    public static let lately = 3

    /// The room's history at `now`, overdue after `cadenceDays`.
    public static func load(_ room: DrillRoom, now: Date, cadenceDays: Int) throws -> DrillHistory {
        build(try room.records(), cadence: try room.cadence(now: now, cadenceDays: cadenceDays))
    }

    /// The history of `records` (any order; listed oldest first).
    public static func build(_ records: [DrillRecord], cadence: DrillCadence) -> DrillHistory {
        let sorted = records.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        let rows = sorted.map { record in
            DrillHistoryRow(
                date: DrillDebrief.date(record.startedAt), id: record.id, code: record.code,
                fault: record.fault?.name, outcome: record.outcome, score: record.score,
                laps: record.laps.map { PhaseSeconds(phase: $0.phase, seconds: $0.seconds) },
                timeToMitigateSeconds: record.timeToMitigateSeconds,
                roles: record.participants.map { PersonRoles(name: $0.name, roles: $0.roles) })
        }
        return DrillHistory(rows: rows, cadence: cadence, trend: trend(sorted), roleGaps: roleGaps(sorted))
    }

    static func trend(_ records: [DrillRecord]) -> MitigationTrend? {
        let timed = records.compactMap { record in record.timeToMitigateSeconds.map { (record.id, $0) } }
        guard let first = timed.first, let latest = timed.last else { return nil }
        let values = timed.map(\.1)
        let recent = Array(values.suffix(lately))
        let earlier = Array(values.dropLast(lately))
        return MitigationTrend(
            drills: timed.map(\.0), seconds: values, firstSeconds: first.1, latestSeconds: latest.1,
            recentMedianSeconds: median(recent) ?? latest.1, earlierMedianSeconds: median(earlier),
            sparkline: sparkline(values))
    }

    static func median(_ values: [Double]) -> Double? { DurationSummary(values).medianSeconds }

    static func sparkline(_ values: [Double]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        guard let low = values.min(), let high = values.max() else { return "" }
        return String(
            values.map { value in
                high - low < 1e-9 ? blocks[3] : blocks[Int(((value - low) / (high - low) * 7).rounded())]
            })
    }

    static func roleGaps(_ records: [DrillRecord]) -> [RoleGap] {
        let names = Set(records.flatMap { $0.participants.map(\.name) })
        return names.sorted().compactMap { name in
            let mine = records.filter { $0.participants.contains { $0.name == name } }
            let recent = mine.suffix(lately)
            let heldLately = Set(recent.flatMap { $0.participants.filter { $0.name == name }.flatMap(\.roles) })
            let heldEver = Set(mine.flatMap { $0.participants.filter { $0.name == name }.flatMap(\.roles) })
            let missing = DrillRole.allCases.filter { !heldLately.contains($0) }
            guard !missing.isEmpty else { return nil }
            return RoleGap(
                name: name, drills: recent.map(\.id), notLately: missing,
                never: DrillRole.allCases.filter { !heldEver.contains($0) })
        }
    }
}
