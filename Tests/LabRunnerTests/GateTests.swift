// Wrong solutions the register/promote gates now catch, through the CLI: a hand-edited lineage claim, a suite
// trimmed of its escalation cases, a self-approved high-stakes canary, and a canary that stops a bad promotion.
import Foundation
import LabTestSupport
import Testing

@Suite struct GateCLITests {
    static let escalateLine = "escalate: refund_over_500, legal_threat, account_takeover"

    @Test func editingTheLineageClaimInWeightsJSONDoesNotPassTheGate() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        let csv = sandbox.read("ws/data/train.csv") + "my lampshade came with a dent,damaged_item\n"
        try sandbox.write(csv, to: "ws/data/train.csv")
        let dataHash = String(try sandbox.ok(["hash", "data/train.csv"]).prefix(64))
        try sandbox.edit("ws/system/weights.json") {
            $0.replacing(#/"data_sha256" ?: ?"[0-9a-f]{64}"/#, with: "\"data_sha256\": \"\(dataHash)\"")
        }
        let before = sandbox.snapshot()
        let refused = try sandbox.run(
            ["register", "--parent", "#1", "--owner", "alice", "--reason", "claimed, not trained"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Lineage unverified"), "\(refused.stderr)")
        #expect(sandbox.snapshot() == before)

        let train = try sandbox.ok(["train"])
        #expect(train.contains("Recorded as training run"))
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "retrained"])
        let show = try sandbox.ok(["show", "#2"])
        #expect(show.contains("lineage_training_event"))
    }

    @Test func trimmingEscalationCasesFromTheSuiteFileDoesNotOpenTheGate() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.edit("ws/evals/core.jsonl") {
            $0.split(separator: "\n").filter { !$0.contains("\"escalate:") }.joined(separator: "\n") + "\n"
        }
        try sandbox.edit("ws/system/prompt.md") { $0.replacingOccurrences(of: Self.escalateLine, with: "") }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "no escalations"])
        let refused = try sandbox.run(["promote", "#2", "--approver", "bob"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("The promotion gate refused"), "\(refused.stderr)")

        let show = try sandbox.ok(["suite", "show"])
        #expect(show.contains("escalate:legal_threat (safety)"))
        let before = sandbox.snapshot()
        let alone = try sandbox.run(["suite", "pin", "--reason", "trim", "--by", "bob"], in: "ws")
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("a second person must approve it"), "\(alone.stderr)")
        #expect(sandbox.snapshot() == before)
        let pinned = try sandbox.ok(["suite", "pin", "--reason", "trim", "--by", "bob", "--approver", "carol"])
        #expect(pinned.contains("Pinned suite 'core'"))
    }

    @Test func aSelfApprovedHighStakesCanarySendsNoTraffic() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nA note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "a note"])
        let before = sandbox.snapshot()
        let refused = try sandbox.run(
            ["promote", "#2", "--approver", "alice", "--high-stakes", "--canary", "20", "--yes"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty, "no gate ran: \(refused.stdout)")
        #expect(sandbox.snapshot() == before)
    }

    @Test func aCanaryStopsAPromotionThatStopsEscalating() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.edit("ws/system/prompt.md") { $0.replacingOccurrences(of: Self.escalateLine, with: "") }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "no escalations"])
        let stopped = try sandbox.run(
            [
                "promote", "#2", "--approver", "bob", "--force", "--reason", "override", "--canary", "50",
                "--canary-requests", "300", "--yes",
            ], in: "ws")
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("The canary stopped the promotion"), "\(stopped.stderr)")
        #expect(stopped.stdout.contains("escalation_rate"))
        let tags = try sandbox.ok(["tags"])
        #expect(tags.contains("production"))
        let production = try #require(try sandbox.json(["show", "production"])["record"]["seq"].int)
        #expect(production == 1)
        let requests = try sandbox.ok(["requests", "--limit", "400"])
        #expect(requests.contains("canary"))
    }
}
