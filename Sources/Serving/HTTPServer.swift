// A small HTTP/1.1 server on BSD sockets: keep-alive, a thread per connection up to a cap, limits answered with
// a 4xx and a JSON body, writes with a deadline, and a graceful stop that lets requests in flight finish. At the
// cap, a connection the server is only waiting on (idle, or not reading its answers) gives way to the new one;
// when every connection is busy, the new one waits a moment for room, then gets 503.
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
    /// One open connection, as the accept thread weighs it when the cap is reached. Its thread records its
    /// waits in atomics, so the request path takes no lock shared with other connections for them.
    private final class Connection: Sendable {
        let id: Int
        let descriptor: Int32
        /// Since when (nanoseconds on `uptime`) the server has been waiting on the peer with nothing owed to it:
        /// between requests, or with an answer the peer does not read. -1 while a request arrives or is handled.
        private let since = Atomic<Int64>(-1)
        /// The wait is on an answer the peer does not read (a slow reader).
        private let stalled = Atomic<Bool>(false)

        init(id: Int, descriptor: Int32) {
            self.id = id
            self.descriptor = descriptor
        }

        var waitingSince: Duration? {
            let nanoseconds = since.load(ordering: .acquiring)
            return nanoseconds < 0 ? nil : .nanoseconds(nanoseconds)
        }

        var stalledWrite: Bool { stalled.load(ordering: .acquiring) }

        /// Records whether the server waits on the peer now, and why.
        func mark(waitingSince: Duration?, stalledWrite: Bool = false) {
            stalled.store(stalledWrite, ordering: .releasing)
            let nanoseconds = waitingSince.map {
                $0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000
            }
            since.store(nanoseconds ?? -1, ordering: .releasing)
        }
    }

    private struct State {
        var listener: Int32 = -1
        var stopping = false
        var connections: [Int: Connection] = [:]
        /// Connections shut down to make room for a new one; their threads are on their way out.
        var evicted: Set<Int> = []
        var nextID = 0
        var acceptThreadDone = false
    }

    /// How long a connection must have waited on its peer before a new one may take its place at the cap, so a
    /// client between two quick requests is not dropped the moment the server fills up.
    static let evictionGrace: Duration = .milliseconds(100)

    public let port: UInt16
    private let limits: HTTPLimits
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let state = Mutex(State())
    /// Times the limits (idle, request, lingering close) and the stop's grace. Sockets still wait in real time
    /// (poll), so on a manual clock these deadlines pass only as that clock is moved.
    private let clock: any LoopClock
    /// Time since the server started, on `clock`: the one time line connections' waits are compared on.
    private let uptime: Stopwatch

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
        uptime = clock.stopwatch()
        self.handler = handler
        state.withLock { $0.listener = descriptor }
    }

    /// Starts accepting connections on a background thread.
    public func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        // Accepted over the cap, oldest first, with when they arrived: each is admitted as soon as there is room
        // (or a connection to give way), or answered 503 after `admissionWait`. At most the cap wait; more are
        // refused at once.
        var queued: [(client: Int32, since: Duration)] = []
        while true {
            let (listener, stopping) = state.withLock { ($0.listener, $0.stopping) }
            if stopping || listener < 0 { break }
            while let first = queued.first {
                if let connection = admit(first.client) {
                    start(connection)
                } else if uptime.elapsed - first.since >= limits.admissionWait {
                    refuse(first.client)
                } else {
                    break
                }
                queued.removeFirst()
            }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, queued.isEmpty ? 100 : 10) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Sockets.prepareAccepted(client)
            if queued.isEmpty, let connection = admit(client) {
                start(connection)
            } else if queued.count < limits.maxConnections {
                queued.append((client, uptime.elapsed))
            } else {
                refuse(client)
            }
        }
        for (client, _) in queued { refuse(client) }
        state.withLock { $0.acceptThreadDone = true }
    }

    private func start(_ connection: Connection) {
        let thread = Thread { [self] in
            serve(connection)
            // Forgotten before it is closed, so an eviction never shuts down a descriptor reused since.
            state.withLock { state in
                state.connections[connection.id] = nil
                state.evicted.remove(connection.id)
            }
            close(connection.descriptor)
        }
        thread.start()
    }

    /// Takes a new connection in. At the cap, the connection that has waited longest on its peer (past the
    /// grace) is shut down to make room: its thread wakes from its poll or send and ends. Nil when every
    /// connection is busy.
    private func admit(_ client: Int32) -> Connection? {
        let now = uptime.elapsed
        return state.withLock { state -> Connection? in
            if state.connections.count - state.evicted.count >= limits.maxConnections {
                let waiting = state.connections.values.compactMap { connection -> (Connection, since: Duration)? in
                    guard !state.evicted.contains(connection.id), let since = connection.waitingSince,
                        now - since >= Self.evictionGrace
                    else { return nil }
                    return (connection, since)
                }
                guard let (victim, _) = waiting.min(by: { $0.since < $1.since }) else { return nil }
                state.evicted.insert(victim.id)
                if victim.stalledWrite { Sockets.resetOnClose(victim.descriptor) }
                shutdown(victim.descriptor, Int32(SHUT_RDWR))
            }
            let connection = Connection(id: state.nextID, descriptor: client)
            state.nextID += 1
            state.connections[connection.id] = connection
            return connection
        }
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`), then returns.
    public func stop(grace: Duration = .seconds(5)) {
        let listener = state.withLock { state -> Int32 in
            state.stopping = true
            defer { state.listener = -1 }
            return state.listener
        }
        let graceTimer = clock.stopwatch()
        while graceTimer.elapsed < grace, !state.withLock({ $0.acceptThreadDone && $0.connections.isEmpty }) {
            clock.pause(for: .milliseconds(10))
        }
        if listener >= 0 { close(listener) }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    /// Open connections being served now.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// Open connections whose peer is not reading the answer being written to it (slow readers).
    public var stalledConnections: Int { state.withLock { $0.connections.values.count { $0.stalledWrite } } }

    /// Over the cap: answer 503 at once on the accept thread (no thread, no buffer) and close. Bytes the
    /// client already sent are drained first, so closing does not reset the connection before it reads the 503.
    private func refuse(_ client: Int32) {
        var flags = fcntl(client, F_GETFL)
        if flags >= 0 { flags = fcntl(client, F_SETFL, flags | O_NONBLOCK) }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while scratch.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
        // One attempt, never a wait: this is the accept thread, and a new connection's buffer is empty.
        send(
            .error(503, "The service is at its connection limit; retry in a moment.").adding("Retry-After", "1"),
            to: client, keepAlive: false, within: .zero)
        shutdown(client, Int32(SHUT_WR))
        close(client)
    }

    private func serve(_ connection: Connection) {
        let client = connection.descriptor
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        // Deadlines are durations since the connection opened, on the server's clock.
        let opened = clock.stopwatch()
        while true {
            var firstByte = buffer.isEmpty ? nil : opened.elapsed
            // Read until one whole request is buffered, within the idle and request deadlines.
            guard case .parsed(var parsed) = parse(buffer, answeringErrorsOn: client, connection: connection) else {
                return
            }
            let idleDeadline = opened.elapsed + limits.idleTimeout
            if parsed == nil, firstByte == nil { connection.mark(waitingSince: uptime.elapsed) }
            while parsed == nil {
                let deadline = firstByte.map { $0 + limits.requestTimeout } ?? idleDeadline
                let remaining = deadline - opened.elapsed
                if remaining <= .zero || (firstByte == nil && stopping) {
                    if firstByte != nil {
                        send(
                            .error(408, "The request took too long to arrive; send it whole within the time limit."),
                            to: client, keepAlive: false, connection: connection)
                    }
                    return
                }
                var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Self.pollMilliseconds(remaining)) > 0 else { continue }
                let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return }
                if firstByte == nil {
                    firstByte = opened.elapsed
                    connection.mark(waitingSince: nil)
                }
                buffer.append(contentsOf: chunk[0..<count])
                guard case .parsed(let next) = parse(buffer, answeringErrorsOn: client, connection: connection) else {
                    return
                }
                parsed = next
            }
            guard let (request, used) = parsed else { return }
            buffer.removeFirst(used)
            let response = handler(request)
            let keepAlive = request.keepAlive && !stopping
            guard send(response, to: client, keepAlive: keepAlive, connection: connection), keepAlive else { return }
        }
    }

    /// A poll timeout for `remaining`: at most 100 ms, so stops and deadlines on the server's clock are seen.
    private static func pollMilliseconds(_ remaining: Duration) -> Int32 {
        let milliseconds =
            remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        return Int32(max(1, min(100, milliseconds)))
    }

    private enum ParseStep {
        /// A whole request (and the bytes it used), or nil when more bytes are needed.
        case parsed((HTTPRequest, Int)?)
        /// The bytes can never be a request: the client got its 4xx and the connection ends.
        case rejected
    }

    private func parse(_ buffer: [UInt8], answeringErrorsOn client: Int32, connection: Connection) -> ParseStep {
        do {
            return .parsed(try HTTPParser.parse(buffer, limits: limits))
        } catch let error as HTTPParseError {
            send(error.response, to: client, keepAlive: false, connection: connection)
        } catch {
            send(.error(400, "Bad request."), to: client, keepAlive: false, connection: connection)
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

    /// Hands the whole response to the socket within `within` (the write timeout by default); false when the
    /// peer closed or did not drain the connection in that time, and the connection is to be closed. While the
    /// socket is full the connection counts as waiting on its peer, so a new connection at the
    /// cap may take its place.
    @discardableResult
    private func send(
        _ response: HTTPResponse, to client: Int32, keepAlive: Bool, connection: Connection? = nil,
        within: Duration? = nil
    ) -> Bool {
        let deadline = uptime.elapsed + (within ?? limits.writeTimeout)
        let head = response.head(keepAlive: keepAlive)
        // A small answer goes out in one send (one segment, with no Nagle delay); a large body is sent after
        // the head as it is, never copied.
        guard response.body.count > 16 * 1024 else {
            return write(head + response.body, to: client, by: deadline, connection: connection)
        }
        return write(head, to: client, by: deadline, connection: connection)
            && write(response.body, to: client, by: deadline, connection: connection)
    }

    private func write(_ data: Data, to client: Int32, by deadline: Duration, connection: Connection?) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            var stalled = false
            defer { if stalled { connection?.mark(waitingSince: nil) } }
            while remaining > 0 {
                let sent = Sockets.sendNow(client, pointer, remaining)
                if sent > 0 {
                    remaining -= sent
                    pointer += sent
                    // Progress: a slow reader that keeps reading is not one that has stopped.
                    if stalled {
                        stalled = false
                        connection?.mark(waitingSince: nil)
                    }
                    continue
                }
                if sent < 0, errno == EINTR { continue }
                guard sent < 0, Sockets.wouldBlock else { return false }
                let now = uptime.elapsed
                guard now < deadline else {
                    // The peer did not drain its connection in time: it is closed, and what it was owed dropped.
                    Sockets.resetOnClose(client)
                    return false
                }
                if !stalled, let connection {
                    stalled = true
                    connection.mark(waitingSince: now, stalledWrite: true)
                }
                var poller = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, Self.pollMilliseconds(deadline - now))
            }
            return true
        }
    }
}
