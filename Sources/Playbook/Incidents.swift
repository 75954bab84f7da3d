// Incidents: opened, updated by rollbacks, closed — each change one event; the record is folded from events
// and mirrored to incidents/<id>.json for people to read.
public import Foundation
import Hashing
public import Registry

public struct Incident: Codable, Sendable, Equatable {
    public var id: String
    public var symptom: String
    public var status: String
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
    public var source: String

    enum CodingKeys: String, CodingKey {
        case id, symptom, status, resolution, confirmed, source
        case openedBy = "opened_by"
        case openedAt = "opened_at"
        case detectedAt = "detected_at"
        case badVersion = "bad_version"
        case goodVersion = "good_version"
        case tagMovedAt = "tag_moved_at"
        case confirmedAt = "confirmed_at"
        case timeToRollbackSeconds = "time_to_rollback_s"
        case closedAt = "closed_at"
    }
}

public enum Incidents {
    public static let opened = "incident.opened"
    public static let updated = "incident.updated"
    public static let closed = "incident.closed"

    /// Every incident folded from the event log, oldest first.
    public static func all(events: [Event]) -> [Incident] {
        var byID: [String: Incident] = [:]
        var order: [String] = []
        for event in events {
            guard let id = event.data["incident"] else { continue }
            switch event.kind {
            case opened:
                let detected = event.data["detected_at"].flatMap(Timestamp.date(from:)) ?? event.at
                byID[id] = Incident(
                    id: id, symptom: event.data["symptom"] ?? "", status: "open", openedBy: event.actor,
                    openedAt: event.at, detectedAt: detected, badVersion: event.data["bad_version"], goodVersion: nil,
                    tagMovedAt: nil, confirmedAt: nil, confirmed: nil, timeToRollbackSeconds: nil, resolution: nil,
                    closedAt: nil, source: event.data["source"] ?? "manual")
                order.append(id)
            case updated:
                guard var incident = byID[id] else { continue }
                if let bad = event.data["bad_version"] { incident.badVersion = bad }
                if let good = event.data["good_version"] { incident.goodVersion = good }
                if let moved = event.data["tag_moved_at"].flatMap(Timestamp.date(from:)) { incident.tagMovedAt = moved }
                if let confirmedAt = event.data["confirmed_at"].flatMap(Timestamp.date(from:)) {
                    incident.confirmedAt = confirmedAt
                }
                if let confirmed = event.data["confirmed"] { incident.confirmed = confirmed == "true" }
                if let seconds = event.data["time_to_rollback_s"].flatMap(Double.init) {
                    incident.timeToRollbackSeconds = seconds
                }
                if incident.status == "open", event.data["status"] == "mitigated" { incident.status = "mitigated" }
                byID[id] = incident
            case closed:
                byID[id]?.status = "closed"
                byID[id]?.resolution = event.data["resolution"]
                byID[id]?.closedAt = event.at
            default:
                continue
            }
        }
        return order.compactMap { byID[$0] }
    }

    public static func find(_ id: String, events: [Event]) throws -> Incident {
        guard let incident = all(events: events).first(where: { $0.id == id }) else {
            throw PlaybookError.unknownIncident(id)
        }
        return incident
    }

    /// Opens an incident; its detection time starts the rollback clock.
    /// `marks` are extra fields on the opening event (a drill's `drill_id`).
    public static func open(
        symptom: String, detectedAt: Date?, badVersion: String?, by actor: String, source: String = "manual",
        marks: [String: String] = [:], in context: PlayContext
    ) throws -> Incident {
        guard !symptom.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PlaybookError.invalid("An incident needs a symptom: pass --symptom TEXT describing what users see.")
        }
        let detected = detectedAt ?? context.now()
        try checkDetection(
            detected, badVersion: badVersion ?? context.registry.tag("production"), in: context)
        let incident = try context.registry.write { writer -> Incident in
            let id = String(format: "INC-%04d", all(events: try context.registry.events()).count + 1)
            var data = marks.merging([
                "incident": id, "symptom": symptom, "detected_at": Timestamp.string(from: detected), "source": source,
            ]) { _, fixed in fixed }
            data["bad_version"] = badVersion ?? context.registry.tag("production")
            try writer.append(kind: opened, actor: actor, data: data)
            return try find(id, events: try context.registry.events())
        }
        try mirror(incident, in: context)
        return incident
    }

    /// When `version` last reached production (the start of its latest stint), from the tag moves.
    static func arrival(of version: String, events: [Event]) -> Date? {
        events.last {
            $0.kind == EventKind.tagMoved && $0.data["tag"] == "production" && $0.data["to"] == version
        }?.at
    }

    /// A detection time cannot be in the future, nor before the bad version reached production: a symptom is
    /// seen only while the version that causes it is live. Both times are named so the person can correct it.
    public static func checkDetection(_ detected: Date, badVersion: String?, in context: PlayContext) throws {
        let now = context.now()
        try TimeParsing.refuseFuture(detected, given: "The detection time", now: now)
        guard let badVersion, let arrived = arrival(of: badVersion, events: try context.registry.events()),
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
    public static func update(_ id: String, facts: [String: String], by actor: String, in context: PlayContext)
        throws -> Incident
    {
        let incident = try context.registry.write { writer -> Incident in
            let current = try find(id, events: try context.registry.events())
            guard current.status != "closed" else { throw PlaybookError.incidentClosed(id) }
            var data = facts
            data["incident"] = id
            try writer.append(kind: updated, actor: actor, data: data)
            return try find(id, events: try context.registry.events())
        }
        try mirror(incident, in: context)
        return incident
    }

    public static func close(_ id: String, resolution: String, by actor: String, in context: PlayContext) throws
        -> Incident
    {
        guard !resolution.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PlaybookError.invalid("Closing an incident needs --resolution TEXT saying how it ended.")
        }
        let incident = try context.registry.write { writer -> Incident in
            let current = try find(id, events: try context.registry.events())
            guard current.status != "closed" else { throw PlaybookError.incidentClosed(id) }
            try writer.append(kind: closed, actor: actor, data: ["incident": id, "resolution": resolution])
            return try find(id, events: try context.registry.events())
        }
        try mirror(incident, in: context)
        return incident
    }

    /// Writes the folded record to incidents/<id>.json (derived; the events are the truth).
    static func mirror(_ incident: Incident, in context: PlayContext) throws {
        let folder = context.registry.root + "/incidents"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = Data(try CanonicalJSON.prettyString(incident).utf8)
        try data.write(to: URL(fileURLWithPath: "\(folder)/\(incident.id).json"), options: .atomic)
    }
}
