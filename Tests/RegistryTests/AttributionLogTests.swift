// The attribution log: every request found by id however large the log, even after crashes or a lost index;
// ids unique, inputs dropped after retention with their hash kept, one late label per request, and fsck's
// check consistent while a server appends.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Synchronization
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

    /// A batch whose write or fsync fails was never acknowledged: the error says so, and the log (and any
    /// later audit) does not hold it, whichever step failed.
    @Test func aBatchThatFailsToReachTheDiskIsNotInTheLog() throws {
        let count = try {
            let folder = try TemporaryFolder()
            let log = AttributionLog(registryRoot: folder.path)
            try log.append([record("req-first")])
            let plan = FaultPlan(failAt: nil)
            try FaultPlan.$current.withValue(plan) { try log.append([record("req-second")]) }
            return plan.steps.count
        }()
        for step in 1...count {
            let folder = try TemporaryFolder()
            let log = AttributionLog(registryRoot: folder.path)
            try log.append([record("req-first")])
            let failed =
                (try? FaultPlan.$current.withValue(FaultPlan(failAt: step)) {
                    try log.append([record("req-second")])
                }) == nil
            try log.append([record("req-third")])
            #expect((try log.lookup("req-second") != nil) == !failed, "step \(step) of \(count)")
            #expect(try log.recent(limit: 5).map(\.id).filter { $0 != "req-second" } == ["req-first", "req-third"])
            #expect(log.verify().isEmpty, "step \(step) of \(count)")
        }
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

    @Test func verifyReportsNoFalseProblemsWhileAServerAppends() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append([record("req-seed")])
        let done = Mutex(false)
        let writer = Thread {
            for n in 0..<3000 { try? log.append([self.record("req-w-\(n)")], durable: false) }
            done.withLock { $0 = true }
        }
        writer.start()
        var checks = 0
        var problems: [String] = []
        while !done.withLock({ $0 }) || checks < 5 {
            problems += log.verify()
            checks += 1
        }
        #expect(problems.isEmpty, "\(checks) checks during appends")
        #expect(try log.lookup("req-w-2999") != nil)
    }

    @Test func aTakenIdIsRefusedAndNothingIsWritten() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append((0..<10).map { record("req-\($0)") })
        var shadow = record("req-3")
        shadow.input = "a different question"
        #expect(try log.appendIfNew(shadow, durable: true) == false)
        #expect(try log.lookup("req-3")?.input == "where is my order")
        #expect(try log.appendIfNew(record("req-new"), durable: true))
        var count = 0
        try log.forEach { _ in
            count += 1
            return true
        }
        #expect(count == 11)
    }

    @Test func retentionDropsOldInputTextAndKeepsItsHash() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        let old = Date(timeIntervalSince1970: 1_795_000_000)
        try log.append(
            (0..<200).map { n in
                var entry = record("req-\(n)")
                entry.at = old.addingTimeInterval(Double(n) * 86_400 / 4)  // four a day over 50 days
                entry.inputSHA256 = SHA256.hash(entry.input).hex
                return entry
            })
        let now = old.addingTimeInterval(50 * 86_400)
        let cutoff = now.addingTimeInterval(-30 * 86_400)
        #expect(try log.dropInputs(answeredBefore: cutoff, now: now) == 80)
        let dropped = try #require(try log.lookup("req-5"))
        #expect(dropped.input.isEmpty && !dropped.hasInput && dropped.inputDroppedAt == now)
        #expect(dropped.inputSHA256 == SHA256.hash("where is my order").hex && dropped.version == record("x").version)
        #expect(try log.lookup("req-150")?.input == "where is my order")
        #expect(log.verify().isEmpty)
        // A second pass finds nothing to drop and leaves the file alone.
        let before = try FileManager.default.attributesOfItem(atPath: folder.path + "/requests/log.jsonl")
        #expect(try log.dropInputs(answeredBefore: cutoff, now: now) == 0)
        let after = try FileManager.default.attributesOfItem(atPath: folder.path + "/requests/log.jsonl")
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)
        // Appends after the rewrite are indexed against the new file.
        try log.append([record("req-after")])
        #expect(try log.lookup("req-after") != nil && log.verify().isEmpty)
    }

    @Test func aRequestTakesOneLateLabel() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append([record("req-1")])
        let at = Date(timeIntervalSince1970: 1_795_100_000)
        #expect(try log.recordFeedback(requestID: "req-nope", satisfied: true, at: at) == .unknownRequest)
        let first = FeedbackRecord(requestID: "req-1", satisfied: false, at: at, version: record("x").version)
        #expect(try log.recordFeedback(requestID: "req-1", satisfied: false, at: at) == .recorded(first))
        #expect(try log.recordFeedback(requestID: "req-1", satisfied: true, at: at) == .alreadyRecorded(first))
        #expect(try log.feedback() == ["req-1": first])
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
