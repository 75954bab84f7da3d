// The serving attribution log: one line per answered request naming the version that served it, with a
// sidecar hash index so that finding one request costs the same at a thousand or ten million records, and
// unique request ids. Its records are in RequestRecord.swift; retention and late labels in
// AttributionLog+Labels.swift.
import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#endif

/// The log (`requests/log.jsonl`, the truth) and its index (`requests/index.bin`, derived, rebuildable; see
/// AttributionLog+Index.swift).
///
/// A lookup reads a few slots and one log line, whatever the log's size. The index's header records how many
/// log bytes it covers and a fingerprint of them; lines past that are found by a scan of the tail, and the
/// next append indexes them (a crash between log append and index update). Retention rewrites the log, and
/// an index of the old bytes is ignored; a copy of the workspace keeps its index.
public struct AttributionLog: Sendable {
    public let folder: String
    var logPath: String { folder + "/log.jsonl" }
    var indexPath: String { folder + "/index.bin" }
    var lockPath: String { folder + "/lock" }
    var feedbackPath: String { folder + "/feedback.jsonl" }

    public init(registryRoot: String) { folder = registryRoot + "/requests" }

    public static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "req-" + String(format: "%016llx", generator.next() as UInt64)
    }

    // MARK: Writing

    /// Appends the batch with one write and one fsync, then indexes it, under the log's own lock (not the
    /// registry's writer lock, so serving never waits for a tag move).
    public func append(_ records: [RequestRecord]) throws { try append(records, durable: true) }

    /// `durable: false` skips the fsync (the lines are visible to readers at once); a service answering each
    /// request as it comes calls `sync()` periodically and on shutdown instead.
    public func append(_ records: [RequestRecord], durable: Bool) throws {
        _ = try append(records, durable: durable, unique: false)
    }

    /// Appends one record unless a request with its id is already in the log (checked under the log's lock,
    /// so two writers cannot both claim an id). Returns false, writing nothing, for a taken id: a client
    /// choosing its `X-Request-Id` must not shadow another request's audit record.
    public func appendIfNew(_ record: RequestRecord, durable: Bool) throws -> Bool {
        try append([record], durable: durable, unique: true)
    }

    private func append(_ records: [RequestRecord], durable: Bool, unique: Bool) throws -> Bool {
        guard !records.isEmpty else { return true }
        for record in records where !RequestRecord.isValidID(record.id) {
            throw RegistryError.corruptFile(
                path: logPath, reason: "request id '\(record.id)' is not 1–128 printable characters")
        }
        try FileSystem.makeFolder(folder)
        let lock = try WriterLock(path: lockPath)
        defer { withExtendedLifetime(lock) {} }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 512)
        var lines: [(id: String, relativeOffset: Int)] = []
        for record in records {
            lines.append((record.id, bytes.count))
            record.canonicalLine(into: &bytes)
            bytes.append(0x0A)
        }
        let batch = Data(bytes)
        var start = fileSize(logPath)
        if start > 0, try lastByte(of: logPath, size: start) != 0x0A {
            // A torn final line was never acknowledged: drop it before appending.
            let data = try FileSystem.read(logPath)
            let end = (data.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
            try FileSystem.truncate(logPath, to: end)
            start = end
        }
        if start == 0, !FileSystem.exists(logPath) { try FileSystem.append(Data(), to: logPath) }
        var index = try openIndexForWriting()
        defer { close(index.descriptor) }
        try catchUp(&index, upTo: start)
        if unique {
            let log = open(logPath, O_RDONLY | O_CLOEXEC)
            guard log >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
            defer { close(log) }
            for record in records where try find(record.id, index: index, log: log) != nil { return false }
        }
        if (index.count + lines.count) * 4 > index.capacity * 3 {
            // Grow before appending: a rebuild from the log must not yet see this batch.
            var capacity = index.capacity * 2
            while (index.count + lines.count) * 4 > capacity * 3 { capacity *= 2 }
            index = try grow(index, to: capacity)
        }
        do {
            if durable {
                try FileSystem.appendDurably(batch, to: logPath)
            } else {
                try FileSystem.append(batch, to: logPath)
            }
        } catch {
            // A batch that failed to write, or to reach the disk, was never acknowledged: take it back out, so
            // the error saying it was not recorded stays true and no later reader audits it.
            try? FileSystem.truncate(logPath, to: start)
            throw error
        }
        for line in lines {
            try insert(&index, hash: AttributionLog.hash(line.id), offset: start + line.relativeOffset)
        }
        index.fingerprint = AttributionLog.fingerprint(batch, from: index.fingerprint ?? AttributionLog.fingerprintSeed)
        index.covered = start + batch.count
        try writeHeader(index)
        return true
    }

    /// Flushes appended lines to disk.
    public func sync() {
        let descriptor = open(logPath, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Rebuilds the index from the log (`fsck --repair-index`); returns how many requests it indexed.
    @discardableResult
    public func rebuildIndex() throws -> Int {
        let lock = try WriterLock(path: lockPath)
        defer { withExtendedLifetime(lock) {} }
        let handle = try rebuild(capacity: AttributionLog.initialCapacity)
        close(handle.descriptor)
        return handle.count
    }

    // MARK: Reading

    /// Finds a request by id in constant time; nil when the log has no such request.
    public func lookup(_ id: String) throws -> RequestRecord? {
        guard RequestRecord.isValidID(id), FileSystem.exists(logPath) else { return nil }
        let log = open(logPath, O_RDONLY | O_CLOEXEC)
        guard log >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
        defer { close(log) }
        var info = stat()
        fstat(log, &info)
        // An index last stamped with another log file is not used: retention may have rewritten the log
        // meanwhile, or the workspace was copied (then the next append checks its content and stamps it). The
        // scan below is right either way.
        guard let index = openIndex(writable: false) else { return try scan(for: id, log: log, from: 0) }
        defer { close(index.descriptor) }
        guard index.logInode == UInt64(info.st_ino) else { return try scan(for: id, log: log, from: 0) }
        return try find(id, index: index, log: log)
    }

    /// Scans the log from `start` for `id` (the unindexed tail, or the whole log without an index).
    func scan(for id: String, log: Int32, from start: Int) throws -> RequestRecord? {
        var info = stat()
        guard fstat(log, &info) == 0, Int(info.st_size) > start else { return nil }
        let data = try readBytes(log, from: start, upTo: Int(info.st_size))
        let needle = Data("\"id\":\"\(id)\"".utf8)
        var found: RequestRecord?
        try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            guard found == nil, line.range(of: needle) != nil, let record = try decode(line, offset: start + offset),
                record.id == id
            else { return }
            found = record
        }
        return found
    }

    private func readBytes(_ descriptor: Int32, from start: Int, upTo end: Int) throws -> Data {
        guard end > start else { return Data() }
        var buffer = [UInt8](repeating: 0, count: end - start)
        var done = 0
        while done < buffer.count {
            let count = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress.map { $0 + done }, $0.count - done, off_t(start + done))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        return Data(buffer[0..<done])
    }

    func readRecord(_ descriptor: Int32, offset: Int) throws -> RequestRecord? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var line = Data()
        var position = offset
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            guard count > 0 else { return nil }
            if let newline = buffer[0..<count].firstIndex(of: 0x0A) {
                line.append(contentsOf: buffer[0..<newline])
                break
            }
            line.append(contentsOf: buffer[0..<count])
            position += count
        }
        return try decode(line, offset: offset)
    }

    func decode(_ line: Data, offset: Int) throws -> RequestRecord? {
        do {
            return try CanonicalJSON.decoder().decode(RequestRecord.self, from: line)
        } catch {
            throw RegistryError.corruptFile(
                path: logPath,
                reason: "the line at byte \(offset) is not a request record; run 'LabRunner fsck --repair-index'")
        }
    }

    /// The last `limit` requests, oldest first, reading only the end of the log.
    public func recent(limit: Int) throws -> [RequestRecord] {
        guard FileSystem.exists(logPath), limit > 0 else { return [] }
        let descriptor = open(logPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
        defer { close(descriptor) }
        let size = fileSize(logPath)
        var window = min(size, 4096 * max(1, limit))
        while true {
            var buffer = [UInt8](repeating: 0, count: window)
            let count = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress, window, off_t(size - window))
            }
            let data = Data(buffer[0..<max(0, count)])
            var lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
            if window < size { lines = Array(lines.dropFirst()) }
            if data.last != 0x0A, !lines.isEmpty { lines.removeLast() }
            if lines.count >= limit || window == size {
                return try lines.suffix(limit).map { line in
                    guard let record = try decode(Data(line), offset: 0) else {
                        throw RegistryError.unreadable(path: logPath, reason: "a damaged line")
                    }
                    return record
                }
            }
            window = min(size, window * 2)
        }
    }

    /// Every request in order; `body` returns false to stop.
    public func forEach(_ body: (RequestRecord) throws -> Bool) throws {
        guard FileSystem.exists(logPath) else { return }
        let data = try FileSystem.read(logPath)
        var stop = false
        try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            guard !stop, let record = try decode(line, offset: offset) else { return }
            stop = !(try body(record))
        }
    }

    /// Records appended since `cursor`, and the cursor to read on from. A retention rewrite of the log (a new
    /// file) starts over from its beginning and says so with `restarted`, so a reader rebuilds what it keeps.
    public func read(after cursor: LogCursor) throws -> (records: [RequestRecord], cursor: LogCursor, restarted: Bool) {
        guard FileSystem.exists(logPath) else { return ([], cursor, false) }
        let log = open(logPath, O_RDONLY | O_CLOEXEC)
        guard log >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
        defer { close(log) }
        var info = stat()
        guard fstat(log, &info) == 0 else { return ([], cursor, false) }
        let inode = UInt64(info.st_ino)
        let restarted = cursor.inode != 0 && cursor.inode != inode
        let start = restarted || cursor.inode == 0 ? 0 : cursor.offset
        let data = try readBytes(log, from: start, upTo: Int(info.st_size))
        var records: [RequestRecord] = []
        let end = try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            if let record = try decode(line, offset: start + offset) { records.append(record) }
        }
        var next = LogCursor()
        next.inode = inode
        next.offset = start + end
        return (records, next, restarted)
    }

    /// Problems with the log or its index, one sentence each naming the file and the way out.
    ///
    /// It reads a consistent snapshot while `serve` keeps appending: under the log's lock (held only for the
    /// moment it takes to open both files) it pins the log file and reads the index header; then it reads the
    /// log through that descriptor up to the size it had, so later appends and rewrites cannot show as damage.
    public func verify() -> [String] {
        guard FileSystem.exists(logPath) else { return [] }
        var problems: [String] = []
        // A checker: what does not read here becomes one of the problems it returns.
        let snapshot = try? withLock(exclusive: false) { () -> (Int32, Int, UInt64, IndexHandle?) in
            let log = open(logPath, O_RDONLY | O_CLOEXEC)
            guard log >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
            var info = stat()
            fstat(log, &info)
            let index = openIndex(writable: false)
            if let index { close(index.descriptor) }
            return (log, Int(info.st_size), UInt64(info.st_ino), index)
        }
        guard let (log, size, inode, found) = snapshot else { return ["requests/log.jsonl is unreadable."] }
        defer { close(log) }
        guard let data = try? readBytes(log, from: 0, upTo: size) else { return ["requests/log.jsonl is unreadable."] }
        // Keyed by content: a copied workspace's index describes its log's bytes as well as the original's.
        let index = found.flatMap { AttributionLog.index($0, describes: inode, data: { data }) ? $0 : nil }
        var number = 0
        var indexable = 0
        EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            number += 1
            if (try? CanonicalJSON.decoder().decode(RequestRecord.self, from: line)) == nil {
                problems.append("requests/log.jsonl line \(number) is not a request record.")
            }
            if let index, offset < index.covered, AttributionLog.id(in: line) != nil { indexable += 1 }
        }
        guard let index else {
            problems.append(
                "requests/index.bin is missing or damaged (lookups fall back to scanning); run 'LabRunner fsck --repair-index'."
            )
            return problems
        }
        if index.covered > data.count || index.count != indexable {
            problems.append(
                "requests/index.bin does not match requests/log.jsonl; run 'LabRunner fsck --repair-index'.")
        }
        return problems
    }

    // MARK: Helpers

    /// The id field of a canonical record line, without decoding the rest.
    static func id(in line: Data) -> String? {
        // A line that does not parse has no id to index; `verify` reports it as damage.
        guard let object = try? JSONReader.parse(line) else { return nil }
        return object["id"]?.string
    }

    /// Runs `body` holding the log's writer lock, so that no request is attributed meanwhile (gc plans and
    /// deletes inside it). Lock order: whoever also holds the registry's writer lock takes that one first, and
    /// nothing holding this lock ever waits for the registry's, so the two never deadlock.
    public func holdingWriterLock<T>(_ body: () throws -> T) throws -> T { try withLock(exclusive: true, body) }

    /// How many requests each version answered, by source (`http`, `traffic`, `canary`, …), in one pass that
    /// reads only the end of each line (where the canonical record keeps `source` and `version`).
    public func answeredByVersion() throws -> [String: [String: Int]] {
        guard FileSystem.exists(logPath) else { return [:] }
        let data = try FileSystem.read(logPath)
        var counts: [String: [String: Int]] = [:]
        try EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            if let (source, version) = AttributionLog.sourceAndVersion(in: line) {
                counts[version, default: [:]][source, default: 0] += 1
            } else if let record = try decode(line, offset: offset) {
                counts[record.version, default: [:]][record.source, default: 0] += 1
            }
        }
        return counts
    }

    /// `source` and `version` from the tail of a canonical record line (`…,"source":"S","version":"V"}`);
    /// nil when the line does not end that way or a value holds an escape, so the caller decodes it instead.
    static func sourceAndVersion(in line: Data) -> (String, String)? {
        let bytes = [UInt8](line.suffix(256))
        let versionKey = Array(#","version":""#.utf8)
        let sourceKey = Array(#""source":""#.utf8)
        guard bytes.count > 2, bytes[bytes.count - 1] == UInt8(ascii: "}"),
            bytes[bytes.count - 2] == UInt8(ascii: "\""),
            let versionStart = bytes[..<(bytes.count - 2)].lastIndex(of: UInt8(ascii: "\"")).map({ $0 + 1 }),
            versionStart >= versionKey.count,
            Array(bytes[(versionStart - versionKey.count)..<versionStart]) == versionKey
        else { return nil }
        let sourceEnd = versionStart - versionKey.count
        guard let sourceStart = bytes[..<sourceEnd].lastIndex(of: UInt8(ascii: "\"")).map({ $0 + 1 }),
            sourceStart >= sourceKey.count, Array(bytes[(sourceStart - sourceKey.count)..<sourceStart]) == sourceKey
        else { return nil }
        let source = bytes[sourceStart..<sourceEnd]
        let version = bytes[versionStart..<(bytes.count - 2)]
        guard !source.contains(UInt8(ascii: "\\")), !version.contains(UInt8(ascii: "\\")) else { return nil }
        return (String(decoding: source, as: UTF8.self), String(decoding: version, as: UTF8.self))
    }

    /// Runs `body` holding the log's lock: exclusive for writers, shared for a reader that needs a snapshot.
    func withLock<T>(exclusive: Bool, _ body: () throws -> T) throws -> T {
        try FileSystem.makeFolder(folder)
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RegistryError.lockFailed(path: lockPath, reason: FileSystem.errnoText())
        }
        defer { close(descriptor) }
        while flock(descriptor, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno == EINTR { continue }
            throw RegistryError.lockFailed(path: lockPath, reason: FileSystem.errnoText())
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    func inode(of path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private func lastByte(of path: String, size: Int) throws -> UInt8 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RegistryError.unreadable(path: path, reason: FileSystem.errnoText()) }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        _ = pread(descriptor, &byte, 1, off_t(size - 1))
        return byte
    }
}
