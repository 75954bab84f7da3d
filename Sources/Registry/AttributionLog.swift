// The serving attribution log: one line per answered request naming the version that served it, with a
// sidecar hash index so that finding one request costs the same at a thousand or ten million records, and
// unique request ids. Its records are in RequestRecord.swift; retention and late labels in
// AttributionLog+Labels.swift.
import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#endif

/// The log (`requests/log.jsonl`, the truth) and its index (`requests/index.bin`, derived, rebuildable).
///
/// The index is an open-addressing table of 8-byte slots: the top 24 bits of the id's hash as a tag and the
/// 40-bit log offset (+1, so 0 means empty). A lookup reads a few slots and one log line, whatever the
/// log's size. Its header records how many log bytes it covers; lines past that are found by a scan of
/// the tail, and the next append indexes them (a crash between log append and index update). The header
/// also names the log file (its inode): retention rewrites the log, and an index of the old file is ignored.
public struct AttributionLog: Sendable {
    public let folder: String
    var logPath: String { folder + "/log.jsonl" }
    var indexPath: String { folder + "/index.bin" }
    var lockPath: String { folder + "/lock" }
    var feedbackPath: String { folder + "/feedback.jsonl" }

    static let magic: UInt64 = 0x3230_5844_4952_4C52  // "RLRIDX02"
    static let headerSize = 40
    static let initialCapacity = 1 << 16

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
        if durable {
            try FileSystem.appendDurably(batch, to: logPath)
        } else {
            try FileSystem.append(batch, to: logPath)
        }
        for line in lines {
            try insert(&index, hash: AttributionLog.hash(line.id), offset: start + line.relativeOffset)
        }
        index.covered = start + batch.count
        try writeHeader(index)
        return true
    }

    struct IndexHandle {
        var descriptor: Int32
        var capacity: Int
        var count: Int
        var covered: Int
        /// The inode of the log file this index describes.
        var logInode: UInt64
    }

    private func openIndexForWriting() throws -> IndexHandle {
        // The index is derived from the log: one that does not open is rebuilt, never trusted.
        if let handle = try? openIndex(writable: true, logInode: inode(of: logPath)) { return handle }
        return try rebuild(capacity: AttributionLog.initialCapacity)
    }

    /// The index, when it is whole and describes the log file with `logInode`.
    private func openIndex(writable: Bool, logInode: UInt64) throws -> IndexHandle? {
        let descriptor = open(indexPath, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var header = [UInt64](repeating: 0, count: AttributionLog.headerSize / 8)
        let read = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, AttributionLog.headerSize, 0) }
        let capacity = Int(header[1])
        var info = stat()
        guard read == AttributionLog.headerSize, header[0] == AttributionLog.magic, capacity > 0,
            capacity & (capacity - 1) == 0, fstat(descriptor, &info) == 0,
            Int(info.st_size) == AttributionLog.headerSize + capacity * 8, header[4] == logInode
        else {
            close(descriptor)
            return nil
        }
        return IndexHandle(
            descriptor: descriptor, capacity: capacity, count: Int(header[2]), covered: Int(header[3]),
            logInode: header[4])
    }

    private func writeHeader(_ index: IndexHandle) throws {
        let header: [UInt64] = [
            AttributionLog.magic, UInt64(index.capacity), UInt64(index.count), UInt64(index.covered), index.logInode,
        ]
        let written = header.withUnsafeBytes { pwrite(index.descriptor, $0.baseAddress, AttributionLog.headerSize, 0) }
        guard written == AttributionLog.headerSize else {
            throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText())
        }
    }

    /// Indexes log lines between what the index covers and `end` (left by a crash after a log append).
    private func catchUp(_ index: inout IndexHandle, upTo end: Int) throws {
        guard index.covered < end else { return }
        let data = try FileSystem.read(logPath)
        var pending: [(UInt64, Int)] = []
        EventLogLines.forEach(in: data, from: index.covered, upTo: end) { line, offset in
            if let id = AttributionLog.id(in: line) { pending.append((AttributionLog.hash(id), offset)) }
        }
        if (index.count + pending.count) * 4 > index.capacity * 3 {
            index = try grow(index, to: index.capacity * 2)
        }
        for (hash, offset) in pending { try insert(&index, hash: hash, offset: offset) }
        index.covered = end
    }

    private func insert(_ index: inout IndexHandle, hash: UInt64, offset: Int) throws {
        var position = AttributionLog.slot(hash, capacity: index.capacity)
        while true {
            var value: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &value) {
                pread(index.descriptor, $0.baseAddress, 8, off_t(AttributionLog.headerSize + position * 8))
            }
            if value == 0 { break }
            position = (position + 1) & (index.capacity - 1)
        }
        var value = AttributionLog.slotValue(hash: hash, offset: offset)
        let written = withUnsafeBytes(of: &value) {
            pwrite(index.descriptor, $0.baseAddress, 8, off_t(AttributionLog.headerSize + position * 8))
        }
        guard written == 8 else { throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText()) }
        index.count += 1
    }

    /// A larger table built from the old one's slots (their tags give the new home slots), or from the log
    /// when the table would outgrow the 24-bit tags.
    private func grow(_ index: IndexHandle, to capacity: Int) throws -> IndexHandle {
        defer { close(index.descriptor) }
        guard capacity <= 1 << 24 else { return try rebuild(capacity: capacity) }
        // Both tables are memory-mapped files, so growing a large index costs page cache, not heap.
        let oldSize = AttributionLog.headerSize + index.capacity * 8
        let newSize = AttributionLog.headerSize + capacity * 8
        let temp = folder + "/.index-\(UUID().uuidString)"
        let descriptor = open(temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText()) }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(newSize)) == 0,
            let old = mmap(nil, oldSize, PROT_READ, MAP_SHARED, index.descriptor, 0), old != MAP_FAILED,
            let new = mmap(nil, newSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), new != MAP_FAILED
        else {
            unlink(temp)
            throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText())
        }
        let shift = 24 - capacity.trailingZeroBitCount
        let oldSlots = (old + AttributionLog.headerSize).assumingMemoryBound(to: UInt64.self)
        let newSlots = (new + AttributionLog.headerSize).assumingMemoryBound(to: UInt64.self)
        for slotIndex in 0..<index.capacity {
            let value = oldSlots[slotIndex]
            guard value != 0 else { continue }
            var position = Int(value >> 40) >> shift
            while newSlots[position] != 0 { position = (position + 1) & (capacity - 1) }
            newSlots[position] = value
        }
        let header = new.assumingMemoryBound(to: UInt64.self)
        header[0] = AttributionLog.magic
        header[1] = UInt64(capacity)
        header[2] = UInt64(index.count)
        header[3] = UInt64(index.covered)
        header[4] = index.logInode
        let synced = msync(new, newSize, MS_SYNC) == 0
        munmap(old, oldSize)
        munmap(new, newSize)
        do {
            guard synced else { throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText()) }
            try FileSystem.moveIntoPlace(temp, to: indexPath)
        } catch {
            unlink(temp)
            throw error
        }
        guard let handle = try openIndex(writable: true, logInode: index.logInode) else {
            throw RegistryError.writeFailed(path: indexPath, reason: "the grown index could not be reopened")
        }
        return handle
    }

    func writeTable(_ table: [UInt64], count: Int, covered: Int, logInode: UInt64) throws {
        var file = Data()
        file.reserveCapacity(AttributionLog.headerSize + table.count * 8)
        for word in [AttributionLog.magic, UInt64(table.count), UInt64(count), UInt64(covered), logInode] {
            withUnsafeBytes(of: word) { file.append(contentsOf: $0) }
        }
        table.withUnsafeBytes { file.append(contentsOf: $0) }
        try FileSystem.makeFolder(folder)
        try FileSystem.writeAtomically(file, to: indexPath)
    }

    /// Rebuilds the index from the log alone into a table of at least `capacity` slots.
    private func rebuild(capacity: Int) throws -> IndexHandle {
        let logInode = inode(of: logPath)
        let data = FileSystem.exists(logPath) ? try FileSystem.read(logPath) : Data()
        let (table, count, end) = AttributionLog.table(for: data, capacity: capacity)
        try writeTable(table, count: count, covered: end, logInode: logInode)
        guard let handle = try openIndex(writable: true, logInode: logInode) else {
            throw RegistryError.writeFailed(path: indexPath, reason: "the rebuilt index could not be reopened")
        }
        return handle
    }

    /// The slot table of a log's bytes: slots, how many requests, and the end of the last whole line.
    static func table(for data: Data, capacity: Int) -> ([UInt64], Int, Int) {
        var entries: [(UInt64, Int)] = []
        let end = EventLogLines.forEach(in: data, from: 0, upTo: data.count) { line, offset in
            if let id = AttributionLog.id(in: line) { entries.append((AttributionLog.hash(id), offset)) }
        }
        var size = max(capacity, AttributionLog.initialCapacity)
        while entries.count * 4 > size * 3 { size *= 2 }
        var table = [UInt64](repeating: 0, count: size)
        for (hash, offset) in entries {
            var position = AttributionLog.slot(hash, capacity: size)
            while table[position] != 0 { position = (position + 1) & (size - 1) }
            table[position] = AttributionLog.slotValue(hash: hash, offset: offset)
        }
        return (table, entries.count, end)
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
        // An index of another log file (retention rewrote it meanwhile) is ignored: the scan below is right.
        guard let index = try openIndex(writable: false, logInode: UInt64(info.st_ino)) else {
            return try scan(for: id, log: log, from: 0)
        }
        defer { close(index.descriptor) }
        return try find(id, index: index, log: log)
    }

    /// The record with `id` through the index, then through the tail the index does not cover yet.
    private func find(_ id: String, index: IndexHandle, log: Int32) throws -> RequestRecord? {
        let hash = AttributionLog.hash(id)
        var position = AttributionLog.slot(hash, capacity: index.capacity)
        for _ in 0..<index.capacity {
            var value: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &value) {
                pread(index.descriptor, $0.baseAddress, 8, off_t(AttributionLog.headerSize + position * 8))
            }
            if value == 0 { break }
            if value >> 40 == hash >> 40, let record = try readRecord(log, offset: Int(value & 0xFF_FFFF_FFFF) - 1),
                record.id == id
            {
                return record
            }
            position = (position + 1) & (index.capacity - 1)
        }
        return try scan(for: id, log: log, from: index.covered)
    }

    /// Scans the log from `start` for `id` (the unindexed tail, or the whole log without an index).
    private func scan(for id: String, log: Int32, from start: Int) throws -> RequestRecord? {
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

    private func readRecord(_ descriptor: Int32, offset: Int) throws -> RequestRecord? {
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
        let snapshot = try? withLock(exclusive: false) { () -> (Int32, Int, IndexHandle?) in
            let log = open(logPath, O_RDONLY | O_CLOEXEC)
            guard log >= 0 else { throw RegistryError.unreadable(path: logPath, reason: FileSystem.errnoText()) }
            var info = stat()
            fstat(log, &info)
            let index = try openIndex(writable: false, logInode: UInt64(info.st_ino))
            if let index { close(index.descriptor) }
            return (log, Int(info.st_size), index)
        }
        guard let (log, size, index) = snapshot else { return ["requests/log.jsonl is unreadable."] }
        defer { close(log) }
        guard let data = try? readBytes(log, from: 0, upTo: size) else { return ["requests/log.jsonl is unreadable."] }
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

    static func hash(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // Finalise so that both the top bits (the tag) and the low bits (the slot) are well mixed.
        hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
        hash = (hash ^ (hash >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return hash ^ (hash >> 33)
    }

    /// The home slot: the top bits of the hash. The slot keeps the top 24 bits as its tag, so a table of up
    /// to 2^24 slots can be regrown from its own slots without reading the log.
    static func slot(_ hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: hash >> UInt64(64 - capacity.trailingZeroBitCount))
    }

    static func slotValue(hash: UInt64, offset: Int) -> UInt64 {
        (hash >> 40) << 40 | (UInt64(offset + 1) & 0xFF_FFFF_FFFF)
    }

    /// The id field of a canonical record line, without decoding the rest.
    static func id(in line: Data) -> String? {
        // A line that does not parse has no id to index; `verify` reports it as damage.
        guard let object = try? JSONReader.parse(line) else { return nil }
        return object["id"]?.string
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

    private func fileSize(_ path: String) -> Int {
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
