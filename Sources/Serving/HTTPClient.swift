// A minimal blocking HTTP/1.1 client with keep-alive, for the traffic generator and the monitor (loopback).
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

public final class HTTPClient {
    public let host: String
    public let port: UInt16
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []

    /// Parses `http://HOST:PORT`; anything else is refused with the form to use.
    public init(url: String) throws {
        guard url.hasPrefix("http://") else {
            throw ServingError("'\(url)' is not an http:// URL; use the form http://127.0.0.1:8088.")
        }
        let rest = url.dropFirst("http://".count).split(separator: "/", maxSplits: 1).first ?? ""
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw ServingError("'\(url)' has no port; use the form http://127.0.0.1:8088.")
        }
        host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        self.port = port
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    private func connectIfNeeded() throws {
        guard descriptor < 0 else { return }
        let socketDescriptor = Sockets.openStream()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socketDescriptor)
            throw ServingError("Nothing is listening on http://\(host):\(port); start it with 'LabRunner serve'.")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var yes: Int32 = 1
        setsockopt(socketDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        descriptor = socketDescriptor
        buffer.removeAll()
    }

    /// Sends one request and reads its response; reconnects once if a kept-alive connection was closed.
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: Data = Data()) throws
        -> HTTPResponse
    {
        for attempt in 0..<2 {
            try connectIfNeeded()
            var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            let request = Data((head + "\r\n").utf8) + body
            if write(request), let response = readResponse() { return response }
            close(descriptor)
            descriptor = -1
            if attempt == 1 { break }
        }
        throw ServingError("http://\(host):\(port) closed the connection without answering.")
    }

    private func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let sent = Sockets.send(descriptor, pointer, remaining)
                if sent <= 0 { return false }
                remaining -= sent
                pointer += sent
            }
            return true
        }
    }

    private func readResponse() -> HTTPResponse? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = HTTPParser.find([13, 10, 13, 10], in: buffer) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let statusParts = head[0].split(separator: " ")
                guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
                var headers: [(name: String, value: String)] = []
                for line in head.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 {
                        headers.append((String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)))
                    }
                }
                let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { return nil }
                    buffer += chunk[0..<count]
                }
                let body = Data(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return HTTPResponse(status: status, headers: headers, body: body)
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
        }
    }
}
