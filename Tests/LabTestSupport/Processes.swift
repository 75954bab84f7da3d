// Running a program to completion with both output streams drained at once, and Python's parsers (xml.etree,
// urllib) on a page or a file, as a reader's tools would read them.
public import Foundation
import Synchronization
public import Testing

/// What a program, or a command run in-process, said and how it exited.
public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a program to completion with stdin closed, collecting its output. Both pipes are read at once: a child
/// that fills one pipe (64 KiB) while the other is being read would otherwise block forever.
public func runProcess(
    _ executable: String, _ arguments: [String], in folder: String, environment: [String: String]
) throws -> RunResult {
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
    let stderr = PipeDrain(err.fileHandleForReading)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr.wait(), as: UTF8.self))
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeDrain: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let data = Mutex(Data())

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let read = handle.readDataToEndOfFile()
            data.withLock { $0 = read }
            done.signal()
        }
        thread.start()
    }

    func wait() -> Data {
        done.wait()
        return data.withLock { $0 }
    }
}

/// Runs a Python program with one argument (`sys.argv[1]`: a file, an address) and returns what it printed; a
/// Python error, such as a page that is not well-formed XML, fails the test with Python's message.
public func python(
    _ program: String, argument: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Data {
    let folder = try TemporaryFolder("python")
    try program.write(toFile: folder.path + "/program.py", atomically: true, encoding: .utf8)
    let result = try runProcess(
        "/usr/bin/env", ["python3", folder.path + "/program.py", argument], in: folder.path,
        environment: ProcessInfo.processInfo.environment)
    #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
    return Data(result.stdout.utf8)
}

/// Runs a Python program on `page` (written to a temporary file, whose path is `sys.argv[1]`): the report page
/// and the dashboards are parsed with xml.etree, and a parse error fails the test. Returns what it printed.
public func python(
    _ program: String, onPage page: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Data {
    let folder = try TemporaryFolder("page")
    try page.write(toFile: folder.path + "/index.html", atomically: true, encoding: .utf8)
    return try python(program, argument: folder.path + "/index.html", sourceLocation: sourceLocation)
}
