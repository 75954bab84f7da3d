// Live evidence: what production traffic shows about a version, read from the attribution log. One place for
// the two judgments that rest on it: whether a version ran cleanly in production (the last known good's live
// rule), and whether a restored version's live signals are back within bounds of its last healthy window (a
// rollback's confirmation, `incident confirm`, and a drill's "recovered" phase: `Recovery.judge`).
public import Foundation
import Hashing
public import Registry

/// The requests versions answered while they held production (canary traffic excluded), oldest first.
public struct ProductionTraffic: Sendable {
    public let moves: [TagMove]
    private let byVersion: [String: [RequestRecord]]

    /// From records already read (a drill's monitor keeps them in memory).
    public init(records: some Sequence<RequestRecord>, moves: [TagMove]) {
        self.moves = moves
        var byVersion: [String: [RequestRecord]] = [:]
        for record in records where record.source != "canary" {
            byVersion[record.version, default: []].append(record)
        }
        self.byVersion = byVersion.mapValues { $0.sorted { $0.at < $1.at } }
    }

    /// Reads the registry's attribution log once.
    public init(registry: Registry) throws {
        let moves = try registry.tagHistory("production")
        let served = Set(moves.map(\.to))
        var records: [RequestRecord] = []
        try AttributionLog(registryRoot: registry.root).forEach { record in
            if served.contains(record.version) { records.append(record) }
            return true
        }
        self.init(records: records, moves: moves)
    }

    /// When `version` held production: each stint from the move that put it there to the next production move.
    func stints(of version: String) -> [Range<Date>] {
        moves.indices.filter { moves[$0].to == version }.map { index in
            moves[index].at..<(index + 1 < moves.count ? moves[index + 1].at : .distantFuture)
        }
    }

    /// What `version` answered while it held production, in `range` (all time when nil).
    public func records(of version: String, in range: Range<Date>? = nil) -> [RequestRecord] {
        let stints = stints(of: version)
        return (byVersion[version] ?? []).filter { record in
            stints.contains { $0.contains(record.at) } && range.map { $0.contains(record.at) } != false
        }
    }

    /// The last window of `records` (oldest first): those within `seconds` of the latest, and never fewer
    /// than the `minimum` latest, so bursty traffic and a slow trickle are both judged on enough requests.
    static func lastWindow(_ records: [RequestRecord], seconds: Double, minimum: Int) -> [RequestRecord] {
        guard let latest = records.last?.at else { return [] }
        let recent = records.filter { $0.at >= latest.addingTimeInterval(-seconds) }
        return recent.count >= minimum ? recent : Array(records.suffix(minimum))
    }
}

/// What a production version's live record shows, for the last known good's rule.
public enum LiveEvidence {
    /// Seconds of traffic a window holds, for the CLI's judgments (a drill's monitor uses its own window).
    public static let windowSeconds: Double = 60

    /// Why `version` did not run cleanly in production, one sentence each; empty when it did. It must have
    /// answered at least `settings.lastKnownGoodRequests` production requests, and its last window must not
    /// have shifted from the window of the version it replaced (the monitor's rule), when that one had traffic.
    static func findings(
        for version: String, traffic: ProductionTraffic, settings: PlaybookSettings, label: (String) -> String
    ) -> [String] {
        let served = traffic.records(of: version)
        let needed = settings.lastKnownGoodRequests
        guard served.count >= needed else {
            return [
                "answered \(served.count) production request(s), fewer than the \(needed) that show it ran cleanly "
                    + "in production (setting last_known_good_requests)"
            ]
        }
        guard let arrival = traffic.moves.first(where: { $0.to == version }), let predecessor = arrival.from,
            predecessor != version
        else { return [] }
        let minimum = Signals.minimumRequests
        let reference = ProductionTraffic.lastWindow(
            traffic.records(of: predecessor, in: .distantPast..<arrival.at), seconds: windowSeconds, minimum: minimum)
        guard reference.count >= minimum else { return [] }
        let own = ProductionTraffic.lastWindow(served, seconds: windowSeconds, minimum: minimum)
        let comparison = Signals.compare(
            baseline: Signals.compute(reference)[predecessor] ?? VersionSignals(version: predecessor),
            current: Signals.compute(own)[version] ?? VersionSignals(version: version), alpha: settings.alpha)
        guard comparison.significant else { return [] }
        return [
            "its live signals in production were out of bounds of \(label(predecessor))'s window before it: "
                + comparison.summary
        ]
    }
}

/// The live evidence a rollback's confirmation recorded: the restored version's live requests since it came
/// back, judged against the last healthy window of `baseline`.
public struct LiveConfirmation: Codable, Sendable, Equatable {
    public var baseline: String
    public var baselineRequests: Int
    public var requests: Int

    public init(baseline: String, baselineRequests: Int, requests: Int) {
        self.baseline = baseline
        self.baselineRequests = baselineRequests
        self.requests = requests
    }

    enum CodingKeys: String, CodingKey {
        case baseline, requests
        case baselineRequests = "baseline_requests"
    }
}

/// `Recovery.judge`'s answer: back within bounds, not yet judgeable, or out of bounds; with the sentence.
public struct RecoveryVerdict: Encodable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case recovered
        case noEvidence = "no_evidence"
        case outOfBounds = "out_of_bounds"
    }

    public var outcome: Outcome
    public var version: String
    /// The version whose last healthy window is the bound, when one was found.
    public var baseline: String?
    public var baselineRequests: Int
    /// Live requests on the restored version since it came back that were judged.
    public var requests: Int
    public var finding: String

    public var recovered: Bool { outcome == .recovered }

    /// What an incident records of it, when it recovered.
    public var confirmation: LiveConfirmation? {
        guard recovered, let baseline else { return nil }
        return LiveConfirmation(baseline: baseline, baselineRequests: baselineRequests, requests: requests)
    }

    enum CodingKeys: String, CodingKey {
        case outcome, version, baseline, requests, finding
        case baselineRequests = "baseline_requests"
    }
}

public enum Recovery {
    /// The one recovery rule. `restored` is in production since its latest move; its live requests since then
    /// (the last window of them, at least `minimumRequests`) are compared, with the label-free signals' stated
    /// test at `alpha`, against the last healthy window of the first of `baselines` that has one: its
    /// production requests before the fault arrived (`bad`'s latest arrival up to the restore; without `bad`,
    /// before the restore). Recovered when there is enough of both and no signal shifted. `settle` seconds must
    /// have passed since the restore (a drill's monitor waits a whole window).
    public static func judge(
        restored: String, bad: String?, baselines: [String], traffic: ProductionTraffic, now: Date,
        window: Double = LiveEvidence.windowSeconds, alpha: Double, minimumRequests: Int = Signals.minimumRequests,
        settle: Double = 0, label: (String) -> String = { String($0.prefix(12)) }
    ) -> RecoveryVerdict {
        var verdict = RecoveryVerdict(
            outcome: .noEvidence, version: restored, baseline: nil, baselineRequests: 0, requests: 0, finding: "")
        let moves = traffic.moves
        guard let restore = moves.last, restore.to == restored else {
            verdict.finding = "\(label(restored)) is not in production, so its live signals say nothing of a recovery"
            return verdict
        }
        let faultAt = bad.flatMap { bad in moves.last { $0.to == bad && $0.at <= restore.at }?.at } ?? restore.at
        var healthyWindow: [RequestRecord] = []
        for candidate in baselines {
            let healthy = ProductionTraffic.lastWindow(
                traffic.records(of: candidate, in: .distantPast..<faultAt), seconds: window, minimum: minimumRequests)
            if healthy.count >= minimumRequests {
                verdict.baseline = candidate
                verdict.baselineRequests = healthy.count
                healthyWindow = healthy
                break
            }
        }
        let live = ProductionTraffic.lastWindow(
            traffic.records(of: restored, in: restore.at..<now.addingTimeInterval(1)), seconds: window,
            minimum: minimumRequests)
        verdict.requests = live.count
        let since = Timestamp.string(from: restore.at)
        guard let baseline = verdict.baseline else {
            verdict.finding =
                "no healthy window to compare \(label(restored))'s live signals with: "
                + (baselines.isEmpty
                    ? "neither it nor the version before the fault is known good"
                    : baselines.map(label).joined(separator: " or ")
                        + " answered fewer than \(minimumRequests) production requests before the fault")
            return verdict
        }
        let elapsed = now.timeIntervalSince(restore.at)
        guard elapsed >= settle else {
            verdict.finding = String(
                format: "%.0fs since the rollback at %@, and a window is %.0fs", elapsed, since, settle)
            return verdict
        }
        guard live.count >= minimumRequests else {
            verdict.finding =
                "\(label(restored)) answered \(live.count) live request(s) since the rollback at \(since), fewer than "
                + "the \(minimumRequests) a window needs"
            return verdict
        }
        let current = Signals.compute(live)[restored] ?? VersionSignals(version: restored)
        let reference = Signals.compute(healthyWindow)[baseline] ?? VersionSignals(version: baseline)
        let comparison = Signals.compare(
            baseline: reference, current: current, alpha: alpha, minimumRequests: minimumRequests)
        let bound = "\(label(baseline))'s last healthy window (\(verdict.baselineRequests) requests)"
        if comparison.significant {
            verdict.outcome = .outOfBounds
            verdict.finding =
                "\(label(restored))'s live signals are not back within bounds of \(bound): \(comparison.summary)"
        } else {
            verdict.outcome = .recovered
            verdict.finding =
                "\(label(restored))'s live signals over \(live.count) requests since the rollback are back within "
                + "bounds of \(bound)"
        }
        return verdict
    }
}

extension PlayContext {
    /// "#3 1a2b3c4d5e6f" for a version id; the short id alone when the registry has no record of it.
    func label(_ id: String) -> String {
        (try? registry.record(id: id)).map { "#\($0.seq) \($0.shortID)" } ?? String(id.prefix(12))
    }
}
