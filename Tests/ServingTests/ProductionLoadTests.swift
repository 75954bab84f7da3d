// Loading the version production names happens off the service's state lock: /healthz and /metrics answer
// while a slow load is under way, and of two loads that race, the one for the version production names now is
// the one the service settles on, whichever ends last.
import Dispatch
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Synchronization
import Testing

/// Makes the load of chosen versions wait until released, and says when a load has started waiting.
final class LoadGate: Sendable {
    private let held = Mutex<Set<String>>([])
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    func hold(_ id: String) { held.withLock { _ = $0.insert(id) } }

    /// Called by the service before each load.
    func beforeLoad(_ id: String) {
        guard held.withLock({ $0.contains(id) }) else { return }
        entered.signal()
        // Bounded, so a test that fails never hangs the run.
        _ = released.wait(timeout: .now() + 30)
    }

    func waitUntilEntered() -> Bool { entered.wait(timeout: .now() + 20) == .success }
    func release() { released.signal() }
}

@Suite(.serialized) struct ProductionLoadTests {
    /// Registers a new version (the prompt with one more line) and returns its id.
    static func register(_ lab: ServedLab, note: String) throws -> String {
        let path = lab.root + "/system/prompt.md"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\n\(note)\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: note, parent: "#1", root: false), in: lab.context
        ).record.id
    }

    static func get(_ path: String, on lab: ServedLab) throws -> (status: Int, json: JSONValue?) {
        let connection = try RawConnection(port: lab.server.port)
        connection.write("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(connection.readResponse())
        return (response.status, try? JSONReader.parse(Data(response.body.utf8)))
    }

    /// A request sent on a thread of its own (an ask by default): its status and the version that answered (the
    /// header, or the body's `version`), once it is answered.
    final class BackgroundAsk: Sendable {
        private let answer = Mutex<(status: Int, version: String?)?>(nil)

        init(port: UInt16, raw: String = RawConnection.ask("where is my order")) {
            Thread { [self] in
                let connection = try? RawConnection(port: port)
                connection?.write(raw)
                let response = connection?.readResponse()
                let version = { (response: (status: Int, headers: [String: String], body: String)) in
                    response.headers["x-model-version"]
                        ?? (try? JSONReader.parse(Data(response.body.utf8)))?["version"]?.string
                }
                answer.withLock { $0 = response.map { ($0.status, version($0)) } ?? (0, nil) }
            }.start()
        }

        /// Waits (up to a generous bound) for the answer.
        var result: (status: Int, version: String?)? {
            _ = SlowReaderTests.eventually { answer.withLock { $0 } != nil }
            return answer.withLock { $0 }
        }
    }

    @Test func healthAndMetricsAnswerWhileANewVersionLoads() throws {
        let gate = LoadGate()
        let lab = try ServedLab(beforeLoad: { gate.beforeLoad($0) })
        let first = try #require(lab.context.registry.tag("production"))
        #expect(try Self.get("/healthz", on: lab).status == 200)
        let second = try Self.register(lab, note: "A slow one.")
        gate.hold(second)
        try lab.context.registry.moveTag("production", to: second, by: "ops", reason: "slow load")
        let asked = BackgroundAsk(port: lab.server.port)
        #expect(gate.waitUntilEntered())
        // The load is under way and will not end until released: health answers meanwhile (the client gives
        // up after 10 s), with the version still serving and the one loading.
        let started = Date()
        let health = try Self.get("/healthz", on: lab)
        #expect(health.status == 200)
        #expect(health.json?["version"]?.string == first && health.json?["loading"]?.string == second)
        #expect(try Self.get("/metrics", on: lab).status == 200)
        #expect(Date().timeIntervalSince(started) < 5)
        gate.release()
        let answered = asked.result
        #expect(answered?.status == 200 && answered?.version == second)
        let after = try Self.get("/healthz", on: lab)
        #expect(after.json?["version"]?.string == second && after.json?["loading"] == nil)
    }

    @Test func beforeAnythingHasServedHealthWaitsForTheFirstLoad() throws {
        let gate = LoadGate()
        let lab = try ServedLab(beforeLoad: { gate.beforeLoad($0) })
        let first = try #require(lab.context.registry.tag("production"))
        gate.hold(first)
        let asked = BackgroundAsk(port: lab.server.port)
        #expect(gate.waitUntilEntered())
        // With no version to report yet, health does not answer 'degraded' for a load about to end.
        let health = BackgroundAsk(port: lab.server.port, raw: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        // Time for the health request to reach the service (if it has not, the test proves less, never fails).
        #expect(SlowReaderTests.eventually { lab.server.openConnections == 2 })
        Thread.sleep(forTimeInterval: 0.3)
        gate.release()
        #expect(health.result?.status == 200 && health.result?.version == first)
        #expect(asked.result?.status == 200)
    }

    @Test func ofTwoRacingLoadsTheServiceSettlesOnTheVersionProductionNames() throws {
        let gate = LoadGate()
        let lab = try ServedLab(beforeLoad: { gate.beforeLoad($0) })
        #expect(try Self.get("/healthz", on: lab).status == 200)
        let slow = try Self.register(lab, note: "Slow to load.")
        let fast = try Self.register(lab, note: "Quick to load.")
        let broken = try Self.register(lab, note: "Cannot be loaded.")
        gate.hold(slow)
        // The slow version's load starts first and ends last, after production has moved on to the fast one.
        try lab.context.registry.moveTag("production", to: slow, by: "ops", reason: "slow")
        let asked = BackgroundAsk(port: lab.server.port)
        #expect(gate.waitUntilEntered())
        try lab.context.registry.moveTag("production", to: fast, by: "ops", reason: "fast")
        let connection = try RawConnection(port: lab.server.port)
        connection.write(RawConnection.ask("where is my order"))
        #expect(connection.readResponse()?.headers["x-model-version"] == fast)
        gate.release()
        // The late request is answered by the version it read, and attributed to it.
        #expect(asked.result?.version == slow)
        // What the service settled on shows when production next points to a version that cannot be loaded:
        // the fallback is the fast one, the last that production named, not the slow one that ended last.
        let record = try lab.context.registry.record(id: broken)
        let blob = try #require(record.manifest.components["prompt.md"]?.sha256)
        // Moved first: a serving tag is never given to a version missing a blob, so the blob goes by hand after.
        try lab.context.registry.moveTag("production", to: broken, by: "ops", reason: "broken")
        try lab.context.registry.objects.remove(blob)
        connection.write(RawConnection.ask("where is my order"))
        #expect(connection.readResponse()?.headers["x-model-version"] == fast)
        let health = try Self.get("/healthz", on: lab)
        #expect(health.status == 503 && health.json?["version"]?.string == fast)
    }
}
