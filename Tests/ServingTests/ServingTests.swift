// The deploy step over real loopback sockets: answers follow the production tag, every answer is
// attributed, and malformed or slow requests get their 4xx while the service keeps serving.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Serving
import Synchronization
import Testing
import ToyModel

#if canImport(Glibc)
    import Glibc
#endif

/// A raw HTTP client: one TCP connection, bytes in and out, so tests can send anything.
final class RawConnection {
    let descriptor: Int32
    /// Bytes received past the last response (a pipelined reply may arrive in the same read).
    private var buffer: [UInt8] = []

    #if canImport(Glibc)
        static let streamType = Int32(SOCK_STREAM.rawValue)
        static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
        static let streamType = SOCK_STREAM
        /// Darwin has no per-send flag; the socket is marked SO_NOSIGPIPE instead.
        static let sendFlags: Int32 = 0
    #endif

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Self.streamType, 0)
        #if !canImport(Glibc)
            var yes: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw ServingError("cannot connect") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Self.sendFlags) }
    }

    /// Reads one response: status, headers, body (by Content-Length).
    func readResponse() -> (status: Int, headers: [String: String], body: String)? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = find(buffer, [13, 10, 13, 10]) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let status = Int(head[0].split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 {
                        headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
                    }
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { return nil }
                    buffer += chunk[0..<count]
                }
                let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                buffer.removeFirst(end + 4 + length)
                return (status, headers, body)
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
        }
    }

    private func find(_ buffer: [UInt8], _ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        return (0...(buffer.count - pattern.count)).first { buffer[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    static func ask(_ text: String, id: String? = nil) -> String {
        let body = "{\"text\": \"\(text)\", \"seed\": 2}"
        return "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n"
            + (id.map { "X-Request-Id: \($0)\r\n" } ?? "") + "\r\n" + body
    }
}

final class ServedLab {
    let root: String
    let context: PlayContext
    let server: HTTPServer

    /// `clock`, when given, is the workspace's wall time (what the attribution log and the registry record);
    /// `serverClock` times the server's deadlines and waits. `promoted` false leaves production unset.
    /// `beforeLoad` runs before the service loads a version (to make a load slow).
    init(
        limits: HTTPLimits = HTTPLimits(), clock: ManualClock? = nil, serverClock: (any LoopClock)? = nil,
        promoted: Bool = true, beforeLoad: (@Sendable (String) -> Void)? = nil
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("serving-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try InstalledSystem.install(into: root)
        try Registry.create(root: Workspace(root: root).registryPath, actor: "tester")
        try Training.recordInstalled(in: Workspace(root: root), seed: DefaultSystem.defaultSeed, by: "tester")
        if let clock {
            context = try PlayContext(workspace: Workspace(root: root), now: clock.now)
        } else {
            context = try PlayContext(workspace: Workspace(root: root))
        }
        _ = try RegisterPlay.run(RegisterRequest(owner: "a", reason: "baseline", parent: nil, root: true), in: context)
        if promoted {
            let promote = PromoteRequest(ref: "#1", approver: "b")
            _ = try PromotePlay.move(
                promote, gate: try PromotePlay.gate(promote, in: context), canary: nil, in: context)
        }
        let context = context
        let service = try ModelService(context: context) { id in
            beforeLoad?(id)
            return try context.system(for: try context.registry.record(id: id))
        }
        server = try HTTPServer(port: 0, limits: limits, clock: serverClock ?? ContinuousClock()) {
            service.handle($0)
        }
        server.start()
    }

    deinit {
        server.stop(grace: .seconds(2))
        try? FileManager.default.removeItem(atPath: root)
    }
}

@Suite(.serialized) struct ServingTests {
    @Test func answersFollowTheProductionTagAndAreAllAttributed() throws {
        let lab = try ServedLab()
        let path = lab.root + "/system/prompt.md"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\nA note.\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let second = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: "note", parent: "#1", root: false), in: lab.context
        ).record
        let first = try #require(lab.context.registry.tag("production"))
        let connection = try RawConnection(port: lab.server.port)
        var seen: [(id: String, version: String, expected: String)] = []
        for round in 0..<6 {
            let target = round % 2 == 0 ? first : second.id
            if lab.context.registry.tag("production") != target {
                try lab.context.registry.moveTag("production", to: target, by: "ops", reason: "round \(round)")
            }
            for n in 0..<5 {
                connection.write(RawConnection.ask("where is my order", id: "req-\(round)-\(n)"))
                let response = try #require(connection.readResponse())
                #expect(response.status == 200)
                seen.append((response.headers["x-request-id"] ?? "", response.headers["x-model-version"] ?? "", target))
            }
        }
        #expect(seen.allSatisfy { $0.version == $0.expected })
        let log = AttributionLog(registryRoot: lab.context.registry.root)
        for entry in seen { #expect(try log.lookup(entry.id)?.version == entry.version) }
        let audit = try AuditPlay.run(requestID: "req-1-0", replay: true, in: lab.context)
        #expect(audit.replay?.identical == true)
    }

    @Test func malformedRequestsGetTheir4xxAndTheServiceKeepsServing() throws {
        var limits = HTTPLimits()
        limits.requestTimeout = .milliseconds(300)
        limits.maxHeaderBytes = 4096
        limits.maxBodyBytes = 2048
        let lab = try ServedLab(limits: limits)
        func status(_ raw: String) throws -> Int? {
            let connection = try RawConnection(port: lab.server.port)
            connection.write(raw)
            return connection.readResponse()?.status
        }
        #expect(try status("GARBAGE\r\n\r\n") == 400)
        #expect(
            try status("GET /v1/version HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 5000))\r\n\r\n")
                == 431)
        #expect(try status("POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n") == 413)
        #expect(try status("POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nnope") == 400)
        #expect(try status("DELETE /v1/ask HTTP/1.1\r\nHost: x\r\n\r\n") == 405)
        #expect(try status("GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n") == 404)
        #expect(try status("POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n") == 400)
        // A body longer than its Content-Length: the extra bytes are read as the next request, which is malformed.
        let connection = try RawConnection(port: lab.server.port)
        let body = "{\"text\": \"hi\"}"
        connection.write(
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)EXTRA STUFF\r\n\r\n")
        #expect(connection.readResponse()?.status == 200)
        #expect(connection.readResponse()?.status == 400)
        // A slow client that never finishes its request.
        let slow = try RawConnection(port: lab.server.port)
        slow.write("POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Le")
        #expect(slow.readResponse()?.status == 408)
        #expect(try status("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 200)
    }

    @Test func framingThatRFC9112RefusesIsA400AtOnce() throws {
        var limits = HTTPLimits()
        // Longer than the client waits: a request left hanging until the timeout would read as no answer.
        limits.requestTimeout = .seconds(30)
        let lab = try ServedLab(limits: limits)
        func answer(_ raw: String) throws -> (status: Int, body: String)? {
            let connection = try RawConnection(port: lab.server.port)
            connection.write(raw)
            return connection.readResponse().map { ($0.status, $0.body) }
        }
        let body = "{\"text\": \"hi\"}"
        let length = body.utf8.count
        for raw in [
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\nContent-Length: \(length)\r\n\r\n\(body)",
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: +\(length)\r\n\r\n\(body)",
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length : \(length)\r\n\r\n\(body)",
            "GET /healthz HTTP/1.1\nHost: x\n\n",
            "GET /healthz HTTP/1.1\r\nHost: x\rX: y\r\n\r\n",
        ] {
            let response = try answer(raw)
            #expect(response?.status == 400, "\(raw.debugDescription)")
            #expect(response?.body.hasPrefix("{\"error\":") == true)
        }
    }

    @Test func bodiesAndTextsOverTheirLimitsGet413WithJSON() throws {
        let lab = try ServedLab()
        let connection = try RawConnection(port: lab.server.port)
        let big = String(repeating: "a", count: 70_000)
        connection.write(
            "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(big.utf8.count + 12)\r\n\r\n{\"text\": \"\(big)\"}")
        let oversized = try #require(connection.readResponse())
        #expect(oversized.status == 413 && oversized.body.contains("error"))
        let text = String(repeating: "where is my order ", count: 1000)  // 18,000 characters in a 18 KB body
        let second = try RawConnection(port: lab.server.port)
        second.write(RawConnection.ask(text))
        let long = try #require(second.readResponse())
        #expect(long.status == 413 && long.body.contains("at most 16384"))
    }

    @Test func overTheConnectionCapTheServiceAnswers503WithRetryAfter() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        limits.admissionWait = .zero
        // On a clock that stands still, no idle connection has waited long enough to give way to a new one.
        let lab = try ServedLab(limits: limits, serverClock: ManualClock(start: Date()).durations)
        let held = try (0..<2).map { _ in try RawConnection(port: lab.server.port) }
        for connection in held {
            connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(connection.readResponse()?.status == 200)
        }
        let extra = try RawConnection(port: lab.server.port)
        extra.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try #require(extra.readResponse())
        #expect(refused.status == 503 && refused.headers["retry-after"] == "1")
        #expect(lab.server.openConnections == 2)
    }

    @Test func aRequestIdAlreadyLoggedGets409AndSeedsAreValidated() throws {
        let lab = try ServedLab()
        let connection = try RawConnection(port: lab.server.port)
        connection.write(RawConnection.ask("where is my order", id: "req-mine"))
        #expect(connection.readResponse()?.status == 200)
        connection.write(RawConnection.ask("I want to sue you", id: "req-mine"))
        let taken = try #require(connection.readResponse())
        #expect(taken.status == 409 && taken.body.contains("req-mine"))
        let logged = try AttributionLog(registryRoot: lab.context.registry.root).lookup("req-mine")
        #expect(logged?.input == "where is my order")
        func status(_ body: String) -> Int? {
            connection.write("POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            return connection.readResponse()?.status
        }
        for seed in ["-1", "1.5", "\"7\"", "true", "18446744073709551616"] {
            #expect(status("{\"text\": \"hi\", \"seed\": \(seed)}") == 400, "seed \(seed)")
        }
        #expect(status("{\"text\": \"hi\", \"seed\": 18446744073709551615}") == 200)
        connection.write(RawConnection.ask("hi", id: "has space"))
        #expect(connection.readResponse()?.status == 400)
    }

    @Test func lateLabelsAreRecordedOncePerRequestAndSignalsAreInMetrics() throws {
        let lab = try ServedLab()
        let connection = try RawConnection(port: lab.server.port)
        connection.write(RawConnection.ask("where is my order", id: "req-fb"))
        #expect(connection.readResponse()?.status == 200)
        func feedback(_ id: String, _ satisfied: Bool) -> Int? {
            let body = "{\"request_id\": \"\(id)\", \"satisfied\": \(satisfied)}"
            connection.write(
                "POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            return connection.readResponse()?.status
        }
        #expect(feedback("req-none", true) == 404)
        #expect(feedback("req-fb", false) == 200)
        #expect(feedback("req-fb", true) == 409)
        #expect(try AttributionLog(registryRoot: lab.context.registry.root).feedback()["req-fb"]?.satisfied == false)
        connection.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let metrics = try #require(connection.readResponse()).body
        for name in [
            "labrunner_escalation_rate{", "labrunner_refusal_rate{", "labrunner_citation_rate{",
            "labrunner_clarify_rate{", "labrunner_mean_confidence{", "labrunner_answer_words{",
            "labrunner_feedback_total{",
        ] {
            #expect(metrics.contains(name), "\(name)")
        }
    }

    @Test func afterRetentionAnAuditProvesTheVersionAndReplayNeedsTheInput() throws {
        let lab = try ServedLab()
        let connection = try RawConnection(port: lab.server.port)
        connection.write(RawConnection.ask("where is my order", id: "req-old"))
        #expect(connection.readResponse()?.status == 200)
        let log = AttributionLog(registryRoot: lab.context.registry.root)
        #expect(try log.dropInputs(answeredBefore: Date().addingTimeInterval(60), now: Date()) == 1)
        let audit = try AuditPlay.run(requestID: "req-old", replay: true, in: lab.context)
        #expect(audit.version.id == lab.context.registry.tag("production"))
        #expect(audit.replay == nil && audit.replayNeedsInput?.contains("--input-file") == true)
        let replayed = try AuditPlay.run(
            requestID: "req-old", replay: true, input: "where is my order", in: lab.context)
        #expect(replayed.replay?.identical == true)
        #expect(throws: PlaybookError.self) {
            try AuditPlay.run(requestID: "req-old", replay: true, input: "where is my parcel", in: lab.context)
        }
    }

    @Test func severalConnectionsAtOnce() throws {
        let lab = try ServedLab()
        let port = lab.server.port
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            guard let connection = try? RawConnection(port: port) else {
                failures.withLock { $0 += 1 }
                return
            }
            for n in 0..<10 {
                connection.write(RawConnection.ask("how much is shipping", id: "w\(worker)-\(n)"))
                if connection.readResponse()?.status != 200 { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}

@Suite(.serialized) struct DegradedServingTests {
    @Test func aBrokenTargetKeepsThePreviousVersionServingAndHealthSaysWhy() throws {
        let lab = try ServedLab()
        let first = try #require(lab.context.registry.tag("production"))
        let connection = try RawConnection(port: lab.server.port)
        connection.write(RawConnection.ask("where is my order"))
        #expect(connection.readResponse()?.headers["x-model-version"] == first)
        let path = lab.root + "/system/prompt.md"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\nAnother note.\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let second = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: "note", parent: "#1", root: false), in: lab.context
        ).record
        let promptBlob = try #require(second.manifest.components["prompt.md"]?.sha256)
        // Moved first: a serving tag is never given to a version missing a blob, so the blob goes by hand after.
        try lab.context.registry.moveTag("production", to: second.id, by: "ops", reason: "broken on purpose")
        try lab.context.registry.objects.remove(promptBlob)
        connection.write(RawConnection.ask("where is my order"))
        let response = try #require(connection.readResponse())
        #expect(response.status == 200)
        #expect(response.headers["x-model-version"] == first)
        connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let health = try #require(connection.readResponse())
        #expect(health.status == 503)
        #expect(health.body.contains("degraded") && health.body.contains(String(promptBlob.prefix(12))))
    }
}
