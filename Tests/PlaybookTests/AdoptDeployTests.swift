// The deploy folder: releases/<id>/ and a `current` link that every production move flips atomically, read
// by a service the whole time without one failed read; `deploy status`; refusals that write nothing.
import Foundation
import LabTestSupport
import Playbook
import Registry
import Synchronization
import Testing

/// A stand-in service: reads DIR/current/prompt in a loop, as a service loading its release on each request.
final class CurrentReader: Sendable {
    struct Counts {
        var reads = 0
        var failures: [String] = []
        var seen: Set<String> = []
        var stop = false
    }
    let counts = Mutex(Counts())

    func start(_ folder: String, accepted: Set<String>) {
        Thread.detachNewThread { [self] in
            while !counts.withLock({ $0.stop }) {
                let text = (try? String(contentsOfFile: folder + "/current/prompt", encoding: .utf8)) ?? "(unreadable)"
                counts.withLock {
                    $0.reads += 1
                    $0.seen.insert(text)
                    if !accepted.contains(text) { $0.failures.append(text) }
                }
            }
        }
    }

    func stop() -> Counts {
        counts.withLock { $0.stop = true }
        Thread.sleep(forTimeInterval: 0.05)
        return counts.withLock { $0 }
    }
}

@Suite struct AdoptDeployTests {
    @Test func aServiceReadingCurrentSeesNoFailureWhileProductionFlipsTwentyTimes() throws {
        let project = try OwnProject()
        try project.adopt()
        let one = try project.register("first").record
        try project.write("prompt.txt", "You are a very helpful assistant.\n")
        let two = try project.register("warmer", parent: one.id).record
        _ = try project.promote(one.id)
        let deploy = try TemporaryFolder("deploy")
        let folder = deploy.path + "/site"
        let report = try DeployFolder.deploy(to: folder, by: "alice", in: project.context())
        #expect(report.flipped.version == one.id)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/current") == "releases/\(one.shortID)")

        let reader = CurrentReader()
        reader.start(folder, accepted: ["You are a helpful assistant.\n", "You are a very helpful assistant.\n"])
        Thread.sleep(forTimeInterval: 0.05)
        for flip in 0..<20 {
            let target = flip % 2 == 0 ? two : one
            #expect(try project.promote(target.id).passed)
            let status = try DeployFolder.status(in: project.context())
            #expect(status.matches && status.currentVersion == target.id)
        }
        let counts = reader.stop()
        #expect(counts.failures.isEmpty, "failed reads: \(counts.failures.prefix(3))")
        #expect(counts.reads > 20 && counts.seen.count == 2, "\(counts.reads) reads saw \(counts.seen)")
        let flips = try project.context().registry.events().payloads(DeployFlipped.self)
        #expect(flips.count == 21)
        #expect(try DeployFolder.status(in: project.context()).releases == [one.shortID, two.shortID].sorted())
    }

    @Test func aRollbackMovesTheDeployFolderBackAndThePostDeployCommandIsRecorded() throws {
        let project = try OwnProject()
        try project.adopt()
        try edit(file: project.root + "/.labrunner/project.json") {
            $0.replacingOccurrences(
                of: "\"components\"",
                with:
                    "\"post_deploy_command\": \"cat \\\"$LABRUNNER_RELEASE_DIR/prompt\\\" > reloaded.txt\",\n  \"components\""
            )
        }
        let one = try project.register("first").record
        _ = try project.promote(one.id)
        let deploy = try TemporaryFolder("deploy")
        _ = try DeployFolder.deploy(to: deploy.path, by: "alice", in: project.context())
        try project.write("prompt.txt", "You are a terse assistant.\n")
        let bad = try project.register("terse", parent: one.id).record
        _ = try project.context().registry.moveTag(
            "production", to: bad.id, by: "alice", reason: "manufactured regression",
            facts: TagMoveFacts(play: .promote))
        #expect(
            try DeployFolder.status(in: project.context()).matches == false, "a tag move outside the plays is caught")
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: one.id, reason: "tone fails", incident: nil, detectedAt: project.clock.now(), by: "alice",
                confirm: false), in: project.context())
        let status = try DeployFolder.status(in: project.context())
        #expect(status.matches && status.currentVersion == one.id)
        let last = try #require(try project.context().registry.events().payloads(DeployFlipped.self).last?.payload)
        #expect(last.version == one.id && last.postDeployStatus == 0)
        #expect(
            try String(contentsOfFile: project.root + "/reloaded.txt", encoding: .utf8)
                == "You are a helpful assistant.\n")
    }

    @Test func aRefusedDeployWritesNothing() throws {
        let project = try OwnProject()
        try project.adopt()
        let deploy = try TemporaryFolder("deploy")
        let before = project.snapshot()
        #expect {
            try DeployFolder.deploy(to: deploy.path + "/site", by: "alice", in: project.context())
        } throws: { "\($0)".contains("Nothing is in production") }
        #expect(project.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: deploy.path + "/site"))

        _ = try project.promote(try project.register("first").record.id)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: deploy.path + "/index.html"))
        let promoted = project.snapshot()
        #expect {
            try DeployFolder.deploy(to: deploy.path, by: "alice", in: project.context())
        } throws: { "\($0)".contains("not a deploy folder") }
        #expect(project.snapshot() == promoted)
        #expect(try FileManager.default.contentsOfDirectory(atPath: deploy.path) == ["index.html"])
    }
}
