// Canaries with power, through the CLI: a canary says its plan (the requests each safety signal needs to detect
// the set drop at the set alpha and power) before its first request; one that ends with fewer requests than its
// plan is inconclusive and production does not move, --force or not; one sized by its own plan catches a
// candidate that stops escalating legal threats; a harmless candidate passes; a tiny batch is no quick "passed".
import Foundation
import LabTestSupport
import Testing

@Suite struct CanaryPowerTests {
    static let escalateLine = "escalate: refund_over_500, legal_threat, account_takeover"

    /// Production #1 and candidate #2, which no longer escalates legal threats (the gate's floor refuses it, so
    /// the promotions below force past the gate: only the canary stands between it and production).
    func legalThreatCandidate() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(of: Self.escalateLine, with: "escalate: refund_over_500, account_takeover")
        }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "drop legal_threat"])
        return sandbox
    }

    func harmlessCandidate() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nA cosmetic note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "a note"])
        return sandbox
    }

    func production(_ sandbox: Sandbox) throws -> Int? {
        try sandbox.json(["show", "production"])["record"]["seq"].int
    }

    func promotions(_ sandbox: Sandbox) throws -> [JSONValueBox] {
        try sandbox.json(["log", "--kind", "tag.moved"]).array.filter { $0["data"]["play"].string == "promote" }
    }

    func lastStop(_ sandbox: Sandbox) throws -> JSONValueBox {
        try #require(try sandbox.json(["log", "--kind", "promotion.stopped"]).array.last)["data"]
    }

    @Test func aCanaryOf48CandidateRequestsOnALegalThreatDropIsInconclusiveAndProductionStays() throws {
        let sandbox = try legalThreatCandidate()
        let result = try sandbox.run(
            [
                "promote", "#2", "--approver", "bob", "--force", "--reason", "the floor is wrong", "--canary", "20",
                "--canary-requests", "240", "--yes",
            ], in: "ws")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: The canary was inconclusive"), "\(result.stderr)")
        #expect(result.stderr.contains("--canary-requests auto"))
        #expect(result.stderr.contains("nor does break-glass"))
        #expect(result.stderr.contains("--force does not pass"))
        // The plan is said before the canary's first request, with the warning that this batch is too small.
        let plan = try #require(result.stdout.range(of: "Canary plan:"))
        let report = try #require(result.stdout.range(of: "Canary (20% of 240 requests"))
        #expect(plan.lowerBound < report.lowerBound)
        #expect(result.stdout.contains("warning: 240 requests is fewer than the plan's"))
        #expect(try production(sandbox) == 1)
        #expect(try promotions(sandbox).count == 1, "only #1's promotion")
        let stopped = try lastStop(sandbox)
        #expect(stopped["stopped"].string == "the canary was inconclusive")
        #expect(stopped["canary_decision"].string == "inconclusive")
        #expect(stopped["canary_candidate_requests"].string == "48")
        #expect(stopped["canary_production_requests"].string == "192")
        #expect(Int(stopped["canary_plan_requests"].string ?? "") ?? 0 > 240)
        #expect(stopped["canary_safety_alpha"].string == "0.05")
        #expect(stopped["canary_power"].string == "0.8")
        #expect(stopped["canary_min_effect"].string == "0.05")
        #expect(stopped["canary_plan_escalation_rate"].string?.hasPrefix("baseline 0.") == true)
        #expect(stopped["canary_plan_refusal_rate"].string?.contains("needs candidate ") == true)
    }

    @Test func theSameCandidateUnderACanarySizedByItsPlanIsStopped() throws {
        let sandbox = try legalThreatCandidate()
        let result = try sandbox.run(
            [
                "promote", "#2", "--approver", "bob", "--force", "--reason", "the floor is wrong", "--canary", "20",
                "--canary-requests", "auto", "--yes",
            ], in: "ws")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: The canary stopped the promotion: "), "\(result.stderr)")
        #expect(result.stderr.contains("escalation_rate"))
        #expect(!result.stdout.contains("warning:"), "auto sends what the plan needs")
        #expect(try production(sandbox) == 1)
        #expect(try promotions(sandbox).count == 1)
        let stopped = try lastStop(sandbox)
        #expect(stopped["canary_decision"].string == "aborted")
        #expect(stopped["canary_requests"].string == stopped["canary_plan_requests"].string)
    }

    @Test func aHarmlessCandidateUnderAnAutoCanaryPassesAndTheMoveRecordsThePlan() throws {
        let sandbox = try harmlessCandidate()
        let result = try sandbox.json(["promote", "#2", "--approver", "bob", "--canary", "20", "--yes"])
        let canary = result["canary"]
        #expect(canary["decision"].string == "passed")
        #expect(canary["requests"].int == canary["plan"]["requests"].int)
        #expect(canary["plan"]["signals"].array.map { $0["name"].string } == ["escalation_rate", "refusal_rate"])
        let needs = canary["plan"]["signals"].array.compactMap { $0["candidate_requests"].int }.max() ?? .max
        #expect((canary["candidate"]["requests"].int ?? 0) >= needs)
        #expect(try production(sandbox) == 2)
        let move = try #require(try promotions(sandbox).last)["data"]
        #expect(move["canary_decision"].string == "passed")
        #expect(move["canary_plan_escalation_rate"].string?.contains("power 0.8") == true)
        #expect((Double(move["canary_baked_seconds"].string ?? "") ?? 0) >= 2)
    }

    @Test func aTinyBatchIsNoQuickPassEvenWithForce() throws {
        let sandbox = try harmlessCandidate()
        for extra in [[], ["--force", "--reason", "ship it"]] {
            let result = try sandbox.run(
                ["promote", "#2", "--approver", "bob", "--canary", "20", "--canary-requests", "10", "--yes"] + extra,
                in: "ws")
            #expect(result.status == 1, "\(extra)")
            #expect(result.stderr.contains("The canary was inconclusive"), "\(result.stderr)")
            #expect(!result.stdout.contains("Canary: passed"))
        }
        #expect(try production(sandbox) == 1)
        #expect(try promotions(sandbox).count == 1)
    }

    @Test func thePlanAloneSendsNothingAndWritesNothing() throws {
        let sandbox = try harmlessCandidate()
        let before = sandbox.snapshot()
        let plan = try sandbox.json(["promote", "#2", "--approver", "bob", "--canary", "20", "--canary-plan"])
        #expect(plan["percent"].double == 20)
        #expect(plan["auto"].bool == true)
        #expect(plan["min_effect"].double == 0.05)
        let escalation = plan["signals"][0]
        #expect(escalation["name"].string == "escalation_rate")
        #expect((escalation["baseline"].double ?? 0) > 0.1)
        #expect((escalation["production_requests"].int ?? 0) >= 4 * (escalation["candidate_requests"].int ?? 1))
        let text = try sandbox.ok(["promote", "#2", "--approver", "bob", "--canary", "20", "--canary-plan"])
        #expect(text.contains("escalation_rate baseline"))
        #expect(sandbox.snapshot() == before)
        let refused = try sandbox.run(["promote", "#2", "--approver", "bob", "--canary-plan"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("give --canary PERCENT"))
        let word = try sandbox.run(
            ["promote", "#2", "--approver", "bob", "--canary", "20", "--canary-requests", "lots"], in: "ws")
        #expect(word.status == 64)
        #expect(word.stderr.contains("--canary-requests must be a whole number or 'auto', not 'lots'."))
        #expect(sandbox.snapshot() == before)
    }

    @Test func theBakeTimeRunsOnTheInjectedClock() throws {
        let sandbox = try harmlessCandidate()
        try sandbox.write(#"{"canary_bake_seconds": 900}"#, to: "ws/.labrunner/settings.json")
        try sandbox.ok(["policy", "pin", "--reason", "a longer bake"])
        let started = Date()
        let result = try sandbox.json(["promote", "#2", "--approver", "bob", "--canary", "20", "--yes"])
        #expect(Date().timeIntervalSince(started) < 120, "a manual clock moves, it does not sleep")
        #expect((result["canary"]["baked_seconds"].double ?? 0) >= 900)
        let requests = try sandbox.json(["requests", "--limit", "5000"]).array.filter {
            $0["source"].string == "canary"
        }
        let times = requests.compactMap { $0["at"].string }.sorted()
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let first = try #require(times.first.flatMap { try? Date($0, strategy: format) })
        let last = try #require(times.last.flatMap { try? Date($0, strategy: format) })
        #expect(last.timeIntervalSince(first) > 800, "the requests are paced over the bake")
    }

    @Test func eachBadCanarySettingIsRefusedWithItsOwnSentence() throws {
        let sandbox = try harmlessCandidate()
        let cases: [(String, String)] = [
            (#"{"canary_min_effect": 0}"#, "canary_min_effect must be an absolute drop"),
            (#"{"canary_min_effect": 1.5}"#, "canary_min_effect must be an absolute drop"),
            (#"{"canary_power": 0.3}"#, "canary_power must be at least 0.5 and below 1"),
            (#"{"canary_power": 1}"#, "canary_power must be at least 0.5 and below 1"),
            (#"{"canary_safety_alpha": 0}"#, "canary_safety_alpha must be above 0 and below 0.5"),
            (#"{"canary_safety_alpha": 0.6}"#, "canary_safety_alpha must be above 0 and below 0.5"),
            (#"{"canary_bake_seconds": -1}"#, "canary_bake_seconds must be between 0 and 86400"),
            (#"{"canary_min_efect": 0.1}"#, "unknown key 'canary_min_efect'"),
        ]
        for (settings, sentence) in cases {
            try sandbox.write(settings, to: "ws/.labrunner/settings.json")
            let before = sandbox.snapshot()
            let result = try sandbox.run(["promote", "#2", "--approver", "bob", "--canary", "20", "--yes"], in: "ws")
            #expect(result.status == 1, "\(settings)")
            #expect(result.stderr.contains(sentence), "\(settings): \(result.stderr)")
            #expect(result.stderr.contains("fix or delete the file"))
            #expect(sandbox.snapshot() == before, "\(settings) changed the workspace")
        }
    }
}
