// The drill's dashboard: `drill status` refuses (writing nothing) when no drill runs, the service says /drill
// exists only during a drill, and during one the page, its JSON and `drill status` (from the room and from the
// drill's own workspace) show the running drill. The service and the drill are processes of the built binary.
import Foundation
import LabTestSupport
import Testing

@Suite struct DrillDashboardCommandTests {
    static let noDrill =
        "Error: No drill is running here; start one with 'LabRunner drill start', or see past ones with "
        + "'LabRunner drill history'."

    @Test func statusWithoutADrillIsRefusedAndWritesNothing() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let before = sandbox.snapshot()
        for arguments in [["drill", "status"], ["drill", "status", "--json"], ["drill", "status", "--once"]] {
            let result = try sandbox.run(arguments, in: "ws")
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == Self.noDrill)
        }
        #expect(sandbox.snapshot() == before)
    }

    @Test func theServiceShowsTheDashboardOnlyDuringADrill() throws {
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["init", "room"], in: "")
        // Outside a drill: 404 and the sentence saying when the page exists.
        let serve = try Background(Binary.path, ["serve", "--port", "0"], in: sandbox.path + "/room")
        let served = serve.waitFor { (text: String) -> String? in
            text.range(of: "http://127.0.0.1:").map { String(text[$0.lowerBound...].prefix { !$0.isWhitespace }) }
        }
        let plain = try #require(served)
        let missing = try get(plain + "/drill")
        #expect(missing.status == 404)
        #expect(missing.body.contains("exists only while a drill runs"))
        #expect(missing.body.contains("LabRunner drill start"))
        serve.stop()

        let drill = try Background(
            Binary.path, ["drill", "start", "--seed", "7", "--window", "10m", "--as", "gm"], in: sandbox.path + "/room")
        defer { drill.stop() }
        let started = drill.waitFor { (text: String) -> String? in
            guard text.contains("Watch: 'LabRunner drill status'") else { return nil }
            return text.range(of: "Service    ").map {
                String(text[$0.upperBound...].prefix { !$0.isWhitespace })
            }
        }
        let url = try #require(started, "drill start printed its service: \(drill.output)")
        try sandbox.ok(["drill", "join", "commander", "--as", "ana"], in: "room/drills/D-0001")

        let page = try get(url + "/drill")
        #expect(page.status == 200)
        #expect(page.body.contains("<meta http-equiv=\"refresh\" content=\"2\"/>"))
        #expect(page.body.contains("Drill D-0001"))
        #expect(!page.body.contains("<script"))
        let json = try get(url + "/drill.json")
        #expect(json.status == 200)
        let view = JSONValueBox(try JSONSerialization.jsonObject(with: Data(json.body.utf8)))
        #expect(view["drill"].string == "D-0001")
        let production = try #require(view["production"]["short_id"].string)
        #expect(page.body.contains(production))

        for folder in ["room", "room/drills/D-0001"] {
            let status = try sandbox.ok(["drill", "status", "--once"], in: folder)
            #expect(status.contains("Drill D-0001"))
            #expect(status.contains(production))
            #expect(status.contains("incident commander: ana"))
            #expect(try sandbox.json(["drill", "status"], in: folder)["drill"].string == "D-0001")
        }
        try sandbox.ok(["drill", "end", "--as", "gm"], in: "room")
        drill.wait()
    }

    /// GET through Python's urllib (as a browser would fetch it): status and body, 4xx included.
    func get(_ url: String) throws -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            try:
                response = urllib.request.urlopen(sys.argv[1], timeout=10)
                status, body = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
            sys.stdout.write(str(status) + "\\n" + body.decode())
            """
        let result = try runProcess(
            "/usr/bin/env", ["python3", "-c", script, url], in: FileManager.default.temporaryDirectory.path,
            environment: ProcessInfo.processInfo.environment)
        let parts = result.stdout.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? String(parts[1]) : "")
    }
}

/// A LabRunner process left running (a service, a drill), its output collected in a file.
final class Background {
    let process = Process()
    let log: String

    init(_ executable: String, _ arguments: [String], in folder: String) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("bg-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "LABRUNNER_WORKSPACE")
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: log)
    }

    var output: String { String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self) }

    /// Polls the output (for up to 60 s) until `found` finds what it looks for.
    func waitFor<T>(_ found: (String) -> T?) -> T? {
        for _ in 0..<600 {
            if let value = found(output) { return value }
            if !process.isRunning { return found(output) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    /// Interrupts the process (as Ctrl-C would) and waits for it.
    func stop() {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
    }

    func wait() { process.waitUntilExit() }
}
