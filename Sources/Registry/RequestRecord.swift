// What the attribution log stores: one answered request as a record (and its canonical line), a late label,
// a reader's place in the log, and the log's line splitting.
public import Foundation
import Hashing

public struct RequestRecord: Codable, Sendable, Equatable {
    public var id: String
    public var at: Date
    public var version: String
    public var seed: UInt64
    /// The customer's text; empty once the retention period dropped it (`inputDroppedAt` says when).
    public var input: String
    public var inputSHA256: String
    /// When the input text was dropped by retention; nil while it is kept. The SHA-256 stays for ever.
    public var inputDroppedAt: Date?
    public var output: String
    public var outputSHA256: String
    public var satisfied: Bool?
    public var source: String
    public var caseID: String?
    public var latencyMicros: Int?

    public init(
        id: String, at: Date, version: String, seed: UInt64, input: String, inputSHA256: String, output: String,
        outputSHA256: String, satisfied: Bool?, source: String, caseID: String?, latencyMicros: Int?,
        inputDroppedAt: Date? = nil
    ) {
        self.inputDroppedAt = inputDroppedAt
        self.id = id
        self.at = at
        self.version = version
        self.seed = seed
        self.input = input
        self.inputSHA256 = inputSHA256
        self.output = output
        self.outputSHA256 = outputSHA256
        self.satisfied = satisfied
        self.source = source
        self.caseID = caseID
        self.latencyMicros = latencyMicros
    }

    enum CodingKeys: String, CodingKey {
        case id, at, version, seed, input, output, satisfied, source
        case inputSHA256 = "input_sha256"
        case inputDroppedAt = "input_dropped_at"
        case outputSHA256 = "output_sha256"
        case caseID = "case_id"
        case latencyMicros = "latency_us"
    }

    /// The record as one canonical JSON line (sorted keys, no escaped slashes), written by hand because the
    /// traffic generator appends tens of thousands a second and JSONEncoder dominated that path.
    func canonicalLine(into bytes: inout [UInt8]) {
        func key(_ name: String) {
            bytes.append(bytes.last == UInt8(ascii: "{") ? 0x22 : 0x2C)
            if bytes.last == 0x2C { bytes.append(0x22) }
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: [0x22, 0x3A])
        }
        func string(_ value: String) {
            bytes.append(0x22)
            for byte in value.utf8 {
                switch byte {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                case 0..<0x20: bytes.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
                default: bytes.append(byte)
                }
            }
            bytes.append(0x22)
        }
        bytes.append(UInt8(ascii: "{"))
        key("at")
        string(Timestamp.string(from: at))
        if let caseID {
            key("case_id")
            string(caseID)
        }
        key("id")
        string(id)
        key("input")
        string(input)
        if let inputDroppedAt {
            key("input_dropped_at")
            string(Timestamp.string(from: inputDroppedAt))
        }
        key("input_sha256")
        string(inputSHA256)
        if let latencyMicros {
            key("latency_us")
            bytes.append(contentsOf: String(latencyMicros).utf8)
        }
        key("output")
        string(output)
        key("output_sha256")
        string(outputSHA256)
        if let satisfied {
            key("satisfied")
            bytes.append(contentsOf: (satisfied ? "true" : "false").utf8)
        }
        key("seed")
        bytes.append(contentsOf: String(seed).utf8)
        key("source")
        string(source)
        key("version")
        string(version)
        bytes.append(UInt8(ascii: "}"))
    }

    /// Request ids: 1–128 printable ASCII characters without spaces.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// True when the input text is still held, so the request can be replayed from the log alone.
    public var hasInput: Bool { inputDroppedAt == nil }
}

/// A late label for one request (`POST /v1/feedback`): did the customer end up satisfied? One per request.
public struct FeedbackRecord: Codable, Sendable, Equatable {
    public var requestID: String
    public var satisfied: Bool
    public var at: Date
    /// The version that answered the request (copied from the log so label-free and labelled signals group alike).
    public var version: String

    public init(requestID: String, satisfied: Bool, at: Date, version: String) {
        self.requestID = requestID
        self.satisfied = satisfied
        self.at = at
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case satisfied, at, version
        case requestID = "request_id"
    }
}

public enum FeedbackOutcome: Sendable, Equatable {
    case recorded(FeedbackRecord)
    case unknownRequest
    /// The request already has its label; the first one stands.
    case alreadyRecorded(FeedbackRecord)
}

/// Where an incremental reader stopped: the log file's identity and the byte after the last whole line.
public struct LogCursor: Sendable, Equatable {
    var inode: UInt64 = 0
    var offset = 0
    public init() {}
}

/// Line iteration over a byte range of a JSON-lines file, with each line's starting offset.
enum EventLogLines {
    @discardableResult
    static func forEach(in data: Data, from start: Int, upTo end: Int, _ body: (Data, Int) throws -> Void) rethrows
        -> Int
    {
        var lineStart = start
        var index = start
        let limit = min(end, data.count)
        while index < limit {
            if data[data.startIndex + index] == 0x0A {
                try body(data.subdata(in: (data.startIndex + lineStart)..<(data.startIndex + index)), lineStart)
                lineStart = index + 1
            }
            index += 1
        }
        return lineStart
    }
}
