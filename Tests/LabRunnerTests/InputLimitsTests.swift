// The toy system's inputs as a person might leave them: the system folder itself a link out of the workspace,
// text components far larger than any the toy reads, and a FIFO where a file belongs. Each is refused by name
// (with the limit, where there is one) before it is loaded, and nothing is written.
import Foundation
import LabTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct InputLimitsTests {
    func expectRefused(
        _ sandbox: Sandbox, _ arguments: [String], _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = sandbox.snapshot("ws/.labrunner")
        let result = try sandbox.run(arguments, in: "ws")
        #expect(result.status == 1, "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("Error: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(sandbox.snapshot("ws/.labrunner") == before, "a refusal wrote", sourceLocation: sourceLocation)
    }

    static let register = ["register", "--parent", "#1", "--owner", "me", "--reason", "r"]

    /// A workspace with #1 registered, its system/ files as `init` laid them.
    func workspace() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "me", "--reason", "base"])
        return sandbox
    }

    /// A file of `size` bytes that costs no disk (a sparse file of zero bytes).
    func sparse(_ path: String, size: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }

    /// `count` bytes of lines of plain words: text the prompt or an index document may hold.
    func text(bytes count: Int) -> String {
        let line = "Our lamps and chairs ship from the north warehouse within two days.\n"
        var text = String(repeating: line, count: count / line.utf8.count)
        text += String(repeating: "x", count: count - text.utf8.count)
        return text
    }

    @Test func theSystemFolderAsALinkOutOfTheWorkspaceIsRefusedNamingTheLink() throws {
        let sandbox = try workspace()
        let manager = FileManager.default
        try manager.moveItem(atPath: sandbox.path + "/ws/system", toPath: sandbox.path + "/elsewhere")
        try manager.createSymbolicLink(atPath: sandbox.path + "/ws/system", withDestinationPath: "../elsewhere")
        try expectRefused(sandbox, Self.register, "The system folder is a symlink to ")
        let refused = try sandbox.run(Self.register, in: "ws")
        #expect(refused.stderr.contains("/elsewhere, outside the workspace; replace it with a real folder"))
        // A link that stays inside the workspace is followed.
        try manager.removeItem(atPath: sandbox.path + "/ws/system")
        try manager.moveItem(atPath: sandbox.path + "/elsewhere", toPath: sandbox.path + "/ws/variant")
        try manager.createSymbolicLink(atPath: sandbox.path + "/ws/system", withDestinationPath: "variant")
        #expect(try sandbox.ok(Self.register).contains("Already registered: this content is version #1"))
    }

    @Test func textComponentsPastTheirLimitAreRefusedWithTheFileAndTheLimit() throws {
        let sandbox = try workspace()
        let system = sandbox.path + "/ws/system"
        let prompt = sandbox.read("ws/system/prompt.md")
        // At the limit a prompt is taken; a byte more and it is refused, by register and by ask alike.
        try sandbox.write(prompt + text(bytes: (1 << 20) - prompt.utf8.count), to: "ws/system/prompt.md")
        try sandbox.ok(Self.register)
        try sandbox.write(prompt + text(bytes: (1 << 20) + 1 - prompt.utf8.count), to: "ws/system/prompt.md")
        try expectRefused(
            sandbox, Self.register,
            "Cannot register system/prompt.md: it holds 1,048,577 bytes, more than 1 MiB, the limit for it (see "
                + "'Input limits' in the README); make it smaller; nothing was written.")
        try expectRefused(
            sandbox, ["ask", "where is my order"],
            "prompt.md holds 1,048,577 bytes, more than the 1 MiB the toy system reads for it")
        try sandbox.write(prompt, to: "ws/system/prompt.md")

        // A gigabyte costs nothing to refuse: it is never read.
        try sparse(system + "/config.json", size: 1 << 30)
        try expectRefused(sandbox, Self.register, "system/config.json: it holds 1,073,741,824 bytes, more than 1 MiB")
        try expectRefused(sandbox, ["ask", "hi"], "config.json holds 1,073,741,824 bytes, more than the 1 MiB")
        try sandbox.ok(["checkout", "#1", "fresh"])
        try FileManager.default.removeItem(atPath: system + "/config.json")
        try FileManager.default.copyItem(
            atPath: sandbox.path + "/ws/fresh/config.json", toPath: system + "/config.json")

        // Each index document, and the index as a whole.
        try sparse(system + "/index/huge.md", size: (1 << 20) + 1)
        try expectRefused(sandbox, Self.register, "system/index/huge.md: it holds 1,048,577 bytes, more than 1 MiB")
        try expectRefused(sandbox, ["ask", "hi"], "index/huge.md holds 1,048,577 bytes, more than the 1 MiB")
        try FileManager.default.removeItem(atPath: system + "/index/huge.md")
        for n in 0..<17 { try sandbox.write(text(bytes: 1 << 20), to: "ws/system/index/bulk-\(n).md") }
        try expectRefused(sandbox, Self.register, "system/index: its files hold more than 16 MiB together")
        try expectRefused(sandbox, ["ask", "hi"], "index/ holds more than the 16 MiB the toy system reads for it")
        for n in 0..<17 { try FileManager.default.removeItem(atPath: system + "/index/bulk-\(n).md") }

        // The training data (hashed for lineage) and an eval suite.
        try sparse(sandbox.path + "/ws/data/train.csv", size: (64 << 20) + 1)
        try expectRefused(sandbox, Self.register, "data/train.csv holds 67,108,865 bytes, more than the 64 MiB")
        try sparse(sandbox.path + "/ws/evals/huge.jsonl", size: (8 << 20) + 1)
        try expectRefused(
            sandbox, ["eval", "run", "--suite", "huge"], "evals/huge.jsonl holds 8,388,609 bytes, more than the 8 MiB")
    }

    /// Training data and the traffic cases are read within their limits too: a huge file is refused at once,
    /// before it is loaded, and nothing is trained, recorded or served.
    @Test func trainingDataAndTrafficCasesPastTheirLimitsAreRefusedBeforeLoading() throws {
        let sandbox = try workspace()
        try sandbox.ok(["promote", "#1", "--approver", "a-reviewer"])
        let weights = sandbox.read("ws/system/weights.json")
        try sparse(sandbox.path + "/ws/data/big.csv", size: (64 << 20) + 1)
        try expectRefused(sandbox, ["train", "--data", "data/big.csv"], "more than the 64 MiB")
        #expect(sandbox.read("ws/system/weights.json") == weights)
        try sparse(sandbox.path + "/ws/data/traffic.jsonl", size: (8 << 20) + 1)
        try expectRefused(sandbox, ["traffic", "--requests", "5"], "data/traffic.jsonl holds")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/ws/.labrunner/requests/log.jsonl"))
    }

    @Test func aFIFOWhereAFileBelongsIsRefusedByNameAndNeverWaitedOn() throws {
        let sandbox = try workspace()
        let workspace = sandbox.path + "/ws"
        try FileManager.default.removeItem(atPath: workspace + "/data/train.csv")
        #expect(mkfifo(workspace + "/data/train.csv", 0o644) == 0)
        // Not "no lineage": the file is there, and it is not one.
        try expectRefused(sandbox, Self.register, "data/train.csv is a FIFO (named pipe), not a file")
        try FileManager.default.removeItem(atPath: workspace + "/data/train.csv")
        try FileManager.default.removeItem(atPath: workspace + "/system/prompt.md")
        #expect(mkfifo(workspace + "/system/prompt.md", 0o644) == 0)
        // Opening a FIFO to read waits for a writer: the binary, in a process of its own, must answer at once.
        let asked = try run(["ask", "where is my order"], in: workspace, within: 60)
        #expect(asked.status == 1)
        #expect(asked.stderr.contains("prompt.md is a FIFO (named pipe), not a file; replace it with a regular file."))
    }

    /// Runs the built binary, failing the test (and stopping it) if it has not exited after `seconds`.
    func run(_ arguments: [String], in folder: String, within seconds: Double) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = Sandbox.environment([:])
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            Issue.record("LabRunner \(arguments.joined(separator: " ")) was still waiting after \(seconds) s")
            process.terminate()
            exited.wait()
        }
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        return RunResult(
            status: process.terminationStatus, stdout: "", stderr: String(decoding: stderr, as: UTF8.self))
    }
}
