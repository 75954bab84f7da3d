// The whole incident story through the CLI, as a learner plays it, and the playbook's refusals.
import Foundation
import LabTestSupport
import Testing

@Suite struct PlaybookStoryTests {
    @Test func registerPromoteBreakRollBackAndAudit() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let baseline = try sandbox.json(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        let baselineID = try #require(baseline["id"].string)
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        let healthy = try sandbox.json(["traffic", "--requests", "300", "--seed", "5"])

        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover", with: "escalate: account_takeover")
        }
        let regression = try sandbox.json([
            "register", "--parent", "#1", "--owner", "alice", "--reason", "shorter escalation list",
        ])
        let badID = try #require(regression["id"].string)

        let refused = try sandbox.run(["promote", "#2", "--approver", "bob"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("The promotion gate refused"))
        let forced = try sandbox.json([
            "promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident",
        ])
        #expect(forced["overridden"].bool == true)

        let broken = try sandbox.json(["traffic", "--requests", "300", "--seed", "5"])
        let badRequest = try #require(broken["last_request"].string)
        #expect(
            (broken["satisfied_rate"].double ?? 1) < (healthy["satisfied_rate"].double ?? 0) - 0.05,
            "traffic shows the drop")

        try sandbox.ok([
            "incident", "open", "--symptom", "legal threats and big refunds not escalated",
        ])
        let rollback = try sandbox.json(["rollback", "--reason", "restore escalations"])
        #expect(rollback["from"].string == badID)
        #expect(rollback["to"].string == baselineID)
        #expect(rollback["confirmed"].bool == false, "the suite re-run at the rollback is no new evidence")
        #expect(rollback["reevaluated"].string?.contains("(no live evidence yet)") == true)
        let seconds = try #require(rollback["time_to_rollback_s"].double)
        #expect(seconds >= 0 && seconds < 600)
        #expect(rollback["incident"]["id"].string == "INC-0001")
        #expect(try sandbox.json(["tags"])["production"].string == baselineID)
        try sandbox.ok(["traffic", "--requests", "100", "--seed", "6"])
        let confirmed = try sandbox.json(["incident", "confirm"])
        #expect(confirmed["incident"]["confirmed"].bool == true)
        #expect(confirmed["verdict"]["baseline"].string == baselineID)

        let audit = try sandbox.json(["audit", badRequest, "--replay"])
        #expect(audit["version"]["id"].string == badID)
        #expect(audit["replay"]["identical"].bool == true)
        #expect(try sandbox.ok(["audit", badRequest, "--replay"]).contains("Replay: identical"))
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
    }

    @Test func playbookRefusalsSayWhatToDoAndWriteNothing() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        let cases: [([String], Int32, String)] = [
            (["audit", "req-doesnotexist"], 1, "LabRunner requests"),
            (["rollback", "--reason", "panic"], 1, "no last known good"),
            (["incident", "show", "INC-0042"], 1, "No incident 'INC-0042'"),
            (["incident", "close", "INC-0042", "--resolution", "x"], 1, "No incident 'INC-0042'"),
            (["experiment", "start", "try", "--from", "#1", "--ttl", "soon"], 1, "'soon' is not a duration"),
            (["investigate", "--onset", "2999-01-01T00:00:00Z"], 1, "in the future"),
            (["investigate", "--onset", "last tuesday"], 1, "is not a time"),
            (["eval", "run", "--repeats", "0"], 64, "--repeats must be at least 1"),
            (["eval", "run", "--suite", "nope"], 1, "No eval suite named 'nope'"),
            (["ask", "hello", "--version", "#7"], 1, "No version matches '#7'"),
            (["promote", "#1", "--approver", "bob"], 1, "already in production"),
        ]
        for (arguments, status, phrase) in cases {
            let before = sandbox.snapshot()
            let result = try sandbox.run(arguments, in: "ws")
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(phrase), "\(arguments): \(result.stderr)")
            #expect(sandbox.snapshot() == before, "\(arguments) changed the workspace")
        }
    }

    @Test func questionsRefuseWithoutATerminalUnlessYes() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nA cosmetic note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "note"])
        let asked = try sandbox.run(["promote", "#2", "--approver", "carol", "--canary", "20"], in: "ws")
        #expect(asked.status == 1)
        #expect(asked.stderr.contains("add --yes"))
        let canary = try sandbox.json(["promote", "#2", "--approver", "carol", "--canary", "20", "--yes"])
        #expect((canary["canary"]["candidate"]["requests"].int ?? 0) > 0)
        #expect(
            (canary["canary"]["production"]["requests"].int ?? 0) > (canary["canary"]["candidate"]["requests"].int ?? 0)
        )
    }

    @Test func noArgumentsSaysWhatToDoNext() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run([]).stdout.contains("Next: LabRunner lab start 00"))
        try sandbox.ok(["init"], in: "")
        #expect(try sandbox.run([]).stdout.contains("Next: LabRunner register --root"))
    }
}
