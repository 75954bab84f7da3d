// HTTP/1.1 messages and their parsing, with the limits that keep a hostile client from hurting the service.
public import Foundation

public struct HTTPRequest: Sendable {
    public var method: String
    /// In origin form (`/path?query`): an absolute-form target is reduced to its path and query when parsed.
    public var target: String
    public var version: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless asked to keep it.
    var keepAlive: Bool {
        let connection = header("Connection")?.lowercased()
        return version == "HTTP/1.0" ? connection == "keep-alive" : connection != "close"
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response; `body` must already be JSON.
    public static func json(_ status: Int, _ body: Data, headers: [(name: String, value: String)] = []) -> HTTPResponse
    {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// `{"error": "<sentence>"}` with the given status. The sentence may quote what a client sent (a header name,
    /// a path), so every character JSON cannot carry raw is escaped: the body always parses.
    public static func error(_ status: Int, _ sentence: String) -> HTTPResponse {
        .json(status, Data("{\"error\":\(jsonString(sentence))}\n".utf8))
    }

    /// `text` as a JSON string literal (RFC 8259 §7): quote, backslash and the control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The same response with one more header.
    public func adding(_ name: String, _ value: String) -> HTTPResponse {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }

    static let reasons: [Int: String] = [
        200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
        409: "Conflict", 411: "Length Required", 413: "Content Too Large", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 503: "Service Unavailable",
    ]

    /// The status line and headers; the body is sent after it as it is, so a large body is never copied.
    func head(keepAlive: Bool) -> Data {
        var head = "HTTP/1.1 \(status) \(HTTPResponse.reasons[status] ?? "Status")\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Data(head.utf8)
    }
}

public struct HTTPLimits: Sendable {
    public var maxHeaderBytes = 16 * 1024
    /// Every endpoint takes a small JSON body (a support message at most), so 64 KiB is plenty; with the
    /// connection cap it bounds what a burst of large posts can make the service hold (256 × 64 KiB).
    public var maxBodyBytes = 64 * 1024
    /// Open connections served at once. One more waits up to `admissionWait` for room (a connection that gives
    /// way, or one that ends), then is answered 503 with `Retry-After` and closed.
    public var maxConnections = 256
    /// How long a connection over the cap waits for room before its 503: a burst that fills the cap for a
    /// moment delays a new client instead of failing it.
    public var admissionWait: Duration = .milliseconds(500)
    /// Time allowed to receive one whole request once its first byte arrived (slow-client defence).
    public var requestTimeout: Duration = .seconds(5)
    /// Time an idle keep-alive connection is kept open.
    public var idleTimeout: Duration = .seconds(15)
    /// Time allowed to hand one whole response to a client that is not reading (slow-reader defence): a peer
    /// that does not drain its connection in this time is closed, and its worker serves someone else.
    public var writeTimeout: Duration = .seconds(5)

    public init() {}
}

/// Why a request could not be read: each maps to the status the client gets.
enum HTTPParseError: Error, Equatable {
    case badRequest(String)
    case headersTooLarge
    case bodyTooLarge
    case lengthRequired

    var response: HTTPResponse {
        switch self {
        case .badRequest(let reason): return .error(400, "Bad request: \(reason).")
        case .headersTooLarge: return .error(431, "The request headers are larger than the service accepts.")
        case .bodyTooLarge: return .error(413, "The request body is larger than the service accepts.")
        case .lengthRequired:
            return .error(411, "Send the body with a Content-Length header; chunked transfer is not supported.")
        }
    }
}

enum HTTPParser {
    /// Parses one request from the front of `buffer`. Returns nil when more bytes are needed, or the request
    /// and how many bytes it used. Throws when the bytes can never become a valid request.
    static func parse(_ buffer: [UInt8], limits: HTTPLimits) throws -> (HTTPRequest, Int)? {
        guard let headerEnd = find([13, 10, 13, 10], in: buffer) else {
            // A head with bare LF line ends would never reach CRLFCRLF: refuse it now, not at the timeout.
            try checkLineEnds(buffer[...], complete: false)
            if buffer.count > limits.maxHeaderBytes { throw HTTPParseError.headersTooLarge }
            return nil
        }
        guard headerEnd + 4 <= limits.maxHeaderBytes else { throw HTTPParseError.headersTooLarge }
        try checkLineEnds(buffer[0..<(headerEnd + 2)], complete: true)
        guard let head = String(bytes: buffer[0..<headerEnd], encoding: .utf8) else {
            throw HTTPParseError.badRequest("the request head is not UTF-8 text")
        }
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[0].allSatisfy({ $0.isUppercase }),
            let target = originForm(requestLine[1]), requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0"
        else { throw HTTPParseError.badRequest("the request line is not 'METHOD /path HTTP/1.1'") }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            // RFC 9112 §5: a field name is a token right up to the colon; whitespace before the colon (a
            // smuggling vector) and obsolete line folding are rejected, not guessed at.
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw HTTPParseError.badRequest("a header line has no name")
            }
            guard line[..<colon].unicodeScalars.allSatisfy(isTokenCharacter) else {
                throw HTTPParseError.badRequest(
                    "the header name '\(line[..<colon])' is not a token (no spaces before the colon)")
            }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // RFC 9110 §5.5: a NUL or another control character (HTAB aside) in a value is refused, never passed
            // on to code that may read it as the end of the string.
            guard value.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
                throw HTTPParseError.badRequest("the header '\(line[..<colon])' has a control character in its value")
            }
            headers.append((String(line[..<colon]), value))
        }
        try checkHost(headers, version: requestLine[2])
        var request = HTTPRequest(
            method: String(requestLine[0]), target: target, version: String(requestLine[2]), headers: headers,
            body: Data())
        if request.header("Transfer-Encoding") != nil { throw HTTPParseError.lengthRequired }
        var length = 0
        let lengths = headers.filter { $0.name.caseInsensitiveCompare("Content-Length") == .orderedSame }
        if lengths.count > 1 {
            throw HTTPParseError.badRequest("the request has more than one Content-Length header")
        }
        if let text = lengths.first?.value {
            // Digits only: Int("+5") would accept a sign, which RFC 9110 does not.
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(text)
            else { throw HTTPParseError.badRequest("Content-Length is not a number") }
            length = value
        }
        guard length <= limits.maxBodyBytes else { throw HTTPParseError.bodyTooLarge }
        let total = headerEnd + 4 + length
        guard buffer.count >= total else { return nil }
        request.body = Data(buffer[(headerEnd + 4)..<total])
        return (request, total)
    }

    /// The request target in origin form (`/path?query`), or nil when it is neither that nor the absolute form
    /// (`http://host:port/path?query`, RFC 9112 §3.2.2), whose path is what routes the request. Only visible
    /// ASCII is allowed, as in any URI.
    static func originForm(_ target: Substring) -> String? {
        guard !target.isEmpty, target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        if target.hasPrefix("/") { return String(target) }
        let lowered = target.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else { return nil }
        let rest = target.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        // An http URI with an empty host is invalid (RFC 9110 §4.2.1).
        guard authorityEnd != rest.startIndex, !rest[..<authorityEnd].contains("@") else { return nil }
        let pathAndQuery = rest[authorityEnd...]
        return pathAndQuery.hasPrefix("/") ? String(pathAndQuery) : "/" + pathAndQuery
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without a Host header, any request with two, or one whose value is
    /// not a host and optional port, is a 400. The absolute form still needs one (the server ignores it).
    static func checkHost(_ headers: [(name: String, value: String)], version: Substring) throws {
        let hosts = headers.filter { $0.name.caseInsensitiveCompare("Host") == .orderedSame }
        if hosts.count > 1 { throw HTTPParseError.badRequest("the request has more than one Host header") }
        guard let host = hosts.first?.value else {
            if version == "HTTP/1.1" {
                throw HTTPParseError.badRequest("an HTTP/1.1 request needs a Host header, such as 'Host: 127.0.0.1'")
            }
            return
        }
        // uri-host [":" port]: unreserved, percent-encoded and sub-delimiter characters, brackets of an IPv6
        // literal, and the colon.
        let allowed = Array("-._~%!$&'()*+,;=:[]".utf8)
        guard
            host.utf8.allSatisfy({
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                    || allowed.contains($0)
            })
        else { throw HTTPParseError.badRequest("the Host header is not a host name with an optional port") }
    }

    /// Lines of a request head end in CRLF: a bare LF or a bare CR is refused (RFC 9112 §2.2). When the head is
    /// not `complete`, a CR as the last byte may still get its LF.
    static func checkLineEnds(_ bytes: ArraySlice<UInt8>, complete: Bool) throws {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 10, index == bytes.startIndex || bytes[index - 1] != 13 {
                throw HTTPParseError.badRequest("a line ends in a bare LF; end lines with CRLF")
            }
            if byte == 13 {
                let next = index + 1
                if next < bytes.endIndex ? bytes[next] != 10 : complete {
                    throw HTTPParseError.badRequest("a line has a bare CR; end lines with CRLF")
                }
            }
            index += 1
        }
    }

    /// RFC 9110 tchar.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
    }

    static func find(_ pattern: [UInt8], in buffer: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        var index = 0
        while index <= buffer.count - pattern.count {
            if buffer[index] == pattern[0], buffer[index..<(index + pattern.count)].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }
}
