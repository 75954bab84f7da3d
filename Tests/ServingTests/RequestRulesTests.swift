// What the service refuses and accepts at the HTTP level (Host, control characters, the absolute form,
// duplicate JSON keys), that every error it answers carries a JSON body, and that at the connection cap an
// idle connection gives way to a new one.
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Testing

/// Sends `raw` on a new connection and reads one response.
private func answer(_ raw: String, on lab: ServedLab) throws -> (status: Int, headers: [String: String], body: String)?
{
    let connection = try RawConnection(port: lab.server.port)
    connection.write(raw)
    return connection.readResponse()
}

/// The body parsed by the project's strict reader, or nil when it is not JSON.
private func json(_ body: String) -> JSONValue? { try? JSONReader.parse(Data(body.utf8)) }

@Suite(.serialized) struct RequestRulesTests {
    @Test func hostIsRequiredOnceOnHTTP11AndMustBeAHost() throws {
        var limits = HTTPLimits()
        // Longer than the client waits: a request left hanging until the timeout would read as no answer.
        limits.requestTimeout = .seconds(30)
        let lab = try ServedLab(limits: limits)
        for raw in [
            "GET /healthz HTTP/1.1\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
            "GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: a/b\r\n\r\n",
        ] {
            let response = try answer(raw, on: lab)
            #expect(response?.status == 400, "\(raw.debugDescription)")
            #expect(response.flatMap { json($0.body)?["error"]?.string }?.contains("Host") == true)
        }
        for raw in [
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n",
            "GET /healthz HTTP/1.0\r\n\r\n",
        ] {
            #expect(try answer(raw, on: lab)?.status == 200, "\(raw.debugDescription)")
        }
    }

    @Test func aControlCharacterInAHeaderValueIsA400() throws {
        var limits = HTTPLimits()
        limits.requestTimeout = .seconds(30)
        let lab = try ServedLab(limits: limits)
        for character in ["\u{00}", "\u{01}", "\u{1B}", "\u{7F}"] {
            let raw = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\(character)b\r\n\r\n"
            let response = try answer(raw, on: lab)
            #expect(response?.status == 400, "\(raw.debugDescription)")
            #expect(response.flatMap { json($0.body)?["error"]?.string }?.contains("X-Note") == true)
        }
        // A NUL in the Host or in an id that ends up in the attribution log is refused the same way.
        #expect(try answer("GET /healthz HTTP/1.1\r\nHost: x\u{00}y\r\n\r\n", on: lab)?.status == 400)
        #expect(try answer(RawConnection.ask("hi", id: "req-\u{00}"), on: lab)?.status == 400)
        // A tab inside a value is allowed.
        #expect(try answer("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\tb\r\n\r\n", on: lab)?.status == 200)
    }

    @Test func anAbsoluteFormTargetIsRoutedByItsPath() throws {
        var limits = HTTPLimits()
        limits.requestTimeout = .seconds(30)
        let lab = try ServedLab(limits: limits)
        let port = lab.server.port
        let health = try #require(
            try answer("GET http://127.0.0.1:\(port)/healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n", on: lab))
        #expect(health.status == 200 && json(health.body)?["status"]?.string == "ok")
        let version = try answer("GET HTTP://elsewhere/v1/version?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", on: lab)
        #expect(version?.status == 200 && version.flatMap { json($0.body)?["version"]?.string } != nil)
        // No path is the root, which is no endpoint: a 404, not a 400.
        #expect(try answer("GET http://127.0.0.1 HTTP/1.1\r\nHost: x\r\n\r\n", on: lab)?.status == 404)
        let body = "{\"text\": \"where is my order\"}"
        let asked = try answer(
            "POST http://127.0.0.1/v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
            on: lab)
        #expect(asked?.status == 200)
        for target in ["http:///healthz", "ftp://x/healthz", "127.0.0.1:80", "*", "http://user@x/healthz", "healthz"] {
            let response = try answer("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n", on: lab)
            #expect(response?.status == 400, "\(target)")
        }
    }

    @Test func aJSONBodyThatGivesAKeyTwiceIsRefusedAndNothingIsRecorded() throws {
        let lab = try ServedLab()
        let connection = try RawConnection(port: lab.server.port)
        func post(_ path: String, _ body: String) -> (status: Int, headers: [String: String], body: String)? {
            connection.write("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            return connection.readResponse()
        }
        let log = AttributionLog(registryRoot: lab.context.registry.root)
        for body in [
            "{\"text\": \"where is my order\", \"text\": \"I want to sue you\"}",
            "{\"text\": \"hi\", \"seed\": 1, \"seed\": 2}",
        ] {
            let response = try #require(post("/v1/ask", body))
            #expect(response.status == 400, "\(body)")
            #expect(json(response.body)?["error"]?.string?.contains("more than once") == true)
        }
        #expect(try log.recent(limit: 10).isEmpty)
        let id = try #require(post("/v1/ask", "{\"text\": \"where is my order\"}")?.headers["x-request-id"])
        let twice = try #require(
            post("/v1/feedback", "{\"request_id\": \"\(id)\", \"satisfied\": true, \"satisfied\": false}"))
        #expect(twice.status == 400 && twice.body.contains("satisfied"))
        #expect(try log.feedback()[id] == nil)
    }

    @Test func everyErrorTheServiceAnswersHasAJSONBody() throws {
        var limits = HTTPLimits()
        limits.requestTimeout = .milliseconds(300)
        limits.maxHeaderBytes = 4096
        limits.maxBodyBytes = 2048
        let lab = try ServedLab(limits: limits)
        var capped = HTTPLimits()
        capped.maxConnections = 2
        capped.admissionWait = .zero
        // A clock that stands still: the held connections below never give way to the one over the cap.
        let full = try ServedLab(limits: capped, serverClock: ManualClock(start: Date()).durations)
        var seen: Set<Int> = []
        func check(_ raw: String, _ status: Int, on target: ServedLab? = nil) throws {
            let response = try answer(raw, on: target ?? lab)
            #expect(response?.status == status, "\(raw.prefix(60).debugDescription)")
            let error = response.flatMap { json($0.body)?["error"]?.string }
            #expect(error?.isEmpty == false, "\(raw.prefix(60).debugDescription): \(response?.body ?? "")")
            #expect(response?.headers["content-type"] == "application/json")
            seen.insert(status)
        }
        let host = "Host: x\r\n"
        try check("GARBAGE\r\n\r\n", 400)
        // The refused header name is quoted in the message, control character and all: still JSON.
        try check("GET /healthz HTTP/1.1\r\n\(host)X\u{01}\"\\Y: z\r\n\r\n", 400)
        try check("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: \u{00}\r\n\r\n", 400)
        try check("POST /v1/ask HTTP/1.1\r\n\(host)Content-Length: 4\r\n\r\nnope", 400)
        try check(RawConnection.ask("hi", id: "has space"), 400)
        try check("GET /elsewhere HTTP/1.1\r\n\(host)\r\n", 404)
        try check("DELETE /v1/ask HTTP/1.1\r\n\(host)\r\n", 405)
        try check("POST /v1/ask HTTP/1.1\r\n\(host)Content-Le", 408)
        #expect(try answer(RawConnection.ask("where is my order", id: "req-twice"), on: lab)?.status == 200)
        try check(RawConnection.ask("where is my order", id: "req-twice"), 409)
        try check("POST /v1/ask HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n", 411)
        try check("POST /v1/ask HTTP/1.1\r\n\(host)Content-Length: 99999\r\n\r\n", 413)
        try check("GET /v1/version HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "a", count: 5000))\r\n\r\n", 431)
        // Over the connection cap: 503.
        let held = try (0..<2).map { _ in try RawConnection(port: full.server.port) }
        for connection in held { connection.write("GET /healthz HTTP/1.1\r\n\(host)") }
        #expect(SlowReaderTests.eventually { full.server.openConnections == 2 })
        try check("GET /healthz HTTP/1.1\r\n\(host)\r\n", 503, on: full)
        withExtendedLifetime(held) {}
        #expect(seen == [400, 404, 405, 408, 409, 411, 413, 431, 503])
    }

    @Test func theServiceErrorsHaveJSONBodiesToo() throws {
        // Nothing in production: 503 on /v1/ask, /v1/version and /healthz.
        let empty = try ServedLab(promoted: false)
        for raw in [
            RawConnection.ask("hi"), "GET /v1/version HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        ] {
            let response = try answer(raw, on: empty)
            #expect(response?.status == 503)
            #expect(response.flatMap { json($0.body) } != nil, "\(response?.body ?? "")")
        }
        // The attribution log cannot be written: 500, with the reason, as JSON.
        let lab = try ServedLab()
        let requests = lab.context.registry.root + "/requests"
        try? FileManager.default.removeItem(atPath: requests)
        try Data("not a folder\n".utf8).write(to: URL(fileURLWithPath: requests))
        let failed = try #require(try answer(RawConnection.ask("where is my order"), on: lab))
        #expect(failed.status == 500)
        #expect(json(failed.body)?["error"]?.string?.contains("attribution log") == true)
    }

    @Test func errorSentencesAreEscapedWhateverTheyQuote() throws {
        for sentence in [
            "plain", "a \"quote\" and a \\ backslash", "line\nbreak\ttab\r", "nul \u{00} esc \u{1B}", "é ✓ \u{2028}",
        ] {
            let response = HTTPResponse.error(400, sentence)
            let parsed = try JSONReader.parse(response.body)
            #expect(parsed["error"]?.string == sentence)
        }
    }

    @Test func atTheCapAnIdleConnectionGivesWayToANewOneButABusyOneDoesNot() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        limits.admissionWait = .zero
        let clock = ManualClock(start: Date())
        let lab = try ServedLab(limits: limits, serverClock: clock.durations)
        let idle = try RawConnection(port: lab.server.port)
        idle.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(idle.readResponse()?.status == 200)
        let busy = try RawConnection(port: lab.server.port)
        busy.write("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        #expect(SlowReaderTests.eventually { lab.server.openConnections == 2 })
        // Past the grace (a second on the server's clock is more than enough), the idle connection is the one that gives way.
        clock.advance(seconds: 1)
        let newcomer = try RawConnection(port: lab.server.port)
        newcomer.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(newcomer.readResponse()?.status == 200)
        #expect(idle.readResponse()?.status == nil)
        // Now one busy connection and one that has just been answered: neither gives way.
        let refused = try RawConnection(port: lab.server.port)
        refused.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(refused.readResponse()?.status == 503)
        busy.write("\r\n")
        #expect(busy.readResponse()?.status == 200)
    }

    @Test func overTheCapANewConnectionWaitsForRoomBeforeItsRefusal() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 1
        limits.admissionWait = .seconds(2)
        // On a clock that stands still, the wait never runs out and no connection gives way.
        let lab = try ServedLab(limits: limits, serverClock: ManualClock(start: Date()).durations)
        // The one connection is busy (its request half sent): the next waits rather than being refused ...
        let busy = try RawConnection(port: lab.server.port)
        busy.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
        #expect(SlowReaderTests.eventually { lab.server.openConnections == 1 })
        let waiting = try RawConnection(port: lab.server.port)
        waiting.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        // ... and is served once the busy one finishes and closes.
        busy.write("\r\n")
        #expect(busy.readResponse()?.status == 200)
        #expect(waiting.readResponse()?.status == 200)
        // When no room comes, the wait ends in a 503.
        var short = HTTPLimits()
        short.maxConnections = 1
        short.admissionWait = .milliseconds(300)
        let full = try ServedLab(limits: short)
        let held = try RawConnection(port: full.server.port)
        held.write("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        #expect(SlowReaderTests.eventually { full.server.openConnections == 1 })
        let refused = try RawConnection(port: full.server.port)
        refused.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(refused.readResponse()?.status == 503)
        withExtendedLifetime(held) {}
    }
}
