// Attempts, never rewinds: a lab reset starts a new attempt from the lab's starting files and tags, keeps
// every event and every later lab's work, and the lab is graded on its latest attempt.
import Foundation
import LabTestSupport
import Testing

@Suite struct AttemptsTests {
    static let workspace = LabsTests.workspace

    func solve(_ sandbox: Sandbox, _ lab: String) throws {
        let solved = try sandbox.shell("bash '\(Repository.root)/Solutions/\(lab)/solve.sh'", in: Self.workspace)
        #expect(solved.status == 0, "\(lab): \(solved.stderr.suffix(400))")
    }

    @Test func resetKeepsTheLogAndLaterWorkAndGradesTheLatestAttempt() throws {
        let sandbox = try LabsTests.started("06-emergency-rollback")
        try solve(sandbox, "06-emergency-rollback")
        #expect(try sandbox.run(["lab", "start", "07"], in: Self.workspace).status == 0)
        try solve(sandbox, "07-run-an-experiment")
        #expect(try LabsTests.grade(sandbox, "07").status == 0)
        let log = Self.workspace + "/.labrunner/registry/events.jsonl"
        let before = sandbox.read(log)
        let productionBefore = try sandbox.ok(["show", "production", "--json"], in: Self.workspace)

        let reset = try sandbox.run(["lab", "reset", "06", "--yes"], in: Self.workspace)
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stdout.contains("starts attempt 2"))
        #expect(reset.stdout.contains("Moves tag production back"))
        #expect(reset.stdout.contains("Keeps: every event"))
        #expect(reset.stdout.contains("The pager fired"), "a reset of a timed lab says the clock runs: \(reset.stdout)")

        let after = sandbox.read(log)
        #expect(after.hasPrefix(before), "the event log is only appended to")
        #expect(try sandbox.run(["fsck"], in: Self.workspace).status == 0)
        #expect(try sandbox.ok(["show", "production", "--json"], in: Self.workspace) != productionBefore)
        #expect(try LabsTests.grade(sandbox, "07").status == 0, "later work stays")
        let fresh = try LabsTests.grade(sandbox, "06")
        #expect(fresh.status == 1, "the new attempt has not rolled back yet")
        #expect(fresh.json["labs"][0]["attempts"].int == 2)

        try solve(sandbox, "06-emergency-rollback")
        let redone = try LabsTests.grade(sandbox, "06")
        #expect(redone.status == 0, "\(redone.text)")
        #expect(redone.json["labs"][0]["done_by"].string == "hand")
        let text = try sandbox.run(["lab", "grade", "06"], in: Self.workspace)
        #expect(text.stdout.contains("by hand in this workspace (not witnessed) · 2 attempts"))
    }

    @Test func aLaidDownLabEarnsNothingUntilItIsDoneByHand() throws {
        let sandbox = try LabsTests.started("02-register-behind-the-gate")
        let laid = try LabsTests.grade(sandbox, "01")
        #expect(laid.status == 1)
        #expect(laid.json["score"].int == 0)
        #expect(laid.json["labs"][0]["done_by"].string == "reference solution")
        let test = laid.json["tests"].array.first { $0["name"].string == "done-by-hand" }
        #expect(test?["status"].string == "fail")
        #expect(test?["message"].string?.contains("lab reset 01") == true)
        let events = sandbox.read(Self.workspace + "/.labrunner/registry/events.jsonl")
        #expect(events.contains("\"lab.laid_down\""))
        #expect(events.contains("\"solution_sha256\""))

        // A lab never started earns nothing, even where its checks happen to pass on the history.
        let unstarted = try LabsTests.grade(sandbox, "03")
        #expect(unstarted.json["score"].int == 0)
        #expect(unstarted.json["labs"][0]["done_by"].string == "nobody")
        #expect(
            unstarted.json["tests"].array.contains { $0["message"].string?.contains("was never started") == true })

        // A new attempt by hand earns the points.
        #expect(try sandbox.run(["lab", "reset", "01", "--yes"], in: Self.workspace).status == 0)
        let untouched = try LabsTests.grade(sandbox, "01")
        #expect(untouched.status == 1, "the laid-down attempt's evidence must not pass the new one: \(untouched.text)")
        try solve(sandbox, "01-what-is-a-version")
        let earned = try LabsTests.grade(sandbox, "01")
        #expect(earned.status == 0, "\(earned.text)")
        #expect(earned.json["score"].int == earned.json["max_score"].int)
    }

    @Test func workDoneBeforeALabStartedIsNotItsWork() throws {
        let sandbox = try LabsTests.started("02-register-behind-the-gate")
        try solve(sandbox, "02-register-behind-the-gate")
        // Lab 03's promotions, done before lab 03 was started.
        try sandbox.ok(["promote", "#1", "--approver", "a-reviewer"], in: Self.workspace)
        try sandbox.ok(
            ["promote", "#3", "--approver", "a-reviewer", "--canary", "20", "--yes"],
            in: Self.workspace)
        #expect(try sandbox.run(["lab", "start", "03"], in: Self.workspace).status == 0)
        let early = try LabsTests.grade(sandbox, "03")
        #expect(early.status == 1, "promotions made before the lab started are not its work: \(early.text)")
        let promotions = early.json["tests"].array.first { $0["name"].string == "two-promotions" }
        #expect(promotions?["status"].string == "fail")
    }
}
