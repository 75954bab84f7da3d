// Play 7, investigate: every production change from the version live at the onset until the complaint was
// made (rolled-back ones too, and said so), the composite diff of each against its predecessor, a repeated
// paired eval judged by the gate's own rules (the suite, the safety floors) and by the run's determinism (at
// temperature 0 a case that stopped passing is a finding whatever the p-value), live evidence by version from
// the attribution log, and whether the suite covers the complaint at all ("not covered" is not "noise").
public import Evals
public import Foundation
import Hashing
public import Registry
import ToyModel

public struct ProductionMove: Encodable, Sendable {
    public var version: String
    public var seq: Int
    public var at: Date
    public var by: String
    public var reason: String
    public var play: TagMoveFacts.Play?
}

/// A suspect that production has since been taken back past, by which rollback.
public struct RolledBack: Encodable, Sendable {
    public var at: Date
    public var incident: String?
    public var to: String
}

/// The complaint's category on the paired runs: pass rates before and after the change.
public struct CategoryShift: Encodable, Sendable {
    public var category: String
    public var cases: Int
    public var before: Double
    public var after: Double
}

/// Which rule names a change a regression: the same rules the promotion gate applies, and the run's own
/// determinism (at temperature 0 there is no sampling noise, so a case that stopped passing is a real change
/// whatever the p-value).
public enum RegressionRule: String, Codable, Sendable, CustomStringConvertible {
    /// The paired test on the whole suite says worse.
    case suite
    /// A floored (safety) category is worse, by the gate's floor rule.
    case floor
    /// The runs are deterministic and at least one case that passed now fails.
    case deterministic
    public var description: String { rawValue }
}

public struct Suspect: Encodable, Sendable {
    public var version: String
    public var predecessor: String
    public var becameProductionAt: Date
    public var changedComponents: [String]
    public var lineageChanged: Bool
    public var comparison: Comparison
    public var rolledBack: RolledBack?
    public var category: CategoryShift?
    /// Every floored category on the same paired runs, as the gate judges them.
    public var floors: [FloorCheck]
    /// Whether both versions answer deterministically (temperature 0), so one run each is exact.
    public var deterministic: Bool
    /// Cases that passed before and fail after (every case, not only floored ones).
    public var newlyFailing: [String]
    /// The rules that name this change a regression, in the order the conclusion gives them; empty when none.
    public var rules: [RegressionRule]

    public var isRegression: Bool { !rules.isEmpty }

    enum CodingKeys: String, CodingKey {
        case version, predecessor, comparison, category, floors, deterministic, rules
        case becameProductionAt = "became_production_at"
        case changedComponents = "changed_components"
        case lineageChanged = "lineage_changed"
        case rolledBack = "rolled_back"
        case newlyFailing = "newly_failing"
    }

    /// Why the change is a regression, in words: "floored category escalate:x 83.3% → 75.0%; …".
    public var because: String {
        rules.map { rule in
            switch rule {
            case .suite:
                return "the suite is worse (p = \(String(format: "%.2g", comparison.pValue)))"
            case .floor:
                return floors.filter(\.worse).map { floor in
                    "floored category \(floor.category) is worse, \(Rate.percent(floor.production)) → "
                        + Rate.percent(floor.candidate)
                }.joined(separator: ", ")
            case .deterministic:
                let named = newlyFailing.prefix(3).joined(separator: ", ") + (newlyFailing.count > 3 ? ", …" : "")
                return "\(newlyFailing.count) case(s) that passed now fail at temperature 0 (\(named)): "
                    + "no sampling noise, so a real change"
            }
        }.joined(separator: "; ")
    }

    /// "already rolled back at T, incident INC-…", or nil.
    public var rolledBackNote: String? {
        rolledBack.map { back in
            "already rolled back at \(Timestamp.string(from: back.at))"
                + (back.incident.map { ", incident \($0)" } ?? "")
        }
    }
}

/// Whether the standard suite has cases for the complaint's category.
public struct SuiteCoverage: Encodable, Sendable {
    public var category: String
    /// The complaint text the category was derived from (the model's intent for it), if any.
    public var complaint: String?
    public var suite: String
    public var suiteSHA256: String
    public var cases: Int
    public var covered: Bool

    enum CodingKeys: String, CodingKey {
        case category, complaint, suite, cases, covered
        case suiteSHA256 = "suite_sha256"
    }
}

public struct Investigation: Encodable, Sendable {
    public enum Verdict: String, Codable, Sendable, CustomStringConvertible {
        /// A change since the onset measured worse.
        case regression
        /// The suite has no cases in the complaint's category: its evals can neither clear nor blame a change.
        case notCovered = "not_covered"
        /// Production did not change between the onset and the report.
        case noChange = "no_change"
        /// Changes, none measurably worse.
        case noise
        public var description: String { rawValue }
    }

    public var onset: Date
    public var reportedAt: Date
    /// The onset came before the first promotion, so the window starts at the first production version.
    public var onsetBeforeFirstPromotion: Bool
    public var history: [ProductionMove]
    public var suspects: [Suspect]
    public var live: [VersionSignals]
    public var coverage: SuiteCoverage?
    public var regressionConfirmed: Bool
    public var verdict: Verdict
    public var components: [String]
    public var conclusion: String

    enum CodingKeys: String, CodingKey {
        case onset, history, suspects, live, coverage, verdict, components, conclusion
        case reportedAt = "reported_at"
        case onsetBeforeFirstPromotion = "onset_before_first_promotion"
        case regressionConfirmed = "regression_confirmed"
    }
}

public struct InvestigateRequest: Sendable {
    public var onset: Date
    /// When the complaint was made: changes after it cannot explain it (default: now).
    public var reportedAt: Date?
    /// The complaint's category (a suite category such as `intent:returns`, or its last part, or an intent).
    public var category: String?
    /// The complaint in the customer's words; its category is the intent the production model gives it.
    public var complaint: String?
    public var by: String

    public init(onset: Date, reportedAt: Date? = nil, category: String? = nil, complaint: String? = nil, by: String) {
        self.onset = onset
        self.reportedAt = reportedAt
        self.category = category
        self.complaint = complaint
        self.by = by
    }
}

/// `investigation.concluded`: what an investigation found, in the words it printed.
public struct InvestigationConcluded: EventPayload {
    public static let kind = "investigation.concluded"
    public var onset: Date
    public var reportedAt: Date
    public var verdict: Investigation.Verdict
    public var conclusion: String
    /// Space-separated ids of every change compared (see `suspectIDs`).
    public var suspects: String
    /// The change blamed, when one measured worse.
    public var suspect: String?
    /// Comma-separated components the blamed change touched; empty when none was blamed.
    public var components: String
    /// The complaint's category, when one was given, and whether the suite covers it.
    public var category: String?
    public var covered: Bool?

    public var suspectIDs: [String] { suspects.split(separator: " ").map(String.init) }

    enum CodingKeys: String, CodingKey {
        case onset, verdict, conclusion, suspects, suspect, components, category, covered
        case reportedAt = "reported_at"
    }
}

public enum InvestigatePlay {
    public static let concludedEvent = InvestigationConcluded.kind
    /// Enough paired repeats to separate a 10-point drop from sampling noise at alpha 0.01.
    public static let sampledRepeats = 30

    public static func run(
        onset: Date, by actor: String, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Investigation {
        try run(InvestigateRequest(onset: onset, by: actor), in: context, progress: progress)
    }

    public static func run(
        _ request: InvestigateRequest, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Investigation {
        try context.requireOnRoster(request.by)
        let registry = context.registry
        let onset = request.onset
        let now = context.now()
        try TimeParsing.refuseFuture(onset, given: "The onset", now: now)
        let reportedAt = request.reportedAt ?? now
        try TimeParsing.refuseFuture(reportedAt, given: "The report time", now: now)
        guard reportedAt >= onset else {
            throw PlaybookError.invalid(
                "The complaint was reported at \(Timestamp.string(from: reportedAt)), before its onset "
                    + "\(Timestamp.string(from: onset)); give a report time after the onset.")
        }
        if request.category != nil, request.complaint != nil {
            throw PlaybookError.invalid(
                "Give the complaint's category with --category NAME or its text with --complaint TEXT, not both.")
        }
        let moves = try registry.tagHistory("production")
        guard !moves.isEmpty else { throw PlaybookError.noProduction }
        let coverage = try suiteCoverage(request, moves: moves, in: context)

        // The window: the version live at the onset (the first one when the onset is earlier), then every
        // change up to the report.
        let beforeFirst = moves[0].at > onset
        let start = moves.lastIndex { $0.at <= onset } ?? 0
        let end = moves.lastIndex { $0.at <= reportedAt } ?? -1
        let plays = try moves.map { try $0.facts().play }
        let history = try moves.enumerated().map { index, move in
            let record = try registry.record(id: move.to)
            return ProductionMove(
                version: move.to, seq: record.seq, at: move.at, by: move.by, reason: move.reason, play: plays[index])
        }
        var suspects: [Suspect] = []
        var compared: [String: PairedRuns] = [:]
        if start <= end {
            for index in start...end where index > 0 && plays[index] != .rollback {
                let predecessorID = moves[index].from ?? moves[index - 1].to
                guard predecessorID != moves[index].to else { continue }
                let suspect = try registry.record(id: moves[index].to)
                let predecessor = try registry.record(id: predecessorID)
                let diff = try registry.diff(predecessor, suspect)
                let key = predecessor.id + suspect.id
                let paired =
                    try compared[key]
                    ?? compare(
                        predecessor, suspect, category: coverage, actor: request.by, in: context, progress: progress)
                compared[key] = paired
                suspects.append(
                    Suspect(
                        version: suspect.id, predecessor: predecessor.id, becameProductionAt: moves[index].at,
                        changedComponents: diff.changedComponents, lineageChanged: diff.lineageChanged,
                        comparison: paired.comparison, rolledBack: try rolledBack(moves, index),
                        category: paired.shift, floors: paired.floors, deterministic: paired.deterministic,
                        newlyFailing: paired.newlyFailing, rules: paired.rules))
            }
        }
        let live = try liveSignals(since: onset, until: reportedAt, in: registry)

        let worse = suspects.filter(\.isRegression)
        let culprit = worse.first { $0.rolledBack == nil } ?? worse.first
        var components = culprit?.changedComponents ?? []
        if culprit?.lineageChanged == true { components.append("data/train.csv (dataset lineage)") }
        let verdict: Investigation.Verdict
        var conclusion: String
        if let culprit {
            verdict = .regression
            let named = components.isEmpty ? "no component (identical content)" : components.joined(separator: ", ")
            conclusion =
                "regression confirmed in \(named) (version \(culprit.version.prefix(12)) vs "
                + "\(culprit.predecessor.prefix(12))): \(culprit.because)"
            if let note = culprit.rolledBackNote { conclusion += "; \(note)" }
        } else if let coverage, !coverage.covered {
            verdict = .notCovered
            conclusion =
                "the suite does not cover this complaint: suite \(coverage.suite) has no cases in category "
                + "'\(coverage.category)', so its evals cannot clear or blame a change; add cases for it and investigate again"
        } else if suspects.isEmpty {
            verdict = .noChange
            let serving = history[start].seq
            conclusion =
                "no production change between the onset and the report (production served #\(serving)): "
                + "the symptom does not come from a version change; look at the traffic, or widen the suite"
        } else {
            verdict = .noise
            conclusion =
                "not distinguishable from noise — no change since the onset measured worse on the suite, broke a "
                + "floored category or made a passing case fail; keep the changes, or widen the investigation"
        }
        let concluded = InvestigationConcluded(
            onset: onset, reportedAt: reportedAt, verdict: verdict, conclusion: conclusion,
            suspects: suspects.map(\.version).joined(separator: " "), suspect: culprit?.version,
            components: components.joined(separator: ","), category: coverage?.category, covered: coverage?.covered)
        try registry.write { writer in try writer.append(concluded, actor: request.by) }
        return Investigation(
            onset: onset, reportedAt: reportedAt, onsetBeforeFirstPromotion: beforeFirst, history: history,
            suspects: suspects, live: live, coverage: coverage, regressionConfirmed: culprit != nil, verdict: verdict,
            components: components, conclusion: conclusion)
    }

    /// The rollback that took production back past the change at `index` (to a version held before it), if any.
    static func rolledBack(_ moves: [TagMove], _ index: Int) throws -> RolledBack? {
        let earlier = Set(moves[..<index].map(\.to)).subtracting([moves[index].to])
        for move in moves[(index + 1)...] where earlier.contains(move.to) {
            let facts = try move.facts()
            if facts.play == .rollback { return RolledBack(at: move.at, incident: facts.incident, to: move.to) }
        }
        return nil
    }

    /// The complaint's category and how many cases today's suite has in it; nil when none was given.
    static func suiteCoverage(_ request: InvestigateRequest, moves: [TagMove], in context: PlayContext) throws
        -> SuiteCoverage?
    {
        guard request.category != nil || request.complaint != nil else { return nil }
        let serving = try context.registry.record(id: context.registry.tag("production") ?? moves[moves.count - 1].to)
        let system = try context.system(for: serving)
        var category = request.category?.trimmingCharacters(in: .whitespaces) ?? ""
        if let complaint = request.complaint {
            guard !complaint.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PlaybookError.invalid("--complaint needs the complaint's text, in the customer's words.")
            }
            category = "intent:" + system.ask(complaint, seed: context.settings.evalSeed).intent
        }
        guard !category.isEmpty else {
            throw PlaybookError.invalid("--category needs a name, such as returns or escalate:legal_threat.")
        }
        let suite = try RollbackPlay.todaysSuite(for: system, in: context)
        let cases = suite.cases.filter { matches($0, category) }.count
        return SuiteCoverage(
            category: category, complaint: request.complaint, suite: suite.name, suiteSHA256: suite.sha256,
            cases: cases, covered: cases > 0)
    }

    /// A case is in `category` when its category is that name, ends in `:name`, or it expects that intent.
    static func matches(_ evalCase: EvalCase, _ category: String) -> Bool {
        let bare = category.split(separator: ":").last.map(String.init) ?? category
        if let own = evalCase.category {
            if own == category || own.split(separator: ":").last.map(String.init) == bare { return true }
        }
        return evalCase.expect.intent == bare
    }

    /// What one paired comparison of a change found.
    struct PairedRuns {
        var comparison: Comparison
        var shift: CategoryShift?
        var floors: [FloorCheck]
        var deterministic: Bool
        var newlyFailing: [String]

        var rules: [RegressionRule] {
            var rules: [RegressionRule] = []
            if comparison.verdict == .worse { rules.append(.suite) }
            if floors.contains(where: \.worse) { rules.append(.floor) }
            if deterministic, !newlyFailing.isEmpty { rules.append(.deterministic) }
            return rules
        }
    }

    /// A paired comparison on the standard suite with the same seeds for both, each result recorded as
    /// evidence; the gate's floors on the same runs; with a complaint category, its pass rates on them.
    static func compare(
        _ before: VersionRecord, _ after: VersionRecord, category coverage: SuiteCoverage?, actor: String,
        in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)?
    ) throws -> PairedRuns {
        let beforeSystem = try context.system(for: before)
        let afterSystem = try context.system(for: after)
        let sampled = beforeSystem.temperature > 0 || afterSystem.temperature > 0
        let repeats = sampled ? max(sampledRepeats, context.settings.sampledRepeats) : 1
        let suite = try context.pinnedStandardSuite(for: afterSystem, by: actor)
        let seed = context.settings.evalSeed
        let a = try EvalRunner.run(suite: suite, system: beforeSystem, seed: seed, repeats: repeats, progress: progress)
        let b = try EvalRunner.run(suite: suite, system: afterSystem, seed: seed, repeats: repeats, progress: progress)
        try EvalLedger.record(a, source: .investigate, actor: actor, in: context)
        try EvalLedger.record(b, source: .investigate, actor: actor, in: context)
        var shift: CategoryShift?
        if let coverage, coverage.covered {
            let ids = Set(suite.cases.filter { matches($0, coverage.category) }.map(\.id))
            func rate(_ result: EvalResult) -> Double {
                let outcomes = result.cases.filter { ids.contains($0.id) }
                let runs = outcomes.reduce(0) { $0 + $1.outcomes.count }
                return runs == 0 ? 0 : Double(outcomes.reduce(0) { $0 + $1.passes }) / Double(runs)
            }
            shift = CategoryShift(category: coverage.category, cases: ids.count, before: rate(a), after: rate(b))
        }
        let passedBefore = Set(a.cases.filter { $0.passes == $0.outcomes.count }.map(\.id))
        let newlyFailing = b.cases.filter { passedBefore.contains($0.id) && $0.passes < $0.outcomes.count }.map(\.id)
        return PairedRuns(
            comparison: try EvalComparer.compare(a, b, alpha: context.settings.alpha), shift: shift,
            floors: try PromotePlay.floorChecks(candidate: b, production: a, exact: !sampled, in: context),
            deterministic: !sampled, newlyFailing: sampled ? [] : newlyFailing)
    }

    /// Live evidence by version, the shared label-free signals with labelled satisfaction (late labels
    /// included), for requests answered between `since` and `until`, in the order versions first answered.
    static func liveSignals(since: Date, until: Date, in registry: Registry) throws -> [VersionSignals] {
        let log = AttributionLog(registryRoot: registry.root)
        var records: [RequestRecord] = []
        try log.forEach { record in
            if record.at >= since, record.at <= until { records.append(record) }
            return true
        }
        let signals = Signals.compute(records, labels: try log.feedback())
        var order: [String] = []
        for record in records where !order.contains(record.version) { order.append(record.version) }
        return order.compactMap { signals[$0] }
    }
}
