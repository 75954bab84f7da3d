// Play 3, rollback: find the last known good from the registry, move production back, confirm the
// restored behaviour with the standard suite, and record the incident with its time-to-rollback.
public import Foundation
import Evals
import Hashing
public import Registry

public struct RollbackRequest: Sendable {
    public var ref: String?
    public var reason: String
    public var incident: String?
    public var detectedAt: Date?
    public var by: String
    /// Re-run the standard suite on the restored version (always, except in benchmarks).
    public var confirm: Bool

    public init(ref: String?, reason: String, incident: String?, detectedAt: Date?, by: String, confirm: Bool = true) {
        self.ref = ref
        self.reason = reason
        self.incident = incident
        self.detectedAt = detectedAt
        self.by = by
        self.confirm = confirm
    }
}

public struct RollbackResult: Encodable, Sendable {
    public var from: String
    public var to: String
    public var lastKnownGood: Bool
    public var confirmed: Bool
    public var confirmation: EvalSummary?
    public var timeToRollbackSeconds: Double
    public var incident: Incident
    public var event: Event

    enum CodingKeys: String, CodingKey {
        case from, to, confirmed, confirmation, incident, event
        case lastKnownGood = "last_known_good"
        case timeToRollbackSeconds = "time_to_rollback_s"
    }
}

public enum RollbackPlay {
    /// The most recent earlier production version whose standard-suite eval passed and that no incident names as bad.
    public static func lastKnownGood(current: String, in context: PlayContext) throws -> VersionRecord? {
        let registry = context.registry
        let events = try registry.events()
        let suspects = Set(Incidents.all(events: events).compactMap(\.badVersion))
        var seen: Set<String> = [current]
        for move in try registry.tagHistory("production").reversed() where !seen.contains(move.to) {
            seen.insert(move.to)
            guard !suspects.contains(move.to) else { continue }
            let record = try registry.record(id: move.to)
            let evals = EvalLedger.summaries(for: record, events: events).filter {
                $0.suite == context.settings.standardSuite
            }
            if let latest = evals.last, latest.passRate >= context.settings.passThreshold { return record }
        }
        return nil
    }

    public static func run(
        _ request: RollbackRequest, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> RollbackResult {
        try RegisterPlay.requireText(
            request.reason, field: "--reason", hint: "every rollback records why, pass --reason TEXT")
        let registry = context.registry
        guard let current = registry.tag("production") else { throw PlaybookError.noProduction }
        let currentRecord = try registry.record(id: current)
        let target: VersionRecord
        if let ref = request.ref {
            target = try registry.resolve(ref)
            if target.id == current {
                throw PlaybookError.alreadyProduction(version: "#\(target.seq) \(target.shortID)")
            }
        } else {
            guard let found = try lastKnownGood(current: current, in: context) else {
                throw PlaybookError.noKnownGood(current: "#\(currentRecord.seq) \(currentRecord.shortID)")
            }
            target = found
        }
        let events = try registry.events()
        var incident: Incident
        var opened = false
        if let id = request.incident {
            incident = try Incidents.find(id, events: events)
            guard incident.status != "closed" else { throw PlaybookError.incidentClosed(id) }
        } else if let open = Incidents.all(events: events).last(where: {
            $0.status == "open" && $0.badVersion == current
        }) {
            incident = open
        } else {
            incident = try Incidents.open(
                symptom: request.reason, detectedAt: request.detectedAt, badVersion: current, by: request.by,
                source: "rollback", in: context)
            opened = true
        }
        let event: Event
        do {
            event = try registry.moveTag(
                "production", to: target.id, by: request.by, reason: request.reason, expecting: .pointsTo(current),
                details: ["play": "rollback", "incident": incident.id])
        } catch {
            // The incident opened for this rollback stays recorded; say so rather than "nothing was changed".
            guard opened else { throw error }
            throw RegistryError.failedAfter("Incident \(incident.id) was opened for this rollback", error)
        }
        let detected = request.detectedAt ?? incident.detectedAt
        let timeToRollback = max(0, event.at.timeIntervalSince(detected))
        var facts = [
            "bad_version": current, "good_version": target.id, "tag_moved_at": Timestamp.string(from: event.at),
            "time_to_rollback_s": String(format: "%.3f", timeToRollback), "status": "mitigated",
        ]
        var confirmation: EvalSummary?
        var confirmed = false
        let moved =
            "Production was rolled back from \(currentRecord.shortID) to #\(target.seq) \(target.shortID) "
            + "(event #\(event.seq))"
        do {
            if request.confirm {
                let system = try context.system(for: target)
                let suite = try context.suite(named: context.settings.standardSuite, for: system)
                let result = try EvalRunner.run(
                    suite: suite, system: system, seed: context.settings.evalSeed,
                    repeats: context.gateRepeats(for: system),
                    progress: progress)
                let summary = try EvalLedger.record(result, source: "rollback", actor: request.by, in: context)
                let earlier = EvalLedger.summaries(for: target, events: events).last {
                    $0.suiteSHA256 == summary.suiteSHA256
                }
                confirmed =
                    summary.passRate >= context.settings.passThreshold
                    || earlier.map { summary.passRate >= $0.passRate } ?? false
                confirmation = summary
                facts["confirmed"] = String(confirmed)
                facts["confirmed_at"] = Timestamp.string(from: context.now())
            }
            incident = try Incidents.update(incident.id, facts: facts, by: request.by, in: context)
        } catch {
            throw RegistryError.failedAfter(moved, error)
        }
        return RollbackResult(
            from: current, to: target.id, lastKnownGood: request.ref == nil, confirmed: confirmed,
            confirmation: confirmation, timeToRollbackSeconds: timeToRollback, incident: incident, event: event)
    }
}
