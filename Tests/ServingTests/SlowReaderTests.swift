// Clients that pipeline requests and never read the answers: they must not pin the server's workers, and
// /healthz and a well-behaved client must still be answered while they hold their sockets open.
import Foundation
import Serving
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A client that asks for large answers and never reads one: its socket's receive buffer is made small, so
/// the server's writes fill the connection at once and block.
final class SlowReader {
    let descriptor: Int32

    init(port: UInt16, requests: Int, path: String) throws {
        descriptor = socket(AF_INET, RawConnection.streamType, 0)
        #if !canImport(Glibc)
            var yes: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var small: Int32 = 4096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw ServingError("cannot connect")
        }
        let pipelined = Array(
            String(repeating: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", count: requests).utf8)
        _ = pipelined.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, RawConnection.sendFlags) }
    }

    /// The server has reset the connection, seen without reading anything it queued.
    var wasReset: Bool {
        var poller = pollfd(fd: descriptor, events: 0, revents: 0)
        return poll(&poller, 1, 0) > 0 && poller.revents & Int16(POLLHUP | POLLERR) != 0
    }

    deinit { close(descriptor) }
}

@Suite(.serialized) struct SlowReaderTests {
    /// One megabyte, the same buffer for every answer.
    static let large = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)

    static func server(limits: HTTPLimits = HTTPLimits()) throws -> HTTPServer {
        let server = try HTTPServer(port: 0, limits: limits) { request in
            request.path == "/healthz"
                ? .json(200, Data("{\"status\":\"ok\"}\n".utf8))
                : HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: large)
        }
        server.start()
        return server
    }

    /// Waits (up to a generous bound) until `condition` holds; false when it never did.
    static func eventually(within seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    @Test func slowReadersAtTheConnectionCapDoNotStarveHealthOrOtherClients() throws {
        let limits = HTTPLimits()
        let server = try Self.server(limits: limits)
        defer { server.stop(grace: .seconds(1)) }
        // As many slow readers as the server takes connections, each owed 8 MB it will never read.
        let readers = try (0..<limits.maxConnections).map { _ in
            try SlowReader(port: server.port, requests: 8, path: "/large")
        }
        #expect(Self.eventually { server.stalledConnections == readers.count })
        // Probes over ten seconds: first while every slow reader is still held, then past the write deadline.
        let started = Date()
        var probes = 0
        while Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.5)
            let asked = Date()
            let probe = try RawConnection(port: server.port)
            probe.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let health = probe.readResponse()
            #expect(health?.status == 200, "probe \(probes) at \(Int(asked.timeIntervalSince(started))) s")
            #expect(Date().timeIntervalSince(asked) < 5, "probe \(probes) took too long")
            probes += 1
            if probes == 2 {
                // A client that reads its answers gets them whole, slow readers or not.
                let reader = try RawConnection(port: server.port)
                reader.write("GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let answer = reader.readResponse()
                #expect(answer?.status == 200 && answer?.body.utf8.count == Self.large.count)
            }
            Thread.sleep(forTimeInterval: 1.5)
        }
        #expect(probes >= 4)
        // None of the slow readers drained its connection within the write deadline: the server closed them all,
        // though they still hold their sockets.
        #expect(Self.eventually { server.openConnections == 0 })
        // Reset, not left to linger in the kernel with the megabytes they were owed queued behind a FIN.
        #expect(Self.eventually { readers.allSatisfy(\.wasReset) })
    }
}
