// `incident stats` and `roi` through the built binary, as a team lead runs them.
import Foundation
import LabTestSupport
import Testing

@Suite struct PilotCommandTests {
    @Test func incidentStatsAndRoiInsideAWorkspace() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        #expect(try sandbox.ok(["incident", "stats"]).contains("No deployments or incidents yet."))
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover", with: "escalate: account_takeover")
        }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "shorter list"])
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])
        try sandbox.ok(["incident", "open", "--symptom", "legal threats not escalated"])
        try sandbox.ok(["rollback", "--reason", "restore escalations"])

        let stats = try sandbox.json(["incident", "stats"])
        #expect(stats["quarters"].count == 1)
        let quarter = try #require(stats["quarters"][0]["quarter"].string)
        #expect(stats["total"]["real"]["incidents"].int == 1)
        #expect(stats["total"]["real"]["ids"][0].string == "INC-0001")
        #expect(stats["total"]["drills"]["incidents"].int == 0)
        #expect(stats["total"]["deployments"].int == 2)
        #expect(stats["total"]["failed_deployments"].int == 1)
        #expect(stats["total"]["change_failure_rate"].double == 0.5)
        let restored = try #require(stats["total"]["real"]["to_restored"]["median_s"].double)
        #expect(restored >= 0 && restored < 600)
        let text = try sandbox.ok(["incident", "stats", "--quarter", quarter])
        #expect(text.contains("TO RESTORED (MEDIAN)"))
        #expect(text.contains("CHANGE FAILURE RATE"))
        #expect(text.contains("50.0%"))

        let badQuarter = try sandbox.run(["incident", "stats", "--quarter", "2026-Q7"], in: "ws")
        #expect(badQuarter.status == 64)
        #expect(badQuarter.stderr.hasPrefix("Error: --quarter must be a year and a quarter like 2026-Q4"))

        // Inside the workspace, roi measures the pilot's time to rollback; the registry is days old, too young
        // to extrapolate incidents per year, so that stays the default.
        let roi = try sandbox.json(["roi"])
        let inputs = roi["inputs"].array
        let during = try #require(inputs.first { $0["key"].string == "rollback_minutes_during" })
        #expect(during["source"].string == "measured")
        #expect(during["value"].double == ((restored / 60) * 100).rounded() / 100)
        #expect(inputs.first { $0["key"].string == "incidents_per_year" }?["source"].string == "default")
        #expect(try sandbox.ok(["roi"]).contains("| minutes | measured (median detection → tag moved of 1 real"))
    }

    @Test func roiFromAFileAndFlagsOutsideAWorkspace() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            """
            {"tooling_cost": 1200, "setup_hours": 20, "maintenance_hours": 4, "loaded_rate": 90,
             "minutes_per_deploy": 6, "deploys_per_year": 100, "incidents_per_year": 6,
             "cost_per_incident": 10000, "preventable_share": 0.5}
            """, to: "inputs.json")
        let page = try sandbox.ok(
            ["roi", "--inputs", "inputs.json", "--loaded-rate", "100", "--reproduction-hours-saved", "30"], in: "")
        #expect(page.contains("**Payback: 3.27 months; cash break-even: 0.92 months (month 1).** Pays back in 3.27"))
        #expect(page.contains("| Loaded rate | 100 | per hour | flag |"))
        #expect(page.contains("| Setup hours | 20 | hours, once | file |"))
        #expect(page.contains("| Time to rollback during the pilot | - | minutes | not measured and not given"))
        let html = try sandbox.ok(["roi", "--inputs", "inputs.json", "--format", "html"], in: "")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(html == (try sandbox.ok(["roi", "--inputs", "inputs.json", "--format", "html"], in: "")))

        // The defaults, as Docs/roi.md works them by hand.
        let defaults = try sandbox.ok(["roi"], in: "")
        #expect(defaults.contains("**Payback: 8.93 months; cash break-even: 6.33 months (month 7).**"))
        let premature = try sandbox.ok(["roi", "--incidents-per-year", "1"], in: "")
        #expect(premature.contains("more than a year: probably premature at your stage"))

        try sandbox.write(#"{"loaded_rate": 100, "loaded_rate": 120}"#, to: "twice.json")
        let twice = try sandbox.run(["roi", "--inputs", "twice.json"])
        #expect(twice.status == 1)
        #expect(
            twice.stderr
                == "Error: The inputs file twice.json gives 'loaded_rate' twice; keep one, since which would win is not obvious.\n"
        )
        try sandbox.write(#"{"rate": 100}"#, to: "unknown.json")
        let unknown = try sandbox.run(["roi", "--inputs", "unknown.json"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("Error: The inputs file unknown.json has an unknown key 'rate'"))
        let share = try sandbox.run(["roi", "--preventable-share", "1.5"])
        #expect(share.status == 64)
        #expect(share.stderr.hasPrefix("Error: --preventable-share 1.5 must be a share between 0 and 1"))
        let word = try sandbox.run(["roi", "--loaded-rate", "lots"])
        #expect(word.status == 64)
        let format = try sandbox.run(["roi", "--format", "pdf"])
        #expect(format.status == 64)
        let missing = try sandbox.run(["roi", "--workspace", "nowhere"])
        #expect(missing.status == 1)
        #expect(try sandbox.ok(["roi", "--help"], in: "").contains("--reproduction-hours-saved <n>"))
    }
}
