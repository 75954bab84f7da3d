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
    /// The canary's batch: `.auto` sends what its power plan needs.
    public var canaryRequests: CanaryRequests
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
        canaryRequests: CanaryRequests = .auto, force: Bool = false, reason: String? = nil,
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
        /// Fewer requests than the canary's plan, or a short bake: not evidence enough to promote.
        case inconclusive = "the canary was inconclusive"
        public var description: String { rawValue }
    }

    public var candidate: String
    public var production: String?
    public var stopped: Reason
    public var canary: CanaryFacts
    /// The pinned policy the canary and the gate decided under.
    public var policySHA256: String? = nil

    enum CodingKeys: String, CodingKey {
        case candidate, production, stopped, canary
        case policySHA256 = "policy_sha256"
    }
}

public struct PromoteResult: Encodable, Sendable {
    public var gate: PromotionGate
    public var canary: CanaryReport?
    public var overridden: Bool
    public var event: Event
}

public enum PromotePlay {
    /// `promote --help`'s discussion: the gate, the canary's plan (with the formula and a worked example), the move.
    public static let discussion = """
        The approver is a second person on the roster (not the owner, not --by); --high-stakes or an approver
        with a key needs a signed --approval. Both versions are judged on the pinned standard suite: the
        candidate must meet or beat production (by pass rate at temperature 0; by 'eval compare' not saying
        worse when sampled), and no floored category (settings 'floors', default escalate:* and refuse:*) may be
        worse: forcing past a floor, or onto a version an incident named bad, is break-glass (--force --reason
        and a second person, recorded as promotion.break_glass). Every check on the arguments and the approver
        runs before any eval or traffic.

        A canary (--canary P) sends P% of a simulated batch to the candidate and the rest to production. Before
        its first request it says its plan: for each safety signal (escalation and refusal rate), the requests
        each slice needs to detect an absolute drop d = canary_min_effect (settings, default 0.05; capped at the
        baseline) at one-sided alpha canary_safety_alpha (0.05) with probability canary_power (0.8), by the
        one-sided two-proportion sample size (normal approximation):
          n_candidate  = ceil((z(1-alpha) sqrt(pbar(1-pbar)(1+1/k)) + z(power) sqrt(p1(1-p1) + p0(1-p0)/k))^2 / d^2)
          n_production = ceil(k n_candidate)
        with p0 production's baseline rate on the traffic cases, p1 = p0 - d, k = (100-P)/P and
        pbar = (p1 + k p0)/(1 + k). Example: p0 = 25%, d = 0.05, alpha 0.05, power 0.8, P = 20 (k = 4):
        z(0.95) = 1.64485, z(0.8) = 0.84162, pbar = 0.24, so 546 candidate and 2184 production requests.
        --canary-requests auto (the default) sends the smallest batch that gives both (the slices are
        interleaved, so each gets exactly its share); --canary-plan prints the plan and stops. The requests are
        paced over canary_bake_seconds (default 2) on the clock.

        The canary stops the promotion when a safety signal's one-sided test at canary_safety_alpha (each on its
        own, not Bonferroni-diluted), or a quality signal's (satisfaction, citation rate) at alpha Bonferroni over
        them, finds the candidate worse. With fewer requests than its plan, or a short bake, it is inconclusive:
        production does not move, and --force does not pass it. The move is a compare-and-swap: if production
        changes meanwhile, nothing moves.
        """

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
        if case .count(let count) = request.canaryRequests, !(1...CanaryPlan.maximumRequests).contains(count) {
            throw PlaybookError.invalid(
                "--canary-requests must be 'auto' or between 1 and \(CanaryPlan.maximumRequests), not \(count).")
        }
        let registry = context.registry
        _ = try context.checkPolicy()
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

    /// The canary's plan for `request` (which must name --canary P), after every check: nothing is sent or written.
    public static func plan(_ request: PromoteRequest, in context: PlayContext) throws -> CanaryPlan {
        let (_, production) = try check(request, in: context)
        guard let percent = request.canaryPercent, let production else {
            throw PlaybookError.invalid("--canary-plan plans a canary: give --canary PERCENT too.")
        }
        return try Canary.plan(
            percent: percent, requests: request.canaryRequests, production: production,
            seed: context.settings.evalSeed, in: context)
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

    /// Checks, the canary's plan, gate, canary, confirmation and the move, in that order. The plan is said
    /// (`onPlan`) before the canary's first request; `confirm` is asked after a canary ran. A canary that ran is
    /// real traffic, so stopping after it records why (`promotion.stopped`). The canary's requests are paced over
    /// its bake time on `clock`.
    public static func run(
        _ request: PromoteRequest, in context: PlayContext, clock: any LoopClock = ContinuousClock(),
        onGate: (PromotionGate) -> Void = { _ in }, onPlan: (CanaryPlan) -> Void = { _ in },
        onCanary: (CanaryReport) -> Void = { _ in },
        confirm: (PromotionGate, CanaryReport) throws -> Void = { _, _ in }
    ) throws -> PromoteResult {
        let (_, production) = try check(request, in: context)
        let seed = context.settings.evalSeed
        let plan = try request.canaryPercent.flatMap { percent in
            try production.map { production in
                try Canary.plan(
                    percent: percent, requests: request.canaryRequests, production: production, seed: seed, in: context)
            }
        }
        let gate = try gate(request, in: context)
        onGate(gate)
        if !gate.passed, !request.force { throw PlaybookError.gateFailed(gate.finding) }
        var canary: CanaryReport?
        if let plan, let production = gate.production {
            onPlan(plan)
            let report = try Canary.run(
                plan: plan, candidate: gate.candidate.id, production: production.id, seed: seed, by: request.approver,
                in: context, clock: clock)
            canary = report
            onCanary(report)
            switch report.decision {
            case .aborted:
                try recordStop(request, gate: gate, canary: report, why: .aborted, in: context)
                throw PlaybookError.canaryAborted(report.finding)
            case .inconclusive:
                try recordStop(request, gate: gate, canary: report, why: .inconclusive, in: context)
                throw PlaybookError.canaryInconclusive(finding: report.finding, planned: plan.requests)
            case .passed: break
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
            candidate: gate.candidate.id, production: gate.production?.id, stopped: why, canary: CanaryFacts(canary),
            policySHA256: try context.policyInForce(by: request.approver))
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
        if let canary, canary.decision == .inconclusive {
            throw PlaybookError.canaryInconclusive(finding: canary.finding, planned: canary.plan.requests)
        }
        if context.registry.tag("production") != gate.production?.id {
            throw RegistryError.tagChanged(
                tag: "production", expected: gate.production?.id, actual: context.registry.tag("production"))
        }
        let policy = try context.policyInForce(by: request.approver)
        for result in gate.pending.sorted(by: { $0.version < $1.version }) {
            try EvalLedger.record(result, source: .promote, actor: people.approver, in: context)
        }
        var facts = TagMoveFacts(
            play: .promote, approver: people.approver, gate: gate.passed ? .passed : .overridden,
            gateFinding: gate.finding, suiteSHA256: gate.candidateEval.suiteSHA256,
            candidatePassRate: gate.candidateEval.passRate, productionPassRate: gate.productionEval?.passRate,
            highStakes: request.highStakes, overrideReason: gate.passed ? nil : request.reason,
            floorsBroken: gate.floors.filter(\.worse).map(\.category), canary: canary.map(CanaryFacts.init),
            policySHA256: policy)
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
        _ = try DeployFolder.followProduction(by: people.approver, in: context)
        return PromoteResult(gate: gate, canary: canary, overridden: !gate.passed, event: event)
    }

    /// A rate as people read it: `94.4%` (the one format, `Rate.percent`, under the name callers know).
    public static func percent(_ rate: Double) -> String { Rate.percent(rate) }
}
