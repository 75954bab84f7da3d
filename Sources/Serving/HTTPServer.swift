// A small HTTP/1.1 server on BSD sockets: keep-alive, a thread per connection up to a cap (503 beyond it),
// limits answered with a 4xx and a JSON body, and a graceful stop that lets requests in flight finish.
import Foundation
public import Playbook
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

public struct ServingError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public final class HTTPServer: Sendable {
    private struct State {
        var listener: Int32 = -1
        var stopping = false
        var connections = 0
        var acceptThreadDone = false
    }

    public let port: UInt16
    private let limits: HTTPLimits
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let state = Mutex(State())
    /// Times the limits (idle, request, lingering close) and the stop's grace. Sockets still wait in real time
    /// (poll), so on a manual clock these deadlines pass only as that clock is moved.
    private let clock: any LoopClock

    /// Binds `host:port` (port 0 picks a free one). Throws a sentence naming the address when it cannot.
    public init(
        host: String = "127.0.0.1", port: UInt16, limits: HTTPLimits = HTTPLimits(),
        clock: any LoopClock = ContinuousClock(), handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) throws {
        let descriptor = Sockets.openStream()
        guard descriptor >= 0 else { throw ServingError("Cannot open a socket: \(String(cString: strerror(errno))).") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw ServingError("'\(host)' is not an IPv4 address; use 127.0.0.1 or another dotted address.")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw ServingError("Cannot listen on \(host):\(port) (\(reason)); pick another port with --port.")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.limits = limits
        self.clock = clock
        self.handler = handler
        state.withLock { $0.listener = descriptor }
    }

    /// Starts accepting connections on a background thread.
    public func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let (listener, stopping) = state.withLock { ($0.listener, $0.stopping) }
            if stopping || listener < 0 { break }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Sockets.prepareAccepted(client)
            let admitted = state.withLock { state -> Bool in
                guard state.connections < limits.maxConnections else { return false }
                state.connections += 1
                return true
            }
            guard admitted else {
                refuse(client)
                continue
            }
            let thread = Thread { [self] in
                serve(client)
                close(client)
                state.withLock { $0.connections -= 1 }
            }
            thread.start()
        }
        state.withLock { $0.acceptThreadDone = true }
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`), then returns.
    public func stop(grace: Duration = .seconds(5)) {
        let listener = state.withLock { state -> Int32 in
            state.stopping = true
            defer { state.listener = -1 }
            return state.listener
        }
        let graceTimer = clock.stopwatch()
        while graceTimer.elapsed < grace, !state.withLock({ $0.acceptThreadDone && $0.connections == 0 }) {
            clock.pause(for: .milliseconds(10))
        }
        if listener >= 0 { close(listener) }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    /// Open connections being served now.
    public var openConnections: Int { state.withLock { $0.connections } }

    /// Over the cap: answer 503 at once on the accept thread (no thread, no buffer) and close. Bytes the
    /// client already sent are drained first, so closing does not reset the connection before it reads the 503.
    private func refuse(_ client: Int32) {
        var flags = fcntl(client, F_GETFL)
        if flags >= 0 { flags = fcntl(client, F_SETFL, flags | O_NONBLOCK) }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while scratch.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
        send(
            .error(503, "The service is at its connection limit; retry in a moment.").adding("Retry-After", "1"),
            to: client, keepAlive: false)
        shutdown(client, Int32(SHUT_WR))
        close(client)
    }

    private func serve(_ client: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        // Deadlines are durations since the connection opened, on the server's clock.
        let connection = clock.stopwatch()
        while true {
            var firstByte = buffer.isEmpty ? nil : connection.elapsed
            // Read until one whole request is buffered, within the idle and request deadlines.
            guard case .parsed(var parsed) = parse(buffer, answeringErrorsOn: client) else { return }
            let idleDeadline = connection.elapsed + limits.idleTimeout
            while parsed == nil {
                let deadline = firstByte.map { $0 + limits.requestTimeout } ?? idleDeadline
                let remaining = deadline - connection.elapsed
                if remaining <= .zero || (firstByte == nil && stopping) {
                    if firstByte != nil {
                        send(
                            .error(408, "The request took too long to arrive; send it whole within the time limit."),
                            to: client, keepAlive: false)
                    }
                    return
                }
                var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                let wait = min(
                    100,
                    Int32(
                        remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
                guard poll(&poller, 1, max(wait, 1)) > 0 else { continue }
                let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return }
                if firstByte == nil { firstByte = connection.elapsed }
                buffer.append(contentsOf: chunk[0..<count])
                guard case .parsed(let next) = parse(buffer, answeringErrorsOn: client) else { return }
                parsed = next
            }
            guard let (request, used) = parsed else { return }
            buffer.removeFirst(used)
            let response = handler(request)
            let keepAlive = request.keepAlive && !stopping
            guard send(response, to: client, keepAlive: keepAlive), keepAlive else { return }
        }
    }

    private enum ParseStep {
        /// A whole request (and the bytes it used), or nil when more bytes are needed.
        case parsed((HTTPRequest, Int)?)
        /// The bytes can never be a request: the client got its 4xx and the connection ends.
        case rejected
    }

    private func parse(_ buffer: [UInt8], answeringErrorsOn client: Int32) -> ParseStep {
        do {
            return .parsed(try HTTPParser.parse(buffer, limits: limits))
        } catch let error as HTTPParseError {
            send(error.response, to: client, keepAlive: false)
        } catch {
            send(.error(400, "Bad request."), to: client, keepAlive: false)
        }
        lingeringClose(client)
        return .rejected
    }

    /// After refusing a request whose body is still arriving (a 413 on a 1 MB post), read and discard what
    /// the client sends for a moment (at most 1 s and 2 MB) before closing: closing with unread bytes resets the
    /// connection, and the client would lose the answer it is owed.
    private func lingeringClose(_ client: Int32) {
        shutdown(client, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        let closing = clock.stopwatch()
        var discarded = 0
        while discarded < 2 * 1024 * 1024, closing.elapsed < .seconds(1) {
            var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = scratch.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            discarded += count
        }
    }

    @discardableResult
    private func send(_ response: HTTPResponse, to client: Int32, keepAlive: Bool) -> Bool {
        let data = response.serialized(keepAlive: keepAlive)
        return data.withUnsafeBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let sent = Sockets.send(client, pointer, remaining)
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                remaining -= sent
                pointer += sent
            }
            return true
        }
    }
}
