// The drill's roles through the real binary: one incident commander at a time (a second claim and a handoff by
// someone else are refused, writing no event), `drill handoff NAME` passes the role, `drill note TEXT` is the
// scribe's, and the notes are the debrief's narrative.
import Foundation
import LabTestSupport
import Testing

@Suite(.serialized) struct DrillRolesCommandTests {
    @Test func oneCommanderAHandoffAndTheScribesNotesInTheDebrief() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        let drill = try RunningDrill(
            sandbox, ["--fault", "prompt", "--seed", "3", "--window", "30m", "--as", "gm", "--gm"])
        _ = try drill.waitUntilRunning()
        let printed = sandbox.read("drill-start.out")
        let token = try #require(
            printed.range(of: "Token ").map { String(printed[$0.upperBound...].prefix(32)) }, "\(printed)")
        let here = "room/drills/D-0001"
        func events() throws -> Int { try sandbox.json(["log", "--json"], in: here).count }
        func refused(_ arguments: [String], _ sentence: String) throws {
            let result = try sandbox.run(arguments, in: here)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Error: " + sentence)
        }
        try sandbox.ok(["drill", "join", "commander", "--as", "ana"], in: here)
        let before = try events()
        try refused(
            ["drill", "join", "commander", "--as", "bob"],
            "ana is the incident commander: there is one at a time; ana passes the role with "
                + "'LabRunner drill handoff NAME'.")
        try refused(
            ["drill", "handoff", "bob", "--as", "bob"],
            "bob is not the incident commander (ana is): only the commander hands the role off; run it as ana "
                + "(--as ana).")
        try refused(
            ["drill", "note", "alarm fired", "--as", "ana"],
            "ana is not a scribe in this drill: notes are the scribe's; take the role with "
                + "'LabRunner drill join scribe' first.")
        #expect(try events() == before, "the refusals wrote no event")

        #expect(
            try sandbox.ok(["drill", "handoff", "bob", "--as", "ana"], in: here)
                == "bob is now the incident commander in drill D-0001.\n")
        try sandbox.ok(["drill", "join", "scribe", "--as", "carol"], in: here)
        #expect(
            try sandbox.ok(["drill", "note", "ana handed command to bob", "--as", "carol"], in: here).hasPrefix(
                "Noted at "))
        let status = try sandbox.ok(["drill", "status", "--once"], in: here)
        #expect(status.contains("incident commander: bob"), "\(status)")
        #expect(!status.contains("incident commander: ana"))
        #expect(try sandbox.ok(["drill", "handoff", "--help"], in: here).contains("USAGE"))

        // Injects are the game master's: without the token, refused and nothing written; with it, recorded.
        let injected = try events()
        try refused(
            ["drill", "inject", "complaint"],
            "Injects are the game master's: pass --gm TOKEN, the token 'drill start --gm' printed.")
        #expect(try events() == injected)
        #expect(
            try sandbox.ok(
                ["drill", "inject", "alarm", "checkout errors doubled", "--gm", token, "--as", "gm"], in: here
            )
            .hasPrefix("Injected at "))

        try sandbox.ok(["drill", "end", "--as", "gm"], in: "room")
        drill.process.waitUntilExit()
        let report = try sandbox.ok(["drill", "report"], in: "room")
        #expect(report.contains("## Narrative"))
        #expect(report.contains("carol: ana handed command to bob"), "\(report)")
        #expect(report.contains("Handed the incident commander's role to bob."))
        #expect(report.contains("The game master injected a second alarm: checkout errors doubled"))
    }
}
