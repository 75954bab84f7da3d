// Writers from many processes at once, and writers killed at random moments, leave a registry fsck accepts. The
// writers are processes of the built binary (a kill needs one); the setup and the checks run in-process.
import Foundation
import LabTestSupport
import Registry
import Testing

@Suite(.serialized) struct CrashAndConcurrencyTests {
    @Test func eightProcessesMovingATagFiftyTimesEach() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "ws"], in: "")
        let root = try sandbox.json(["register", "--root", "--owner", "a", "--reason", "base"])
        try sandbox.write("second\n", to: "ws/system/extra.md")
        let second = try sandbox.json(["register", "--parent", "#1", "--owner", "a", "--reason", "second"])
        let ids = [try #require(root["id"].string), try #require(second["id"].string)]
        let eventsBefore = try sandbox.json(["log"]).count
        let script =
            (0..<8).map { worker in
                "(for n in $(seq 1 50); do \"$LR\" tag production \(ids[worker % 2].prefix(12)) --by w\(worker) --reason \"move $n\" >/dev/null || echo FAIL; done) &"
            }.joined(separator: "\n") + "\nwait\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.path + "/ws")
        process.environment = ["LR": Binary.path, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!output.contains("FAIL"))
        let log = try sandbox.json(["log"])
        #expect(log.count - eventsBefore == 400)
        #expect(log.array.filter { $0["kind"].string == "tag.moved" }.count == 400)
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
        let production = try sandbox.json(["tags"])["production"].string
        #expect(ids.contains(production ?? ""))
    }

    @Test func killingWritersAtRandomMomentsNeverBreaksTheRegistry() throws {
        let seed = TestSeed()
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "a", "--reason", "base"])
        // Kill moments span twice the time a whole write takes here, so some writers finish even on a busy machine.
        // The timed write is a process too, since the kills below stop processes, start-up included.
        let started = Date()
        let timed = try sandbox.launch(["tag", "production", "#1", "--by", "k", "--reason", "timing"], in: "ws")
        #expect(timed.status == 0, "\(timed.stderr)")
        let ceiling = UInt32(min(2_000_000, max(25_000, Date().timeIntervalSince(started) * 2_000_000)))
        var generator = seed.generator()
        var acknowledged: [Int] = []
        var registered: [String] = []
        for attempt in 0..<200 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binary.path)
            process.currentDirectoryURL = URL(fileURLWithPath: sandbox.path + "/ws")
            if attempt % 2 == 0 {
                try sandbox.write("attempt \(attempt)\n", to: "ws/system/notes.md")
                process.arguments = [
                    "register", "--parent", "#1", "--owner", "k", "--reason", "try \(attempt)", "--json",
                ]
            } else {
                process.arguments = ["tag", "production", "#1", "--by", "k", "--reason", "try \(attempt)", "--json"]
            }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...ceiling, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            let output = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationReason == .exit, process.terminationStatus == 0,
                let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any]
            {
                if process.arguments?.first == "tag", let seq = json["seq"] as? Int { acknowledged.append(seq) }
                if process.arguments?.first == "register", let id = json["id"] as? String { registered.append(id) }
            }
            let fsck = try sandbox.run(["fsck"], in: "ws")
            #expect(fsck.status == 0, "after kill \(attempt) (\(seed)): \(fsck.stdout)")
            if fsck.status != 0 { break }
        }
        let seqs = Set(try sandbox.json(["log"]).array.compactMap { $0["seq"].int })
        #expect(acknowledged.allSatisfy(seqs.contains), seed.comment)
        let versions = Set(try sandbox.json(["versions"]).array.compactMap { $0["id"].string })
        #expect(registered.allSatisfy(versions.contains), seed.comment)
        #expect(!acknowledged.isEmpty || !registered.isEmpty, "some writer finished before its kill (\(seed))")
        try sandbox.ok(["tag", "production", "#1", "--by", "k", "--reason", "after the storm"])
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
    }

    @Test func aKillAtEveryWriteStepOfATagMoveLeavesARegistryFsckAccepts() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "a", "--reason", "base"])
        let move = ["tag", "production", "#1", "--by", "k", "--reason", "move"]
        let counted = try sandbox.launch(move, in: "ws", environment: ["LABRUNNER_FAULT": "count"])
        let steps = counted.stderr.split(separator: "\n").filter { $0.hasPrefix("labrunner-fault-step ") }.count
        #expect(steps >= 8)
        for step in 1...max(1, steps) {
            let killed = try sandbox.launch(move, in: "ws", environment: ["LABRUNNER_FAULT": "kill@\(step)"])
            #expect(killed.status != 0, "step \(step) was not reached")
            let fsck = try sandbox.run(["fsck"], in: "ws")
            #expect(fsck.status == 0, "after a kill at step \(step): \(fsck.stdout)")
        }
        try sandbox.ok(["tag", "staging", "#1", "--by", "k", "--reason", "the next writer"])
        let report = try sandbox.json(["fsck", "--json"])
        #expect(report["warnings"].count == 0, "the next writer swept what the kills left")
    }

    @Test func aFullDiskFailureSaysNothingChangedAndTheNextWriterReplaysNothing() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "a", "--reason", "base"])
        let events = try sandbox.json(["log"]).count
        // Step 8 writes the event itself (after staging the tag and the head). The fault plan is the one
        // LABRUNNER_FAULT=enospc@8 sets, for this command's task alone.
        let failed = try FaultPlan.$current.withValue(FaultPlan(failAt: 8, action: .noSpace)) {
            try sandbox.run(["tag", "production", "#1", "--by", "k", "--reason", "full"], in: "ws")
        }
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("No space left on device; nothing was changed."), "\(failed.stderr)")
        try sandbox.ok(["tag", "staging", "#1", "--by", "k", "--reason", "the next writer"])
        #expect(try sandbox.json(["log"]).count == events + 1)
        #expect(try sandbox.json(["tags"])["production"].string == nil)
    }

    @Test func aRefIsNeverAPath() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "a", "--reason", "base"])
        try sandbox.write("host-secret-text\n", to: "secret")
        for ref in ["../../../secret", "../../../../../../../../etc/hostname"] {
            let result = try sandbox.run(["show", ref], in: "ws")
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("Error: No version matches '\(ref)'"), "\(result.stderr)")
            #expect(!result.stderr.contains("host-secret-text") && !result.stdout.contains("host-secret-text"))
        }
    }
}
