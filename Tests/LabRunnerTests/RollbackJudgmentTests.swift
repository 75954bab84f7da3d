// The rollback's judgment through the CLI: the README's incident recipe, the dry-run preview, and the gc
// plan's reasons, as a person reads them.
import Foundation
import LabTestSupport
import Testing

@Suite struct RollbackJudgmentTests {
    @Test func impossibleDetectionIsRefusedAndTheDryRunExplainsTheChoice() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover", with: "escalate: account_takeover")
        }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "shorter escalation list"])
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])

        // The old README recipe: detection two minutes ago, before the forced version went live.
        let before = sandbox.snapshot()
        let refused = try sandbox.run(
            ["incident", "open", "--symptom", "big refunds not escalated", "--detected-at", "-2m"], in: "ws")
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("Error: The detection time "))
        #expect(refused.stderr.contains("is before the bad version #2"))
        #expect(refused.stderr.contains("reached production at"))
        #expect(sandbox.snapshot() == before, "a refused detection time writes nothing")

        let preview = try sandbox.ok(["rollback", "--dry-run"])
        #expect(preview.contains("Would roll back production:") && preview.contains("(last known good)"))
        #expect(preview.contains("#2") && preview.contains("forced past a failed gate"))
        #expect(preview.contains("Today's eval of #1: passes today's core suite"))
        #expect(sandbox.snapshot() == before, "rollback --dry-run writes nothing")

        let plan = try sandbox.ok(["gc", "--dry-run"])
        #expect(plan.contains("Kept:") && plan.contains("held production"))
    }
}
