// People the registry knows and overrides that need two, through the CLI: the roster a fresh workspace gets,
// one identity rule for "a second person" (spelling, case, fullwidth letters), actors off the roster, break-glass
// past a failed floor or onto a version an incident named bad, and signed approvals (good, tampered, for another
// version, with the wrong key). Every refusal writes nothing.
import Foundation
import LabTestSupport
import Testing

@Suite struct PeopleCLITests {
    /// A workspace whose #1 is in production and whose #2 drops escalations (two safety floors fail).
    static func workspaceWithABadCandidate(owner: String = "learner") throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", owner, "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        // Customers served cleanly: the live evidence that makes #1 the last known good.
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.edit("ws/system/prompt.md") {
            $0.replacingOccurrences(of: GateCLITests.escalateLine, with: "escalate: refund_over_500")
        }
        try sandbox.ok(["register", "--parent", "#1", "--owner", owner, "--reason", "shorter escalation list"])
        return sandbox
    }

    @Test func aFreshWorkspaceKnowsItsUserAndTheKitsPersonas() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let people = try sandbox.json(["people", "list"])["people"].array.compactMap { $0["name"].string }
        for name in ["learner", "a-reviewer", "bob", "carol", "dana-lead", "pager"] {
            #expect(people.contains(name), "\(people)")
        }
        let events = try sandbox.ok(["log", "--kind", "person.added"])
        #expect(events.contains("person.added by learner identity=a-reviewer"), "\(events)")
    }

    @Test func rosterChangesNeedSomeoneOnItAndNamesCompareNormalised() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let before = sandbox.snapshot()
        let stranger = try sandbox.run(["people", "add", "mallory", "--by", "mallory"], in: "ws")
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("--by 'mallory' is not on the registry's roster"), "\(stranger.stderr)")
        let badRole = try sandbox.run(["people", "add", "zoe", "--role", "boss"], in: "ws")
        #expect(badRole.status == 64)
        let badName = try sandbox.run(["people", "add", "two words"], in: "ws")
        #expect(badName.status == 1)
        #expect(sandbox.snapshot() == before)
        let added = try sandbox.json(["people", "add", " Zoë ", "--role", "reviewer,operator"])
        #expect(added["identity"].string == "zoë")
        // A fullwidth, upper-case spelling is the same person: their entry is replaced, not doubled.
        try sandbox.ok(["people", "add", "ＺＯË", "--role", "reviewer"])
        let zoes = try sandbox.json(["people", "list"])["people"].array.filter { $0["identity"].string == "zoë" }
        #expect(zoes.count == 1)
        try sandbox.ok(["people", "remove", "zoë", "--by", "carol"])
        #expect(!(try sandbox.ok(["people", "list"])).contains("zoë"))
        let gone = try sandbox.run(["people", "remove", "zoë"], in: "ws")
        #expect(gone.status == 1)
    }

    @Test func aSecondApproverDifferingFromTheOwnerOnlyInSpellingIsRefused() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "a-reviewer", "--reason", "baseline"])
        let before = sandbox.snapshot()
        for spelling in ["A-Reviewer ", "ａ-ｒｅｖｉｅｗｅｒ", " a-reviewer"] {
            let refused = try sandbox.run(["promote", "#1", "--approver", spelling], in: "ws")
            #expect(refused.status == 1, "\(spelling)")
            #expect(refused.stderr.contains("is the same person as the version's owner"), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty, "no gate ran for \(spelling)")
        }
        // Not on the roster: nobody the registry knows.
        let stranger = try sandbox.run(["promote", "#1", "--approver", "a-reviewer2"], in: "ws")
        #expect(stranger.stderr.contains("--approver 'a-reviewer2' is not on the registry's roster"))
        // The person running it cannot approve it either, in any spelling.
        let self_ = try sandbox.run(["promote", "#1", "--approver", "LEARNER"], in: "ws")
        #expect(self_.stderr.contains("same person as the person running it"), "\(self_.stderr)")
        #expect(sandbox.snapshot() == before)
        let done = try sandbox.json(["promote", "#1", "--approver", "ｂｏｂ"])
        #expect(done["event"]["data"]["approver"].string == "bob", "recorded as the roster spells them")
    }

    @Test func actorsOffTheRosterAreRefusedBeforeAnyWork() throws {
        let sandbox = try Self.workspaceWithABadCandidate()
        let before = sandbox.snapshot()
        for command in [
            ["rollback", "--reason", "r", "--by", "zed", "--yes"],
            ["incident", "open", "--symptom", "odd", "--by", "zed"],
            ["experiment", "start", "x", "--from", "#1", "--by", "zed"],
            ["gc", "--dry-run", "--by", "zed"],
            ["promote", "#2", "--approver", "bob", "--by", "zed"],
        ] {
            let refused = try sandbox.run(command, in: "ws")
            #expect(refused.status == 1, "\(command)")
            #expect(refused.stderr.contains("'zed' is not on the registry's roster"), "\(command): \(refused.stderr)")
        }
        #expect(sandbox.snapshot() == before)
    }

    @Test func theOwnerForcingPastFailedFloorsAloneIsRefusedAndBreakGlassNeedsTwo() throws {
        let sandbox = try Self.workspaceWithABadCandidate()
        let before = sandbox.snapshot()
        let alone = try sandbox.run(
            ["promote", "#2", "--approver", "learner", "--force", "--reason", "yolo"], in: "ws")
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("same person as the version's owner"), "\(alone.stderr)")
        let noReason = try sandbox.run(["promote", "#2", "--approver", "bob", "--force"], in: "ws")
        #expect(noReason.status == 1)
        #expect(sandbox.snapshot() == before)
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])
        let glass = try sandbox.json(["log", "--kind", "promotion.break_glass"]).array
        #expect(glass.count == 1)
        #expect(glass.first?["data"]["overrides"].string == "failed-floor")
        #expect(glass.first?["data"]["floors"].string?.contains("escalate:legal_threat") == true)
        #expect(glass.first?["data"]["owner"].string == "learner")
        let move = try sandbox.json(["log", "--kind", "tag.moved"]).array.last
        #expect(move?["data"]["break_glass"].string == "failed-floor")
    }

    @Test func aVersionAnIncidentNamedBadComesBackOnlyThroughBreakGlass() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "learner", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nA note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "learner", "--reason", "a note"])
        try sandbox.ok(["promote", "#2", "--approver", "bob"])
        try sandbox.ok(["rollback", "--reason", "odd answers after #2", "--detected-at", "now", "--yes"])
        let before = sandbox.snapshot()
        // Its gate passes; an incident naming it bad is what makes its return break-glass.
        let plain = try sandbox.run(["promote", "#2", "--approver", "bob"], in: "ws")
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("break-glass (named bad by incident INC-0001)"), "\(plain.stderr)")
        #expect(plain.stdout.isEmpty)
        let alone = try sandbox.run(
            ["promote", "#2", "--approver", "learner", "--force", "--reason", "yolo"], in: "ws")
        #expect(alone.status == 1)
        #expect(sandbox.snapshot() == before)
        try sandbox.ok(["promote", "#2", "--approver", "carol", "--force", "--reason", "the incident was elsewhere"])
        let glass = try sandbox.json(["log", "--kind", "promotion.break_glass"]).array
        #expect(glass.count == 1)
        #expect(glass.first?["data"]["overrides"].string == "named-bad")
        #expect(glass.first?["data"]["incidents"].string == "INC-0001")
        #expect(glass.first?["data"]["approver"].string == "carol")
    }
}

@Suite struct SignedApprovalCLITests {
    /// A workspace with rita (who signs, key in `keys/rita`) on the roster and a candidate #2 over production #1.
    static func workspace() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try FileManager.default.createDirectory(atPath: sandbox.path + "/keys", withIntermediateDirectories: true)
        for name in ["rita", "other"] {
            let made = try runProcess(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", "keys/" + name],
                in: sandbox.path, environment: Sandbox.environment([:]))
            #expect(made.status == 0, "\(made.stderr)")
        }
        try sandbox.ok(["people", "add", "rita", "--key", "../keys/rita.pub", "--role", "reviewer"])
        try sandbox.ok(["register", "--root", "--owner", "learner", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "60"])
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nA note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "learner", "--reason", "a note"])
        return sandbox
    }

    @Test func aSignedApprovalVerifiesAndATamperedOneIsRefused() throws {
        let sandbox = try Self.workspace()
        var before = sandbox.snapshot()
        // A high-stakes promotion, or an approver who has a key, needs the signature, not the name.
        for command in [
            ["promote", "#2", "--approver", "bob", "--high-stakes"], ["promote", "#2", "--approver", "rita"],
        ] {
            let unsigned = try sandbox.run(command, in: "ws")
            #expect(unsigned.status == 1)
            #expect(unsigned.stderr.contains("so the approval must be signed"), "\(unsigned.stderr)")
        }
        #expect(sandbox.snapshot() == before)
        // The wrong private key is caught when signing: the roster holds rita's public key.
        let wrongKey = try sandbox.run(
            ["approve", "#2", "--as", "rita", "--key", "../keys/other", "--out", "../wrong.json"], in: "ws")
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("not a good signature by rita's key"), "\(wrongKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/wrong.json"))
        try sandbox.ok(["approve", "#2", "--as", "rita", "--key", "../keys/rita", "--out", "../approval.json"])
        let approval = sandbox.read("approval.json")
        // Tampered: the signed request's time is moved a year back; the signature no longer matches.
        try sandbox.write(
            approval.replacingOccurrences(of: "\"at\" : \"2026", with: "\"at\" : \"2025"), to: "tampered.json")
        #expect(sandbox.read("tampered.json") != approval)
        before = sandbox.snapshot()
        let tampered = try sandbox.run(
            ["promote", "#2", "--approver", "rita", "--high-stakes", "--approval", "../tampered.json"], in: "ws")
        #expect(tampered.status == 1)
        #expect(tampered.stderr.hasPrefix("Error: Approval refused: the signature is not a good signature"))
        #expect(tampered.stdout.isEmpty, "no gate ran")
        // For another version: the approval of #2 does not carry #1 (nor any later candidate).
        #expect(sandbox.snapshot() == before)
        try sandbox.write(sandbox.read("ws/system/prompt.md") + "\nAnother note.\n", to: "ws/system/prompt.md")
        try sandbox.ok(["register", "--parent", "#1", "--owner", "learner", "--reason", "another note"])
        before = sandbox.snapshot()
        let other = try sandbox.run(
            ["promote", "#3", "--approver", "rita", "--approval", "../approval.json"], in: "ws")
        #expect(other.status == 1)
        #expect(other.stderr.contains("the approval is for version"), "\(other.stderr)")
        let someoneElse = try sandbox.run(
            ["promote", "#2", "--approver", "bob", "--approval", "../approval.json"], in: "ws")
        #expect(someoneElse.stderr.contains("not by the --approver 'bob'"), "\(someoneElse.stderr)")
        #expect(sandbox.snapshot() == before)
        let promoted = try sandbox.json(
            ["promote", "#2", "--approver", "Rita", "--high-stakes", "--approval", "../approval.json", "--yes"])
        #expect(promoted["event"]["data"]["approver"].string == "rita")
        #expect(promoted["event"]["data"]["approval_signature"].string?.contains("BEGIN SSH SIGNATURE") == true)
    }

    @Test func aKeyedPersonIsNotReKeyedByThemselves() throws {
        let sandbox = try Self.workspace()
        let before = sandbox.snapshot()
        let own = try sandbox.run(["people", "add", "rita", "--key", "../keys/other.pub", "--by", "rita"], in: "ws")
        #expect(own.status == 1)
        #expect(own.stderr.contains("needs someone else on the roster"), "\(own.stderr)")
        let notAKey = try sandbox.run(["people", "add", "sam", "--key", "../keys/other"], in: "ws")
        #expect(notAKey.status == 1)
        #expect(sandbox.snapshot() == before)
    }

    @Test func showAuditReportAndVerifyNameTheSignerAndSaySigned() throws {
        let sandbox = try Self.workspace()
        try sandbox.ok(["approve", "#2", "--as", "rita", "--key", "../keys/rita", "--out", "../approval.json"])
        try sandbox.ok(["promote", "#2", "--approver", "RITA", "--high-stakes", "--approval", "../approval.json"])
        try sandbox.ok(["traffic", "--requests", "3"])
        let id = try #require(try sandbox.json(["requests", "--limit", "1"]).array.first?["id"].string)
        let audit = try sandbox.ok(["audit", id])
        #expect(audit.contains("approved by rita (on the roster: reviewer), signed approval"), "\(audit)")
        #expect(audit.contains("approval_signature=-----BEGIN SSH SIGNATURE-----…"), "the signature shows short")
        let shown = try sandbox.ok(["show", "#2"])
        #expect(shown.contains("approver=rita"), "\(shown)")
        try sandbox.ok(["report", "--out", "../report"])
        #expect(sandbox.read("report/index.html").contains("gate passed, signed approval"))
        try sandbox.ok(["bundle", "--out", "../history.tar"])
        let verified = try sandbox.run(["verify", "history.tar"], in: "")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("1 signed approvals re-checked with ssh-keygen"), "\(verified.stdout)")
    }
}

@Suite struct BreakGlassEvidenceCLITests {
    @Test func theWriteupAuditAndReportShowABreakGlassPromotionAsSuch() throws {
        let sandbox = try PeopleCLITests.workspaceWithABadCandidate()
        try sandbox.ok(["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured incident"])
        try sandbox.ok(["traffic", "--requests", "3"])
        let id = try #require(try sandbox.json(["requests", "--limit", "1"]).array.first?["id"].string)
        let audit = try sandbox.ok(["audit", id])
        #expect(
            audit.contains("approved by bob (on the roster: reviewer), unsigned approval; break-glass: failed-floor"),
            "\(audit)")
        try sandbox.ok(["rollback", "--reason", "escalations stopped", "--detected-at", "now", "--yes"])
        let writeup = try sandbox.ok(["writeup"])
        #expect(writeup.contains("it was a break-glass promotion (overrode: failed-floor)"), "\(writeup)")
        #expect(writeup.contains("the approval was not signed"))
        try sandbox.ok(["report", "--out", "../report"])
        #expect(sandbox.read("report/index.html").contains("gate overridden, break-glass (failed-floor)"))
    }
}
