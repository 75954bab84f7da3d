// The attribution log: every request found by id however large the log, even after crashes or a lost index.
import Foundation
import Hashing
import Registry
import Testing

@Suite struct AttributionLogTests {
    func record(_ id: String, version: String = String(repeating: "a", count: 64)) -> RequestRecord {
        RequestRecord(
            id: id, at: Date(timeIntervalSince1970: 1_795_000_000), version: version, seed: 7,
            input: "where is my order",
            inputSHA256: "in", output: "{\"intent\":\"order_status\"}", outputSHA256: "out", satisfied: true,
            source: "traffic", caseID: "c1", latencyMicros: 40)
    }

    @Test func everyRequestIsFoundAfterManyBatches() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        for batch in 0..<50 {
            try log.append((0..<1000).map { record("req-\(batch)-\($0)") })
        }
        for batch in stride(from: 0, to: 50, by: 7) {
            #expect(try log.lookup("req-\(batch)-\(batch * 13)")?.id == "req-\(batch)-\(batch * 13)")
        }
        #expect(try log.lookup("req-absent") == nil)
        #expect(try log.recent(limit: 3).map(\.id) == ["req-49-997", "req-49-998", "req-49-999"])
        #expect(log.verify().isEmpty)
    }

    @Test func aLostIndexFallsBackAndIsRebuilt() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append((0..<100).map { record("req-\($0)") })
        try FileManager.default.removeItem(atPath: folder.path + "/requests/index.bin")
        #expect(try log.lookup("req-42")?.id == "req-42")
        #expect(log.verify().contains { $0.contains("--repair-index") })
        #expect(try log.rebuildIndex() == 100)
        #expect(log.verify().isEmpty)
        #expect(try log.lookup("req-99")?.id == "req-99")
    }

    @Test func anUnindexedTailAndATornLineAreHandled() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append([record("req-1")])
        // A crash after the log append but before the index update leaves an unindexed line…
        let line = String(decoding: try CanonicalJSONLine.encode(record("req-2")), as: UTF8.self)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path + "/requests/log.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        // …and a crash mid-write leaves a torn line.
        try handle.write(contentsOf: Data("{\"id\":\"req-tor".utf8))
        try handle.close()
        #expect(try log.lookup("req-2")?.id == "req-2")
        try log.append([record("req-3")])
        #expect(try log.lookup("req-3")?.id == "req-3")
        #expect(try log.lookup("req-2")?.id == "req-2")
        #expect(log.verify().isEmpty)
    }

    @Test func badIDsAreRefused() throws {
        let folder = try TemporaryFolder()
        #expect(throws: RegistryError.self) {
            try AttributionLog(registryRoot: folder.path).append([record("has space")])
        }
    }
}

enum CanonicalJSONLine {
    static func encode(_ record: RequestRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(from: date))
        }
        return try encoder.encode(record)
    }
}
