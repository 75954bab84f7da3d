// The append-only, hash-chained event log (events.jsonl) and its head file.
import Foundation
import Hashing

struct EventLog: Sendable {
    static let genesis = String(repeating: "0", count: 64)
    let path: String
    let headPath: String

    /// Complete lines (each ending in a newline) with their 1-based line numbers; a partial tail is left out.
    func lines(from offset: Int = 0) throws -> (lines: [Data], endOffset: Int) {
        guard FileSystem.exists(path) else { return ([], 0) }
        let data = try FileSystem.read(path)
        var lines: [Data] = []
        var start = offset
        var end = offset
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = offset
            while index < bytes.count {
                if bytes[index] == 0x0A {
                    lines.append(data.subdata(in: start..<index))
                    start = index + 1
                    end = start
                }
                index += 1
            }
        }
        return (lines, end)
    }

    func decode(_ line: Data, number: Int) throws -> Event {
        do {
            return try Event(json: try JSONReader.parse(line))
        } catch {
            throw RegistryError.corruptFile(path: path, reason: "line \(number) is not a valid event")
        }
    }

    func events() throws -> [Event] {
        try lines().lines.enumerated().map { index, line in try decode(line, number: index + 1) }
    }

    func head() throws -> LogHead? {
        guard FileSystem.exists(headPath) else { return nil }
        do {
            return try CanonicalJSON.decoder().decode(LogHead.self, from: try FileSystem.read(headPath))
        } catch {
            throw RegistryError.corruptFile(path: headPath, reason: "it is not valid JSON")
        }
    }

    func writeHead(_ head: LogHead) throws {
        try FileSystem.writeAtomically(try CanonicalJSON.encode(head) + Data("\n".utf8), to: headPath)
    }

    /// Appends one event chained to `head`; returns the event and the new head. Caller holds the writer lock.
    func append(
        kind: String, actor: String, data: [String: String], record: VersionRecord?, at: Date, after head: LogHead
    ) throws -> (Event, LogHead) {
        let event = Event(
            seq: head.seq + 1, at: at, kind: kind, actor: actor, data: data, record: record, prev: head.sha256)
        let line = try CanonicalJSON.encode(event)
        try FileSystem.appendDurably(line + Data("\n".utf8), to: path)
        let newHead = LogHead(
            seq: event.seq, sha256: SHA256.hash(line).hex, offset: head.offset + line.count + 1,
            versions: head.versions + (record == nil ? 0 : 1))
        return (event, newHead)
    }
}
