// What the room sees while a drill runs: production, the drill's incident and its clock, the laps reached, live
// label-free signals by version and who holds which role — computed from the drill's own workspace on every look.
// It is built without the fault's facts: nothing from the hidden `drill.fault` event (nor the drill's code, which
// names the fault as asked) reaches it, so a dashboard or a status line cannot give the game away.
public import Foundation
import Hashing
public import Playbook
import Registry

public struct DrillLiveView: Codable, Sendable, Equatable {
    /// The version serving customers now, and how it got there.
    public struct Production: Codable, Sendable, Equatable {
        public var id: String
        public var seq: Int?
        public var shortID: String
        /// When the production tag last moved to it.
        public var since: Date?
        public var movedBy: String?
        /// Why the tag moved (the promotion's or rollback's reason).
        public var moveReason: String?
        /// Why the version was registered.
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case id, seq, since, reason
            case shortID = "short_id"
            case movedBy = "moved_by"
            case moveReason = "move_reason"
        }
    }

    /// The drill's incident as the monitor opened it and the team worked it.
    public struct LiveIncident: Codable, Sendable, Equatable {
        public var id: String
        public var status: String
        public var detectedAt: Date
        public var closedAt: Date?
        /// Seconds since detection; detection to close once it is closed.
        public var clockSeconds: Double
        public var symptom: String

        enum CodingKeys: String, CodingKey {
            case id, status, symptom
            case detectedAt = "detected_at"
            case closedAt = "closed_at"
            case clockSeconds = "clock_s"
        }
    }

    /// One version's label-free signals over the live window.
    public struct VersionLive: Codable, Sendable, Equatable {
        public var version: String
        public var seq: Int?
        public var shortID: String
        public var production: Bool
        public var requests: Int
        public var escalationRate: Double
        public var refusalRate: Double
        public var clarifyRate: Double
        public var citationRate: Double
        public var meanConfidence: Double

        enum CodingKeys: String, CodingKey {
            case version, seq, production, requests
            case shortID = "short_id"
            case escalationRate = "escalation_rate"
            case refusalRate = "refusal_rate"
            case clarifyRate = "clarify_rate"
            case citationRate = "citation_rate"
            case meanConfidence = "mean_confidence"
        }

        /// "#7 3fa91c2e0b1d".
        public var label: String { seq.map { "#\($0) \(shortID)" } ?? shortID }
    }

    public var drill: String
    public var startedAt: Date
    /// When the view was computed.
    public var at: Date
    public var elapsedSeconds: Double
    public var endedAt: Date?
    public var production: Production?
    public var incident: LiveIncident?
    /// Every phase in order; a pending one has no time.
    public var laps: [Lap]
    public var signalWindowSeconds: Double
    /// Versions that answered in the window, production first, then by request count.
    public var signals: [VersionLive]
    public var participants: [Participant]

    enum CodingKeys: String, CodingKey {
        case drill, at, production, incident, laps, signals, participants
        case startedAt = "started_at"
        case elapsedSeconds = "elapsed_s"
        case endedAt = "ended_at"
        case signalWindowSeconds = "signal_window_s"
    }

    /// Seconds of live traffic the signals cover.
    public static let window: Double = 60

    /// The drill `state` as its own workspace shows it now.
    public static func compute(state: DrillState, in context: PlayContext) throws -> DrillLiveView {
        let now = context.now()
        let registry = context.registry
        let events = try registry.events()
        let folding = DrillTimeline.fold(events: events, drill: state.id)
        var versions: [String: (seq: Int, reason: String)] = [:]
        for event in events where event.kind == EventKind.versionRegistered {
            if let id = event.data["id"], let seq = event.data["seq"].flatMap(Int.init) {
                versions[id] = (seq, event.data["reason"] ?? "")
            }
        }
        var production: Production?
        if let id = registry.tag("production") {
            let move = events.last {
                $0.kind == EventKind.tagMoved && $0.data["tag"] == "production" && $0.data["to"] == id
            }
            production = Production(
                id: id, seq: versions[id]?.seq, shortID: String(id.prefix(12)), since: move?.at, movedBy: move?.actor,
                moveReason: move?.data["reason"], reason: versions[id]?.reason)
        }
        let incident = folding?.incident.map { incident -> LiveIncident in
            let end = incident.closedAt ?? now
            return LiveIncident(
                id: incident.id, status: incident.status, detectedAt: incident.detectedAt, closedAt: incident.closedAt,
                clockSeconds: max(0, end.timeIntervalSince(incident.detectedAt)), symptom: incident.symptom)
        }
        let records = try tail(AttributionLog(registryRoot: registry.root), since: now.addingTimeInterval(-window))
        let computed = Signals.compute(records)
        let signals = computed.values.map { signals in
            VersionLive(
                version: signals.version, seq: versions[signals.version]?.seq,
                shortID: String(signals.version.prefix(12)), production: signals.version == production?.id,
                requests: signals.requests, escalationRate: signals.escalationRate, refusalRate: signals.refusalRate,
                clarifyRate: signals.clarifyRate, citationRate: signals.citationRate,
                meanConfidence: signals.meanConfidence)
        }.sorted { a, b in
            if a.production != b.production { return a.production }
            if a.requests != b.requests { return a.requests > b.requests }
            return a.version < b.version
        }
        let started = folding?.startedAt ?? state.startedAt
        return DrillLiveView(
            drill: state.id, startedAt: started, at: now,
            elapsedSeconds: max(0, (folding?.endedAt ?? now).timeIntervalSince(started)), endedAt: folding?.endedAt,
            production: production, incident: incident,
            laps: folding?.laps
                ?? Phase.allCases.map { Lap(phase: $0, at: nil, seconds: nil, event: nil, by: nil, role: nil) },
            signalWindowSeconds: window, signals: signals, participants: folding?.participants ?? [])
    }

    /// The requests answered since `since`, read from the end of the log only: a few hundred lines at a time,
    /// growing until the oldest read is older than `since` (the log is in time order).
    static func tail(_ log: AttributionLog, since: Date) throws -> [RequestRecord] {
        var limit = 256
        while true {
            let records = try log.recent(limit: limit)
            if records.count < limit || (records.first.map { $0.at < since } ?? true) || limit >= 1 << 16 {
                return records.filter { $0.at >= since }
            }
            limit *= 4
        }
    }

    /// The lap a phase reached, if it did.
    public func lap(_ phase: Phase) -> Lap? { laps.first { $0.phase == phase && $0.at != nil } }

    /// Who holds `role` now.
    public func holders(of role: DrillRole) -> [String] {
        participants.filter { $0.roles.contains(role) }.map(\.name)
    }
}
