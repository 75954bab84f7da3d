// Drives the built LabRunner binary in temporary folders, as a person at a terminal would.
import Foundation
import Testing

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Repository {
    /// The checkout holding Labs/ and Solutions/.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

enum Binary {
    /// The LabRunner executable built beside this test bundle.
    static let path: String = {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            folder.appendingPathComponent("LabRunner").path,
            folder.deletingLastPathComponent().appendingPathComponent("LabRunner").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()
}

final class Sandbox: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("labrunner-e2e-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Runs LabRunner with `arguments` in `folder` (relative to the sandbox), stdin closed, no colour.
    @discardableResult
    func run(_ arguments: [String], in folder: String = "", environment: [String: String] = [:]) throws -> RunResult {
        try launch(Binary.path, arguments, in: folder, environment: environment)
    }

    /// Runs a bash script in `folder` with `$LABRUNNER` naming the built binary, as lab scripts expect.
    @discardableResult
    func shell(_ script: String, in folder: String) throws -> RunResult {
        try launch(
            "/bin/bash", ["-c", script], in: folder, environment: ["LABRUNNER": Binary.path, "USER": "learner"])
    }

    private func launch(_ executable: String, _ arguments: [String], in folder: String, environment: [String: String])
        throws -> RunResult
    {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "LABRUNNER_WORKSPACE")
        for (key, value) in environment { env[key] = value }
        return try runProcess(
            executable, arguments, in: folder.isEmpty ? path : path + "/" + folder, environment: env)
    }

    /// Runs and requires success, returning stdout.
    @discardableResult
    func ok(_ arguments: [String], in folder: String = "ws", sourceLocation: SourceLocation = #_sourceLocation) throws
        -> String
    {
        let result = try run(arguments, in: folder)
        #expect(
            result.status == 0, "LabRunner \(arguments.joined(separator: " ")) failed: \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.stdout
    }

    func json(_ arguments: [String], in folder: String = "ws") throws -> JSONValueBox {
        let text = try ok(arguments + ["--json"], in: folder)
        return JSONValueBox(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
    }

    func write(_ text: String, to relative: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + relative))
    }

    func read(_ relative: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path + "/" + relative) ?? Data(), as: UTF8.self)
    }

    /// A snapshot of every file under `relative` (path → bytes), to prove a failed command wrote nothing.
    func snapshot(_ relative: String = "ws") -> [String: Data] {
        let root = path + "/" + relative
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let item = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isFolder)
            result[item] = isFolder.boolValue ? Data() : FileManager.default.contents(atPath: root + "/" + item)
        }
        return result
    }
}

/// Untyped JSON from a command's --json output, with convenient accessors.
struct JSONValueBox {
    let value: Any
    init(_ value: Any) { self.value = value }
    subscript(key: String) -> JSONValueBox { JSONValueBox((value as? [String: Any])?[key] ?? NSNull()) }
    subscript(index: Int) -> JSONValueBox {
        guard let array = value as? [Any], index < array.count else { return JSONValueBox(NSNull()) }
        return JSONValueBox(array[index])
    }
    var string: String? { value as? String }
    var int: Int? { (value as? NSNumber)?.intValue }
    var double: Double? { (value as? NSNumber)?.doubleValue }
    var bool: Bool? { (value as? NSNumber)?.boolValue }
    var array: [JSONValueBox] { ((value as? [Any]) ?? []).map(JSONValueBox.init) }
    var count: Int { (value as? [Any])?.count ?? (value as? [String: Any])?.count ?? 0 }
}

/// Runs a program to completion with stdin closed, collecting its output.
func runProcess(_ executable: String, _ arguments: [String], in folder: String, environment: [String: String])
    throws -> RunResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}
