// A participant cannot learn the fault before it ships: with a drill running through the real binary, every file
// in the team's workspace (the drill's own included) and the output of every read-only command a participant
// may run, the dashboard too, hold neither the fault, its code, its seed nor the game master's token. The token
// the game master's terminal showed opens the code; 'drill end' records the token and the record carries the code.
import Foundation
import LabTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct DrillSealCommandTests {
    static let seed = "9876543210123"

    @Test func aParticipantCannotLearnTheFaultBeforeItShipsFromAnyFileOrReadOnlyCommand() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        let drill = try RunningDrill(
            sandbox, ["--fault", "lkg-trap", "--seed", Self.seed, "--window", "10m", "--monitor-window", "10", "--gm"])
        let state = try drill.waitUntilRunning()
        let url = try #require(state["url"] as? String)
        let printed = try wait("the game master's sheet") { () -> String? in
            let text = sandbox.read("drill-start.out")
            return text.contains("Token ") && text.contains("scripted response") ? text : nil
        }
        let token = try #require(
            printed.split(separator: "\n").first { $0.contains("Token ") }?.split(separator: " ").first {
                $0.count == 33 && $0.hasSuffix(":")
            }?.dropLast())
        #expect(printed.contains("lkg-trap"), "the game master's terminal shows the fault")
        let secrets = [
            "lkg-trap", Self.seed, "its parent is bad too", "the version the old incident named bad", String(token),
        ]
        func assertHidden(_ text: String, _ place: String, sourceLocation: SourceLocation = #_sourceLocation) {
            for secret in secrets {
                #expect(!text.contains(secret), "\(place) shows \(secret)", sourceLocation: sourceLocation)
            }
        }

        // Every file in the room, the drill's own workspace with its logs and state included.
        let here = "room/drills/D-0001"
        let files = sandbox.snapshot("room")
        #expect(files.keys.contains("drills/D-0001/.labrunner/registry/events.jsonl"))
        #expect(files.keys.contains("drills/D-0001/.labrunner/drill.json"))
        for (path, data) in files { assertHidden(String(decoding: data, as: UTF8.self), path) }

        // Every read-only command a participant may run, from the drill's workspace and from the room.
        let versions = try sandbox.json(["versions"], in: here).array.compactMap { $0["id"].string }
        #expect(versions.count >= 4)
        let incidents = try sandbox.json(["incident", "list"], in: here).array.compactMap { $0["id"].string }
        var commands: [[String]] = [
            [], ["log"], ["log", "--json"], ["versions"], ["tags", "--json"], ["incident", "list"], ["requests"],
            ["fsck"], ["drill", "status", "--once"], ["drill", "status", "--json"], ["drill", "history"],
            ["drill", "code"], ["drill", "report"], ["rollback", "--dry-run"], ["roi"], ["incident", "stats"],
        ]
        commands += versions.map { ["show", $0, "--json"] }
        commands += incidents.map { ["incident", "show", $0] }
        for arguments in commands {
            for folder in [here, "room"] {
                let result = try sandbox.run(arguments, in: folder)
                assertHidden(result.stdout + result.stderr, "'\(arguments.joined(separator: " "))' in \(folder)")
            }
        }
        // The dashboard on the service.
        for page in ["/drill", "/drill.json"] {
            let fetched = try runProcess(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                    url + page,
                ],
                in: sandbox.path, environment: ProcessInfo.processInfo.environment)
            #expect(fetched.status == 0 && !fetched.stdout.isEmpty, "\(page): \(fetched.stderr)")
            assertHidden(fetched.stdout, page)
        }
        // The code needs the token; a wrong token is refused.
        let hidden = try sandbox.run(["drill", "code"], in: here)
        #expect(hidden.status == 1 && hidden.stderr.contains("--gm TOKEN"), "\(hidden.stderr)")
        let wrong = try sandbox.run(["drill", "code", "--gm", String(repeating: "ab", count: 16)], in: here)
        #expect(wrong.status == 1 && wrong.stderr.contains("not drill D-0001's game-master token"))
        let code = try sandbox.ok(["drill", "code", "--gm", String(token)], in: here)
        #expect(code.hasPrefix("lkg-trap-\(Self.seed)-600-"), "\(code)")

        // The end records the token, checked against the commitment; the record carries the code.
        let ended = try sandbox.run(["drill", "end", "--json"], in: here, environment: ["LABRUNNER_USER": "alice"])
        #expect(ended.status == 0, "\(ended.stderr)")
        let record = try ended.json
        #expect(record["code"].string == code.trimmingCharacters(in: .whitespacesAndNewlines))
        drill.process.waitUntilExit()
        #expect(try sandbox.json(["log", "--kind", "drill.opened"], in: here).count == 1)
        #expect(try sandbox.ok(["drill", "code"], in: "room") == code)
    }
}
