// The two ways these tests run LabRunner: the process runner drains both pipes at once (a child that fills
// stderr while stdout is read must not hang it), and the in-process runner keeps the streams apart, answers
// questions only when scripted, and moves its manual clock a second per command.
import Foundation
import LabTestSupport
import Playbook
import Synchronization
import Testing

@testable import LabRunner

@Suite struct RunnerTests {
    @Test func aChildWritingMoreThanAPipeHoldsToBothStreamsIsDrained() throws {
        let kib200 = 200 * 1024
        let script =
            "head -c \(kib200) /dev/zero | tr '\\0' e >&2; head -c \(kib200) /dev/zero | tr '\\0' o; "
            + "head -c \(kib200) /dev/zero | tr '\\0' f >&2; exit 3"
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<RunResult, any Error>?>(nil)
        Thread {
            outcome.withLock { $0 = Result { try runProcess("/bin/sh", ["-c", script], in: "/", environment: [:]) } }
            finished.signal()
        }.start()
        // A runner that reads one pipe to its end first never returns; give up on it rather than hang the run.
        try #require(finished.wait(timeout: .now() + 120) == .success, "the process runner hung")
        let result = try #require(outcome.withLock { $0 }).get()
        #expect(result.status == 3)
        #expect(result.stdout.utf8.count == kib200 && result.stdout.allSatisfy { $0 == "o" })
        #expect(result.stderr.utf8.count == 2 * kib200)
        #expect(result.stderr.hasPrefix("eee") && result.stderr.hasSuffix("fff"))
    }

    @Test func inProcessRunsKeepStreamsApartAndMoveTheClock() throws {
        let sandbox = try Sandbox()
        let start = try #require(sandbox.clock).now()
        let help = try sandbox.run(["--version"])
        #expect(help.status == 0 && help.stdout == LabRunnerApp.version + "\n" && help.stderr.isEmpty)
        let typo = try sandbox.run(["versoins"])
        #expect(typo.status == 64 && typo.stdout.isEmpty && typo.stderr.hasPrefix("Error: "))
        #expect(try #require(sandbox.clock).now() == start.addingTimeInterval(2), "a second per command")

        // A question is answered only when a terminal's input is scripted; without it the command says --yes.
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.edit("ws/system/prompt.md") { $0 + "\nA note.\n" }
        try sandbox.ok(["register", "--parent", "#1", "--owner", "alice", "--reason", "note"])
        let canary = ["promote", "#2", "--approver", "carol", "--canary", "20"]
        let refused = try sandbox.run(canary, in: "ws")
        #expect(refused.status == 1 && refused.stderr.contains("add --yes"))
        let declined = try sandbox.run(canary, in: "ws", input: ["n"])
        #expect(declined.status != 0 && declined.stderr.contains("[y/N]"), "\(declined.stderr)")
        let first = try sandbox.json(["show", "#1"])["record"]["id"].string
        #expect(try sandbox.json(["tags"])["production"].string == first, "a declined promotion moves nothing")
    }
}
