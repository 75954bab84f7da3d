// Numbers a manager can trust, through the CLI: DORA recovery from the failed deployment with real detection
// times and false alarms left out; gc retention from the experiment's end and never under a live tag; the
// policy pinned like the suite, recorded on every decision, and loosened only with a second person.
import Foundation
import LabTestSupport
import Playbook
import Testing

@Suite struct TrustedNumbersTests {
    static let escalation = "escalate: refund_over_500, legal_threat, account_takeover"

    /// The log's events, decoded from the file a reviewer reads.
    static func events(_ sandbox: Sandbox) throws -> [[String: Any]] {
        try sandbox.read("ws/.labrunner/registry/events.jsonl").split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func data(_ event: [String: Any]) -> [String: String] { event["data"] as? [String: String] ?? [:] }

    /// #1 in production, serving customers cleanly (the live evidence a last known good needs), then #2 (legal
    /// threats no longer escalated) forced in.
    static func badDeployment(_ sandbox: Sandbox) throws {
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(of: Self.escalation, with: "escalate: refund_over_500, account_takeover")
        }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "shorter escalation list"])
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])
    }

    /// The issue's history: three deployments, one real failure rolled back, one false alarm. Today's code said
    /// change failure rate 66.7% (the false alarm counted as a failure) and recovery median 0.00 s (the rollback
    /// opened its own incident "detected" at the tag move, and recovery ran from detection).
    @Test func theIssuesHistoryGivesRecoveryFromTheDeploymentAndLeavesFalseAlarmsOut() throws {
        let sandbox = try Sandbox()
        try Self.badDeployment(sandbox)
        let clock = try #require(sandbox.clock)
        clock.advance(seconds: 20 * 60)

        // A rollback that would open its own incident needs to know when the problem was seen.
        let before = sandbox.snapshot()
        let refused = try sandbox.run(["rollback", "--reason", "legal threats not escalated", "--yes"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs the time the problem was detected: pass --detected-at TIME"))
        #expect(sandbox.snapshot() == before, "a refused rollback writes nothing")

        let rolled = try sandbox.json(
            ["rollback", "--reason", "legal threats not escalated", "--detected-at", "-5m", "--yes"])
        let ttr = try #require(rolled["time_to_rollback_s"].double)
        #expect(ttr >= 300 && ttr < 310, "time to rollback runs from the real detection, not 0 s")

        // A third deployment, then an alarm about it that turns out to be nothing.
        try FileManager.default.removeItem(atPath: sandbox.path + "/ws/system")
        try sandbox.ok(["checkout", "production", "system"])
        try sandbox.edit("ws/system/prompt.md") { $0 + "\nA cosmetic note.\n" }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "cosmetic"])
        try sandbox.ok(["promote", "#3", "--approver", "bob"])
        clock.advance(seconds: 60)
        try sandbox.ok(["incident", "open", "--symptom", "refund escalations looked low"])
        let closed = try sandbox.json([
            "incident", "close", "INC-0002", "--false-alarm", "--resolution", "the dashboard was stale",
        ])
        #expect(closed["false_alarm"].bool == true)

        let stats = try sandbox.json(["incident", "stats"])["total"]
        #expect(stats["deployments"].int == 3)
        #expect(stats["failed_deployments"].int == 1, "the false alarm is no failed deployment")
        #expect(stats["false_alarms"].int == 1)
        let rate = try #require(stats["change_failure_rate"].double)
        #expect(abs(rate - 1.0 / 3.0) < 1e-9, "33.3%, not 66.7%")
        let recovery = try #require(stats["recovery_median_s"].double)
        #expect(recovery > 20 * 60 && recovery < 22 * 60, "from #2's deployment to the restore, not 0.00 s")
        #expect(stats["real"]["to_restored"]["median_s"].double == ttr, "time to restored still runs from detection")
        let text = try sandbox.ok(["incident", "stats"])
        #expect(text.contains("33.3%") && text.contains("FALSE ALARMS"))
        #expect(text.contains("Recovery runs from the failed deployment"))
    }

    /// Lab 10's path: an investigation that blamed the version in production says when the problem was seen.
    @Test func aRollbackTakesItsDetectionFromAnInvestigationThatBlamedProduction() throws {
        let sandbox = try Sandbox()
        try Self.badDeployment(sandbox)
        let clock = try #require(sandbox.clock)
        clock.advance(seconds: 10 * 60)
        let found = try sandbox.json(["investigate", "--onset", "-11m", "--reported-at", "-2m"])
        let reported = try #require(found["reported_at"].string)
        clock.advance(seconds: 60)
        let rolled = try sandbox.json(["rollback", "--reason", "what the investigation names", "--yes"])
        #expect(rolled["incident"]["detected_at"].string == reported)
        let ttr = try #require(rolled["time_to_rollback_s"].double)
        #expect(ttr > 120 && ttr < 200, "from the complaint's report, not from the rollback itself")
    }

    @Test func aRunningExperimentsTagKeepsItsVersionAndRetentionRunsFromTheExperimentsEnd() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["experiment", "start", "exp", "--from", "production", "--ttl", "1s"])
        try sandbox.edit("ws/system/prompt.md") { $0 + "\nAn experiment's line.\n" }
        let tagged = try #require(
            try sandbox.json(["register", "--experiment", "exp", "--parent", "#1", "--owner", "al", "--reason", "try"])[
                "id"
            ].string)
        try sandbox.ok(["tag", "exp-exp", "#2", "--by", "alice", "--reason", "the best so far"])
        let clock = try #require(sandbox.clock)
        clock.advance(seconds: 2)
        // The issue's case: collectable 2 s after the start while its tag points at it.
        let plan = try sandbox.json(["gc", "--dry-run"])
        #expect(!plan["versions"].array.compactMap(\.string).contains(tagged), "its live tag keeps it")
        let kept = plan["kept"].array.first { $0["version"].string == tagged }
        #expect(kept?["reasons"].array.compactMap(\.string).contains("live tag exp-exp") == true)
        let text = try sandbox.ok(["gc", "--dry-run"])
        #expect(text.contains("live tag exp-exp"))
    }

    @Test func anUntaggedExperimentVersionIsKeptForItsWindowAfterTheExperimentEnds() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["experiment", "start", "exp", "--from", "production", "--ttl", "1h"])
        try sandbox.edit("ws/system/prompt.md") { $0 + "\nAn experiment's line.\n" }
        let version = try #require(
            try sandbox.json(["register", "--experiment", "exp", "--parent", "#1", "--owner", "al", "--reason", "try"])[
                "id"
            ].string)
        let clock = try #require(sandbox.clock)
        clock.advance(seconds: 30 * 60)
        try sandbox.ok(["experiment", "end", "exp"])
        clock.advance(seconds: 45 * 60)
        // An hour and a quarter after the start: the window counted from the start has passed, from the end not.
        let plan = try sandbox.json(["gc", "--dry-run"])
        #expect(plan["versions"].array.isEmpty, "retention runs from the experiment's end")
        let reasons = plan["kept"].array.first { $0["version"].string == version }?["reasons"].array
            .compactMap(\.string)
        #expect(
            reasons?.contains { $0.hasPrefix("retention runs until") && $0.contains("experiment exp ended") } == true)
        clock.advance(seconds: 20 * 60)
        #expect(try sandbox.json(["gc", "--dry-run"])["versions"].array.compactMap(\.string) == [version])
    }

    @Test func thePolicyIsPinnedOnFirstUseAndEveryDecisionRecordsItsHash() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        #expect(try sandbox.ok(["policy", "show"]).contains("Not pinned yet"))
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        let pins = try Self.events(sandbox).filter { $0["kind"] as? String == "policy.pinned" }
        #expect(pins.count == 1)
        let pin = Self.data(try #require(pins.first))
        #expect(pin["reason"] == "first use")
        let sha = try #require(pin["sha256"])
        let shown = try sandbox.json(["policy", "show"])
        #expect(shown["pin"]["sha256"].string == sha && shown["unchanged"].bool == true)

        try sandbox.edit("ws/system/prompt.md") { $0 + "\nA cosmetic note.\n" }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "cosmetic"])
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--canary", "50", "--yes"])
        try sandbox.ok(["rollback", "#1", "--reason", "back to the baseline", "--detected-at", "now", "--yes"])
        let decisions = try Self.events(sandbox).filter { event in
            let kind = event["kind"] as? String
            return kind == "canary.started" || (kind == "tag.moved" && Self.data(event)["tag"] == "production")
        }
        #expect(decisions.count == 4, "two promotions, their canary and the rollback")
        #expect(decisions.allSatisfy { Self.data($0)["policy_sha256"] == sha })
        #expect(try Self.events(sandbox).filter { $0["kind"] as? String == "policy.pinned" }.count == 1)
    }

    @Test func anUnpinnedEditIsRefusedByThePlaysUntilSomeonePinsIt() throws {
        let sandbox = try Sandbox()
        try Self.badDeployment(sandbox)
        try sandbox.write(#"{"pass_threshold": 0.9}"#, to: "ws/.labrunner/settings.json")
        let before = sandbox.snapshot()
        for command in [
            ["rollback", "--reason", "restore", "--detected-at", "now", "--yes"], ["rollback", "--dry-run"],
            ["promote", "#1", "--approver", "bob"],
        ] {
            let refused = try sandbox.run(command, in: "ws")
            #expect(refused.status == 1, "\(command)")
            #expect(refused.stderr.contains("settings.json differs from the pinned policy"), "\(command)")
            #expect(refused.stderr.contains("pass_threshold 0.85 → 0.9"), "\(command)")
            #expect(refused.stderr.contains("'LabRunner policy pin --reason TEXT'"), "\(command)")
        }
        #expect(sandbox.snapshot() == before, "refused decisions write nothing")
        let show = try sandbox.ok(["policy", "show"])
        #expect(show.contains("differs from the pinned policy") && show.contains("pass_threshold 0.85 → 0.9"))

        // Tightening needs no second person: one owner, one reason, one event.
        let pinned = try sandbox.json(["policy", "pin", "--reason", "stricter gate", "--by", "alice"])
        #expect(pinned["pin"]["by"].string == "alice" && pinned["pin"]["approver"].string == nil)
        #expect(pinned["changes"].array.compactMap(\.string) == ["pass_threshold 0.85 → 0.9"])
        let again = try sandbox.ok(["policy", "pin", "--reason", "again", "--by", "alice"])
        #expect(again.contains("nothing was written"))
        try sandbox.ok(["rollback", "--reason", "restore", "--detected-at", "now", "--yes"])
        let move = try #require(try Self.events(sandbox).last { $0["kind"] as? String == "tag.moved" })
        #expect(Self.data(move)["policy_sha256"] == pinned["pin"]["sha256"].string)
    }

    @Test func looseningAFloorNeedsASecondPersonWhateverTheSpelling() throws {
        let sandbox = try Sandbox()
        try Self.badDeployment(sandbox)
        // The cheapest way past a floor: edit settings.json and pin it alone.
        try sandbox.ok(["people", "add", "alice", "--by", "learner"])
        try sandbox.write(#"{"floors": ["refuse:*"]}"#, to: "ws/.labrunner/settings.json")
        let before = sandbox.snapshot()
        let promote = try sandbox.run(["promote", "#1", "--approver", "bob"], in: "ws")
        #expect(promote.status == 1 && promote.stderr.contains("settings.json differs from the pinned policy"))
        let alone = try sandbox.run(["policy", "pin", "--reason", "floors are noisy", "--by", "alice"], in: "ws")
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("loosens the policy (floor escalate:* removed), which needs a second person"))
        for same in [" ALICE ", "Alice", "\u{FF21}\u{FF4C}\u{FF49}\u{FF43}\u{FF45}"] {
            let spelled = try sandbox.run(
                ["policy", "pin", "--reason", "floors are noisy", "--by", "alice", "--approver", same], in: "ws")
            #expect(spelled.status == 1, "'\(same)' is alice")
            #expect(spelled.stderr.contains("is the same person as the person pinning"), "'\(same)'")
        }
        #expect(sandbox.snapshot() == before, "a refused pin writes nothing")

        let approved = try sandbox.json([
            "policy", "pin", "--reason", "floors are noisy", "--by", "alice", "--approver", "bob",
        ])
        #expect(approved["pin"]["approver"].string == "bob")
        #expect(approved["loosens"].array.compactMap(\.string) == ["floor escalate:* removed"])
        let event = Self.data(try #require(try Self.events(sandbox).last))
        #expect(event["loosened"] == "floor escalate:* removed" && event["approver"] == "bob")
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
    }

    @Test func aFreshWorkspaceCannotStartOnALooserPolicyAlone() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.write(#"{"alpha": 0.2, "pass_threshold": 0.5}"#, to: "ws/.labrunner/settings.json")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        let refused = try sandbox.run(["promote", "#1", "--approver", "bob"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("loosens the kit's default policy (pass_threshold lowered from 0.85 to 0.5"))
        #expect(refused.stderr.contains("alpha raised from 0.01 to 0.2"))
        try sandbox.ok(["policy", "pin", "--reason", "a toy workspace", "--by", "carol", "--approver", "dana"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
    }
}
