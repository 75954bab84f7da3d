// The monitor: watches a running service's metrics and the attribution log, and raises the alarm — opening
// an incident whose detection time starts the rollback clock — when the label-free signals of the serving
// version shift significantly from the previous production version's window (a live canary's slice, from
// production's), or (when traffic carries labels) when the satisfied share falls below a threshold. What counts as out of bounds, and how many looks in
// a row make an alarm, is the one monitor rule, which the drill's monitor uses too.
public import Foundation
public import Playbook
public import Registry

/// The attribution log read incrementally, keeping each version's recent records (bounded) so the label-free
/// signals of any window can be computed without rereading the log.
public struct SignalWatch: Sendable {
    private let log: AttributionLog
    private var cursor = LogCursor()
    /// Per version, its records (oldest first), at most `keep` each.
    private var byVersion: [String: [RequestRecord]] = [:]
    private let keep: Int

    public init(log: AttributionLog, keep: Int = 20_000) {
        self.log = log
        self.keep = keep
    }

    /// Reads what the log gained since the last call.
    public mutating func refresh() throws {
        let (records, next, restarted) = try log.read(after: cursor)
        if restarted { byVersion.removeAll() }
        cursor = next
        for record in records {
            var list = byVersion[record.version, default: []]
            list.append(record)
            if list.count > keep { list.removeFirst(list.count - keep) }
            byVersion[record.version] = list
        }
    }

    /// The records `version` answered in `range` (oldest first), from what is kept.
    public func records(of version: String, in range: Range<Date>) -> [RequestRecord] {
        (byVersion[version] ?? []).filter { range.contains($0.at) }
    }

    /// The label-free verdict for `current`, now in production since its latest move in `history`: its last
    /// `window` seconds against the baseline window. The baseline is the production version before it, over
    /// its last `window` seconds of traffic before the move; when `current` has served before (a rollback),
    /// it is `current`'s own earlier traffic, so a restored version is compared with itself. Nil when there
    /// is no baseline to compare with.
    public func verdict(
        current: String, history: [TagMove], window: Double, now: Date, alpha: Double,
        minimumRequests: Int = Signals.minimumRequests
    ) -> LabelFreeVerdict? {
        guard let latest = history.lastIndex(where: { $0.to == current }) else { return nil }
        let move = history[latest]
        let servedBefore = history[..<latest].contains { $0.to == current }
        guard let baselineVersion = servedBefore ? current : move.from else { return nil }
        let earlier = (byVersion[baselineVersion] ?? []).filter { $0.at < move.at }
        guard let lastBaseline = earlier.last?.at else { return nil }
        let baselineRecords = earlier.filter { $0.at >= lastBaseline.addingTimeInterval(-window) }
        let currentRecords = (byVersion[current] ?? []).filter {
            $0.at >= move.at && $0.at >= now.addingTimeInterval(-window)
        }
        let comparison = Signals.compare(
            baseline: Signals.compute(baselineRecords)[baselineVersion] ?? VersionSignals(version: baselineVersion),
            current: Signals.compute(currentRecords)[current] ?? VersionSignals(version: current), alpha: alpha,
            minimumRequests: minimumRequests)
        return LabelFreeVerdict(baseline: baselineVersion, current: current, comparison: comparison)
    }
}

extension SignalWatch {
    /// A live canary's slice against production's window before the canary started, on everything the slice
    /// answered since it started (a slice answers a fraction of the traffic, so one window holds too little); nil
    /// without a live canary, or one started before `since`.
    public func canaryVerdict(
        production: String?, in registry: Registry, window: Double, now: Date, alpha: Double,
        since: Date = .distantPast
    ) throws -> LabelFreeVerdict? {
        guard let live = CanarySlice.live(canary: registry.tag(CanarySlice.tag), production: production),
            var started = try registry.tagHistory(CanarySlice.tag).last(where: { $0.to == live }), started.at >= since
        else { return nil }
        started.from = production
        return verdict(
            current: live, history: [started], window: max(window, now.timeIntervalSince(started.at)), now: now,
            alpha: alpha)
    }
}

/// The label-free monitor's judgement of the serving version against its baseline.
public struct LabelFreeVerdict: Encodable, Sendable {
    public var baseline: String
    public var current: String
    public var comparison: SignalComparison
    public var alarm: Bool { comparison.significant }
}

public struct MonitorReading: Sendable {
    public var requestsPerSecond: Double
    public var satisfiedShare: Double?
    public var labelled: Int
    public var version: String
    public var alarm: Bool
    /// The label-free comparison of this reading, when there was a baseline to compare with.
    public var labelFree: LabelFreeVerdict?
}

public struct MonitorOutcome: Sendable {
    public var incident: Incident?
    public var readings: Int
}

/// What one look of a monitor saw.
public struct MonitorLook: Sendable {
    /// The serving version's label-free signals against its baseline, when there was one to compare with.
    public var labelFree: LabelFreeVerdict?
    /// Labelled requests in the window, and the share of them satisfied (nil when none were labelled).
    public var labelled: Int
    public var satisfiedShare: Double?

    public init(labelFree: LabelFreeVerdict?, labelled: Int = 0, satisfiedShare: Double? = nil) {
        self.labelFree = labelFree
        self.labelled = labelled
        self.satisfiedShare = satisfiedShare
    }
}

/// The one monitor rule, for the `monitor` command and the drill's monitor alike. A look is out of bounds when
/// the serving version's label-free signals shifted significantly from its baseline or, when labels are judged,
/// at least `minimumLabelled` labelled requests were satisfied less often than `threshold`. The alarm stands
/// once `consecutiveLooks` looks in a row were out of bounds, and falls with the first look within bounds.
public struct MonitorRule: Sendable {
    /// Fewest labelled requests in the window before a share is judged.
    public static let minimumLabelled = 20

    /// Looks in a row out of bounds that raise the alarm (at least one).
    public let consecutiveLooks: Int
    /// The satisfied share below which labelled traffic is out of bounds; nil when labels are not judged.
    public let threshold: Double?
    private var outOfBoundsInARow = 0

    public init(consecutiveLooks: Int, threshold: Double? = nil) {
        self.consecutiveLooks = max(consecutiveLooks, 1)
        self.threshold = threshold
    }

    /// Why `look` is out of bounds, as an incident names it; empty when it is within bounds.
    public func symptoms(of look: MonitorLook) -> [String] {
        var symptoms: [String] = []
        if let labelFree = look.labelFree, labelFree.alarm {
            symptoms.append(
                "label-free signals shifted from \(labelFree.baseline.prefix(12)): \(labelFree.comparison.summary)")
        }
        if let threshold, look.labelled >= Self.minimumLabelled, (look.satisfiedShare ?? 1) < threshold {
            symptoms.append(
                String(
                    format: "satisfied share %.1f%% below %.1f%%", (look.satisfiedShare ?? 0) * 100, threshold * 100))
        }
        return symptoms
    }

    /// Counts `look`; whether the alarm stands after it.
    public mutating func record(_ look: MonitorLook) -> Bool {
        outOfBoundsInARow = symptoms(of: look).isEmpty ? 0 : outOfBoundsInARow + 1
        return outOfBoundsInARow >= consecutiveLooks
    }
}

public enum Monitor {
    /// Time between looks.
    public static let interval: Duration = .milliseconds(500)

    /// Looks every `interval` on `clock` (for `duration` seconds, or until stopped) and alarms on the first look
    /// out of bounds.
    public static func run(
        url: String, window: Double, threshold: Double, duration: Double?, exitOnAlarm: Bool, by actor: String,
        in context: PlayContext, clock: any LoopClock = ContinuousClock(),
        report: (MonitorReading, Incident?) -> Void
    ) throws -> MonitorOutcome {
        var watch = SignalWatch(log: AttributionLog(registryRoot: context.registry.root))
        var history: (version: String, moves: [TagMove])?
        guard window > 0 else { throw PlaybookError.invalid("--window must be more than 0 seconds.") }
        guard (0...1).contains(threshold) else {
            throw PlaybookError.invalid("--threshold must be a share from 0 to 1, such as 0.85.")
        }
        let client = try HTTPClient(url: url)
        let started = clock.stopwatch()
        var counters: [(at: Duration, requests: Int, labelled: Int, satisfied: Int)] = []
        var rule = MonitorRule(consecutiveLooks: 1, threshold: threshold)
        var incident: Incident?
        var readings = 0
        while true {
            if let duration, started.elapsed >= .seconds(duration) { break }
            let metrics = try client.send("GET", "/metrics")
            let version =
                (try? client.send("GET", "/v1/version")).flatMap {
                    (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["version"] as? String
                } ?? "none"
            let text = String(decoding: metrics.body, as: UTF8.self)
            let now = started.elapsed
            counters.append(
                (
                    now, total("labrunner_requests_total", text), total("labrunner_labelled_total", text),
                    total("labrunner_satisfied_total", text)
                ))
            counters.removeAll { now - $0.at > .seconds(window) && $0.at != now }
            let first = counters[0]
            let last = counters[counters.count - 1]
            let seconds = (now - first.at).seconds
            let labelled = last.labelled - first.labelled
            let share = labelled > 0 ? Double(last.satisfied - first.satisfied) / Double(labelled) : nil
            // Label-free: the serving version's signals against the previous production version's window.
            try watch.refresh()
            if history?.version != version {
                history = (version, (try? context.registry.tagHistory("production")) ?? [])
            }
            var labelFree = watch.verdict(
                current: version, history: history?.moves ?? [], window: window, now: context.now(),
                alpha: context.settings.alpha)
            // Production within bounds: a live canary's slice is judged, and an alarm on it names the canary.
            var canary: String?
            if labelFree?.alarm != true,
                let judged = try watch.canaryVerdict(
                    production: version, in: context.registry, window: window, now: context.now(),
                    alpha: context.settings.alpha)
            {
                labelFree = judged
                canary = judged.current
            }
            let look = MonitorLook(labelFree: labelFree, labelled: labelled, satisfiedShare: share)
            let alarm = rule.record(look)
            if alarm, incident == nil {
                incident = try Incidents.open(
                    symptom: (canary.map(CanarySlice.naming) ?? "") + rule.symptoms(of: look).joined(separator: "; ")
                        + String(format: " over %gs (monitor)", window),
                    detectedAt: context.now(), badVersion: canary, by: actor, source: .monitor, in: context)
            }
            readings += 1
            report(
                MonitorReading(
                    requestsPerSecond: seconds > 0 ? Double(last.requests - first.requests) / seconds : 0,
                    satisfiedShare: share, labelled: labelled, version: version, alarm: alarm, labelFree: labelFree),
                alarm ? incident : nil)
            if alarm, exitOnAlarm { break }
            clock.pause(for: interval)
        }
        return MonitorOutcome(incident: incident, readings: readings)
    }

    /// The sum of a counter over all its label sets in Prometheus text.
    static func total(_ name: String, _ text: String) -> Int {
        text.split(separator: "\n").reduce(0) { sum, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), let value = line.split(separator: " ").last,
                let number = Int(value)
            else { return sum }
            return sum + number
        }
    }
}
