// gc against a canary in another process, as the issue ran it: an expired experiment version promoted with a
// canary in the background and `gc --yes` a moment before or after. The race needs two processes of the built
// binary; the set-up and the checks run in-process.
import Foundation
import LabTestSupport
import Testing

@Suite(.serialized) struct GCRaceTests {
    /// A workspace holding production #1 and #2, a version of an experiment that ended and whose window has
    /// passed: `gc` would collect #2's blobs now. Returns #2's full id.
    static func expiredExperimentVersion(_ sandbox: Sandbox, in folder: String) throws -> String {
        try sandbox.ok(["init", folder], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "base"], in: folder)
        try sandbox.ok(["promote", "#1", "--approver", "bob"], in: folder)
        try sandbox.ok(["experiment", "start", "exp", "--from", "production", "--ttl", "1s"], in: folder)
        try sandbox.edit("\(folder)/system/prompt.md") { $0 + "\nAn experiment's line.\n" }
        let version = try sandbox.json(
            ["register", "--experiment", "exp", "--parent", "production", "--owner", "alice", "--reason", "exp"],
            in: folder)
        try sandbox.ok(["experiment", "end", "exp"], in: folder)
        Thread.sleep(forTimeInterval: 1.2)
        let id = try #require(version["id"].string)
        let plan = try sandbox.json(["gc", "--dry-run"], in: folder)
        #expect(plan["versions"].array.compactMap(\.string) == [id], "the experiment's version is collectable")
        return id
    }

    static func launch(_ arguments: [String], in folder: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = Sandbox.environment([:])
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    static func finish(_ launched: (Process, Pipe)) -> (status: Int32, stderr: String) {
        let stderr = launched.1.fileHandleForReading.readDataToEndOfFile()
        launched.0.waitUntilExit()
        return (launched.0.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    @Test func gcNeverTakesTheBlobsOfAVersionACanaryAnswersFrom() throws {
        let sandbox = try Sandbox(time: .live)
        let version = try Self.expiredExperimentVersion(sandbox, in: "template")
        let template = sandbox.path + "/template"
        var promoted = 0
        var refused = 0
        // Delays from gc a little before the promotion to half a second after it (the issue's 0.02–0.5 s).
        let delays = (0..<20).map { trial in -0.1 + Double(trial * 37 % 20) / 20 * 0.6 }
        for (trial, delay) in delays.enumerated() {
            let folder = "t\(trial)"
            try FileManager.default.copyItem(atPath: template, toPath: sandbox.path + "/" + folder)
            let workspace = sandbox.path + "/" + folder
            let promote = ["promote", "#2", "--canary", "50", "--yes", "--approver", "bob"]
            let promotion: (status: Int32, stderr: String)
            let collection: (status: Int32, stderr: String)
            if delay < 0 {
                let gc = try Self.launch(["gc", "--yes"], in: workspace)
                Thread.sleep(forTimeInterval: -delay)
                let canary = try Self.launch(promote, in: workspace)
                (collection, promotion) = (Self.finish(gc), Self.finish(canary))
            } else {
                let canary = try Self.launch(promote, in: workspace)
                Thread.sleep(forTimeInterval: delay)
                let gc = try Self.launch(["gc", "--yes"], in: workspace)
                (collection, promotion) = (Self.finish(gc), Self.finish(canary))
            }
            let context = "trial \(trial), gc \(delay < 0 ? "\(-delay) s before" : "\(delay) s after") the promotion"
            #expect(collection.status == 0, "\(context): \(collection.stderr)")
            let collected = try sandbox.json(["log", "--kind", "gc.collected"], in: folder).array.contains {
                $0["data"]["versions"].string?.contains(version) == true
            }
            let answered = try sandbox.json(["requests", "--version", version, "--limit", "1000"], in: folder)
            #expect(!(collected && !answered.array.isEmpty), "\(context): #2 answered after its blobs were collected")
            #expect(try sandbox.ok(["fsck"], in: folder).contains("fsck: ok"), "\(context)")
            if promotion.status == 0 {
                promoted += 1
                #expect(!collected, "\(context): #2 was promoted and its blobs collected")
                #expect(try sandbox.json(["tags"], in: folder)["production"].string == version)
                try sandbox.ok(["ask", "--version", "production", "where is my order"], in: folder)
                let request = try #require(answered.array.first?["id"].string, "\(context): the canary answered")
                #expect(try sandbox.ok(["audit", request, "--replay"], in: folder).contains("Replay: identical"))
            } else {
                refused += 1
                #expect(collected, "\(context): the promotion failed for another reason: \(promotion.stderr)")
                #expect(promotion.stderr.contains("its artifacts were garbage-collected"), "\(context)")
                #expect(answered.array.isEmpty, "\(context): a refused canary answered nobody")
                #expect(try sandbox.json(["tags"], in: folder)["production"].string != version)
            }
        }
        #expect(promoted > 0, "at least one canary ran before gc (\(promoted) promoted, \(refused) refused)")
    }

    @Test func aCollectedVersionNeverGetsAServingTagUntilItsContentIsRegisteredAgain() throws {
        let sandbox = try Sandbox(time: .live)
        let version = try Self.expiredExperimentVersion(sandbox, in: "ws")
        try sandbox.ok(["gc", "--yes"])
        let before = sandbox.snapshot()
        for command in [
            ["tag", "production", String(version.prefix(12)), "--by", "ops", "--reason", "by hand"],
            ["promote", "#2", "--approver", "bob", "--yes"],
            ["promote", "#2", "--approver", "bob", "--canary", "50", "--yes"],
        ] {
            let refused = try sandbox.run(command, in: "ws")
            #expect(refused.status == 1, "\(command): \(refused.stdout)")
            #expect(refused.stderr.contains("version #2 \(version.prefix(12)): its artifacts were garbage-collected"))
            #expect(refused.stderr.contains("register the same content again to restore them"), "\(refused.stderr)")
            #expect(sandbox.snapshot() == before, "\(command) was refused and wrote nothing")
        }
        // Any other tag may still name it: only what serving reads needs the blobs.
        try sandbox.ok(["tag", "archive", "#2", "--by", "ops", "--reason", "remember it"])
        // The way out the message names: the same content (system/ still holds #2's) registered again brings
        // the blobs back.
        let again = try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "bring #2 back"])
        #expect(again.contains("garbage-collected blob(s) are restored"), "\(again)")
        try sandbox.ok(["tag", "production", "#2", "--by", "ops", "--reason", "restored"])
        try sandbox.ok(["ask", "--version", "production", "where is my order"])
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
    }
}
