// Last known good means it ran cleanly in production, and "confirmed" means new evidence: through the CLI, as a
// person on call reads it.
import Foundation
import LabTestSupport
import Testing

@Suite struct LiveEvidenceTests {
    static let escalateLine = "escalate: refund_over_500, legal_threat, account_takeover"

    /// #1 answered 300 healthy production requests; #2 and #3 were registered; #4 passed its gate and held
    /// production for a second without answering anyone; #5 was forced past its gate.
    static func history() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "300", "--seed", "3"])
        for note in ["two", "three", "four"] {
            try sandbox.edit("ws/system/prompt.md") { $0 + "\nCosmetic note \(note).\n" }
            try sandbox.ok(["register", "--parent", "latest", "--owner", "alice", "--reason", "note \(note)"])
        }
        try sandbox.ok(["promote", "#4", "--approver", "bob"])
        try dropEscalations(sandbox)
        try sandbox.ok(["register", "--parent", "#4", "--owner", "alice", "--reason", "shorter escalation list"])
        try sandbox.ok(["promote", "#5", "--approver", "bob", "--force", "--reason", "manufactured incident"])
        return sandbox
    }

    static func dropEscalations(_ sandbox: Sandbox) throws {
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(of: escalateLine, with: "escalate: account_takeover")
        }
    }

    /// The wrong path this closes: #4 was production for a second and answered nobody, and it was chosen.
    @Test func theVersionThatRanCleanlyIsChosenOverOneThatNeverServed() throws {
        let sandbox = try Self.history()
        let before = sandbox.snapshot()
        let preview = try sandbox.ok(["rollback", "--dry-run"])
        #expect(preview.contains("→ #1 ") && preview.contains("(last known good)"), "\(preview)")
        let skipped = try #require(preview.split(separator: "\n").first { $0.hasPrefix("  #4 ") })
        #expect(skipped.contains("answered 0 production request(s), fewer than the 50"), "\(skipped)")
        #expect(sandbox.snapshot() == before, "a dry run writes nothing")

        let rollback = try sandbox.json(["rollback", "--reason", "restore escalations", "--detected-at", "now"])
        #expect(rollback["to"].string == (try sandbox.json(["show", "#1"])["record"]["id"].string))
        #expect(rollback["last_known_good"].bool == true)
        let moved = try sandbox.json(["log", "--kind", "tag.moved"]).array.last
        #expect(moved?["data"]["last_known_good"].string == "true")
    }

    @Test func theThresholdIsASettingAndTheRefusalSaysToNameAVersion() throws {
        let sandbox = try Self.history()
        try sandbox.write(#"{"last_known_good_requests": 400}"#, to: "ws/.labrunner/settings.json")
        try sandbox.ok(["policy", "pin", "--reason", "more evidence before a version counts as known good"])
        let before = sandbox.snapshot()
        let refused = try sandbox.run(["rollback", "--reason", "restore"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no last known good"))
        #expect(refused.stderr.contains("at least 400 production requests"))
        #expect(refused.stderr.contains("'LabRunner rollback REF --reason TEXT'"))
        #expect(sandbox.snapshot() == before, "a refused rollback writes nothing")
        let preview = try sandbox.run(["rollback", "#1", "--dry-run"], in: "ws")
        #expect(preview.stdout.contains("answered 300 production request(s), fewer than the 400"))
    }

    @Test func aVersionNamedExplicitlyIsStillAllowedAndSaidToBeUnproven() throws {
        let sandbox = try Self.history()
        let rollback = try sandbox.ok(["rollback", "#4", "--reason", "back one", "--detected-at", "now"])
        #expect(rollback.contains("Rolled back production:") && !rollback.contains("(last known good)"))
        #expect(rollback.contains("warning: #4 is not known good: answered 0 production request(s)"))
        #expect(
            try sandbox.json(["tags"])["production"].string
                == (try sandbox.json(["show", "#4"])["record"]["id"].string))
        let moved = try sandbox.json(["log", "--kind", "tag.moved"]).array.last
        #expect(moved?["data"]["last_known_good"].string == "false")
    }

    @Test func anIncidentClosedAsAFalseAlarmNoLongerDisqualifiesItsVersion() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "100", "--seed", "3"])
        try sandbox.edit("ws/system/prompt.md") { $0 + "\nCosmetic note.\n" }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "note"])
        try sandbox.ok(["promote", "#2", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "100", "--seed", "4"])
        try sandbox.ok(["incident", "open", "--symptom", "answers feel slower"])
        try Self.dropEscalations(sandbox)
        try sandbox.ok(["register", "--parent", "#2", "--owner", "alice", "--reason", "shorter escalation list"])
        try sandbox.ok(["promote", "#3", "--approver", "bob", "--force", "--reason", "manufactured incident"])

        let named = try sandbox.ok(["rollback", "--dry-run"])
        #expect(named.contains("→ #1 "), "an open incident names #2 bad: \(named)")
        #expect(named.contains("named bad by incident INC-0001"))

        let closed = try sandbox.json([
            "incident", "close", "INC-0001", "--resolution", "latency was the network", "--false-alarm",
        ])
        #expect(closed["false_alarm"].bool == true)
        #expect(try sandbox.ok(["incident", "show", "INC-0001"]).contains("(false alarm)"))
        let after = try sandbox.ok(["rollback", "--dry-run"])
        #expect(after.contains("→ #2 ") && after.contains("(last known good)"), "\(after)")
        let event = try sandbox.json(["log", "--kind", "incident.closed"]).array.last
        #expect(event?["data"]["false_alarm"].string == "true")
    }

    @Test func withoutTrafficTheRollbackSaysSoAndStaysOpenUntilLiveSignalsConfirmIt() throws {
        let sandbox = try Self.history()
        try sandbox.ok(["incident", "open", "--symptom", "legal threats not escalated"])
        let rollback = try sandbox.ok(["rollback", "--reason", "restore escalations"])
        #expect(rollback.contains("re-evaluated: same result as at registration (no live evidence yet)"))
        #expect(rollback.contains("stays open for live confirmation"))
        #expect(!rollback.contains("Behaviour confirmed"))
        let open = try sandbox.json(["incident", "show", "INC-0001"])
        #expect(open["status"].string != "closed" && open["confirmed"].bool == false)
        #expect(open["confirmed_at"].string == nil)

        // No new evidence yet: refused, with the reason, and nothing written.
        let before = sandbox.snapshot()
        let early = try sandbox.run(["incident", "confirm", "INC-0001"], in: "ws")
        #expect(early.status == 1)
        #expect(early.stderr.contains("answered 0 live request(s) since the rollback"), "\(early.stderr)")
        #expect(early.stderr.contains("LabRunner traffic"))
        #expect(sandbox.snapshot() == before)

        try sandbox.ok(["traffic", "--requests", "100", "--seed", "9"])
        let confirmed = try sandbox.json(["incident", "confirm"])
        #expect(confirmed["verdict"]["outcome"].string == "recovered")
        #expect(confirmed["verdict"]["requests"].int == 100)
        #expect(confirmed["verdict"]["baseline_requests"].int == 300)
        #expect(confirmed["incident"]["confirmed"].bool == true)
        #expect(confirmed["incident"]["live_evidence"]["requests"].int == 100)
        #expect(try sandbox.ok(["incident", "show", "INC-0001"]).contains("live evidence: 100 requests"))
        let again = try sandbox.run(["incident", "confirm", "INC-0001"], in: "ws")
        #expect(again.status == 1 && again.stderr.contains("already confirmed"))
    }

    /// The judge reads the signals, not only the counts: a version named by REF that is not known good is held
    /// to the last healthy window before the fault, and its live signals are out of those bounds.
    @Test func liveSignalsOutOfBoundsAreNotAConfirmation() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        let original = sandbox.read("ws/system/prompt.md")
        try Self.dropEscalations(sandbox)
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "shorter escalation list"])
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])
        try sandbox.write(original + "\nCosmetic note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#2", "--owner", "alice", "--reason", "escalations back"])
        try sandbox.ok(["promote", "#3", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "300", "--seed", "3"])
        try sandbox.ok(["tag", "production", "#1", "--by", "ops", "--reason", "a hand move: the fault"])
        try sandbox.ok(["incident", "open", "--symptom", "hand move"])
        try sandbox.ok(["rollback", "#2", "--reason", "the wrong way back"])
        try sandbox.ok(["traffic", "--requests", "300", "--seed", "4"])
        let before = sandbox.snapshot()
        let refused = try sandbox.run(["incident", "confirm"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not back within bounds of #3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("escalation rate"))
        #expect(sandbox.snapshot() == before)
    }
}
