// Drills through the real binary over loopback: a whole drill as a team runs it, several people acting at once,
// and no child process outliving `drill end`, Ctrl-C or a killed drill process. `drill start` and the three
// people acting at once are processes; the rest of the team's commands run in-process on the real time, since
// the drill's children write the same history. Refused drill commands write nothing.
import Foundation
import LabTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `drill start` running in the background of a sandbox, its output in a file.
final class RunningDrill {
    let sandbox: Sandbox
    let process = Process()
    let output: String

    init(_ sandbox: Sandbox, _ arguments: [String]) throws {
        self.sandbox = sandbox
        output = sandbox.path + "/drill-start.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["drill", "start"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.path + "/room")
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "LABRUNNER_WORKSPACE")
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// The room's active.json once the service, traffic and monitor are all running.
    func waitUntilRunning() throws -> [String: Any] {
        try wait("the drill to start (\(sandbox.read("drill-start.out")))") {
            guard let data = FileManager.default.contents(atPath: sandbox.path + "/room/.labrunner/drills/active.json"),
                let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                (state["children"] as? [Any])?.count == 3
            else { return nil }
            return state
        }
    }
}

/// Polls `probe` every 0.2 s until it returns a value (at most `limit` seconds).
func wait<T>(_ what: String, limit: Double = 120, _ probe: () throws -> T?) throws -> T {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
        if let value = try probe() { return value }
        Thread.sleep(forTimeInterval: 0.2)
    }
    throw WaitTimeout(what: what)
}

struct WaitTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Alive and not a zombie.
func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

func childPIDs(_ state: [String: Any]) -> [Int32] {
    ((state["children"] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.int32Value }
}

@Suite(.serialized) struct DrillCommandTests {
    @Test func aTeamRunsAWholeDrillOverLoopbackAndNoChildOutlivesIt() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        let drill = try RunningDrill(
            sandbox, ["--fault", "config", "--seed", "5", "--window", "20s", "--monitor-window", "10"])
        let state = try drill.waitUntilRunning()
        let children = childPIDs(state)
        #expect(children.allSatisfy(isAlive))
        let url = try #require(state["url"] as? String)
        let here = "room/drills/D-0001"
        // Three people act at once from three terminals: nothing is lost.
        let people = [("alice", "commander"), ("bob", "operator"), ("carol", "scribe")]
        let group = DispatchGroup()
        let results = LockedResults()
        for (name, role) in people {
            DispatchQueue.global().async(group: group) {
                let joined = try? sandbox.launch(
                    ["drill", "join", role], in: here, environment: ["LABRUNNER_USER": name])
                let listed = try? sandbox.launch(["versions"], in: here, environment: ["LABRUNNER_USER": name])
                results.add(joined?.status == 0 && listed?.status == 0)
            }
        }
        group.wait()
        #expect(results.all == [true, true, true])
        // A second drill is refused while this one runs, and from inside a drill's workspace; nothing is laid.
        let drills = try FileManager.default.contentsOfDirectory(atPath: sandbox.path + "/room/drills")
        let again = try sandbox.run(["drill", "start"], in: "room")
        #expect(again.status == 1 && again.stderr.contains("Drill D-0001 is still running"), "\(again.stderr)")
        let inside = try sandbox.run(["drill", "start"], in: here)
        #expect(inside.status == 1 && inside.stderr.contains("This is drill D-0001's own workspace"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path + "/room/drills") == drills)
        let joins = try sandbox.json(["log", "--kind", "drill.joined"], in: here)
        #expect(Set(joins.array.compactMap { $0["actor"].string }) == ["alice", "bob", "carol"])
        // The participants' log does not show the fault while the drill runs.
        let incident = try wait("the monitor's alarm") { () -> String? in
            let incidents = try sandbox.json(["incident", "list"], in: here)
            return incidents.array.first { $0["source"].string == "monitor" }?["id"].string
        }
        #expect(!sandbox.read("room/drills/D-0001/.labrunner/drill-logs/traffic.log").isEmpty)
        let log = try sandbox.ok(["log", "--json"], in: here)
        #expect(!log.contains("drill.fault"))
        #expect(try sandbox.run(["drill", "ack"], in: here, environment: ["LABRUNNER_USER": "alice"]).status == 0)
        let bad = try #require(try sandbox.json(["tags"], in: here)["production"].string)
        let parent = try #require(try sandbox.json(["show", bad], in: here)["record"]["metadata"]["parent"].string)
        #expect(!(try sandbox.ok(["show", bad, "--json"], in: here)).contains("drill.fault"))
        #expect(try sandbox.run(["drill", "code"], in: here).status != 0, "the code may name the fault")
        #expect(try sandbox.run(["diff", parent, bad], in: here, environment: ["LABRUNNER_USER": "bob"]).status == 0)
        #expect(
            try sandbox.run(
                ["rollback", "--reason", "drill: clarify rate fell"], in: here, environment: ["LABRUNNER_USER": "bob"]
            ).status == 0)
        _ = try wait("recovery on the restored version") { () -> Bool? in
            let events = try sandbox.json(["log", "--kind", "drill.recovered"], in: here)
            return events.count > 0 ? true : nil
        }
        #expect(
            try sandbox.run(
                ["incident", "close", incident, "--resolution", "rolled back to the last known good"], in: here,
                environment: ["LABRUNNER_USER": "alice"]
            ).status == 0)
        let ended = try sandbox.run(["drill", "end", "--json"], in: here, environment: ["LABRUNNER_USER": "alice"])
        #expect(ended.status == 0, "\(ended.stderr)")
        let record = JSONValueBox(try JSONSerialization.jsonObject(with: Data(ended.stdout.utf8)))
        #expect(record["call"]["right"].bool == true, "\(ended.stdout)")
        #expect(record["fault"]["kind"].string == "config")
        #expect(record["laps"].array.allSatisfy { $0["at"].string != nil }, "every lap reached: \(ended.stdout)")
        #expect(record["laps"][3]["by"].string == "bob" && record["laps"][3]["role"].string == "operator")
        #expect((record["optimal_s"].double ?? -1) >= 0)
        drill.process.waitUntilExit()
        #expect(drill.process.terminationStatus == 0)
        #expect(children.allSatisfy { !isAlive($0) }, "no child outlives drill end")
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/room/.labrunner/drills/D-0001.json"))
        // The service is gone: nothing answers on its port.
        #expect(try sandbox.run(["traffic", "--target", url, "--requests", "1"], in: "room").status != 0)
        // After the drill its log holds the token that opens the sealed fault.
        #expect(try sandbox.ok(["log", "--json"], in: here).contains("drill.opened"))
    }

    @Test func ctrlCStopsEveryChildAndRecordsTheDrill() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        let drill = try RunningDrill(sandbox, ["--fault", "noise", "--seed", "2", "--window", "10m"])
        let children = childPIDs(try drill.waitUntilRunning())
        kill(drill.process.processIdentifier, SIGINT)
        drill.process.waitUntilExit()
        #expect(drill.process.terminationStatus == 0, "\(sandbox.read("drill-start.out"))")
        #expect(children.allSatisfy { !isAlive($0) })
        let saved = JSONValueBox(
            try JSONSerialization.jsonObject(with: Data(sandbox.read("room/.labrunner/drills/D-0001.json").utf8)))
        #expect(saved["ending"].string == "interrupted")
        #expect(saved["fault"].value is NSNull, "the fault had not shipped yet")
        #expect(try sandbox.ok(["drill", "code"], in: "room").hasPrefix("noise-2-600-"))
    }

    @Test func childrenStopWhenTheDrillProcessIsKilledAndDrillEndRecordsIt() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        let drill = try RunningDrill(sandbox, ["--fault", "index", "--seed", "4", "--window", "10m", "--gm"])
        let children = childPIDs(try drill.waitUntilRunning())
        let token = try wait("the game master's token") { () -> String? in
            sandbox.read("drill-start.out").split(separator: " ").first { $0.count == 33 && $0.hasSuffix(":") }
                .map { String($0.dropLast()) }
        }
        kill(drill.process.processIdentifier, SIGKILL)
        drill.process.waitUntilExit()
        _ = try wait("the orphaned children to stop", limit: 10) { children.allSatisfy { !isAlive($0) } ? true : nil }
        // A new drill is refused until this one is ended; drill end records it as interrupted. The process that held
        // the token is gone: the game master's token opens the sealed plan (a wrong one is refused, writing nothing).
        // Everywhere it says so: the status and 'LabRunner' in the drill's workspace.
        let status = try sandbox.run(["drill", "status", "--once"], in: "room/drills/D-0001")
        #expect(status.stdout.contains("INTERRUPTED  the drill's process is gone"), "\(status.stdout)")
        #expect(try sandbox.run([], in: "room/drills/D-0001").stdout.contains("its process is gone (interrupted)"))
        let wrong = try sandbox.run(["drill", "end", "--gm", String(repeating: "0", count: 32)], in: "room")
        #expect(wrong.status == 1 && wrong.stderr.contains("not drill D-0001's game-master token"), "\(wrong.stderr)")
        let ended = try sandbox.run(["drill", "end", "--gm", token, "--json"], in: "room")
        #expect(ended.status == 0, "\(ended.stderr)")
        #expect(ended.stdout.contains("\"ending\" : \"interrupted\""))
        #expect(ended.stdout.contains("\"code\" : \"index-4-600-"), "\(ended.stdout)")
    }

    @Test func refusedDrillCommandsWriteNothing() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "room"], in: "")
        try Data(#"{"faults": [{"name": "w", "summary": "s", "right_call": "keep"}]}"#.utf8).write(
            to: URL(fileURLWithPath: sandbox.path + "/faults.json"))
        let before = sandbox.snapshot("room")
        for arguments in [
            ["drill", "start", "--fault", "gremlins"], ["drill", "start", "--window", "3s"],
            ["drill", "start", "--code", "prompt-1-300-00000000"], ["drill", "start", "--rate", "0"],
            ["drill", "start", "--faults", "../faults.json"], ["drill", "start", "--faults", "../none.json"],
            ["drill", "ack"], ["drill", "join", "commander"], ["drill", "join", "pilot"], ["drill", "end"],
        ] {
            let result = try sandbox.run(arguments, in: "room")
            #expect(result.status != 0, "\(arguments) was refused")
            #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count <= 3, "\(arguments): one clear sentence")
        }
        #expect(sandbox.snapshot("room") == before, "nothing was written")
    }
}

final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool] = []
    func add(_ value: Bool) { lock.withLock { values.append(value) } }
    var all: [Bool] { lock.withLock { values } }
}
