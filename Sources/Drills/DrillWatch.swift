// The drill's monitor: the same label-free comparison and monitor rule the `monitor` command uses, one look at a
// time, alarming on two looks in a row. It raises the alarm (an incident marked with the drill's id) when the
// serving version's signals shift from the previous production version's window, and records recovery when,
// after production moved, the restored version's live signals are back within bounds of its last healthy window
// for a whole window: the rollback's own live rule, `Recovery.judge`.
public import Foundation
public import Playbook
public import Registry
import Serving

public enum WatchOutcome: Sendable, Equatable {
    case quiet
    case alarm(incident: String)
    case recovered(version: String)
}

/// `drill.recovered`: the restored version's live signals were back within bounds of the baseline for a window.
/// The only drill event without the drill mark: it is the monitor's, like the alarm, and names its drill.
public struct DrillRecovered: EventPayload {
    public static let kind = "drill.recovered"
    public var drill: String
    public var incident: String
    /// The version production serves again.
    public var version: String
    /// The version whose pre-fault window it was compared against.
    public var baseline: String
    public var requests: Int
    public var windowSeconds: Int

    public init(
        drill: String, incident: String, version: String, baseline: String, requests: Int, windowSeconds: Int
    ) {
        self.drill = drill
        self.incident = incident
        self.version = version
        self.baseline = baseline
        self.requests = requests
        self.windowSeconds = windowSeconds
    }

    enum CodingKeys: String, CodingKey {
        case drill, incident, version, baseline, requests
        case windowSeconds = "window_s"
    }
}

public struct DrillWatch: Sendable {
    private var watch: SignalWatch
    public let drill: String
    /// Seconds of traffic each comparison looks at.
    public let window: Double
    /// The drill's start: the monitor watches changes made during the drill, not the laid history's.
    public let since: Date
    /// One look over a line is not an alarm here: the windows overlap, and a monitor that tests twice a second
    /// for minutes would otherwise cry wolf.
    private var rule = MonitorRule(consecutiveLooks: DrillWatch.lookingTwice)

    public static let defaultWindow: Double = 20
    public static let lookingTwice = 2

    public init(drill: String, registryRoot: String, since: Date, window: Double = defaultWindow) {
        self.drill = drill
        self.window = window
        self.since = since
        watch = SignalWatch(log: AttributionLog(registryRoot: registryRoot))
    }

    /// A version that held production for less than a window answered too little to be a baseline: the serving
    /// version is then compared with the one before it (the two-step fault: a harmless step, the bad one on top).
    static func baselineHistory(_ moves: [TagMove], current: String, window: Double) -> [TagMove] {
        guard let index = moves.lastIndex(where: { $0.to == current }), index > 0,
            moves[index].from == moves[index - 1].to,
            moves[index].at.timeIntervalSince(moves[index - 1].at) < window
        else { return moves }
        var history = moves
        history[index].from = moves[index - 1].from
        return history
    }

    /// Looks once at the attribution log and the registry, recording an alarm or a recovery when due.
    public mutating func step(in context: PlayContext) throws -> WatchOutcome {
        try watch.refresh()
        let registry = context.registry
        let events = try registry.events()
        guard let production = registry.tag("production") else { return .quiet }
        let moves = try registry.tagHistory("production")
        let now = context.now()
        let incidents = try Incidents.all(events: events)
        let mine = try DrillMarking.incidentIDs(events: events, drill: drill)
        guard let incident = incidents.last(where: { mine.contains($0.id) }) else {
            var look = MonitorLook(labelFree: nil)
            // Only a version that arrived during the drill is judged, not the laid history's.
            if let arrived = moves.last(where: { $0.to == production })?.at, arrived >= since {
                look.labelFree = watch.verdict(
                    current: production, history: Self.baselineHistory(moves, current: production, window: window),
                    window: window, now: now, alpha: context.settings.alpha)
            }
            // A live canary that arrived during the drill is judged on its own slice (the monitor's rule); its
            // alarm names the canary version.
            var canary: String?
            if look.labelFree?.alarm != true,
                let judged = try watch.canaryVerdict(
                    production: production, in: registry, window: window, now: now, alpha: context.settings.alpha,
                    since: since)
            {
                look.labelFree = judged
                canary = judged.current
            }
            guard rule.record(look) else { return .quiet }
            let opened = try Incidents.open(
                symptom: (canary.map(CanarySlice.naming) ?? "") + rule.symptoms(of: look).joined(separator: "; ")
                    + " over \(Int(window))s (drill monitor)",
                detectedAt: now, badVersion: canary, by: HistoryLayer.monitorAccount, source: .monitor, drillID: drill,
                in: context)
            return .alarm(incident: opened.id)
        }
        guard incident.status != .closed,
            try events.payloads(DrillRecovered.self, where: DrillRecovered.CodingKeys.incident, is: incident.id)
                .isEmpty,
            let bad = incident.badVersion
        else { return .quiet }
        if !moves.contains(where: { $0.to == bad }) {
            return try canaryStopped(bad, incident: incident, production: production, in: context)
        }
        guard production != bad,
            let moved = moves.last(where: { $0.at >= incident.detectedAt }), moved.to == production,
            let arrival = moves.last(where: { $0.to == bad && $0.at <= incident.detectedAt }),
            let before = arrival.from
        else { return .quiet }
        // The one recovery rule (the rollback's live confirmation): the restored version's own last healthy
        // window when it is one, else the last window before the fault; a whole window after the move.
        let served = [production, before].flatMap { watch.records(of: $0, in: Date.distantPast..<Date.distantFuture) }
        let ownWindow = try RollbackPlay.reasonsNotKnownGood(production, in: context).isEmpty ? [production] : []
        let verdict = Recovery.judge(
            restored: production, bad: bad, baselines: ownWindow + [before],
            traffic: ProductionTraffic(records: served, moves: moves), now: now, window: window,
            alpha: context.settings.alpha, settle: window)
        guard verdict.recovered, let baseline = verdict.baseline else { return .quiet }
        let recovered = DrillRecovered(
            drill: drill, incident: incident.id, version: production, baseline: baseline, requests: verdict.requests,
            windowSeconds: Int(window))
        _ = try registry.write { writer in try writer.append(recovered, actor: HistoryLayer.monitorAccount) }
        return .recovered(version: production)
    }

    /// A bad version that never held production was a canary: recovered once the canary tag has left it for a whole
    /// window, production answering every request since (production's signals never moved).
    func canaryStopped(_ bad: String, incident: Incident, production: String, in context: PlayContext) throws
        -> WatchOutcome
    {
        let registry = context.registry
        let now = context.now()
        guard registry.tag(CanarySlice.tag) != bad,
            let stopped = try registry.tagHistory(CanarySlice.tag).last(where: { $0.at >= incident.detectedAt }),
            stopped.to != bad, now.timeIntervalSince(stopped.at) >= window
        else { return .quiet }
        let served = watch.records(of: production, in: stopped.at..<now).count
        let recovered = DrillRecovered(
            drill: drill, incident: incident.id, version: production, baseline: production, requests: served,
            windowSeconds: Int(window))
        _ = try registry.write { writer in try writer.append(recovered, actor: HistoryLayer.monitorAccount) }
        return .recovered(version: production)
    }
}
