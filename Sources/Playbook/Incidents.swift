// Incidents: opened, updated by rollbacks, closed — each change one event; the record is folded from events
// and mirrored to incidents/<id>.json for people to read, in the event's own transaction (IncidentRecords.swift).
public import Foundation
import Hashing
public import Registry

public struct Incident: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CustomStringConvertible {
        case open, mitigated, closed
        public var description: String { rawValue }
    }

    /// Who opened it: a person, a rollback that found none open, the monitor's alarm, or a drill's script.
    public enum Source: String, Codable, Sendable, CustomStringConvertible {
        case manual, rollback, monitor, drill
        public var description: String { rawValue }
    }

    public var id: String
    public var symptom: String
    public var status: Status
    public var openedBy: String
    public var openedAt: Date
    public var detectedAt: Date
    public var badVersion: String?
    public var goodVersion: String?
    public var tagMovedAt: Date?
    public var confirmedAt: Date?
    public var confirmed: Bool?
    public var timeToRollbackSeconds: Double?
    public var resolution: String?
    public var closedAt: Date?
    public var source: Source
    /// The live evidence that confirmed the rollback, when live signals did (`incident confirm`).
    public var liveEvidence: LiveConfirmation?
    /// Closed as a false alarm: the version it named was not at fault, so it does not count against it and is
    /// no failed deployment.
    public var falseAlarm: Bool?

    enum CodingKeys: String, CodingKey {
        case id, symptom, status, resolution, confirmed, source
        case liveEvidence = "live_evidence"
        case openedBy = "opened_by"
        case openedAt = "opened_at"
        case detectedAt = "detected_at"
        case badVersion = "bad_version"
        case goodVersion = "good_version"
        case tagMovedAt = "tag_moved_at"
        case confirmedAt = "confirmed_at"
        case timeToRollbackSeconds = "time_to_rollback_s"
        case closedAt = "closed_at"
        case falseAlarm = "false_alarm"
    }
}

/// `incident.opened`: the symptom and its detection time, which starts the rollback clock.
public struct IncidentOpened: EventPayload {
    public static let kind = "incident.opened"
    public var incident: String
    public var symptom: String
    /// Absent in a hand-written record: detected when it was opened.
    public var detectedAt: Date?
    /// Absent in a hand-written record: opened by a person (`manual`).
    public var source: Incident.Source?
    /// Production when it was opened (or the version named), if any.
    public var badVersion: String?
    /// The drill during which it was opened: a drill's incidents are marked so its scoring finds them.
    public var drillID: String?

    public init(
        incident: String, symptom: String, detectedAt: Date?, source: Incident.Source?, badVersion: String?,
        drillID: String? = nil
    ) {
        self.incident = incident
        self.symptom = symptom
        self.detectedAt = detectedAt
        self.source = source
        self.badVersion = badVersion
        self.drillID = drillID
    }

    enum CodingKeys: String, CodingKey {
        case incident, symptom, source
        case detectedAt = "detected_at"
        case badVersion = "bad_version"
        case drillID = "drill_id"
    }
}

/// `incident.updated`: facts a rollback established (versions, when the tag moved, whether the restored version
/// was confirmed good); fields it does not name stay as they were.
public struct IncidentUpdated: EventPayload {
    public static let kind = "incident.updated"
    public var incident: String
    public var badVersion: String?
    public var goodVersion: String?
    public var tagMovedAt: Date?
    /// Seconds from detection to the tag move, written with three decimals.
    public var timeToRollback: FormattedNumber?
    /// Only ever `mitigated`: an update never reopens or closes an incident.
    public var status: Incident.Status?
    public var confirmed: Bool?
    public var confirmedAt: Date?
    /// What confirmed it live: the version whose last healthy window was the bound, its requests in that window,
    /// and the restored version's live requests judged against it.
    public var liveBaseline: String?
    public var liveBaselineRequests: Int?
    public var liveRequests: Int?

    public init(
        incident: String, badVersion: String? = nil, goodVersion: String? = nil, tagMovedAt: Date? = nil,
        timeToRollback: FormattedNumber? = nil, status: Incident.Status? = nil, confirmed: Bool? = nil,
        confirmedAt: Date? = nil, liveEvidence: LiveConfirmation? = nil
    ) {
        liveBaseline = liveEvidence?.baseline
        liveBaselineRequests = liveEvidence?.baselineRequests
        liveRequests = liveEvidence?.requests
        self.incident = incident
        self.badVersion = badVersion
        self.goodVersion = goodVersion
        self.tagMovedAt = tagMovedAt
        self.timeToRollback = timeToRollback
        self.status = status
        self.confirmed = confirmed
        self.confirmedAt = confirmedAt
    }

    enum CodingKeys: String, CodingKey {
        case incident, status, confirmed
        case badVersion = "bad_version"
        case goodVersion = "good_version"
        case tagMovedAt = "tag_moved_at"
        case timeToRollback = "time_to_rollback_s"
        case confirmedAt = "confirmed_at"
        case liveBaseline = "live_baseline"
        case liveBaselineRequests = "live_baseline_requests"
        case liveRequests = "live_requests"
    }

    /// The live evidence it records, when it records one.
    public var liveEvidence: LiveConfirmation? {
        guard let liveBaseline, let liveBaselineRequests, let liveRequests else { return nil }
        return LiveConfirmation(baseline: liveBaseline, baselineRequests: liveBaselineRequests, requests: liveRequests)
    }
}

/// `incident.closed`: how it ended.
public struct IncidentClosed: EventPayload {
    public static let kind = "incident.closed"
    public var incident: String
    public var resolution: String
    /// True when closed as a false alarm: the version it named was not at fault (absent: it was not one).
    public var falseAlarm: Bool?

    public init(incident: String, resolution: String, falseAlarm: Bool? = nil) {
        self.incident = incident
        self.resolution = resolution
        self.falseAlarm = falseAlarm
    }

    enum CodingKeys: String, CodingKey {
        case incident, resolution
        case falseAlarm = "false_alarm"
    }
}

public enum Incidents {
    public static let opened = IncidentOpened.kind
    public static let updated = IncidentUpdated.kind
    public static let closed = IncidentClosed.kind

    /// Every incident folded from the event log, oldest first. A damaged incident event is an error naming it.
    public static func all(events: [Event]) throws -> [Incident] {
        var byID: [String: Incident] = [:]
        var order: [String] = []
        for event in events {
            switch event.kind {
            case opened:
                let opened = try event.payload(as: IncidentOpened.self)
                byID[opened.incident] = Incident(
                    id: opened.incident, symptom: opened.symptom, status: .open, openedBy: event.actor,
                    openedAt: event.at, detectedAt: opened.detectedAt ?? event.at, badVersion: opened.badVersion,
                    goodVersion: nil, tagMovedAt: nil, confirmedAt: nil, confirmed: nil, timeToRollbackSeconds: nil,
                    resolution: nil, closedAt: nil, source: opened.source ?? .manual, liveEvidence: nil,
                    falseAlarm: nil)
                order.append(opened.incident)
            case updated:
                let update = try event.payload(as: IncidentUpdated.self)
                guard var incident = byID[update.incident] else { continue }
                if let bad = update.badVersion { incident.badVersion = bad }
                if let good = update.goodVersion { incident.goodVersion = good }
                if let moved = update.tagMovedAt { incident.tagMovedAt = moved }
                if let confirmedAt = update.confirmedAt { incident.confirmedAt = confirmedAt }
                if let confirmed = update.confirmed { incident.confirmed = confirmed }
                if let live = update.liveEvidence { incident.liveEvidence = live }
                if let seconds = update.timeToRollback { incident.timeToRollbackSeconds = seconds.value }
                if incident.status == .open, update.status == .mitigated { incident.status = .mitigated }
                byID[update.incident] = incident
            case closed:
                let closing = try event.payload(as: IncidentClosed.self)
                byID[closing.incident]?.status = .closed
                byID[closing.incident]?.resolution = closing.resolution
                byID[closing.incident]?.closedAt = event.at
                byID[closing.incident]?.falseAlarm = closing.falseAlarm
            default:
                continue
            }
        }
        return order.compactMap { byID[$0] }
    }

    public static func find(_ id: String, events: [Event]) throws -> Incident {
        guard let incident = try all(events: events).first(where: { $0.id == id }) else {
            throw PlaybookError.unknownIncident(id)
        }
        return incident
    }

    /// Opens an incident; its detection time starts the rollback clock. `drillID` marks it as a running drill's.
    public static func open(
        symptom: String, detectedAt: Date?, badVersion: String?, by actor: String, source: Incident.Source = .manual,
        drillID: String? = nil, in context: PlayContext
    ) throws -> Incident {
        try opening(
            symptom: symptom, detectedAt: detectedAt, badVersion: badVersion, by: actor, source: source,
            drillID: drillID, in: context
        ).incident
    }

    /// `open`, with the event that recorded it (for a play that names what it recorded when a later step fails).
    static func opening(
        symptom: String, detectedAt: Date?, badVersion: String?, by actor: String, source: Incident.Source,
        drillID: String?, in context: PlayContext
    ) throws -> (incident: Incident, event: Event) {
        guard !symptom.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PlaybookError.invalid("An incident needs a symptom: pass --symptom TEXT describing what users see.")
        }
        let detected = detectedAt ?? context.now()
        try checkDetection(
            detected, badVersion: badVersion ?? context.registry.tag("production"), in: context)
        return try write(by: actor, in: context) { events in
            let id = String(format: "INC-%04d", try all(events: events).count + 1)
            let opening = IncidentOpened(
                incident: id, symptom: symptom, detectedAt: detected, source: source,
                badVersion: badVersion ?? context.registry.tag("production"), drillID: drillID)
            return (opening, id)
        }
    }

    /// When `version` last reached production (the start of its latest stint), from the tag moves.
    static func arrival(of version: String, events: [Event]) throws -> Date? {
        try events.payloads(TagMoved.self).last { $0.payload.tag == "production" && $0.payload.to == version }?.event.at
    }

    /// A detection time cannot be in the future, nor before the bad version reached production: a symptom is
    /// seen only while the version that causes it is live. Both times are named so the person can correct it.
    public static func checkDetection(_ detected: Date, badVersion: String?, in context: PlayContext) throws {
        let now = context.now()
        try TimeParsing.refuseFuture(detected, given: "The detection time", now: now)
        guard let badVersion, let arrived = try arrival(of: badVersion, events: try context.registry.events()),
            detected < arrived
        else { return }
        let record = try context.registry.record(id: badVersion)
        throw PlaybookError.invalid(
            "The detection time \(Timestamp.string(from: detected)) is before the bad version #\(record.seq) "
                + "\(record.shortID) reached production at \(Timestamp.string(from: arrived)); give a time after that, "
                + "or leave out --detected-at to mean now.")
    }

    /// Records facts about an incident (rollback times, versions) as one event.
    @discardableResult
    public static func update(_ update: IncidentUpdated, by actor: String, in context: PlayContext) throws -> Incident {
        try write(by: actor, in: context) { events in
            guard try find(update.incident, events: events).status != .closed else {
                throw PlaybookError.incidentClosed(update.incident)
            }
            return (update, update.incident)
        }.incident
    }

    /// Closes an incident; `falseAlarm` records that the version it named was not at fault, so it no longer
    /// counts against that version (the last known good's rule reads it) and is no failed deployment.
    public static func close(
        _ id: String, resolution: String, falseAlarm: Bool = false, by actor: String, in context: PlayContext
    ) throws -> Incident {
        guard !resolution.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PlaybookError.invalid("Closing an incident needs --resolution TEXT saying how it ended.")
        }
        return try write(by: actor, in: context) { events in
            guard try find(id, events: events).status != .closed else { throw PlaybookError.incidentClosed(id) }
            return (IncidentClosed(incident: id, resolution: resolution, falseAlarm: falseAlarm ? true : nil), id)
        }.incident
    }

    /// Appends one incident event under the writer lock, with the records it implies written in the event's own
    /// transaction: the incident's own, and any that a crash or an older LabRunner left missing or stale, so the
    /// next incident writer repairs the folder. What no event backs (stray records, temps) is removed after.
    /// `prepare` reads the events and returns the payload and the incident it is about, or throws to refuse.
    /// A failure after the event is recorded says so, naming the incident and the event.
    static func write<P: EventPayload>(
        by actor: String, in context: PlayContext, _ prepare: ([Event]) throws -> (payload: P, incident: String)
    ) throws -> (incident: Incident, event: Event) {
        try context.requireOnRoster(actor)
        let registry = context.registry
        var id: String?
        do {
            return try registry.write { writer -> (incident: Incident, event: Event) in
                let events = try registry.events()
                let (payload, incident) = try prepare(events)
                id = incident
                var incidents: [Incident] = []
                let event = try writer.append(payload, actor: actor) { event in
                    incidents = try all(events: events + [event])
                    return try IncidentRecords.outdated(incidents, in: registry)
                }
                IncidentRecords.removeStrays(keeping: incidents, in: registry, writer)
                guard let written = incidents.first(where: { $0.id == incident }) else {
                    throw PlaybookError.unknownIncident(incident)
                }
                return (written, event)
            }
        } catch RegistryError.writeRecorded(let path, let reason, let event, let kind) {
            guard let id else {
                throw RegistryError.writeRecorded(path: path, reason: reason, event: event, kind: kind)
            }
            throw PlaybookError.incidentRecorded(id: id, event: event, kind: kind, path: path, reason: reason)
        }
    }
}
