// The attribution log over time: input retention (the text dropped, its SHA-256 kept) and late labels
// (`feedback.jsonl`, one per request).
public import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#endif

extension AttributionLog {
    /// Drops the input text of every request answered before `cutoff` that still has it, keeping its id, time,
    /// version, seed, output and the input's SHA-256 for ever; returns how many it dropped. The log is
    /// rewritten (temp file, fsync, rename) under its lock, and the index rebuilt for the new file.
    @discardableResult
    public func dropInputs(answeredBefore cutoff: Date, now: Date) throws -> Int {
        guard FileSystem.exists(logPath) else { return 0 }
        return try withLock(exclusive: true) {
            let data = try FileSystem.read(logPath)
            // Most runs find nothing to drop and must not rewrite the log.
            var dropped = 0
            var lines: [Data] = []
            // A torn final line was never acknowledged: it is left out of the rewrite.
            try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
                guard let record = try decode(line, offset: offset) else { return }
                if record.at < cutoff, record.hasInput {
                    var kept = record
                    kept.input = ""
                    kept.inputDroppedAt = now
                    var bytes: [UInt8] = []
                    kept.canonicalLine(into: &bytes)
                    lines.append(Data(bytes))
                    dropped += 1
                } else {
                    lines.append(line)
                }
            }
            guard dropped > 0 else { return 0 }
            var rewritten = Data()
            rewritten.reserveCapacity(data.count)
            for line in lines {
                rewritten.append(line)
                rewritten.append(0x0A)
            }
            let temp = folder + "/.log-\(UUID().uuidString)"
            do {
                try FileSystem.appendDurably(rewritten, to: temp)
                let logInode = inode(of: temp)
                try FileSystem.moveIntoPlace(temp, to: logPath)
                // Between the rename and the new index, readers see an index of the old inode and scan instead, and a
                // writer finds the old index's fingerprint no longer matches the rewritten bytes.
                let (table, count, covered) = AttributionLog.table(
                    for: rewritten, capacity: AttributionLog.initialCapacity)
                try writeTable(
                    table, count: count, covered: covered, logInode: logInode,
                    fingerprint: AttributionLog.fingerprint(rewritten.prefix(covered)))
            } catch {
                unlink(temp)
                throw error
            }
            return dropped
        }
    }

    // MARK: Late labels

    /// Records a late label for a request that is in the log, once: a second label for the same request is
    /// refused and the first one stands. Checked and appended under the log's lock.
    public func recordFeedback(requestID: String, satisfied: Bool, at: Date) throws -> FeedbackOutcome {
        guard let request = try lookup(requestID) else { return .unknownRequest }
        return try withLock(exclusive: true) {
            if let existing = try feedback()[requestID] { return .alreadyRecorded(existing) }
            let record = FeedbackRecord(requestID: requestID, satisfied: satisfied, at: at, version: request.version)
            var line = try CanonicalJSON.encode(record)
            line.append(0x0A)
            try FileSystem.appendDurably(line, to: feedbackPath)
            return .recorded(record)
        }
    }

    /// Every late label, by request id.
    public func feedback() throws -> [String: FeedbackRecord] {
        guard FileSystem.exists(feedbackPath) else { return [:] }
        let data = try FileSystem.read(feedbackPath)
        var labels: [String: FeedbackRecord] = [:]
        var number = 0
        try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, _ in
            number += 1
            let record: FeedbackRecord
            do {
                record = try CanonicalJSON.decoder().decode(FeedbackRecord.self, from: line)
            } catch {
                throw RegistryError.corruptFile(path: feedbackPath, reason: "line \(number) is not a feedback record")
            }
            if labels[record.requestID] == nil { labels[record.requestID] = record }
        }
        return labels
    }
}
