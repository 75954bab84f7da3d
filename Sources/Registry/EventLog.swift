// The append-only, hash-chained event log (events.jsonl) and its head file.
import Foundation
import Hashing
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Parsed events kept for the life of a Registry value: the log only grows, so a longer file means
/// "parse the new tail", and a shorter one (damage) means "parse it all again".
final class EventCache: Sendable {
    private let state = Mutex<(offset: Int, events: [Event])>((0, []))

    func events(_ load: (_ offset: Int, _ known: [Event]) throws -> (offset: Int, events: [Event])) rethrows -> [Event]
    {
        try state.withLock { state in
            state = try load(state.offset, state.events)
            return state.events
        }
    }
}

struct EventLog: Sendable {
    static let genesis = String(repeating: "0", count: 64)
    let path: String
    let headPath: String
    let cache = EventCache()

    /// Calls `body` with each complete line (without its newline) from `offset`, with its 1-based number
    /// counted from `firstNumber`; returns the offset just past the last complete line. A partial tail is skipped.
    @discardableResult
    static func forEachLine(
        in data: Data, from offset: Int = 0, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void
    ) rethrows -> Int {
        try data.withUnsafeBytes { raw -> Int in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return offset }
            var start = offset
            var number = 0
            while start < bytes.count {
                guard let found = memchr(base + start, 0x0A, bytes.count - start) else { break }
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                number += 1
                try body(UnsafeBufferPointer(rebasing: bytes[start..<end]), number)
                start = end + 1
            }
            return start
        }
    }

    /// Complete lines from `offset` as separate values (used by recovery, which reads only a short tail).
    func lines(from offset: Int = 0) throws -> (lines: [Data], endOffset: Int) {
        guard FileSystem.exists(path) else { return ([], 0) }
        let data = try FileSystem.read(path)
        var lines: [Data] = []
        let end = EventLog.forEachLine(in: data, from: offset) { line, _ in lines.append(Data(buffer: line)) }
        return (lines, end)
    }

    func decode(_ line: Data, number: Int) throws -> Event {
        try line.withUnsafeBytes { raw in try decode(raw.bindMemory(to: UInt8.self), number: number) }
    }

    func decode(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws -> Event {
        do {
            return try Event(json: try JSONReader.parse(line))
        } catch {
            throw RegistryError.corruptFile(path: path, reason: "line \(number) is not a valid event")
        }
    }

    func events() throws -> [Event] {
        guard FileSystem.exists(path) else { return [] }
        return try cache.events { offset, known in
            let data = try FileSystem.read(path)
            var events = data.count >= offset ? known : []
            let start = data.count >= offset ? offset : 0
            let end = try EventLog.forEachLine(in: data, from: start) { line, number in
                events.append(try decode(line, number: events.count + 1))
            }
            return (end, events)
        }
    }

    /// Only the events whose line contains `needle` (e.g. a version id): a byte search skips the rest
    /// without parsing, so looking at one version stays fast however long the log grows.
    func events(containingAny needles: [String]) throws -> [Event] {
        guard FileSystem.exists(path), !needles.isEmpty else { return [] }
        let data = try FileSystem.read(path)
        let patterns = needles.map { Array($0.utf8) }.filter { !$0.isEmpty }
        var events: [Event] = []
        try EventLog.forEachLine(in: data) { line, number in
            guard patterns.contains(where: { EventLog.contains(line, $0) }) else { return }
            events.append(try decode(line, number: number))
        }
        return events
    }

    /// The events that concern version `id`: it is their `to`, `from`, `version`, `id`, `bad_version`,
    /// `good_version` or `suspect`, or they collected it. Mentions as a parent are left out. One byte search
    /// per line decides before any parsing.
    func events(aboutVersion id: String) throws -> [Event] {
        guard FileSystem.exists(path), !id.isEmpty else { return [] }
        let data = try FileSystem.read(path)
        let pattern = Array(id.utf8)
        let keys = ["to", "from", "version", "id", "bad_version", "good_version", "suspect"].map {
            Array("\"\($0)\":\"".utf8)
        }
        let collected = Array("\"kind\":\"\(EventKind.blobsCollected)\"".utf8)
        var events: [Event] = []
        try EventLog.forEachLine(in: data) { line, number in
            var relevant = false
            EventLog.occurrences(of: pattern, in: line) { offset in
                relevant = keys.contains { key in
                    offset >= key.count
                        && UnsafeBufferPointer(rebasing: line[(offset - key.count)..<offset]).elementsEqual(key)
                }
                return !relevant
            }
            if !relevant, EventLog.contains(line, collected), EventLog.contains(line, pattern) { relevant = true }
            if relevant { events.append(try decode(line, number: number)) }
        }
        return events
    }

    /// Calls `body` with each offset where `pattern` starts in `line`, until it returns false.
    static func occurrences(of pattern: [UInt8], in line: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Bool) {
        guard let base = line.baseAddress, let first = pattern.first, line.count >= pattern.count else { return }
        var start = 0
        while start + pattern.count <= line.count {
            guard let found = memchr(base + start, Int32(first), line.count - pattern.count + 1 - start) else { return }
            let offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let equal = pattern.withUnsafeBufferPointer { wanted in
                wanted.baseAddress.map { memcmp(base + offset, $0, pattern.count) == 0 } ?? false
            }
            if equal, !body(offset) { return }
            start = offset + 1
        }
    }

    /// Whether `pattern` occurs in `line` (memchr for its first byte, then memcmp).
    static func contains(_ line: UnsafeBufferPointer<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let base = line.baseAddress, let first = pattern.first, line.count >= pattern.count else { return false }
        var start = 0
        while start + pattern.count <= line.count {
            guard let found = memchr(base + start, Int32(first), line.count - pattern.count + 1 - start) else {
                return false
            }
            let offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let equal = pattern.withUnsafeBufferPointer { wanted in
                wanted.baseAddress.map { memcmp(base + offset, $0, pattern.count) == 0 } ?? false
            }
            if equal { return true }
            start = offset + 1
        }
        return false
    }

    func head() throws -> LogHead? {
        guard FileSystem.exists(headPath) else { return nil }
        do {
            return try CanonicalJSON.decoder().decode(LogHead.self, from: try FileSystem.read(headPath))
        } catch {
            throw RegistryError.corruptFile(path: headPath, reason: "it is not valid JSON")
        }
    }

    /// The time of the event whose line ends at `offset` (the acknowledged head), read from the log's tail.
    func lastEventTime(endingAt offset: Int) throws -> Date? {
        let data = try FileSystem.read(path)
        guard offset > 0, offset <= data.count else { return nil }
        let end = offset - 1
        let start = data[..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return try? CanonicalJSON.decoder().decode(Event.self, from: data[start..<end]).at
    }

    func writeHead(_ head: LogHead, tempFolder: String) throws {
        try FileSystem.writeAtomically(
            try CanonicalJSON.encode(head) + Data("\n".utf8), to: headPath, tempFolder: tempFolder)
    }
}
