// The rules that keep the plays honest about evidence: last known good means known good, gc keeps what
// customers saw, investigations follow the evidence, and detection times that cannot be are refused.
import Evals
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

/// #1 promoted through the gate, #2 forced past it (it still scores above a 0.80 threshold), #3 a cosmetic
/// change on #2 promoted through the gate: production is #3, and #2 is bad although no incident names it.
func forcedHistory(threshold: Double = 0.80) throws -> (LabWorkspace, good: VersionRecord, forced: VersionRecord) {
    let lab = try LabWorkspace("playbook")
    try #"{"pass_threshold": \#(threshold)}"#.write(
        toFile: lab.root + "/.labrunner/settings.json", atomically: true, encoding: .utf8)
    // A lower threshold than the kit's loosens the policy: a second person pins it.
    _ = try PolicyPins.pin(reason: "this story's threshold", by: "carol", approver: "dave", in: lab.context())
    let good = try lab.register("baseline")
    try lab.promote("#1")
    try lab.serve()
    try lab.dropLegalThreatTrigger()
    let forced = try lab.register("trim the escalation list", parent: good.id)
    try lab.promote(forced.shortID, force: true)
    try lab.edit("system/prompt.md") { $0 + "\nCosmetic note.\n" }
    let cosmetic = try lab.register("cosmetic", parent: forced.id)
    try lab.promote(cosmetic.shortID)
    return (lab, good, forced)
}

@Suite struct LastKnownGoodTests {
    @Test func aForcedVersionIsNeverLastKnownGoodEvenAboveTheThreshold() throws {
        let (lab, good, forced) = try forcedHistory()
        let context = try lab.context()
        let forcedEval = try #require(
            EvalLedger.summaries(for: forced, events: try context.registry.events()).last)
        #expect(
            forcedEval.passRate >= 0.80,
            "the forced version clears the threshold, so only the override rule can skip it")
        lab.clock.advance(seconds: 10)
        let result = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "restore escalations", incident: nil, detectedAt: lab.clock.now(), by: "ops"),
            in: lab.context())
        #expect(result.to == good.id)
        #expect(result.lastKnownGood && !result.confirmed, "no live traffic has reached it yet")
        let skippedForced = try #require(result.skipped.first { $0.version == forced.id })
        #expect(skippedForced.reasons.contains { $0.contains("forced past a failed gate") })
    }

    @Test func theDryRunPreviewsTargetSkipsAndTodaysEvalAndWritesNothing() throws {
        let (lab, good, forced) = try forcedHistory()
        let before = lab.snapshot()
        let preview = try RollbackPlay.preview(ref: nil, in: lab.context())
        #expect(lab.snapshot() == before, "a dry run writes nothing")
        #expect(preview.to == good.id && preview.lastKnownGood)
        #expect(preview.skipped.count == 2, "production now and the forced version")
        #expect(preview.skipped.first?.reasons.first?.contains("in production now") == true)
        #expect(preview.skipped.last?.version == forced.id)
        let today = try #require(preview.reevaluation)
        #expect(today.passes && !today.suiteChanged)

        // The suite grew since the target's eval: the preview says so before anything moves.
        let suitePath = lab.root + "/evals/core.jsonl"
        var suite = try String(contentsOfFile: suitePath, encoding: .utf8)
        for n in 0..<60 {
            suite +=
                #"{"category": "new", "expect": {"intent": "returns"}, "id": "grown-\#(n)", "input": "where is my parcel \#(n)"}"#
                + "\n"
        }
        try suite.write(toFile: suitePath, atomically: true, encoding: .utf8)
        let unpinned = try #require(try RollbackPlay.preview(ref: nil, in: lab.context()).reevaluation)
        #expect(unpinned.passes && !unpinned.suiteChanged, "editing the suite file changes nothing until it is pinned")
        _ = try SuitePins.pin(name: nil, reason: "sixty new cases", by: "tester", approver: nil, in: lab.context())
        let grown = try #require(try RollbackPlay.preview(ref: nil, in: lab.context()).reevaluation)
        #expect(grown.suiteChanged && !grown.passes)
        #expect(grown.finding.contains("FAILS today's core suite") && grown.finding.contains("suite changed"))
    }

    @Test func rollingBackToAForcedVersionByNameIsNeverConfirmed() throws {
        let (lab, _, forced) = try forcedHistory()
        lab.clock.advance(seconds: 10)
        let result = try RollbackPlay.run(
            RollbackRequest(
                ref: forced.shortID, reason: "back one", incident: nil, detectedAt: lab.clock.now(), by: "ops"),
            in: lab.context())
        #expect(result.to == forced.id && !result.lastKnownGood)
        #expect(!result.confirmed, "a forced version is not a known-good state, whatever it scores")
        #expect(result.targetFindings.contains { $0.contains("forced past a failed gate") })
    }
}

@Suite struct DetectionTimeTests {
    @Test func detectionBeforeTheBadVersionWentLiveIsRefusedWithBothTimes() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.dropLegalThreatTrigger()
        let bad = try lab.register("trim", parent: good.id)
        try lab.promote(bad.shortID, force: true)
        let live = lab.clock.now()
        lab.clock.advance(seconds: 30)
        let before = lab.snapshot()
        let early = live.addingTimeInterval(-90)
        #expect {
            try Incidents.open(
                symptom: "not escalated", detectedAt: early, badVersion: nil, by: "ops", in: lab.context())
        } throws: { error in
            let text = String(describing: error)
            return text.contains(Timestamp.string(from: early)) && text.contains(Timestamp.string(from: live))
                && text.contains("before the bad version")
        }
        let future = lab.clock.now().addingTimeInterval(600)
        #expect {
            try Incidents.open(
                symptom: "not escalated", detectedAt: future, badVersion: nil, by: "ops", in: lab.context())
        } throws: { error in
            String(describing: error).contains("in the future")
                && String(describing: error).contains(Timestamp.string(from: lab.clock.now()))
        }
        #expect(throws: PlaybookError.self) {
            try RollbackPlay.run(
                RollbackRequest(ref: nil, reason: "restore", incident: nil, detectedAt: early, by: "ops"),
                in: lab.context())
        }
        #expect(lab.snapshot() == before, "a refused detection time writes nothing")
        let opened = try Incidents.open(
            symptom: "not escalated", detectedAt: live.addingTimeInterval(5), badVersion: nil, by: "ops",
            in: lab.context())
        #expect(opened.badVersion == bad.id)
    }
}

@Suite struct EvidenceKeepingGCTests {
    @Test func anExpiredVersionThatAnsweredCanaryTrafficKeepsItsBlobsAndItsReplay() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.promote("#1")
        _ = try Experiments.start(name: "tone", from: base.id, ttl: "1h", by: "ops", in: lab.context())
        try lab.edit("system/prompt.md") { $0 + "\nA note only the canary has.\n" }
        let canary = try lab.register("canary candidate", parent: base.id, experiment: "tone")
        try lab.edit("system/prompt.md") { $0 + "\nA note nobody served.\n" }
        let unseen = try lab.register("never served", parent: base.id, experiment: "tone")
        let report = try Traffic.run(
            requests: 5, rate: 0, seed: 3, source: "canary", in: lab.context(), route: { _ in canary.id })
        let request = try #require(report.lastRequest)
        // Ended, so its tag (on the newest version) no longer keeps anything; the window runs from the end.
        _ = try Experiments.end(name: "tone", by: "ops", in: lab.context())
        lab.clock.advance(seconds: 7200)
        let context = try lab.context()
        let plan = try GCPlay.run(dryRun: true, by: "ops", in: context)
        #expect(plan.versions == [unseen.id], "only the version that never answered anyone is collected")
        let kept = try #require(plan.kept.first { $0.version == canary.id })
        #expect(kept.reasons.contains { $0.contains("answered 5 request(s)") && $0.contains("canary 5") })
        #expect(plan.kept.first { $0.version == base.id }?.reasons.first == "held production")
        _ = try GCPlay.run(dryRun: false, by: "ops", in: context)
        let audit = try AuditPlay.run(requestID: request, replay: true, in: lab.context())
        #expect(audit.replay?.identical == true, "the canary answer still replays after gc")
    }
}

@Suite struct FollowTheEvidenceTests {
    @Test func aChangeSinceTheOnsetAlreadyRolledBackIsStillASuspectAndSaidSo() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        let onset = lab.clock.now()  // before the first promotion: the window starts at the first version
        try lab.promote("#1")
        try lab.serve()
        try lab.dropLegalThreatTrigger()
        let bad = try lab.register("trim", parent: good.id)
        try lab.promote(bad.shortID, force: true)
        _ = try Traffic.run(requests: 40, rate: 0, seed: 2, in: lab.context())
        lab.clock.advance(seconds: 30)
        let rollback = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "restore", incident: nil, detectedAt: lab.clock.now(), by: "ops"),
            in: lab.context())
        lab.clock.advance(seconds: 30)
        let finding = try InvestigatePlay.run(onset: onset, by: "sre", in: lab.context())
        #expect(finding.onsetBeforeFirstPromotion)
        let suspect = try #require(finding.suspects.first { $0.version == bad.id })
        #expect(suspect.comparison.verdict == .worse)
        #expect(suspect.rolledBackNote?.contains("already rolled back at") == true)
        #expect(suspect.rolledBackNote?.contains(rollback.incident.id) == true)
        #expect(finding.regressionConfirmed && finding.conclusion.contains(rollback.incident.id))
        let live = try #require(finding.live.first { $0.version == bad.id })
        #expect(live.requests == 40 && live.labelled == 40 && live.satisfiedRate != nil)
        #expect(live.escalationRate > 0 && live.citationRate > 0)
    }

    @Test func aComplaintTheSuiteDoesNotCoverIsNotCalledNoise() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") { $0 + "\nReviewed on Monday.\n" }
        let cosmetic = try lab.register("cosmetic", parent: good.id)
        try lab.promote(cosmetic.shortID)
        lab.clock.advance(seconds: 60)
        let uncovered = try InvestigatePlay.run(
            InvestigateRequest(onset: lab.clock.now(), category: "gift_cards", by: "sre"), in: lab.context())
        #expect(uncovered.verdict == .notCovered)
        #expect(uncovered.conclusion.contains("the suite does not cover this complaint"))
        #expect(uncovered.conclusion.contains("gift_cards"))
        let covered = try InvestigatePlay.run(
            InvestigateRequest(onset: lab.clock.now(), category: "returns", by: "sre"), in: lab.context())
        #expect(covered.verdict == .noise && covered.coverage?.cases == 11)
        let asked = try InvestigatePlay.run(
            InvestigateRequest(onset: lab.clock.now(), complaint: "how do I return my lamp", by: "sre"),
            in: lab.context())
        #expect(asked.coverage?.category == "intent:returns" && asked.coverage?.covered == true)
    }
}
