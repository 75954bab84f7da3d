// Play 2, promote: production moves only when the candidate's eval on the pinned standard suite meets or beats
// production's on the same pin and no floored (safety) category is worse (or an override is recorded), with an
// approver, an optional canary that can stop it, as a compare-and-swap. Every argument and policy check runs
// before any eval or traffic, so a refusal writes nothing.
public import Evals
import Foundation
import Hashing
public import Registry

public struct PromoteRequest: Sendable {
    public var ref: String
    public var approver: String
    public var highStakes: Bool
    public var canaryPercent: Double?
    public var canaryRequests: Int
    public var force: Bool
    public var reason: String?
    /// Who runs the promotion (the CLI's --by, default $USER); nil when the approver runs it themselves.
    public var actor: String?
    /// A signed approval file (`LabRunner approve`), an absolute path.
    public var approvalFile: String?
    /// Where ssh-keygen is found, for a signed approval.
    public var environment: [String: String]

    public init(
        ref: String, approver: String, highStakes: Bool = false, canaryPercent: Double? = nil,
        canaryRequests: Int = Canary.defaultRequests, force: Bool = false, reason: String? = nil,
        actor: String? = nil, approvalFile: String? = nil, environment: [String: String] = [:]
    ) {
        self.actor = actor
        self.approvalFile = approvalFile
        self.environment = environment
        self.ref = ref
        self.approver = approver
        self.highStakes = highStakes
        self.canaryPercent = canaryPercent
        self.canaryRequests = canaryRequests
        self.force = force
        self.reason = reason
    }
}

/// One floored category: the candidate's rate against production's on the same pinned suite.
public struct FloorCheck: Encodable, Sendable, Equatable {
    public var category: String
    public var candidate: Double
    public var production: Double
    public var worse: Bool
}

/// The gate's finding, before anything moves.
public struct PromotionGate: Encodable, Sendable {
    public var candidate: VersionRecord
    public var production: VersionRecord?
    public var candidateEval: EvalSummary
    public var productionEval: EvalSummary?
    public var comparison: Comparison?
    public var floors: [FloorCheck]
    public var passed: Bool
    public var finding: String
    /// Evals the gate had to run on the pinned suite (recorded only if the promotion goes ahead).
    var pending: [EvalResult] = []

    enum CodingKeys: String, CodingKey {
        case candidate, production, comparison, floors, passed, finding
        case candidateEval = "candidate_eval"
        case productionEval = "production_eval"
    }
}

/// `promotion.stopped`: a canary ran (real traffic) and the promotion then stopped; production did not move.
public struct PromotionStopped: EventPayload {
    public static let kind = "promotion.stopped"

    public enum Reason: String, Codable, Sendable, CustomStringConvertible {
        case aborted = "aborted by the canary"
        case declined = "declined after the canary"
        public var description: String { rawValue }
    }

    public var candidate: String
    public var production: String?
    public var stopped: Reason
    public var canary: CanaryFacts
}

public struct PromoteResult: Encodable, Sendable {
    public var gate: PromotionGate
    public var canary: CanaryReport?
    public var overridden: Bool
    public var event: Event
}

public enum PromotePlay {
    public static let canaryRequests = Canary.defaultRequests
    /// Recorded when a canary ran and the promotion then stopped (aborted by the canary, or declined).
    public static let stoppedEvent = PromotionStopped.kind

    /// Every argument and policy check, before any eval or traffic: returns the candidate and production.
    public static func check(_ request: PromoteRequest, in context: PlayContext) throws -> (
        candidate: VersionRecord, production: VersionRecord?
    ) {
        try RegisterPlay.requireText(
            request.approver, field: "--approver", hint: "every promotion records who approved it, pass --approver NAME"
        )
        if request.force, (request.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw PlaybookError.needsForceReason
        }
        if let percent = request.canaryPercent, !(percent > 0 && percent < 100) {
            throw PlaybookError.invalid("--canary must be a percentage between 0 and 100 (exclusive), not \(percent).")
        }
        guard (1...100_000).contains(request.canaryRequests) else {
            throw PlaybookError.invalid(
                "--canary-requests must be between 1 and 100000, not \(request.canaryRequests).")
        }
        let registry = context.registry
        let candidate = try registry.resolve(request.ref)
        // Refused before any eval or traffic; checked again under the lock when the tag moves.
        try registry.requireArtifacts(of: candidate, to: "promote")
        let productionID = registry.tag("production")
        if productionID == candidate.id {
            throw PlaybookError.alreadyProduction(version: "#\(candidate.seq) \(candidate.shortID)")
        }
        _ = try people(request, candidate: candidate, production: productionID, in: context)
        if request.canaryPercent != nil, productionID == nil {
            throw PlaybookError.invalid(
                "A canary needs a production version to compare with; promote without --canary first.")
        }
        return (candidate, try productionID.map { try registry.record(id: $0) })
    }

    /// The people checks of a promotion, before any work: the approver is a second person (on the roster where it
    /// has people, not the owner, not the actor: `Roster.secondPerson`), a signed approval where one is needed
    /// (--high-stakes, an approver with a key, or one given) checks out, and a version an incident named bad is
    /// promoted only as break-glass. Returns the approval and the incidents naming the candidate.
    static func people(
        _ request: PromoteRequest, candidate: VersionRecord, production: String?, in context: PlayContext
    ) throws -> (approval: SignedApproval?, incidents: [String], approver: String) {
        let roster = try context.registry.roster()
        try roster.secondPerson(approver: request.approver, owner: candidate.metadata.owner, actor: request.actor)
        let incidents = try BreakGlassNeed.incidents(naming: candidate.id, in: context)
        if !incidents.isEmpty, !request.force {
            throw PlaybookError.breakGlassNeeded(BreakGlassNeed(floors: [], incidents: incidents).sentence)
        }
        var why: String?
        if request.highStakes { why = "This is a high-stakes promotion" }
        if roster.person(request.approver)?.key != nil { why = "\(request.approver) has a key on the roster" }
        guard let file = request.approvalFile else {
            if let why { throw PlaybookError.approvalNeeded(approver: request.approver, why: why) }
            return (nil, incidents, roster.display(request.approver))
        }
        let approval = try Approvals.load(file)
        try Approvals.check(
            approval, approver: request.approver, candidate: candidate.id, production: production, roster: roster,
            environment: request.environment, in: context)
        return (approval, incidents, roster.display(request.approver))
    }

    /// Checks, gate, canary, confirmation and the move, in that order. `confirm` is asked after a canary ran;
    /// a canary that ran is real traffic, so stopping after it records why (`promotion.stopped`).
    public static func run(
        _ request: PromoteRequest, in context: PlayContext,
        onGate: (PromotionGate) -> Void = { _ in }, onCanary: (CanaryReport) -> Void = { _ in },
        confirm: (PromotionGate, CanaryReport) throws -> Void = { _, _ in }
    ) throws -> PromoteResult {
        _ = try check(request, in: context)
        let gate = try gate(request, in: context)
        onGate(gate)
        if !gate.passed, !request.force { throw PlaybookError.gateFailed(gate.finding) }
        var canary: CanaryReport?
        if let percent = request.canaryPercent, let production = gate.production {
            let report = try Canary.run(
                percent: percent, requests: request.canaryRequests, candidate: gate.candidate.id,
                production: production.id, seed: context.settings.evalSeed, by: request.approver, in: context)
            canary = report
            onCanary(report)
            if report.aborted {
                try recordStop(request, gate: gate, canary: report, why: .aborted, in: context)
                throw PlaybookError.canaryAborted(report.finding)
            }
            do {
                try confirm(gate, report)
            } catch {
                try recordStop(request, gate: gate, canary: report, why: .declined, in: context)
                throw error
            }
        }
        return try move(request, gate: gate, canary: canary, in: context)
    }

    static func recordStop(
        _ request: PromoteRequest, gate: PromotionGate, canary: CanaryReport, why: PromotionStopped.Reason,
        in context: PlayContext
    ) throws {
        let stopped = PromotionStopped(
            candidate: gate.candidate.id, production: gate.production?.id, stopped: why, canary: CanaryFacts(canary))
        try context.registry.write { writer in try writer.append(stopped, actor: request.approver) }
    }

    /// Evaluates the promotion gate without moving or writing anything: both versions on the pinned standard suite
    /// (run now, in memory, when either has no eval on that pin), the aggregate and every floored category.
    public static func gate(_ request: PromoteRequest, in context: PlayContext) throws -> PromotionGate {
        let (candidate, production) = try check(request, in: context)
        let registry = context.registry
        let events = try registry.events()
        var pending: [String: EvalResult] = [:]
        func pinnedEval(_ record: VersionRecord) throws -> EvalSummary {
            let pinned = try context.pinnedStandardSuiteSHA256()
            if let pinned, let summary = try EvalLedger.latest(for: record, suiteSHA256: pinned, events: events) {
                return summary
            }
            let system = try context.system(for: record)
            let suite = try context.pinnedStandardSuite(for: system, by: request.approver)
            let result = try EvalRunner.run(
                suite: suite, system: system, seed: context.settings.evalSeed,
                repeats: context.gateRepeats(for: system))
            let blob = SHA256.hash(try EvalLedger.encode(result)).hex
            pending[blob] = result
            return EvalSummary(result, blob: blob, source: .promote, at: context.now())
        }
        func full(_ summary: EvalSummary) throws -> EvalResult {
            try pending[summary.result] ?? EvalLedger.load(summary, from: registry)
        }
        let candidateEval = try pinnedEval(candidate)
        guard let production else {
            let threshold = context.settings.passThreshold
            let passed = candidateEval.passRate >= threshold
            return PromotionGate(
                candidate: candidate, production: nil, candidateEval: candidateEval, productionEval: nil,
                comparison: nil, floors: [], passed: passed,
                finding: passed
                    ? "first promotion: pass rate \(Rate.percent(candidateEval.passRate)) meets the threshold \(Rate.percent(threshold))"
                    : "pass rate \(Rate.percent(candidateEval.passRate)) is below the threshold \(Rate.percent(threshold))",
                pending: Array(pending.values))
        }
        let productionEval = try pinnedEval(production)
        guard candidateEval.suiteSHA256 == productionEval.suiteSHA256 else {
            throw PlaybookError.differentSuites(
                candidate: candidateEval.suiteSHA256, production: productionEval.suiteSHA256)
        }
        let exact = candidateEval.temperature == 0 && productionEval.temperature == 0
        var comparison: Comparison?
        var passed: Bool
        var finding: String
        let candidateResult = try full(candidateEval)
        let productionResult = try full(productionEval)
        if exact {
            passed = candidateEval.passRate >= productionEval.passRate
            finding =
                passed
                ? "pass rate \(Rate.percent(candidateEval.passRate)) meets or beats production's \(Rate.percent(productionEval.passRate))"
                : "pass rate \(Rate.percent(candidateEval.passRate)) is below production's \(Rate.percent(productionEval.passRate)) on the same suite"
        } else {
            let compared = try EvalComparer.compare(productionResult, candidateResult, alpha: context.settings.alpha)
            comparison = compared
            passed = compared.verdict != .worse
            finding =
                "eval compare says \(compared.verdict) (p = \(String(format: "%.4f", compared.pValue)), \(compared.test))"
        }
        let floors = try floorChecks(
            candidate: candidateResult, production: productionResult, exact: exact, in: context)
        let broken = floors.filter(\.worse)
        if !broken.isEmpty {
            finding +=
                (passed ? "; but floored " : "; and floored ")
                + broken.map { floor in
                    "category \(floor.category) is worse: \(Rate.percent(floor.candidate)) against production's \(Rate.percent(floor.production))"
                }.joined(separator: ", ")
            passed = false
        } else if !floors.isEmpty {
            finding += "; no floored category worse (\(floors.count) checked)"
        }
        return PromotionGate(
            candidate: candidate, production: production, candidateEval: candidateEval,
            productionEval: productionEval, comparison: comparison, floors: floors, passed: passed,
            finding: finding, pending: Array(pending.values))
    }

    /// Every floored category of the pinned suite: at temperature 0 any drop is worse; when sampled, a drop is
    /// worse when the paired test on that category's cases says so at the workspace's alpha.
    static func floorChecks(candidate: EvalResult, production: EvalResult, exact: Bool, in context: PlayContext)
        throws -> [FloorCheck]
    {
        var checks: [FloorCheck] = []
        for (category, before) in production.categories.sorted(by: { $0.key < $1.key })
        where context.settings.isFloored(category) {
            let after = candidate.categories[category]?.passRate ?? 0
            var worse = after < before.passRate
            if !exact, worse {
                var a = production
                var b = candidate
                a.cases = a.cases.filter { $0.category == category }
                b.cases = b.cases.filter { $0.category == category }
                worse =
                    try b.cases.isEmpty
                    || (EvalComparer.compare(a, b, alpha: context.settings.alpha)).verdict == .worse
            }
            checks.append(FloorCheck(category: category, candidate: after, production: before.passRate, worse: worse))
        }
        return checks
    }

    /// Moves production to the gated candidate as a compare-and-swap against the production the gate saw, after
    /// recording any eval the gate ran.
    public static func move(
        _ request: PromoteRequest, gate: PromotionGate, canary: CanaryReport?, in context: PlayContext
    ) throws -> PromoteResult {
        try RegisterPlay.requireText(
            request.approver, field: "--approver", hint: "every promotion records who approved it, pass --approver NAME"
        )
        let people = try people(request, candidate: gate.candidate, production: gate.production?.id, in: context)
        let need = BreakGlassNeed(floors: gate.floors.filter(\.worse).map(\.category), incidents: people.incidents)
        if !gate.passed || need.isNeeded {
            guard request.force else {
                throw gate.passed
                    ? PlaybookError.breakGlassNeeded(need.sentence) : PlaybookError.gateFailed(gate.finding)
            }
            guard let reason = request.reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PlaybookError.needsForceReason
            }
        }
        if let canary, canary.aborted { throw PlaybookError.canaryAborted(canary.finding) }
        if context.registry.tag("production") != gate.production?.id {
            throw RegistryError.tagChanged(
                tag: "production", expected: gate.production?.id, actual: context.registry.tag("production"))
        }
        for result in gate.pending.sorted(by: { $0.version < $1.version }) {
            try EvalLedger.record(result, source: .promote, actor: people.approver, in: context)
        }
        var facts = TagMoveFacts(
            play: .promote, approver: people.approver, gate: gate.passed ? .passed : .overridden,
            gateFinding: gate.finding, suiteSHA256: gate.candidateEval.suiteSHA256,
            candidatePassRate: gate.candidateEval.passRate, productionPassRate: gate.productionEval?.passRate,
            highStakes: request.highStakes, overrideReason: gate.passed ? nil : request.reason,
            floorsBroken: gate.floors.filter(\.worse).map(\.category), canary: canary.map(CanaryFacts.init))
        facts.runBy = request.actor
        facts.approvalSignedAt = people.approval?.approval.at
        facts.approvalSignature = people.approval?.signature
        facts.breakGlass = need.isNeeded ? need.overrides.map(\.rawValue).joined(separator: ",") : nil
        let reason = request.reason ?? "promote #\(gate.candidate.seq) (\(gate.finding))"
        let breakGlass = BreakGlass(
            candidate: gate.candidate.id, production: gate.production?.id, owner: gate.candidate.metadata.owner,
            approver: people.approver, runBy: request.actor, reason: reason,
            overrides: need.overrides.map(\.rawValue).joined(separator: ","),
            floors: need.floors.isEmpty ? nil : need.floors.joined(separator: ","),
            incidents: need.incidents.isEmpty ? nil : need.incidents.joined(separator: ","),
            approvalSigned: people.approval != nil)
        let event = try context.registry.moveTag(
            "production", to: gate.candidate.id, by: people.approver, reason: reason,
            expecting: .pointsTo(gate.production?.id), facts: facts,
            first: need.isNeeded ? { writer in try writer.append(breakGlass, actor: people.approver) } : nil)
        return PromoteResult(gate: gate, canary: canary, overridden: !gate.passed, event: event)
    }

    /// A rate as people read it: `94.4%` (the one format, `Rate.percent`, under the name callers know).
    public static func percent(_ rate: Double) -> String { Rate.percent(rate) }
}
