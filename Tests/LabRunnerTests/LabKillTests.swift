// `lab start` and `lab reset` killed (kill -9, or LABRUNNER_FAULT=kill@K at a write step) and run again: no
// script outlives LabRunner or writes after it, no gold grade without the pager's incident, no wedged workspace,
// attempts exact, system/ and data/ whole, fsck clean. The killed commands are processes of the built binary;
// the re-runs and the checks run in-process. Docs/lab-kills.sh sweeps every step and random kill moments.
import Foundation
import LabTestSupport
import Testing

@Suite(.serialized) struct LabKillTests {
    static let workspace = LabsTests.workspace

    /// A copy of the folder `template` (a workspace) as `name` in the sandbox, with the request index rebuilt:
    /// the index names the log file's inode, which a copy changes.
    static func copy(_ template: String, to name: String, in sandbox: Sandbox) throws {
        let target = sandbox.path + "/" + name
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: template, toPath: target)
        try sandbox.ok(["fsck", "--repair-index"], in: name)
    }

    /// The write steps `arguments` takes in `folder`, as LABRUNNER_FAULT=count lists them.
    static func steps(_ arguments: [String], in folder: String, sandbox: Sandbox) throws -> [String] {
        let counted = try sandbox.launch(arguments, in: folder, environment: ["LABRUNNER_FAULT": "count"])
        #expect(counted.status == 0, "\(counted.stderr.suffix(500))")
        return counted.stderr.split(separator: "\n").filter { $0.hasPrefix("labrunner-fault-step ") }.map(String.init)
    }

    static func fsckIsClean(_ sandbox: Sandbox, in folder: String, _ comment: String) throws {
        let report = try sandbox.json(["fsck"], in: folder)
        #expect(report["problems"].count == 0, "\(comment): \(report["problems"])")
        #expect(report["warnings"].count == 0, "\(comment): \(report["warnings"])")
    }

    static func grade(
        _ sandbox: Sandbox, _ lab: String, in folder: String, environment: [String: String] = [:]
    ) throws -> JSONValueBox {
        let result = try sandbox.run(["lab", "grade", lab, "--format", "json"], in: folder, environment: environment)
        return try JSONValueBox(parsing: result.stdout)["labs"][0]
    }

    /// A gold time is only ever timed from the pager's own incident (opened by the setup, not by a rollback).
    static func goldOnlyFromThePager(_ sandbox: Sandbox, in folder: String, _ comment: String) throws -> Bool {
        let lab = try grade(sandbox, "06", in: folder)
        let timer = lab["tests"].array.first { $0["name"].string == "time-to-rollback" }
        guard let timer, timer["score"].int == 20 else { return false }
        let message = timer["message"].string ?? ""
        let incidents = try sandbox.json(["incident", "list"], in: folder).array
        let timed = incidents.first { message.contains("on \($0["id"].string ?? "?")") }
        #expect(
            timed?["opened_by"].string == "pager", "\(comment): gold timed from \(timed?["id"].string ?? "nothing")")
        #expect(timed?["source"].string == "manual", "\(comment)")
        return true
    }

    // MARK: Scripts die with LabRunner

    /// Labs/00-slow: a setup that keeps writing (an incident a tick) until told to stop, with a sleeper beside it.
    static func slowCatalog(in folder: String) throws {
        let lab = folder + "/Labs/00-slow"
        try FileManager.default.createDirectory(atPath: lab, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/Solutions", withIntermediateDirectories: true)
        let manifest = """
            {"id": "00-slow", "title": "Slow", "goal": "Wait.", "points": 10, "prerequisites": [], "steps": [],
             "hints": ["Wait."],
             "checks": [{"name": "answer", "check": "eval_file", "points": 10, "params": {"file": "answers/x.json"}}]}
            """
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: lab + "/lab.json"))
        try Data("# Slow\n".utf8).write(to: URL(fileURLWithPath: lab + "/README.md"))
        let setup = """
            set -euo pipefail
            echo "$$" > "$SIDE/script.pid"
            sleep 60 >/dev/null 2>&1 &
            echo "$!" > "$SIDE/sleeper.pid"
            for i in $(seq 1 300); do
                [ -e "$SIDE/release" ] && exit 0
                "$LABRUNNER" incident open --by pager --symptom "tick $i" >/dev/null
                echo "$i" >> "$SIDE/ticks"
                sleep 0.05
            done
            """
        try Data(setup.utf8).write(to: URL(fileURLWithPath: lab + "/setup.sh"))
    }

    /// The processes still running (not zombies) in process group `group`.
    static func members(of group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { return false }
            let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }

    @Test func aKilledLabStartLeavesNoScriptRunningAndNothingWritesAfterIt() throws {
        let sandbox = try Sandbox(time: .live)
        let side = sandbox.path + "/side"
        try FileManager.default.createDirectory(atPath: side, withIntermediateDirectories: true)
        try Self.slowCatalog(in: sandbox.path + "/kit")
        try sandbox.ok(["init", "ws"], in: "")
        let environment = Sandbox.environment([
            "LABRUNNER_LABS": sandbox.path + "/kit/Labs", "SIDE": side, "LABRUNNER_USER": "learner",
        ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["lab", "start", "00"]
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.path + "/ws")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let ticks = { sandbox.read("side/ticks").split(separator: "\n").count }
        let ticking = Self.waitFor(60) { ticks() >= 3 }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(ticking, "the setup never got going")
        let script = try #require(
            Int32(sandbox.read("side/script.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        let sleeper = try #require(
            Int32(sandbox.read("side/sleeper.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.waitFor(10) { Self.members(of: script).isEmpty }, "still running: \(Self.members(of: script))")
        #expect(Self.members(of: sleeper).isEmpty && !Self.members(of: script).contains(sleeper))
        let ticksAtKill = ticks()
        let eventsAtKill = try sandbox.json(["log"]).count
        usleep(1_500_000)
        #expect(ticks() == ticksAtKill, "the setup kept writing after LabRunner was killed")
        #expect(try sandbox.json(["log"]).count == eventsAtKill, "events were written after the kill")
        let slow = ["LABRUNNER_LABS": sandbox.path + "/kit/Labs", "SIDE": side]
        let killedStart = try Self.grade(sandbox, "00", in: "ws", environment: slow)
        #expect(killedStart["lab"].string == "custom:00-slow")
        #expect(killedStart["attempts"].int == 0, "a killed start is no attempt")
        let warnings = try sandbox.json(["fsck"])["warnings"].array.compactMap(\.string)
        #expect(warnings.contains { $0.contains("'LabRunner lab start 00' sets it up again") }, "\(warnings)")

        _ = FileManager.default.createFile(atPath: side + "/release", contents: Data())
        let again = try sandbox.run(["lab", "start", "00"], in: "ws", environment: slow)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("setting it up again from its starting state"), "\(again.stdout)")
        #expect(try Self.grade(sandbox, "00", in: "ws", environment: slow)["attempts"].int == 1)
        let open = try sandbox.json(["incident", "list"]).array.filter { $0["status"].string == "open" }
        #expect(open.isEmpty, "the killed setup's incidents are closed when it runs again: \(open.count) open")
        try Self.fsckIsClean(sandbox, in: "ws", "after the re-run")
    }

    // MARK: Kills at write steps

    /// Lab 06 started from a workspace where lab 05 is done by hand, killed at each commit point of its start
    /// (and right after its setup), then rolled back at once by an impatient learner, then started again.
    @Test func aLabStartKilledAtItsWriteStepsIsNeverGoldWithoutThePagerAndStartsAgainWhole() throws {
        let sandbox = try Sandbox(time: .live)
        try LaidStarts.start("05-manufacture-an-incident", in: sandbox)
        let solved = try sandbox.shell(
            "bash '\(Repository.root)/Solutions/05-manufacture-an-incident/solve.sh'", in: Self.workspace)
        try #require(solved.status == 0, "\(solved.stderr.suffix(400))")
        let template = sandbox.path + "/template"
        try FileManager.default.moveItem(atPath: sandbox.path + "/" + Self.workspace, toPath: template)
        try Self.copy(template, to: "count", in: sandbox)
        let steps = try Self.steps(["lab", "start", "06"], in: "count", sandbox: sandbox)
        #expect(steps.count >= 20)
        // Where a kill matters: every rename (each commits a file or an event) and the step after the setup ran.
        let chosen = steps.indices.filter { index in
            steps[index].contains(" rename ") || (index > 0 && steps[index - 1].contains("/scratch/tmp-"))
        }.map { $0 + 1 }
        #expect(chosen.count >= 5)
        let files = ["system", "data"].map { (entry: $0, data: snapshot(of: template + "/" + $0)) }
        for step in chosen {
            let comment = "kill at step \(step) (\(steps[step - 1].split(separator: " ").dropFirst(2).first ?? ""))"
            try Self.copy(template, to: "case", in: sandbox)
            let killed = try sandbox.launch(
                ["lab", "start", "06"], in: "case", environment: ["LABRUNNER_FAULT": "kill@\(step)"])
            #expect(killed.status != 0, "\(comment) was not reached")
            // The impatient learner rolls back before anything else.
            _ = try sandbox.run(["rollback", "--reason", "at once", "--yes"], in: "case")
            _ = try sandbox.run(["traffic", "--requests", "100"], in: "case")
            _ = try sandbox.run(["incident", "confirm"], in: "case")
            let complete = try Self.grade(sandbox, "06", in: "case")["tests"].array
                .allSatisfy { $0["name"].string != "setup-finished" }
            let gold = try Self.goldOnlyFromThePager(sandbox, in: "case", comment)
            #expect(!gold || complete, "\(comment): gold on an unfinished start")

            let again = try sandbox.run(["lab", "start", "06"], in: "case")
            #expect(again.status == 0, "\(comment): the re-run failed: \(again.stderr)")
            let lab = try Self.grade(sandbox, "06", in: "case")
            #expect(lab["attempts"].int == 1, "\(comment)")
            for (entry, data) in files {
                #expect(snapshot(of: sandbox.path + "/case/" + entry) == data, "\(comment): \(entry)/ differs")
            }
            try Self.fsckIsClean(sandbox, in: "case", comment)
            if !complete {
                // Set up again, the pager's incident is the one the clock runs from.
                try sandbox.ok(["rollback", "--reason", "after the page", "--yes"], in: "case")
                try sandbox.ok(["traffic", "--requests", "100"], in: "case")
                try sandbox.ok(["incident", "confirm"], in: "case")
                #expect(try Self.goldOnlyFromThePager(sandbox, in: "case", comment + ", after the re-run"))
            }
        }
    }

    /// Lab 03 (solved, then edited) reset and killed at every write step: system/ and data/ are each the old
    /// state or the starting one, and a re-run finishes the reset with exactly one more attempt.
    @Test func aLabResetKilledAtEveryWriteStepLeavesWholeFoldersAndExactAttempts() throws {
        let sandbox = try Sandbox(time: .live)
        try LaidStarts.start("03-promotion-is-a-tag-move", in: sandbox)
        let solved = try sandbox.shell(
            "bash '\(Repository.root)/Solutions/03-promotion-is-a-tag-move/solve.sh'", in: Self.workspace)
        try #require(solved.status == 0, "\(solved.stderr.suffix(400))")
        try sandbox.shell(
            "echo 'a learner,edit' >> data/train.csv && echo 'A learner line.' >> system/prompt.md", in: Self.workspace)
        let template = sandbox.path + "/template"
        try FileManager.default.moveItem(atPath: sandbox.path + "/" + Self.workspace, toPath: template)
        let saved = template + "/.labrunner/labs/03-promotion-is-a-tag-move/start"
        let entries = ["system", "data"].map { entry in
            (entry: entry, old: snapshot(of: template + "/" + entry), starting: snapshot(of: saved + "/" + entry))
        }
        #expect(entries.allSatisfy { $0.old != $0.starting })
        try Self.copy(template, to: "count", in: sandbox)
        let reset = ["lab", "reset", "03", "--yes"]
        let steps = try Self.steps(reset, in: "count", sandbox: sandbox)
        #expect(steps.count >= 15)
        for step in 1...steps.count {
            let comment = "kill at step \(step) (\(steps[step - 1].split(separator: " ").dropFirst(2).first ?? ""))"
            try Self.copy(template, to: "case", in: sandbox)
            let killed = try sandbox.launch(reset, in: "case", environment: ["LABRUNNER_FAULT": "kill@\(step)"])
            #expect(killed.status != 0, "\(comment) was not reached")
            for (entry, old, starting) in entries {
                let now = snapshot(of: sandbox.path + "/case/" + entry)
                #expect(now == old || now == starting, "\(comment): \(entry)/ is torn or gone")
            }
            let committed = FileManager.default.fileExists(atPath: sandbox.path + "/case/.labrunner/restore")
            let attempts = try #require(try Self.grade(sandbox, "03", in: "case")["attempts"].int)
            let again = try sandbox.run(reset, in: "case")
            #expect(again.status == 0, "\(comment): the re-run failed: \(again.stderr)")
            #expect(
                try Self.grade(sandbox, "03", in: "case")["attempts"].int == (committed ? 2 : attempts + 1),
                "\(comment): committed \(committed), \(attempts) after the kill")
            for (entry, _, starting) in entries {
                #expect(snapshot(of: sandbox.path + "/case/" + entry) == starting, "\(comment): \(entry)/")
            }
            try Self.fsckIsClean(sandbox, in: "case", comment)
        }
    }

    /// With the shared temp folder unusable, a start that lays down earlier labs and a grade that recomputes
    /// lab 00's baseline still work: the kit's scratch is the workspace's own.
    @Test func theKitNeverNeedsTheSharedTempFolder() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.write("not a folder\n", to: "not-a-folder")
        let noTemp = ["TMPDIR": sandbox.path + "/not-a-folder"]
        let start = try sandbox.launch(["lab", "start", "01"], environment: noTemp)
        #expect(start.status == 0, "\(start.stderr)")
        let grade = try sandbox.launch(
            ["lab", "grade", "00", "--format", "json"], in: Self.workspace, environment: noTemp)
        let tests = try JSONValueBox(parsing: grade.stdout)["labs"][0]["tests"].array
        let baseline = tests.first { $0["name"].string == "baseline-measured" }
        #expect(baseline?["status"].string == "pass", "\(baseline?["message"].string ?? grade.stderr)")
    }
}
