// The report page's model: every number the page shows, gathered from the registry once, each with the event
// (or attribution-log lines) it was read from. The HTML is rendered from this alone, so `--json` and the page
// cannot disagree, and the same registry gives the same bytes.
import Evals
import Hashing
public import Foundation
public import Playbook
import Registry

public struct ReportModel: Codable, Sendable, Equatable {
    /// The last event read: the page describes the registry up to and including it.
    public var asOfEvent: Int
    public var asOf: Date?
    public var standardSuite: String
    public var passThreshold: Double
    /// The version production points to now, with the event that moved it there.
    public var production: ProductionPeriod?
    public var versions: [ReportVersion]
    public var evals: [ReportEval]
    public var productionPeriods: [ProductionPeriod]
    public var incidents: [ReportIncident]
    public var traffic: ReportTraffic
    public var categories: CategoryComparison?
    public var labAttempts: [LabAttempt]
    public var rehearsals: [Rehearsal]

    enum CodingKeys: String, CodingKey {
        case versions, evals, incidents, traffic, categories, rehearsals, production
        case asOfEvent = "as_of_event"
        case asOf = "as_of"
        case standardSuite = "standard_suite"
        case passThreshold = "pass_threshold"
        case productionPeriods = "production_periods"
        case labAttempts = "lab_attempts"
    }

    public func version(_ id: String?) -> ReportVersion? { versions.first { $0.id == id } }

    /// "#3": how the page names a version (the short id is in the versions table).
    public func label(_ id: String?) -> String {
        guard let id else { return "?" }
        return version(id).map { "#\($0.seq)" } ?? String(id.prefix(12))
    }
}

public struct ReportVersion: Codable, Sendable, Equatable {
    public var id: String
    public var seq: Int
    public var owner: String
    public var reason: String
    public var registeredAt: Date
    public var event: Int

    enum CodingKeys: String, CodingKey {
        case id, seq, owner, reason, event
        case registeredAt = "registered_at"
    }
}

/// One recorded standard-suite eval: the register-time one cites the registration event.
public struct ReportEval: Codable, Sendable, Equatable {
    public var version: String
    public var at: Date
    public var source: String
    public var passRate: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var repeats: Int
    public var suiteSHA256: String
    public var result: String
    public var event: Int

    enum CodingKeys: String, CodingKey {
        case version, at, source, repeats, result, event
        case passRate = "pass_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case suiteSHA256 = "suite_sha256"
    }
}

/// A stretch of time during which production pointed at one version, opened by one tag move.
public struct ProductionPeriod: Codable, Sendable, Equatable {
    public var version: String
    public var from: Date
    /// Nil for the period still running.
    public var until: Date?
    /// "promote", "rollback", "experiment" or "tag" (moved by hand).
    public var play: String
    public var gate: String?
    public var by: String
    public var event: Int
    /// What a break-glass promotion overrode, comma-separated; nil for any other move.
    public var breakGlass: String?
    /// Whether the promotion's approval was signed; nil for a move with no approver.
    public var signed: Bool?

    enum CodingKeys: String, CodingKey {
        case version, from, until, play, gate, by, event, signed
        case breakGlass = "break_glass"
    }
}

public struct ReportIncident: Codable, Sendable, Equatable {
    public var id: String
    public var symptom: String
    public var status: String
    public var badVersion: String?
    public var goodVersion: String?
    public var detectedAt: Date
    public var detectedEvent: Int
    public var mitigatedAt: Date?
    public var mitigatedEvent: Int?
    public var confirmedAt: Date?
    public var confirmedEvent: Int?
    public var confirmed: Bool?
    public var closedAt: Date?
    public var closedEvent: Int?

    enum CodingKeys: String, CodingKey {
        case id, symptom, status, confirmed
        case badVersion = "bad_version"
        case goodVersion = "good_version"
        case detectedAt = "detected_at"
        case detectedEvent = "detected_event"
        case mitigatedAt = "mitigated_at"
        case mitigatedEvent = "mitigated_event"
        case confirmedAt = "confirmed_at"
        case confirmedEvent = "confirmed_event"
        case closedAt = "closed_at"
        case closedEvent = "closed_event"
    }

    /// Seconds from detection to production restored.
    public var secondsToMitigated: Double? { mitigatedAt.map { max(0, $0.timeIntervalSince(detectedAt)) } }
    /// Seconds from detection to the confirming eval, when it confirmed.
    public var secondsToConfirmed: Double? {
        guard confirmed == true else { return nil }
        return confirmedAt.map { max(0, $0.timeIntervalSince(detectedAt)) }
    }
}

/// Requests in the attribution log, counted in equal time buckets.
public struct ReportTraffic: Codable, Sendable, Equatable {
    public var requests: Int
    public var labelled: Int
    public var satisfied: Int
    public var bucketSeconds: Int
    public var buckets: [TrafficBucket]

    enum CodingKeys: String, CodingKey {
        case requests, labelled, satisfied, buckets
        case bucketSeconds = "bucket_seconds"
    }
}

public struct TrafficBucket: Codable, Sendable, Equatable {
    public var start: Date
    public var requests: Int
    /// Requests whose satisfaction is known (a label or feedback).
    public var labelled: Int
    public var satisfied: Int
    /// Versions that answered, by id, in registration order.
    public var versions: [String]
    /// 1-based lines of requests/log.jsonl.
    public var firstLine: Int
    public var lastLine: Int

    public var share: Double? { labelled == 0 ? nil : Double(satisfied) / Double(labelled) }

    enum CodingKeys: String, CodingKey {
        case start, requests, labelled, satisfied, versions
        case firstLine = "first_line"
        case lastLine = "last_line"
    }
}

/// Per-category pass rates of the standard suite before, during and after one rolled-back incident.
public struct CategoryComparison: Codable, Sendable, Equatable {
    public var incident: String
    public var phases: [PhaseEval]
    public var rows: [CategoryRow]
}

public struct PhaseEval: Codable, Sendable, Equatable {
    /// "before", "during" or "after".
    public var phase: String
    public var version: String
    public var at: Date
    public var passRate: Double
    public var result: String
    public var event: Int

    enum CodingKeys: String, CodingKey {
        case phase, version, at, result, event
        case passRate = "pass_rate"
    }
}

public struct CategoryRow: Codable, Sendable, Equatable {
    public var category: String
    /// Pass rate per phase, in the order of `CategoryComparison.phases` (nil: the category was not in that run).
    public var rates: [Double?]
}

public struct LabAttempt: Codable, Sendable, Equatable {
    public var lab: String
    public var attempt: Int
    public var startedAt: Date
    public var by: String
    public var event: Int
    /// The seed a challenge-mode attempt was laid from; absent in guided mode.
    public var seed: Int?

    enum CodingKeys: String, CodingKey {
        case lab, attempt, by, event, seed
        case startedAt = "started_at"
    }
}

/// One attempt at the emergency-rollback lab and the incident it was about.
public struct Rehearsal: Codable, Sendable, Equatable {
    public var attempt: Int
    public var startedAt: Date
    public var startEvent: Int
    public var incident: String?

    enum CodingKeys: String, CodingKey {
        case attempt, incident
        case startedAt = "started_at"
        case startEvent = "start_event"
    }
}

public enum ReportPage {
    /// The file the page is written to inside the output folder.
    public static let fileName = "index.html"
    /// The lab whose attempts are the rollback rehearsals.
    public static let rehearsalLab = "06-emergency-rollback"
    /// At most this many traffic buckets: enough to see a dip, few enough to read.
    static let maximumBuckets = 48

    public static func model(context: PlayContext) throws -> ReportModel {
        let registry = context.registry
        let events = try registry.events()
        let moves = try registry.tagHistory("production")
        let suite = context.settings.standardSuite
        let asOf = events.last?.at

        let (versions, evals) = try recorded(registry: registry, events: events, suite: suite)

        var periods: [ProductionPeriod] = []
        for (index, move) in moves.enumerated() {
            let facts = try move.facts()
            periods.append(
                ProductionPeriod(
                    version: move.to, from: move.at, until: index + 1 < moves.count ? moves[index + 1].at : nil,
                    play: facts.play?.rawValue ?? "tag", gate: facts.gate?.rawValue, by: move.by, event: move.event,
                    breakGlass: facts.breakGlass, signed: facts.approver == nil ? nil : facts.approvalSigned))
        }

        let incidents = try Incidents.all(events: events).map { try incident(of: $0, events: events) }
        let labAttempts = try attempts(events: events)
        var model = ReportModel(
            asOfEvent: events.last?.seq ?? 0, asOf: asOf, standardSuite: suite,
            passThreshold: context.settings.passThreshold, production: periods.last, versions: versions, evals: evals,
            productionPeriods: periods, incidents: incidents,
            traffic: try traffic(registryRoot: registry.root, order: versions), categories: nil,
            labAttempts: labAttempts, rehearsals: rehearsals(labAttempts, incidents: try Incidents.all(events: events)))
        model.categories = try categories(
            context: context, events: events, moves: moves, evals: evals, incidents: incidents)
        return model
    }

    /// Every version with its registration event, and every recorded standard-suite eval with the event it was
    /// read from, oldest first. Shared with the write-up, so both documents cite the same events.
    static func recorded(registry: Registry, events: [Event], suite: String) throws -> (
        versions: [ReportVersion], evals: [ReportEval]
    ) {
        var versions: [ReportVersion] = []
        var evals: [ReportEval] = []
        let registrations = Dictionary(
            try events.payloads(VersionRegistered.self).map { ($0.payload.id, $0.event.seq) },
            uniquingKeysWith: { first, _ in first })
        // Eval events by result blob: a summary read from one cites it.
        var evalEvents: [String: [(event: Event, payload: EvalRecorded)]] = [:]
        for eval in try events.payloads(EvalRecorded.self) { evalEvents[eval.payload.result, default: []].append(eval) }
        for record in try registry.versions() {
            let registered = registrations[record.id] ?? 0
            versions.append(
                ReportVersion(
                    id: record.id, seq: record.seq, owner: record.metadata.owner, reason: record.metadata.reason,
                    registeredAt: record.metadata.createdAt, event: registered))
            for summary in try EvalLedger.summaries(for: record, events: events) where summary.suite == suite {
                let event =
                    evalEvents[summary.result]?.first {
                        $0.event.at == summary.at && $0.payload.version == record.id
                    }?.event.seq ?? registered
                evals.append(
                    ReportEval(
                        version: record.id, at: summary.at, source: summary.source.rawValue, passRate: summary.passRate,
                        ciLow: summary.ciLow, ciHigh: summary.ciHigh, repeats: summary.repeats,
                        suiteSHA256: summary.suiteSHA256, result: summary.result, event: event))
            }
        }
        evals.sort { ($0.at, $0.event) < ($1.at, $1.event) }
        return (versions, evals)
    }

    /// The incident with the event behind each of its times.
    static func incident(of incident: Incident, events: [Event]) throws -> ReportIncident {
        let opened = try events.payloads(IncidentOpened.self).first { $0.payload.incident == incident.id }?.event
        // A rollback records its incident on the tag move it makes.
        let moved = try events.payloads(TagMoved.self).first { event, move in
            guard event.at == incident.tagMovedAt else { return false }
            return try facts(of: move, in: event).incident == incident.id
        }?.event
        let updates = try events.payloads(IncidentUpdated.self).filter { $0.payload.incident == incident.id }
        let updated = updates.first { $0.payload.tagMovedAt != nil }?.event
        let confirmed = updates.last { $0.payload.confirmedAt != nil }?.event
        let closed = try events.payloads(IncidentClosed.self).first { $0.payload.incident == incident.id }?.event
        return ReportIncident(
            id: incident.id, symptom: incident.symptom, status: incident.status.rawValue,
            badVersion: incident.badVersion,
            goodVersion: incident.goodVersion, detectedAt: incident.detectedAt, detectedEvent: opened?.seq ?? 0,
            mitigatedAt: incident.tagMovedAt,
            mitigatedEvent: incident.tagMovedAt.flatMap { _ in (moved ?? updated)?.seq },
            confirmedAt: incident.confirmedAt, confirmedEvent: incident.confirmedAt.flatMap { _ in confirmed?.seq },
            confirmed: incident.confirmed, closedAt: incident.closedAt, closedEvent: closed?.seq)
    }

    /// What the play recorded on a tag move read straight from its event, as `TagMove.facts()` reads it.
    static func facts(of move: TagMoved, in event: Event) throws -> TagMoveFacts {
        do {
            return try EventFields.decode(TagMoveFacts.self, from: move.details)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: event.seq, kind: event.kind, reason: error.reason)
        }
    }

    static func attempts(events: [Event]) throws -> [LabAttempt] {
        var counts: [String: Int] = [:]
        return try LabStarted.attempts(in: events).map { event, start in
            let lab = start.lab
            counts[lab, default: 0] += 1
            return LabAttempt(
                lab: lab, attempt: counts[lab] ?? 1, startedAt: event.at, by: event.actor, event: event.seq,
                seed: start.seed)
        }
    }

    /// Each attempt at the rollback lab with the first incident opened during it (its setup fires the pager).
    static func rehearsals(_ attempts: [LabAttempt], incidents: [Incident]) -> [Rehearsal] {
        let starts = attempts.filter { $0.lab == rehearsalLab }
        return starts.enumerated().map { index, start in
            let end = index + 1 < starts.count ? starts[index + 1].startedAt : .distantFuture
            let incident = incidents.first { $0.openedAt >= start.startedAt && $0.openedAt < end }
            return Rehearsal(
                attempt: start.attempt, startedAt: start.startedAt, startEvent: start.event, incident: incident?.id)
        }
    }

    /// The attribution log in equal time buckets whose width is a round number of seconds.
    static func traffic(registryRoot: String, order: [ReportVersion]) throws -> ReportTraffic {
        var rows: [(at: Date, satisfied: Bool?, version: String)] = []
        try AttributionLog(registryRoot: registryRoot).forEach { record in
            rows.append((record.at, record.satisfied, record.version))
            return true
        }
        let labelled = rows.filter { $0.satisfied != nil }.count
        let satisfied = rows.filter { $0.satisfied == true }.count
        guard let first = rows.map(\.at).min(), let last = rows.map(\.at).max() else {
            return ReportTraffic(requests: 0, labelled: 0, satisfied: 0, bucketSeconds: 0, buckets: [])
        }
        let width = bucketWidth(span: last.timeIntervalSince(first))
        let origin = (first.timeIntervalSince1970 / Double(width)).rounded(.down) * Double(width)
        let rank = Dictionary(order.map { ($0.id, $0.seq) }, uniquingKeysWith: { first, _ in first })
        var buckets: [Int: TrafficBucket] = [:]
        for (offset, row) in rows.enumerated() {
            let key = Int(((row.at.timeIntervalSince1970 - origin) / Double(width)).rounded(.down))
            var bucket =
                buckets[key]
                ?? TrafficBucket(
                    start: Date(timeIntervalSince1970: origin + Double(key * width)), requests: 0, labelled: 0,
                    satisfied: 0, versions: [], firstLine: offset + 1, lastLine: offset + 1)
            bucket.requests += 1
            bucket.labelled += row.satisfied == nil ? 0 : 1
            bucket.satisfied += row.satisfied == true ? 1 : 0
            if !bucket.versions.contains(row.version) { bucket.versions.append(row.version) }
            bucket.firstLine = min(bucket.firstLine, offset + 1)
            bucket.lastLine = max(bucket.lastLine, offset + 1)
            buckets[key] = bucket
        }
        let ordered = buckets.keys.sorted().compactMap { key -> TrafficBucket? in
            guard var bucket = buckets[key] else { return nil }
            bucket.versions.sort { (rank[$0] ?? .max, $0) < (rank[$1] ?? .max, $1) }
            return bucket
        }
        return ReportTraffic(
            requests: rows.count, labelled: labelled, satisfied: satisfied, bucketSeconds: width, buckets: ordered)
    }

    /// The smallest round width that keeps the span within `maximumBuckets`.
    static func bucketWidth(span: TimeInterval) -> Int {
        let widths = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800,
            604_800,
        ]
        return widths.first { Double(maximumBuckets * $0) > span } ?? Int((span / Double(maximumBuckets)).rounded(.up))
    }

    /// The standard suite per category before the bad version arrived, while it served, and after rollback,
    /// for the incident the write-up is about (so the two documents tell the same story).
    static func categories(
        context: PlayContext, events: [Event], moves: [TagMove], evals: [ReportEval], incidents: [ReportIncident]
    ) throws -> CategoryComparison? {
        let chosen: Incident
        do {
            chosen = try Writeup.incident(nil, events: events, moves: moves)
        } catch is WriteupError {
            return nil  // no rolled-back incident yet: the page has no comparison to show
        }
        guard let incident = incidents.first(where: { $0.id == chosen.id }) else { return nil }
        return comparison(try phaseResults(context: context, moves: moves, evals: evals, incident: incident), incident)
    }

    /// The recorded standard-suite eval of each phase of a rolled-back incident, with its stored result: the
    /// restored version before the bad one arrived, the bad one while it served, the restored one after.
    static func phaseResults(context: PlayContext, moves: [TagMove], evals: [ReportEval], incident: ReportIncident)
        throws -> [(phase: PhaseEval, result: EvalResult)]
    {
        guard let bad = incident.badVersion, let good = incident.goodVersion, let restored = incident.mitigatedAt
        else { return [] }
        let arrival =
            moves.last { $0.to == bad && $0.at <= incident.detectedAt }?.at ?? moves.first { $0.to == bad }?.at
            ?? incident.detectedAt
        let picks: [(String, ReportEval?)] = [
            ("before", evals.last { $0.version == good && $0.at <= arrival } ?? evals.first { $0.version == good }),
            ("during", evals.last { $0.version == bad && $0.at <= restored } ?? evals.first { $0.version == bad }),
            ("after", evals.first { $0.version == good && $0.at >= restored }),
        ]
        var found: [(phase: PhaseEval, result: EvalResult)] = []
        for case (let phase, let eval?) in picks {
            let result: EvalResult
            do {
                result = try CanonicalJSON.decoder().decode(
                    EvalResult.self, from: try context.registry.objects.get(eval.result))
            } catch {
                throw RegistryError.corruptFile(
                    path: "objects/\(eval.result)",
                    reason: "the eval result of event #\(eval.event) does not read: \(error)")
            }
            found.append(
                (
                    PhaseEval(
                        phase: phase, version: eval.version, at: eval.at, passRate: eval.passRate, result: eval.result,
                        event: eval.event), result
                ))
        }
        return found
    }

    /// Per-category pass rates of the phases, one row per category any of them ran.
    static func comparison(_ found: [(phase: PhaseEval, result: EvalResult)], _ incident: ReportIncident)
        -> CategoryComparison?
    {
        guard !found.isEmpty else { return nil }
        let names = Set(found.flatMap(\.result.categories.keys)).sorted()
        let rows = names.map { name in
            CategoryRow(category: name, rates: found.map { $0.result.categories[name]?.passRate })
        }
        return CategoryComparison(incident: incident.id, phases: found.map(\.phase), rows: rows)
    }
}
