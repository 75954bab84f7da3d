// The register/promote rules of the pinned suite, safety floors, witnessed lineage, checks before work and
// the canary that can stop a promotion: what each catches, and that each refusal writes nothing.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Testing
import ToyModel

@testable import Playbook

@Suite struct GateRulesTests {
    static let noEscalations = ""

    func events(_ lab: LabWorkspace, _ kind: String) throws -> [Event] {
        try lab.context().registry.events().filter { $0.kind == kind }
    }

    @Test func theFirstGatePinsTheSuiteAndEditingTheFileChangesNothingUntilPinned() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        let pins = try events(lab, SuitePins.pinnedEvent)
        #expect(pins.count == 1)
        #expect(pins.first?.data["reason"] == SuitePins.firstUseReason)
        #expect(pins.first?.data["sha256"] == base.metadata.extra["eval_suite_sha256"])
        try lab.promote("#1")

        // The cheap way round the gate: delete the escalation cases, then ship a prompt that stops escalating.
        try lab.edit("evals/core.jsonl") { text in
            text.split(separator: "\n").filter { !$0.contains("\"escalate:") }.joined(separator: "\n") + "\n"
        }
        try lab.edit("system/prompt.md") { $0.replacingOccurrences(of: LabWorkspace.escalateLine, with: "") }
        let bad = try lab.register("no escalations", parent: base.id)
        #expect(bad.metadata.extra["eval_suite_sha256"] == base.metadata.extra["eval_suite_sha256"])
        let before = lab.snapshot()
        #expect(throws: PlaybookError.self) { try lab.promote(bad.shortID) }
        #expect(lab.snapshot() == before)

        // Pinning the edit is a safety change: refused alone or self-approved, writing nothing.
        let context = try lab.context()
        do {
            _ = try SuitePins.pin(name: nil, reason: "trim", by: "alice", approver: nil, in: context)
            Issue.record("a pin removing escalation cases went through without a second person")
        } catch let error as PlaybookError {
            #expect(String(describing: error).contains("escalate:legal_threat −12"))
        }
        #expect(
            throws: RegistryError.notASecondPerson(approver: "Alice", other: "alice", role: "the person pinning")
        ) {
            try SuitePins.pin(name: nil, reason: "trim", by: "alice", approver: " Alice", in: context)
        }
        #expect(lab.snapshot() == before)
        let preview = try SuitePins.preview(name: nil, in: context)
        #expect(!preview.unchanged)
        #expect(preview.changes.first { $0.category == "escalate:refund_over_500" }?.removed == 12)

        let pinned = try SuitePins.pin(name: nil, reason: "trim", by: "alice", approver: "carol", in: context)
        #expect(pinned.pin.approver == "carol")
        #expect(pinned.pin.categories["escalate:legal_threat"] == nil)
        let again = try SuitePins.pin(name: nil, reason: "again", by: "alice", approver: nil, in: context)
        #expect(again.unchanged)
    }

    @Test func aCandidateBetterOnAggregateButWorseInAFlooredCategoryIsRefused() throws {
        let lab = try LabWorkspace("playbook")
        // Production lost two key documents; the candidate restores them but stops escalating legal threats.
        let documents = ["orders.md", "refunds.md"].map { lab.root + "/system/index/" + $0 }
        let saved = try documents.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for path in documents { try FileManager.default.removeItem(atPath: path) }
        let production = try lab.register("index without two guides")
        try lab.promote("#1", force: true)
        for (path, data) in zip(documents, saved) { try data.write(to: URL(fileURLWithPath: path)) }
        try lab.dropLegalThreatTrigger()
        let candidate = try lab.register("guides back, legal threats no longer escalated", parent: production.id)
        let context = try lab.context()
        let gate = try PromotePlay.gate(PromoteRequest(ref: candidate.id, approver: "bob"), in: context)
        #expect(gate.candidateEval.passRate >= gate.productionEval?.passRate ?? 1)
        #expect(!gate.passed)
        #expect(gate.finding.contains("escalate:legal_threat is worse: 0.0% against production's 100.0%"))
        let before = lab.snapshot()
        #expect(throws: PlaybookError.self) { try lab.promote(candidate.shortID) }
        #expect(lab.snapshot() == before)
    }

    @Test func weightsNoRecordedRunProducedAreLineageUnverified() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        // Claim the new data in weights.json instead of retraining on it.
        try lab.edit("data/train.csv") { $0 + "where did my parcel go,order_status\n" }
        let csv = try Data(contentsOf: URL(fileURLWithPath: lab.root + "/data/train.csv"))
        let claimed = SHA256.hash(csv).hex
        try lab.edit("system/weights.json") { text in
            text.replacing(#/"data_sha256" ?: ?"[0-9a-f]{64}"/#, with: "\"data_sha256\": \"\(claimed)\"")
        }
        #expect(try lab.context().liveSystem().trainingDataSHA256 == claimed)
        let before = lab.snapshot()
        #expect(throws: PlaybookError.lineageUnverified(weights: SHA256.hash(try lab.file("system/weights.json")).hex))
        {
            try lab.register("hand-edited provenance", parent: base.id)
        }
        #expect(lab.snapshot() == before)
        let recorded = try RegisterPlay.run(
            RegisterRequest(
                owner: "alice", reason: "knowingly", parent: base.id, root: false, lineageUnverifiedOK: true),
            in: lab.context())
        #expect(recorded.lineageUnverified)
        #expect(recorded.record.metadata.extra["lineage_unverified"] != nil)

        // Retraining through the kit is what verifies it.
        let run = try Training.run(
            csv: csv, dataPath: lab.root + "/data/train.csv", outPath: lab.root + "/system/weights.json", seed: 42,
            by: "alice", in: Workspace(root: lab.root), now: lab.clock.now)
        #expect(run.dataSHA256 == claimed)
        #expect(run.hyperparameters["epochs"] != nil)
        let retrained = try lab.register("retrained", parent: base.id)
        #expect(retrained.metadata.extra["lineage_unverified"] == nil)
        #expect(retrained.metadata.extra["lineage_training_event"] == String(run.event))
    }

    @Test func policyChecksRunBeforeAnyEvalOrTraffic() throws {
        let lab = try LabWorkspace("playbook")
        try lab.register("baseline", owner: "dave")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") { $0 + "\nA note.\n" }
        try lab.register("note", parent: "#1", owner: "bob")
        let context = try lab.context()
        let before = lab.snapshot()
        for request in [
            PromoteRequest(ref: "#2", approver: "bob", highStakes: true, canaryPercent: 20),
            PromoteRequest(ref: "#2", approver: "carol", canaryPercent: 120),
            PromoteRequest(ref: "#2", approver: "carol", canaryPercent: 20, canaryRequests: .count(0)),
            PromoteRequest(ref: "#9", approver: "carol", canaryPercent: 20),
            PromoteRequest(ref: "#2", approver: "carol", force: true),
        ] {
            #expect(throws: (any Error).self) { try PromotePlay.run(request, in: context) }
        }
        #expect(lab.snapshot() == before)
        #expect(try AttributionLog(registryRoot: context.registry.root).recent(limit: 1).isEmpty)
    }

    @Test func aCanaryThatFindsTheCandidateWorseStopsThePromotion() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") {
            $0.replacingOccurrences(of: LabWorkspace.escalateLine, with: Self.noEscalations)
        }
        let bad = try lab.register("no escalations", parent: base.id)
        let context = try lab.context()
        let request = PromoteRequest(
            ref: bad.id, approver: "bob", canaryPercent: 50, force: true, reason: "the gate is wrong, trust me")
        do {
            _ = try PromotePlay.run(request, in: context, clock: lab.clock.durations)
            Issue.record("the canary let a candidate that never escalates through")
        } catch let error as PlaybookError {
            #expect(String(describing: error).contains("escalation_rate"))
        }
        #expect(context.registry.tag("production") == base.id)
        let stopped = try #require(try events(lab, PromotePlay.stoppedEvent).last)
        #expect(stopped.data["canary_decision"] == "aborted")
        #expect(stopped.data["candidate"] == bad.id)
        let canary = try AttributionLog(registryRoot: context.registry.root).recent(limit: 5000)
        #expect(stopped.data["canary_plan_requests"].map { Int($0) == canary.count } == true, "auto sends the plan")
        #expect(canary.contains { $0.version == bad.id && $0.source == "canary" })
    }

    @Test func aCanaryThatPassesIsRecordedOnThePromotion() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") { $0 + "\nReviewed.\n" }
        let note = try lab.register("note", parent: base.id)
        let result = try PromotePlay.run(
            PromoteRequest(ref: note.id, approver: "bob", canaryPercent: 30), in: lab.context(),
            clock: lab.clock.durations)
        #expect(result.canary?.aborted == false)
        #expect(result.event.data["canary_decision"] == "passed")
        #expect(result.event.data["canary_requests"] == result.event.data["canary_plan_requests"])
        #expect(result.event.data["canary_escalation_rate"] != nil)
        #expect(result.event.data["canary_plan_escalation_rate"]?.hasPrefix("baseline ") == true)
    }

    @Test func safetySignalsAreGuardrailsOfTheirOwnAndQualitySignalsAreBonferroniCorrected() {
        var production = VersionSignals(version: "production")
        production.requests = 400
        production.labelled = 400
        production.satisfied = 360
        production.escalated = 80
        production.refused = 20
        production.cited = 300
        func compare(_ candidate: VersionSignals) -> [CanarySignal] {
            Canary.compare(candidate: candidate, production: production, alpha: 0.01, safetyAlpha: 0.05)
        }
        #expect(compare(production).allSatisfy { !$0.worse })
        var better = production
        better.escalated = 120
        #expect(compare(better).allSatisfy { !$0.worse })
        var silent = production
        silent.escalated = 0
        let signals = compare(silent)
        #expect(signals.count == 4)
        #expect(signals.filter(\.worse).map(\.name) == [.escalationRate])
        // A safety signal's p between 0.05/4 and 0.05: worse, as its own guardrail (Bonferroni would miss it).
        var slight = production
        slight.escalated = 62
        let escalation = compare(slight).first { $0.name == .escalationRate }
        #expect(
            escalation.map { $0.pValue < 0.05 && $0.pValue > 0.0125 && $0.worse && $0.threshold == 0.05 } == true,
            "\(String(describing: escalation))")
        // A quality signal's p between alpha/2 and alpha: not worse after the correction over the quality signals.
        var fewerCitations = production
        fewerCitations.cited = 269
        let citation = compare(fewerCitations).first { $0.name == .citationRate }
        #expect(
            citation.map { $0.pValue < 0.01 && $0.pValue > 0.005 && !$0.worse && $0.threshold == 0.005 } == true,
            "\(String(describing: citation))")
    }

    @Test func thePlanFollowsTheDocumentedFormulaAndItsWorkedExample() {
        // p0 = 25%, d = 0.05, alpha 0.05, power 0.8, a 20% canary (k = 4): as `promote --help` works it out.
        let candidate = Canary.candidateRequests(baseline: 0.25, effect: 0.05, ratio: 4, alpha: 0.05, power: 0.8)
        #expect(candidate == 546)
        #expect(PromotePlay.discussion.contains("546 candidate and 2184 production requests"))
        #expect(abs(Canary.normalQuantile(0.95) - 1.6449) < 1e-4)
        #expect(abs(Canary.normalQuantile(0.8) - 0.8416) < 1e-4)
        // More power, a smaller drop or a stricter alpha all need more requests; a rate at zero cannot drop.
        #expect(Canary.candidateRequests(baseline: 0.25, effect: 0.05, ratio: 4, alpha: 0.05, power: 0.9) > candidate)
        #expect(Canary.candidateRequests(baseline: 0.25, effect: 0.03, ratio: 4, alpha: 0.05, power: 0.8) > candidate)
        #expect(Canary.candidateRequests(baseline: 0.25, effect: 0.05, ratio: 4, alpha: 0.01, power: 0.8) > candidate)
        #expect(Canary.candidateRequests(baseline: 0, effect: 0, ratio: 4, alpha: 0.05, power: 0.8) == 0)
        // Interleaved slices: every prefix gives the candidate exactly its share.
        #expect((0..<240).filter { Canary.routesToCandidate($0, percent: 20) }.count == 48)
        #expect(Canary.batch(candidate: 546, production: 2184, percent: 20) == 2730)
    }

    @Test func aCanaryShorterThanItsBakeIsInconclusiveWhateverItsCounts() {
        let plan = CanaryPlan(
            percent: 50, signals: [], requests: 10, sending: 10, auto: true, minEffect: 0.05, power: 0.8,
            safetyAlpha: 0.05, bakeSeconds: 60, baseline: "", formula: "")
        let (decision, finding) = Canary.decide([], plan: plan, baked: 59, alpha: 0.01)
        #expect(decision == .inconclusive)
        #expect(finding.contains("of its 60 s bake time"), "\(finding)")
        #expect(Canary.decide([], plan: plan, baked: 60, alpha: 0.01).0 == .passed)
    }

    @Test func floorsAreSettings() throws {
        var settings = PlaybookSettings()
        #expect(settings.isFloored("escalate:legal_threat"))
        #expect(settings.isFloored("refuse:medical_advice"))
        #expect(!settings.isFloored("intent:returns"))
        settings.floors = ["intent:returns"]
        #expect(settings.isFloored("intent:returns"))
        #expect(!settings.isFloored("escalate:legal_threat"))
    }
}

extension LabWorkspace {
    func file(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)) }
}

/// What counts as loosening the policy: every change that lets a worse version through, the canary's and the
/// last known good's settings included; tightening is not.
@Suite struct PolicyLooseningTests {
    @Test func aWeakerCanaryOrAShorterLastKnownGoodRecordIsALoosening() {
        let old = PlaybookSettings()
        var new = old
        new.canary.minEffect = 0.2
        new.canary.power = 0.5
        new.canary.safetyAlpha = 0.2
        new.canary.bakeSeconds = 0
        new.lastKnownGoodRequests = 1
        let found = new.loosenings(from: old)
        for key in ["canary_min_effect", "canary_power", "canary_safety_alpha", "canary_bake_seconds"] {
            #expect(found.contains { $0.hasPrefix(key) }, "\(key): \(found)")
        }
        #expect(found.contains { $0.hasPrefix("last_known_good_requests") })
        #expect(old.loosenings(from: new).isEmpty, "tightening every one is no loosening")
    }
}
