// `incident stats`: the pilot's numbers per UTC quarter, read from the event log and the room's drill records.
// Real incidents and drills are counted apart (DrillMarking), and the DORA pair (change failure rate,
// failed-deployment recovery time) comes from production deployments and the real incidents that name them:
// recovery runs from the failed deployment (production moving to the bad version) to production restored, and an
// incident closed as a false alarm names no failed deployment.
// A drill run with `drill start` keeps its incident in its own workspace, so its record is what counts it here.
import Foundation
import Hashing
import Playbook
public import Registry

/// Median and 90th percentile of a set of durations, in seconds.
public struct DurationSummary: Codable, Sendable, Equatable {
    public var count: Int
    public var medianSeconds: Double?
    public var p90Seconds: Double?

    enum CodingKeys: String, CodingKey {
        case count
        case medianSeconds = "median_s"
        case p90Seconds = "p90_s"
    }

    /// Median: the middle value, or the mean of the two middle ones. p90: nearest rank, the value at rank
    /// ⌈0.9 n⌉ of the sorted list, so it is always a time that really happened.
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        guard !sorted.isEmpty else { return }
        let middle = sorted.count / 2
        medianSeconds = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let rank = Int((0.9 * Double(sorted.count)).rounded(.up))
        p90Seconds = sorted[max(0, min(sorted.count, rank) - 1)]
    }
}

/// One kind of incident (real or drill) in one quarter.
public struct IncidentGroup: Codable, Sendable, Equatable {
    public var incidents: Int
    public var ids: [String]
    /// Detection → production tag moved back (the rollback itself).
    public var toRestored: DurationSummary
    /// Detection → the confirming eval passed on the restored version (what the lab timer stops on).
    public var toConfirmed: DurationSummary
    /// Drills whose call was wrong: counted as incidents, but their production move restored nothing, so it is
    /// no time to restored. Absent for real incidents.
    public var wrongCalls: Int?

    enum CodingKeys: String, CodingKey {
        case incidents, ids
        case toRestored = "to_restored"
        case toConfirmed = "to_confirmed"
        case wrongCalls = "wrong_calls"
    }

    init(_ incidents: [Incident], records: [DrillRecord]? = nil) {
        let all = records ?? []
        let right = all.filter { $0.call?.right == true }
        self.incidents = incidents.count + all.count
        ids = incidents.map(\.id) + all.map(\.id)
        wrongCalls = records.map { $0.count - right.count }
        toRestored = DurationSummary(
            incidents.compactMap(IncidentStats.secondsToRestored) + right.compactMap(\.timeToMitigateSeconds))
        toConfirmed = DurationSummary(
            incidents.compactMap(IncidentStats.secondsToConfirmed)
                + right.compactMap(IncidentStats.secondsToRecovered))
    }
}

/// The pilot's numbers for one quarter (or for all shown quarters together, labelled "all").
public struct QuarterStats: Codable, Sendable, Equatable {
    public var quarter: String
    public var real: IncidentGroup
    public var drills: IncidentGroup
    /// Production deployments: moves of `production` that are neither rollbacks nor a drill's.
    public var deployments: Int
    /// Deployments that a real incident, not closed as a false alarm, names as its bad version.
    public var failedDeployments: Int
    /// Real incidents of the quarter closed as false alarms: counted as incidents, never as failed deployments.
    public var falseAlarms: Int
    /// failed ÷ deployments; absent when there were no deployments.
    public var changeFailureRate: Double?
    /// DORA's failed-deployment recovery time: median failed deployment (production moved to the bad version)
    /// → production restored, over the quarter's real incidents that are not false alarms.
    public var recoveryMedianSeconds: Double?
    /// The same times, each from the deployment that failed to production restored.
    public var recovery: DurationSummary

    enum CodingKeys: String, CodingKey {
        case quarter, real, drills, deployments, recovery
        case failedDeployments = "failed_deployments"
        case falseAlarms = "false_alarms"
        case changeFailureRate = "change_failure_rate"
        case recoveryMedianSeconds = "recovery_median_s"
    }
}

public struct IncidentStatsReport: Codable, Sendable, Equatable {
    public var quarters: [QuarterStats]
    public var total: QuarterStats
    /// Drills the figures leave out, and why (abandoned or interrupted, no fault shipped, nobody responded,
    /// scripted).
    public var setApart: [SetApartDrill] = []

    enum CodingKeys: String, CodingKey {
        case quarters, total
        case setApart = "set_apart"
    }
}

/// A drill the pilot's figures leave out.
public struct SetApartDrill: Codable, Sendable, Equatable {
    public var drill: String
    public var reason: String

    public init(drill: String, reason: String) {
        self.drill = drill
        self.reason = reason
    }
}

extension DrillRecord {
    /// Faster than this from the alarm to production moved (or the false alarm closed) is not a person reading
    /// an alarm, a diff and a rollback plan: the run was scripted.
    public static let scriptedBelowSeconds: Double = 15

    /// Why the pilot's numbers leave this drill out; nil when it counts: it ran to `drill end`, a fault shipped,
    /// and people (not the kit) responded at a person's pace.
    public var notCountedBecause: String? {
        guard ending == .ended else { return "\(ending.rawValue), not completed" }
        guard let fault else { return "no fault shipped" }
        let kit: Set<String> = ["drill", "monitor", "kit", FaultShipper.shipper]
        guard participants.contains(where: { !kit.contains($0.name) && $0.actions > 0 }) else {
            return "nobody responded"
        }
        let finish = fault.kind == .noise ? Phase.resolved : .mitigated
        let detected = laps.first { $0.phase == .detected }?.at
        if let detected, let done = laps.first(where: { $0.phase == finish })?.at,
            done.timeIntervalSince(detected) < Self.scriptedBelowSeconds
        {
            return "scripted: \(finish.rawValue) \(Int(done.timeIntervalSince(detected).rounded()))s after the alarm"
        }
        return nil
    }
}

public enum IncidentStats {
    /// A production deployment as the event log records it.
    struct Deployment {
        var seq: Int
        var at: Date
        var version: String
    }

    static func secondsToRestored(_ incident: Incident) -> Double? {
        incident.tagMovedAt.map { max(0, $0.timeIntervalSince(incident.detectedAt)) }
    }

    /// Only a confirmation that passed counts: a failed one did not restore a known-good state.
    static func secondsToConfirmed(_ incident: Incident) -> Double? {
        guard incident.confirmed == true, let at = incident.confirmedAt else { return nil }
        return max(0, at.timeIntervalSince(incident.detectedAt))
    }

    /// A drill record's detection → live signals back on the restored version: its confirmation.
    static func secondsToRecovered(_ record: DrillRecord) -> Double? {
        guard let detected = record.laps.first(where: { $0.phase == .detected })?.at,
            let recovered = record.laps.first(where: { $0.phase == .recovered })?.at
        else { return nil }
        return max(0, recovered.timeIntervalSince(detected))
    }

    /// When a drill record counts: its detection, else the fault shipping, else its start.
    static func countedAt(_ record: DrillRecord) -> Date {
        record.laps.first { $0.phase == .detected }?.at ?? record.fault?.shippedAt ?? record.startedAt
    }

    static func deployments(events: [Event]) throws -> [Deployment] {
        try events.payloads(TagMoved.self).compactMap { event, move in
            guard move.tag == "production", try move.facts(of: event).play != .rollback,
                !(try DrillMarking.isDrill(event))
            else { return nil }
            return Deployment(seq: event.seq, at: event.at, version: move.to)
        }
    }

    /// Each real incident that is not a false alarm is laid at the door of the latest deployment of its bad
    /// version at or before its detection; those deployments failed. Keyed by incident id.
    static func causes(_ deployments: [Deployment], realIncidents: [Incident]) -> [String: Deployment] {
        var causes: [String: Deployment] = [:]
        for incident in realIncidents where incident.falseAlarm != true {
            guard let bad = incident.badVersion,
                let cause = deployments.last(where: { $0.version == bad && $0.at <= incident.detectedAt })
            else { continue }
            causes[incident.id] = cause
        }
        return causes
    }

    /// DORA's recovery time of one incident: from the deployment that failed to production restored.
    static func secondsToRecover(_ incident: Incident, cause: Deployment?) -> Double? {
        guard let cause, let restored = incident.tagMovedAt else { return nil }
        return max(0, restored.timeIntervalSince(cause.at))
    }

    /// The report for `quarter`, or for every quarter with a deployment, an incident or a drill when nil.
    /// Incidents belong to the quarter of their detection, deployments to the quarter of their tag move.
    /// `drills` are the room's drill records (`DrillRoom.records()`): each one that shipped a fault counts as a
    /// drill, once — a drill-marked incident in the log whose drill has a record is that record.
    public static func report(events: [Event], quarter: Quarter? = nil, drills records: [DrillRecord] = [])
        throws -> IncidentStatsReport
    {
        let incidents = try Incidents.all(events: events)
        let drillIDs = try DrillMarking.incidentIDs(events: events)
        let real = incidents.filter { !drillIDs.contains($0.id) }
        // The pilot counts completed drills in which a fault shipped and people responded; the rest are listed.
        let counted = records.filter { $0.notCountedBecause == nil }
        let setApart = records.compactMap { record in
            record.notCountedBecause.map { SetApartDrill(drill: record.id, reason: $0) }
        }
        let recordedDrills = Set(records.map(\.id))
        let recorded = Set(
            try events.payloads(IncidentOpened.self).compactMap { _, opened -> String? in
                guard let drill = opened.drillID, recordedDrills.contains(drill) else { return nil }
                return opened.incident
            })
        let drills = incidents.filter { drillIDs.contains($0.id) && !recorded.contains($0.id) }
        let deployments = try deployments(events: events)
        let causes = causes(deployments, realIncidents: real)
        let failed = Set(causes.values.map(\.seq))
        let shown: [Quarter] =
            quarter.map { [$0] }
            ?? Set(
                incidents.map { Quarter(containing: $0.detectedAt) } + deployments.map { Quarter(containing: $0.at) }
                    + counted.map { Quarter(containing: countedAt($0)) }
            )
            .sorted()
        func stats(_ label: String, _ inside: (Date) -> Bool) -> QuarterStats {
            let realHere = real.filter { inside($0.detectedAt) }
            let deployed = deployments.filter { inside($0.at) }
            let failedHere = deployed.filter { failed.contains($0.seq) }.count
            let recovery = DurationSummary(realHere.compactMap { secondsToRecover($0, cause: causes[$0.id]) })
            return QuarterStats(
                quarter: label, real: IncidentGroup(realHere),
                drills: IncidentGroup(
                    drills.filter { inside($0.detectedAt) }, records: counted.filter { inside(countedAt($0)) }),
                deployments: deployed.count, failedDeployments: failedHere,
                falseAlarms: realHere.filter { $0.falseAlarm == true }.count,
                changeFailureRate: deployed.isEmpty ? nil : Double(failedHere) / Double(deployed.count),
                recoveryMedianSeconds: recovery.medianSeconds, recovery: recovery)
        }
        let rows = shown.map { q in stats(q.description) { q.contains($0) } }
        let total = stats("all") { date in shown.contains { $0.contains(date) } }
        return IncidentStatsReport(quarters: rows, total: total, setApart: setApart)
    }
}
