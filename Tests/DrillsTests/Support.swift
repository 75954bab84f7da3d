// A fresh lab workspace for drills tests, built through the plays, with a controllable clock.
import Foundation
import Hashing
import Playbook
import Registry
import Synchronization
import Testing
import ToyModel

final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18, in 2026-Q4
    var now: @Sendable () -> Date { { self.current.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

final class LabWorkspace {
    let root: String
    let clock = TestClock()

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drills-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try DefaultSystem.install(into: root) { SHA256.hash($0).hex }
        try Registry.create(root: Workspace(root: root).registryPath, actor: "tester", now: clock.now)
        try Training.recordInstalled(
            in: Workspace(root: root), seed: DefaultSystem.defaultSeed, by: "tester", now: clock.now)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func context() throws -> PlayContext { try PlayContext(workspace: Workspace(root: root), now: clock.now) }

    func edit(_ relative: String, _ change: (String) -> String) throws {
        let path = root + "/" + relative
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(
            toFile: path, atomically: true, encoding: .utf8)
    }

    @discardableResult
    func register(_ reason: String, parent: String? = nil) throws -> VersionRecord {
        clock.advance(1)
        return try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: reason, parent: parent, root: parent == nil, experiment: nil),
            in: context()
        ).record
    }

    func promote(_ ref: String, force: Bool = false) throws {
        clock.advance(1)
        let context = try context()
        let request = PromoteRequest(
            ref: ref, approver: "bob", force: force, reason: force ? "manufactured incident" : nil)
        _ = try PromotePlay.move(request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
    }

    func rollback(incident: String?, confirm: Bool) throws {
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "restore", incident: incident, detectedAt: nil, by: "carol",
                confirm: confirm),
            in: context())
    }

    static let escalateLine = "escalate: refund_over_500, legal_threat, account_takeover"
    func setEscalation(_ line: String) throws {
        try edit("system/prompt.md") { $0.replacingOccurrences(of: Self.escalateLine, with: line) }
    }
}

/// Runs a Python script on a page written to a temporary file (its path is `sys.argv[1]`), as the report page's
/// tests parse HTML with xml.etree; a parse error fails the test. Returns what the script printed.
func pythonOnPage(_ html: String, script: String) throws -> Data {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try html.write(toFile: folder + "/page.html", atomically: true, encoding: .utf8)
    try script.write(toFile: folder + "/parse.py", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", folder + "/parse.py", folder + "/page.html"]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(String(decoding: message, as: UTF8.self))")
    return data
}
