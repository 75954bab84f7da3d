// Play 2, promote: production moves only when the candidate's eval on production's suite meets or beats
// production's (or an override is recorded), with an approver, an optional canary, as a compare-and-swap.
public import Evals
import Foundation
import Hashing
public import Registry

public struct PromoteRequest: Sendable {
    public var ref: String
    public var approver: String
    public var highStakes: Bool
    public var canaryPercent: Double?
    public var force: Bool
    public var reason: String?

    public init(
        ref: String, approver: String, highStakes: Bool = false, canaryPercent: Double? = nil, force: Bool = false,
        reason: String? = nil
    ) {
        self.ref = ref
        self.approver = approver
        self.highStakes = highStakes
        self.canaryPercent = canaryPercent
        self.force = force
        self.reason = reason
    }
}

/// The gate's finding, before anything moves.
public struct PromotionGate: Encodable, Sendable {
    public var candidate: VersionRecord
    public var production: VersionRecord?
    public var candidateEval: EvalSummary
    public var productionEval: EvalSummary?
    public var comparison: Comparison?
    public var passed: Bool
    public var finding: String

    enum CodingKeys: String, CodingKey {
        case candidate, production, comparison, passed, finding
        case candidateEval = "candidate_eval"
        case productionEval = "production_eval"
    }
}

public struct CanaryReport: Encodable, Sendable {
    public var percent: Double
    public var candidate: VersionTraffic
    public var production: VersionTraffic
}

public struct PromoteResult: Encodable, Sendable {
    public var gate: PromotionGate
    public var canary: CanaryReport?
    public var overridden: Bool
    public var event: Event
}

public enum PromotePlay {
    public static let canaryRequests = 200

    /// Evaluates the promotion gate without moving anything.
    public static func gate(_ request: PromoteRequest, in context: PlayContext) throws -> PromotionGate {
        let registry = context.registry
        let candidate = try registry.resolve(request.ref)
        let events = try registry.events()
        let productionID = registry.tag("production")
        if productionID == candidate.id {
            throw PlaybookError.alreadyProduction(version: "#\(candidate.seq) \(candidate.shortID)")
        }
        let production = try productionID.map { try registry.record(id: $0) }
        let candidateEvals = EvalLedger.summaries(for: candidate, events: events)
        guard let production else {
            guard let latest = candidateEvals.last(where: { $0.suite == context.settings.standardSuite }) else {
                throw PlaybookError.noEvalOnSuite(version: candidate.shortID, suite: context.settings.standardSuite)
            }
            let passed = latest.passRate >= context.settings.passThreshold
            return PromotionGate(
                candidate: candidate, production: nil, candidateEval: latest, productionEval: nil, comparison: nil,
                passed: passed,
                finding: passed
                    ? "first promotion: pass rate \(percent(latest.passRate)) meets the threshold \(percent(context.settings.passThreshold))"
                    : "pass rate \(percent(latest.passRate)) is below the threshold \(percent(context.settings.passThreshold))"
            )
        }
        let productionEvals = EvalLedger.summaries(for: production, events: events)
        // Prefer a pair on the same suite hash, the most recent candidate eval first.
        for candidateEval in candidateEvals.reversed() {
            guard let productionEval = productionEvals.last(where: { $0.suiteSHA256 == candidateEval.suiteSHA256 })
            else { continue }
            if candidateEval.temperature == 0 && productionEval.temperature == 0 {
                let passed = candidateEval.passRate >= productionEval.passRate
                return PromotionGate(
                    candidate: candidate, production: production, candidateEval: candidateEval,
                    productionEval: productionEval, comparison: nil, passed: passed,
                    finding: passed
                        ? "pass rate \(percent(candidateEval.passRate)) meets or beats production's \(percent(productionEval.passRate))"
                        : "pass rate \(percent(candidateEval.passRate)) is below production's \(percent(productionEval.passRate)) on the same suite"
                )
            }
            let comparison = try EvalComparer.compare(
                try EvalLedger.load(productionEval, from: registry), try EvalLedger.load(candidateEval, from: registry),
                alpha: context.settings.alpha)
            let passed = comparison.verdict != "worse"
            return PromotionGate(
                candidate: candidate, production: production, candidateEval: candidateEval,
                productionEval: productionEval, comparison: comparison, passed: passed,
                finding:
                    "eval compare says \(comparison.verdict) (p = \(String(format: "%.4f", comparison.pValue)), \(comparison.test))"
            )
        }
        guard let candidateEval = candidateEvals.last else {
            throw PlaybookError.noEvalOnSuite(version: candidate.shortID, suite: context.settings.standardSuite)
        }
        guard let productionEval = productionEvals.last else {
            throw PlaybookError.noEvalOnSuite(version: production.shortID, suite: context.settings.standardSuite)
        }
        throw PlaybookError.differentSuites(
            candidate: candidateEval.suiteSHA256, production: productionEval.suiteSHA256)
    }

    /// Runs the canary: `percent` of a simulated batch goes to the candidate, the rest to production.
    public static func canary(percent: Double, gate: PromotionGate, seed: UInt64, in context: PlayContext) throws
        -> CanaryReport
    {
        guard percent > 0, percent < 100 else {
            throw PlaybookError.invalid("--canary must be a percentage between 0 and 100 (exclusive), not \(percent).")
        }
        guard let production = gate.production else {
            throw PlaybookError.invalid(
                "A canary needs a production version to compare with; promote without --canary first.")
        }
        let report = try Traffic.run(
            requests: canaryRequests, rate: 0, seed: seed, source: "canary", in: context,
            route: { index in
                Double(Traffic.mix(seed ^ 0xCA9A, UInt64(index)) % 10_000) < percent * 100
                    ? gate.candidate.id : production.id
            })
        return CanaryReport(
            percent: percent, candidate: report.byVersion[gate.candidate.id] ?? VersionTraffic(),
            production: report.byVersion[production.id] ?? VersionTraffic())
    }

    /// Moves production to the gated candidate as a compare-and-swap against the production the gate saw.
    public static func move(
        _ request: PromoteRequest, gate: PromotionGate, canary: CanaryReport?, in context: PlayContext
    ) throws -> PromoteResult {
        try RegisterPlay.requireText(
            request.approver, field: "--approver", hint: "every promotion records who approved it, pass --approver NAME"
        )
        if request.highStakes, request.approver == gate.candidate.metadata.owner {
            throw PlaybookError.approverIsOwner(approver: request.approver)
        }
        if !gate.passed {
            guard request.force else { throw PlaybookError.gateFailed(gate.finding) }
            guard let reason = request.reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PlaybookError.needsForceReason
            }
        }
        var details = [
            "play": "promote", "approver": request.approver, "gate": gate.passed ? "passed" : "overridden",
            "gate_finding": gate.finding, "suite_sha256": gate.candidateEval.suiteSHA256,
            "candidate_pass_rate": String(gate.candidateEval.passRate), "high_stakes": String(request.highStakes),
        ]
        details["production_pass_rate"] = gate.productionEval.map { String($0.passRate) }
        if !gate.passed { details["override_reason"] = request.reason }
        if let canary {
            details["canary_percent"] = String(canary.percent)
            details["canary_candidate_satisfied"] = String(canary.candidate.satisfiedRate)
            details["canary_production_satisfied"] = String(canary.production.satisfiedRate)
        }
        let reason = request.reason ?? "promote #\(gate.candidate.seq) (\(gate.finding))"
        let event = try context.registry.moveTag(
            "production", to: gate.candidate.id, by: request.approver, reason: reason,
            expecting: .pointsTo(gate.production?.id), details: details)
        return PromoteResult(gate: gate, canary: canary, overridden: !gate.passed, event: event)
    }

    /// A rate as people read it: `94.4%`.
    public static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
}
