// What the room sees while a drill runs: production, the drill's incident and its clock, the laps reached, live
// label-free signals by version and who holds which role — computed from the drill's own workspace on every look.
// It takes nothing from the fault's facts: of the drill's folding it reads the incident, laps and participants,
// never `fault`, and it leaves out the drill's code (which names the fault as asked), so a dashboard or a status
// line cannot give the game away. (The diagnosed lap is reached by naming the version that was in production at
// the alarm, which the page shows anyway.)
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
        /// Closed while production is still the version the incident names bad: shown red, not green.
        public var closedWhileServing: Bool = false

        /// Closed, with the version the incident names no longer in production.
        public var settled: Bool { status == "closed" && !closedWhileServing }

        enum CodingKeys: String, CodingKey {
            case id, status, symptom
            case detectedAt = "detected_at"
            case closedAt = "closed_at"
            case clockSeconds = "clock_s"
            case closedWhileServing = "closed_while_serving"
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

    /// Every answer of one slice of the drill's time (`DrillSignalFeed.sliceSeconds`), whichever version gave it:
    /// what customers got, for the charts over time.
    public struct Slice: Codable, Sendable, Equatable {
        /// Seconds from the drill's start to the slice's start.
        public var seconds: Double
        public var signals: VersionLive
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
    /// The drill's process (`drill start`) is gone while the drill is not ended: it is no longer running.
    public var supervisorGone: Bool = false
    /// The incident commander now (one at a time; the role passes by handoff).
    public var commander: String?
    /// The version in production when the drill began, over every answer it gave during the drill: the baseline
    /// the signals are read against, for the whole drill.
    public var baseline: VersionLive?
    /// The drill's answers slice by slice, oldest first, since the drill began (a view whose feed first looked
    /// later starts at its first look's window).
    public var series: [Slice] = []

    enum CodingKeys: String, CodingKey {
        case drill, at, production, incident, laps, signals, participants, commander, baseline, series
        case supervisorGone = "supervisor_gone"
        case startedAt = "started_at"
        case elapsedSeconds = "elapsed_s"
        case endedAt = "ended_at"
        case signalWindowSeconds = "signal_window_s"
    }

    /// Seconds of live traffic the signals cover.
    public static let window: Double = 60

    /// The drill `state` as its own workspace shows it now. A look that keeps `feed` between calls (the service,
    /// `drill status` redrawing) decodes only the requests answered since its previous look.
    public static func compute(state: DrillState, in context: PlayContext, feed: DrillSignalFeed = DrillSignalFeed())
        throws -> DrillLiveView
    {
        let now = context.now()
        let registry = context.registry
        let events = try registry.events()
        let folding = try DrillTimeline.fold(events: events, drill: state.id)
        var versions: [String: (seq: Int, reason: String)] = [:]
        for (_, registered) in try events.payloads(VersionRegistered.self) {
            versions[registered.id] = (registered.seq, registered.reason)
        }
        var production: Production?
        if let id = registry.tag("production") {
            let move = try events.payloads(TagMoved.self).last { $0.payload.tag == "production" && $0.payload.to == id }
            production = Production(
                id: id, seq: versions[id]?.seq, shortID: String(id.prefix(12)), since: move?.event.at,
                movedBy: move?.event.actor, moveReason: move?.payload.reason, reason: versions[id]?.reason)
        }
        // A live canary serves its slice too: closing while it is the version named bad is closing on live harm.
        let serving = registry.tag("production")
        let canary = CanarySlice.live(canary: registry.tag(CanarySlice.tag), production: serving)
        let incident = folding?.incident.map { incident -> LiveIncident in
            let end = incident.closedAt ?? now
            return LiveIncident(
                id: incident.id, status: incident.status.rawValue, detectedAt: incident.detectedAt,
                closedAt: incident.closedAt,
                clockSeconds: max(0, end.timeIntervalSince(incident.detectedAt)), symptom: incident.symptom,
                closedWhileServing: incident.closedAt != nil && incident.badVersion != nil
                    && [serving, canary].contains(incident.badVersion))
        }
        var computed: [String: VersionSignals] = [:]
        let log = AttributionLog(registryRoot: registry.root)
        let started = folding?.startedAt ?? state.startedAt
        let look = try feed.look(log, since: now.addingTimeInterval(-window), origin: started)
        for answered in look.window {
            guard let one = answered.signals else { continue }
            computed[answered.version, default: VersionSignals(version: answered.version)].merge(one)
        }
        let signals = computed.values.map { signals in
            VersionLive(signals, seq: versions[signals.version]?.seq, production: signals.version == production?.id)
        }.sorted { a, b in
            if a.production != b.production { return a.production }
            if a.requests != b.requests { return a.requests > b.requests }
            return a.version < b.version
        }
        // Production when the drill began: the last move at or before its start (the laid history's).
        let atStart = try events.payloads(TagMoved.self).last {
            $0.payload.tag == "production" && $0.event.at <= started
        }
        let baseline = atStart.flatMap { look.totals[$0.payload.to] }.map {
            VersionLive($0, seq: versions[$0.version]?.seq, production: $0.version == production?.id)
        }
        let series = look.slices.map { index, signals in
            Slice(
                seconds: Double(index) * DrillSignalFeed.sliceSeconds,
                signals: VersionLive(signals, seq: nil, production: false))
        }
        return DrillLiveView(
            drill: state.id, startedAt: started, at: now,
            elapsedSeconds: max(0, (folding?.endedAt ?? now).timeIntervalSince(started)), endedAt: folding?.endedAt,
            production: production, incident: incident,
            laps: folding?.laps
                ?? Phase.allCases.map { Lap(phase: $0, at: nil, seconds: nil, event: nil, by: nil, role: nil) },
            signalWindowSeconds: window, signals: signals, participants: folding?.participants ?? [],
            supervisorGone: folding?.endedAt == nil && !state.isRunning, commander: folding?.commander,
            baseline: baseline, series: series)
    }

    /// The lap a phase reached, if it did.
    public func lap(_ phase: Phase) -> Lap? { laps.first { $0.phase == phase && $0.at != nil } }

    /// Who holds `role` now.
    public func holders(of role: DrillRole) -> [String] {
        if role == .commander, let commander { return [commander] }
        return participants.filter { $0.roles.contains(role) }.map(\.name)
    }
}

extension DrillLiveView.VersionLive {
    init(_ signals: VersionSignals, seq: Int?, production: Bool) {
        self.init(
            version: signals.version, seq: seq, shortID: String(signals.version.prefix(12)), production: production,
            requests: signals.requests, escalationRate: signals.escalationRate, refusalRate: signals.refusalRate,
            clarifyRate: signals.clarifyRate, citationRate: signals.citationRate,
            meanConfidence: signals.meanConfidence)
    }
}

/// The live window of answers, read from the end of the attribution log and kept between looks, so each look
/// decodes only what was answered since the previous one (decoding a request line is what a look costs).
public final class DrillSignalFeed: @unchecked Sendable {
    // Guarded by `lock`: the service answers dashboard requests on several threads.
    private let lock = NSLock()
    private var kept: [Answered] = []
    private var ids: Set<String> = []
    /// Every answer seen since the drill began, by version and by slice of time, counted once, when first read.
    private var totals: [String: VersionSignals] = [:]
    private var slices: [Int: VersionSignals] = [:]
    /// The newest answer's time read so far, and the answers counted within `lateness` of it (older ones are all
    /// counted), so no answer is counted twice.
    private var watermark: Date?
    private var counted: [String: Date] = [:]
    static let lateness: TimeInterval = 5

    /// The length of one slice of the charts over time.
    public static let sliceSeconds: Double = 10

    struct Look {
        var window: [Answered]
        var totals: [String: VersionSignals]
        /// (slice index from the drill's start, every answer in it), oldest first.
        var slices: [(Int, VersionSignals)]
    }

    struct Answered {
        var id: String
        var at: Date
        var version: String
        /// The answer's signals (nil for a logged output that is not an answer, kept so it is not read again),
        /// without its intent and document mixes, which the view does not show.
        var signals: VersionSignals?
    }

    public init() {}

    /// The answers logged at or after `since`, in log order, and the drill's answers since `origin` counted by
    /// version and slice (the first look reads back to `origin`; later ones count what is new).
    func look(_ log: AttributionLog, since: Date, origin: Date) throws -> Look {
        try lock.withLock {
            // Back to the newest answer counted (less a margin for lines logged a little out of order), so answers
            // logged between two looks further apart than the window are counted too.
            let from = min(since, watermark.map { $0.addingTimeInterval(-Self.lateness) } ?? origin)
            let newest = kept.map(\.at).max()
            // Read back until the oldest line read is one already kept or older than the window.
            var limit = kept.isEmpty ? 128 : 16
            var lines: [RequestRecord] = []
            while true {
                lines = try log.recent(limit: limit)
                guard lines.count == limit, let oldest = lines.first, oldest.at >= from, !ids.contains(oldest.id),
                    limit < 1 << 18
                else { break }
                // Grow by the rate the lines read show, so a first look reads the window in about two reads.
                let span = (lines.last?.at ?? oldest.at).timeIntervalSince(oldest.at)
                let reach = (lines.last?.at ?? oldest.at).timeIntervalSince(max(from, newest ?? from))
                let needed = span > 0 ? Int(Double(limit) * reach / span * 1.2) + 16 : limit * 4
                limit = max(limit * 2, needed)
            }
            for record in lines where record.at >= from {
                let isNew =
                    counted[record.id] == nil
                    && watermark.map { record.at > $0.addingTimeInterval(-Self.lateness) } ?? true
                let keep = record.at >= since && !ids.contains(record.id)
                guard isNew || keep else { continue }
                let signals = Signals.answer(of: record).map { answer -> VersionSignals in
                    var one = VersionSignals(version: record.version)
                    one.add(answer)
                    one.intents = [:]
                    one.documents = [:]
                    return one
                }
                if isNew, let signals {
                    counted[record.id] = record.at
                    totals[record.version, default: VersionSignals(version: record.version)].merge(signals)
                    let slice = Int(max(0, record.at.timeIntervalSince(origin)) / Self.sliceSeconds)
                    slices[slice, default: VersionSignals(version: "")].merge(signals)
                }
                guard keep else { continue }
                kept.append(Answered(id: record.id, at: record.at, version: record.version, signals: signals))
                ids.insert(record.id)
            }
            kept.removeAll { answered in
                guard answered.at < since else { return false }
                ids.remove(answered.id)
                return true
            }
            if let last = lines.last?.at, last > watermark ?? .distantPast { watermark = last }
            if let watermark { counted = counted.filter { $0.value > watermark.addingTimeInterval(-Self.lateness) } }
            return Look(
                window: kept, totals: totals, slices: slices.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}
