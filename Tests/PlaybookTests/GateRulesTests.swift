// The register/promote rules of the pinned suite, safety floors, witnessed lineage, checks before work and
// the canary that can stop a promotion: what each catches, and that each refusal writes nothing.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing
import ToyModel

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
            PromoteRequest(ref: "#2", approver: "carol", canaryPercent: 20, canaryRequests: 0),
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
            _ = try PromotePlay.run(request, in: context)
            Issue.record("the canary let a candidate that never escalates through")
        } catch let error as PlaybookError {
            #expect(String(describing: error).contains("escalation_rate"))
        }
        #expect(context.registry.tag("production") == base.id)
        let stopped = try #require(try events(lab, PromotePlay.stoppedEvent).last)
        #expect(stopped.data["canary_decision"] == "aborted")
        #expect(stopped.data["candidate"] == bad.id)
        let canary = try AttributionLog(registryRoot: context.registry.root).recent(limit: 500)
        #expect(canary.count == Canary.defaultRequests)
        #expect(canary.contains { $0.version == bad.id && $0.source == "canary" })
    }

    @Test func aCanaryThatPassesIsRecordedOnThePromotion() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") { $0 + "\nReviewed.\n" }
        let note = try lab.register("note", parent: base.id)
        let result = try PromotePlay.run(
            PromoteRequest(ref: note.id, approver: "bob", canaryPercent: 30, canaryRequests: 100), in: lab.context())
        #expect(result.canary?.aborted == false)
        #expect(result.event.data["canary_decision"] == "passed")
        #expect(result.event.data["canary_requests"] == "100")
        #expect(result.event.data["canary_escalation_rate"] != nil)
    }

    @Test func theCanaryTestIsOneSidedAndBonferroniCorrected() {
        var production = VersionSignals(version: "production")
        production.requests = 400
        production.labelled = 400
        production.satisfied = 360
        production.escalated = 80
        production.refused = 20
        production.cited = 300
        #expect(Canary.compare(candidate: production, production: production, alpha: 0.01).allSatisfy { !$0.worse })
        var better = production
        better.escalated = 120
        #expect(Canary.compare(candidate: better, production: production, alpha: 0.01).allSatisfy { !$0.worse })
        var silent = production
        silent.escalated = 0
        let signals = Canary.compare(candidate: silent, production: production, alpha: 0.01)
        #expect(signals.count == 4)
        #expect(signals.filter(\.worse).map(\.name) == [.escalationRate])
        // p between alpha/4 and alpha: significant alone, not after the correction.
        var slight = production
        slight.escalated = 53
        let p = Canary.compare(candidate: slight, production: production, alpha: 0.01).first {
            $0.name == .escalationRate
        }
        #expect(p.map { $0.pValue < 0.01 && $0.pValue > 0.0025 && !$0.worse } == true, "\(String(describing: p))")
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
