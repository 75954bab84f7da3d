// The attribution log's sidecar index (`requests/index.bin`): an open-addressing table of 8-byte slots (the
// top 24 bits of the id's hash as a tag, the 40-bit log offset + 1, so 0 means empty), kept in step with the
// log by every append, rebuilt from the log whenever it does not describe it.
//
// Which log an index describes is a matter of content, not of the file: the header records how many log bytes
// it covers and a running FNV-1a fingerprint of exactly those bytes. A workspace copied with `cp -a` or through
// tar keeps a valid index (same bytes, new inode), and a log that retention rewrote does not (its bytes
// changed). The log's inode is kept beside the fingerprint only as a shortcut: while it matches, nothing has
// replaced the file and the fingerprint need not be recomputed (a rewrite is a rename of a new file, so it
// always brings a new inode); when it does not match, the fingerprint decides, and the next writer stamps the
// new inode.
import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#endif

extension AttributionLog {
    /// "RLRIDX03": magic, capacity, count, covered, log inode, fingerprint; the table follows at 48.
    static let magic: UInt64 = 0x3330_5844_4952_4C52
    static let headerSize = 48
    /// "RLRIDX02", the format before the fingerprint (40-byte header): read while its inode matches, and
    /// replaced by the next writer.
    static let magicV2: UInt64 = 0x3230_5844_4952_4C52
    static let headerSizeV2 = 40
    static let initialCapacity = 1 << 16
    static let fingerprintSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    struct IndexHandle {
        var descriptor: Int32
        var capacity: Int
        var count: Int
        var covered: Int
        /// The inode of the log file last seen with this index (a shortcut, see the file's header comment).
        var logInode: UInt64
        /// FNV-1a of the log's first `covered` bytes; nil for an index of the older format.
        var fingerprint: UInt64?
        /// Where the slot table starts.
        var base: Int
    }

    /// FNV-1a over `bytes`, continued from `state`, so an append extends the fingerprint of what came before.
    static func fingerprint(_ bytes: some ContiguousBytes, from state: UInt64 = fingerprintSeed) -> UInt64 {
        bytes.withUnsafeBytes { buffer in
            var hash = state
            for byte in buffer {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            return hash
        }
    }

    /// Whether `index` describes a log whose inode is `inode` and whose bytes are `data` (read lazily: only
    /// when the inode differs, as after a copy).
    static func index(_ index: IndexHandle, describes inode: UInt64, data: () throws -> Data?) rethrows -> Bool {
        if index.logInode == inode { return true }
        guard let fingerprint = index.fingerprint, let data = try data(), index.covered <= data.count else {
            return false
        }
        return AttributionLog.fingerprint(data.prefix(index.covered)) == fingerprint
    }

    func openIndexForWriting() throws -> IndexHandle {
        let inode = inode(of: logPath)
        // The index is derived from the log: one that does not open or describe it is rebuilt, never trusted.
        if var index = openIndex(writable: true) {
            if index.fingerprint != nil, index.covered <= fileSize(logPath),
                try AttributionLog.index(
                    index, describes: inode,
                    data: { FileSystem.exists(logPath) ? try FileSystem.read(logPath) : Data() })
            {
                if index.logInode != inode {
                    index.logInode = inode
                    try writeHeader(index)
                }
                return index
            }
            close(index.descriptor)
        }
        return try rebuild(capacity: AttributionLog.initialCapacity)
    }

    /// The index, when its header and table are whole; whether it describes the log is `index(_:describes:)`'s
    /// question. An index of the older format opens read-only only.
    func openIndex(writable: Bool) -> IndexHandle? {
        let descriptor = open(indexPath, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var header = [UInt64](repeating: 0, count: AttributionLog.headerSize / 8)
        let read = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, AttributionLog.headerSize, 0) }
        let current = header[0] == AttributionLog.magic && read == AttributionLog.headerSize
        let older = !writable && header[0] == AttributionLog.magicV2 && read >= AttributionLog.headerSizeV2
        let base = current ? AttributionLog.headerSize : AttributionLog.headerSizeV2
        let capacity = Int(header[1])
        var info = stat()
        guard current || older, capacity > 0, capacity & (capacity - 1) == 0, fstat(descriptor, &info) == 0,
            Int(info.st_size) == base + capacity * 8
        else {
            close(descriptor)
            return nil
        }
        return IndexHandle(
            descriptor: descriptor, capacity: capacity, count: Int(header[2]), covered: Int(header[3]),
            logInode: header[4], fingerprint: current ? header[5] : nil, base: base)
    }

    func writeHeader(_ index: IndexHandle) throws {
        let header: [UInt64] = [
            AttributionLog.magic, UInt64(index.capacity), UInt64(index.count), UInt64(index.covered), index.logInode,
            index.fingerprint ?? 0,
        ]
        let written = header.withUnsafeBytes { pwrite(index.descriptor, $0.baseAddress, AttributionLog.headerSize, 0) }
        guard written == AttributionLog.headerSize else {
            throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText())
        }
    }

    /// Indexes log lines between what the index covers and `end` (left by a crash after a log append).
    func catchUp(_ index: inout IndexHandle, upTo end: Int) throws {
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
        index.fingerprint = AttributionLog.fingerprint(
            data[index.covered..<end], from: index.fingerprint ?? AttributionLog.fingerprintSeed)
        index.covered = end
    }

    func insert(_ index: inout IndexHandle, hash: UInt64, offset: Int) throws {
        var position = AttributionLog.slot(hash, capacity: index.capacity)
        while true {
            var value: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &value) {
                pread(index.descriptor, $0.baseAddress, 8, off_t(index.base + position * 8))
            }
            if value == 0 { break }
            position = (position + 1) & (index.capacity - 1)
        }
        var value = AttributionLog.slotValue(hash: hash, offset: offset)
        let written = withUnsafeBytes(of: &value) {
            pwrite(index.descriptor, $0.baseAddress, 8, off_t(index.base + position * 8))
        }
        guard written == 8 else { throw RegistryError.writeFailed(path: indexPath, reason: FileSystem.errnoText()) }
        index.count += 1
    }

    /// A larger table built from the old one's slots (their tags give the new home slots), or from the log
    /// when the table would outgrow the 24-bit tags.
    func grow(_ index: IndexHandle, to capacity: Int) throws -> IndexHandle {
        defer { close(index.descriptor) }
        guard capacity <= 1 << 24 else { return try rebuild(capacity: capacity) }
        // Both tables are memory-mapped files, so growing a large index costs page cache, not heap.
        let oldSize = index.base + index.capacity * 8
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
        let oldSlots = (old + index.base).assumingMemoryBound(to: UInt64.self)
        let newSlots = (new + AttributionLog.headerSize).assumingMemoryBound(to: UInt64.self)
        for slotIndex in 0..<index.capacity {
            let value = oldSlots[slotIndex]
            guard value != 0 else { continue }
            var position = Int(value >> 40) >> shift
            while newSlots[position] != 0 { position = (position + 1) & (capacity - 1) }
            newSlots[position] = value
        }
        let header = new.assumingMemoryBound(to: UInt64.self)
        for (word, value) in [
            AttributionLog.magic, UInt64(capacity), UInt64(index.count), UInt64(index.covered), index.logInode,
            index.fingerprint ?? 0,
        ].enumerated() {
            header[word] = value
        }
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
        guard let handle = openIndex(writable: true), handle.logInode == index.logInode else {
            throw RegistryError.writeFailed(path: indexPath, reason: "the grown index could not be reopened")
        }
        return handle
    }

    func writeTable(_ table: [UInt64], count: Int, covered: Int, logInode: UInt64, fingerprint: UInt64) throws {
        var file = Data()
        file.reserveCapacity(AttributionLog.headerSize + table.count * 8)
        for word in [AttributionLog.magic, UInt64(table.count), UInt64(count), UInt64(covered), logInode, fingerprint] {
            withUnsafeBytes(of: word) { file.append(contentsOf: $0) }
        }
        table.withUnsafeBytes { file.append(contentsOf: $0) }
        try FileSystem.makeFolder(folder)
        try FileSystem.writeAtomically(file, to: indexPath)
    }

    /// Rebuilds the index from the log alone into a table of at least `capacity` slots.
    func rebuild(capacity: Int) throws -> IndexHandle {
        let logInode = inode(of: logPath)
        let data = FileSystem.exists(logPath) ? try FileSystem.read(logPath) : Data()
        let (table, count, end) = AttributionLog.table(for: data, capacity: capacity)
        try writeTable(
            table, count: count, covered: end, logInode: logInode,
            fingerprint: AttributionLog.fingerprint(data.prefix(end)))
        guard let handle = openIndex(writable: true), handle.logInode == logInode else {
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

    /// The record with `id` through the index, then through the tail the index does not cover yet.
    func find(_ id: String, index: IndexHandle, log: Int32) throws -> RequestRecord? {
        let hash = AttributionLog.hash(id)
        var position = AttributionLog.slot(hash, capacity: index.capacity)
        for _ in 0..<index.capacity {
            var value: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &value) {
                pread(index.descriptor, $0.baseAddress, 8, off_t(index.base + position * 8))
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
}
