// The project's tar files (POSIX ustar): byte-stable archives for proof bundles and scenario exports, and
// a reader that treats every archive as hostile — regular files only, no path leaves the target folder,
// sizes and counts bounded, and a refused archive writes nothing.
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One regular file in an archive, named by a relative path with `/` separators.
public struct ArchiveEntry: Sendable, Equatable {
    public var path: String
    public var data: Data
    public var executable: Bool

    public init(path: String, data: Data, executable: Bool = false) {
        self.path = path
        self.data = data
        self.executable = executable
    }
}

/// What a reader accepts before it refuses an archive.
public struct ArchiveLimits: Sendable, Equatable {
    public var maxEntries: Int
    public var maxEntryBytes: Int
    public var maxTotalBytes: Int

    public init(maxEntries: Int = 20_000, maxEntryBytes: Int = 256 << 20, maxTotalBytes: Int = 1 << 30) {
        self.maxEntries = maxEntries
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
    }
}

public enum ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    case truncated(offset: Int)
    case badChecksum(offset: Int)
    case badField(field: String, offset: Int)
    case notUstar(offset: Int)
    case unsupportedMember(path: String, kind: String)
    case unsafePath(path: String, reason: String)
    case entryTooLarge(path: String, bytes: Int, limit: Int)
    case tooManyEntries(limit: Int)
    case totalTooLarge(limit: Int)
    case duplicate(path: String)
    case pathTooLong(path: String)
    case destinationNotEmpty(path: String)
    case unreadable(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            return
                "The archive ends in the middle of a member (at byte \(offset)); it is damaged, ask for a fresh copy."
        case .badChecksum(let offset):
            return "The archive's header at byte \(offset) fails its checksum; it is damaged, ask for a fresh copy."
        case .badField(let field, let offset):
            return "The archive's header at byte \(offset) has an unreadable \(field) field; it is damaged or was "
                + "not written by LabRunner."
        case .notUstar(let offset):
            return "The data at byte \(offset) is not a POSIX tar header; only archives written by LabRunner are read."
        case .unsupportedMember(let path, let kind):
            return "The archive member '\(path)' is a \(kind); archives may hold regular files only, so nothing was "
                + "written."
        case .unsafePath(let path, let reason):
            return "The archive member '\(path)' \(reason); it could write outside the target folder, so nothing was "
                + "written."
        case .entryTooLarge(let path, let bytes, let limit):
            return "The archive member '\(path)' is \(bytes) bytes, over the limit of \(limit); nothing was written."
        case .tooManyEntries(let limit):
            return "The archive holds more than \(limit) members, over the limit; nothing was written."
        case .totalTooLarge(let limit):
            return "The archive is larger than the limit of \(limit) bytes; nothing was written."
        case .duplicate(let path):
            return "The archive holds '\(path)' twice (or as both a file and a folder); nothing was written."
        case .pathTooLong(let path):
            return "The path '\(path)' is longer than a tar header can hold (255 bytes); shorten it."
        case .destinationNotEmpty(let path):
            return "\(path) already exists and is not empty; choose a new folder (or remove that one) and try again."
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .writeFailed(let path, let reason):
            return "Cannot write \(path): \(reason); nothing was left behind."
        }
    }
}

public enum Archive {
    static let block = 512

    // MARK: Writing

    /// A ustar archive of `entries` in the order given; the same entries always give the same bytes
    /// (times, owners and modes are fixed).
    public static func write(_ entries: [ArchiveEntry]) throws(ArchiveError) -> Data {
        var out = Data()
        var seen: Set<String> = []
        for entry in entries {
            try validate(entry.path)
            guard seen.insert(entry.path).inserted else { throw .duplicate(path: entry.path) }
            out.append(try header(for: entry))
            out.append(entry.data)
            let padding = (block - entry.data.count % block) % block
            out.append(Data(count: padding))
        }
        out.append(Data(count: 2 * block))
        return out
    }

    static func header(for entry: ArchiveEntry) throws(ArchiveError) -> Data {
        var bytes = [UInt8](repeating: 0, count: block)
        let path = Array(entry.path.utf8)
        var name = path
        var prefix: [UInt8] = []
        if path.count > 100 {
            // Split at a slash so the name part fits 100 bytes and the prefix 155.
            guard
                let cut = path.indices.last(where: {
                    path[$0] == UInt8(ascii: "/") && $0 <= 155 && path.count - $0 - 1 <= 100
                })
            else { throw .pathTooLong(path: entry.path) }
            prefix = Array(path[..<cut])
            name = Array(path[(cut + 1)...])
        }
        put(name, at: 0, in: &bytes)
        put(octal(entry.executable ? 0o755 : 0o644, width: 8), at: 100, in: &bytes)
        put(octal(0, width: 8), at: 108, in: &bytes)
        put(octal(0, width: 8), at: 116, in: &bytes)
        put(octal(entry.data.count, width: 12), at: 124, in: &bytes)
        put(octal(0, width: 12), at: 136, in: &bytes)
        bytes[156] = UInt8(ascii: "0")
        put(Array("ustar\0".utf8), at: 257, in: &bytes)
        put(Array("00".utf8), at: 263, in: &bytes)
        put(prefix, at: 345, in: &bytes)
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148, in: &bytes)
        let sum = bytes.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148, in: &bytes)
        return Data(bytes)
    }

    /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated, as ustar stores numbers.
    static func octal(_ value: Int, width: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
    }

    static func put(_ source: [UInt8], at offset: Int, in bytes: inout [UInt8]) {
        for (index, byte) in source.enumerated() { bytes[offset + index] = byte }
    }

    // MARK: Reading

    /// Reads an archive file, refusing it before reading when it is larger than the limits allow.
    public static func read(contentsOf path: String, limits: ArchiveLimits = ArchiveLimits()) throws(ArchiveError)
        -> [ArchiveEntry]
    {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: "it is not a regular file")
        }
        // Headers and padding add at most two blocks a member, plus the end marker.
        let overhead = (limits.maxEntries + 1) * 2 * block
        guard Int(status.st_size) <= limits.maxTotalBytes + overhead else {
            throw .totalTooLarge(limit: limits.maxTotalBytes)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "the file could not be opened")
        }
        return try read(data, limits: limits)
    }

    /// Every regular file in `data`, each checked: header checksum, member type, path and size.
    public static func read(_ data: Data, limits: ArchiveLimits = ArchiveLimits()) throws(ArchiveError)
        -> [ArchiveEntry]
    {
        let bytes = [UInt8](data)
        var entries: [ArchiveEntry] = []
        var files: Set<String> = []
        var folders: Set<String> = []
        var total = 0
        var offset = 0
        while offset + block <= bytes.count {
            let header = Array(bytes[offset..<offset + block])
            if header.allSatisfy({ $0 == 0 }) { break }
            try checkHeader(header, at: offset)
            let path = try pathOf(header, at: offset)
            let size = try number(header, 124, 12, field: "size", at: offset)
            let type = header[156]
            let kind = memberKind(type)
            guard kind == "file" || kind == "folder" else { throw .unsupportedMember(path: path, kind: kind) }
            let clean = normalized(path)
            let dataStart = offset + block
            if kind == "folder" && clean.isEmpty {
                offset = dataStart
                continue
            }
            try validate(clean)
            if kind == "folder" {
                guard !files.contains(clean) else { throw .duplicate(path: clean) }
                folders.insert(clean)
                offset = dataStart
                continue
            }
            guard entries.count < limits.maxEntries else { throw .tooManyEntries(limit: limits.maxEntries) }
            guard size <= limits.maxEntryBytes else {
                throw .entryTooLarge(path: clean, bytes: size, limit: limits.maxEntryBytes)
            }
            total += size
            guard total <= limits.maxTotalBytes else { throw .totalTooLarge(limit: limits.maxTotalBytes) }
            guard dataStart + size <= bytes.count else { throw .truncated(offset: dataStart) }
            guard !files.contains(clean), !folders.contains(clean) else { throw .duplicate(path: clean) }
            for parent in parents(of: clean) where files.contains(parent) { throw .duplicate(path: parent) }
            files.insert(clean)
            folders.formUnion(parents(of: clean))
            let mode = try number(header, 100, 8, field: "mode", at: offset)
            entries.append(
                ArchiveEntry(
                    path: clean, data: Data(bytes[dataStart..<dataStart + size]), executable: mode & 0o111 != 0))
            offset = dataStart + (size + block - 1) / block * block
        }
        if offset + block > bytes.count, offset < bytes.count { throw .truncated(offset: offset) }
        return entries
    }

    /// tar(1) writes `./name` and `folder/`; both mean the plain relative name.
    static func normalized(_ path: String) -> String {
        var result = Substring(path)
        while result.hasPrefix("./") { result = result.dropFirst(2) }
        if result == "." { return "" }
        while result.hasSuffix("/") && result.count > 1 { result = result.dropLast() }
        return String(result)
    }

    static func memberKind(_ type: UInt8) -> String {
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): return "file"
        case UInt8(ascii: "5"): return "folder"
        case UInt8(ascii: "1"): return "hard link"
        case UInt8(ascii: "2"): return "symbolic link"
        case UInt8(ascii: "3"), UInt8(ascii: "4"): return "device"
        case UInt8(ascii: "6"): return "FIFO"
        case UInt8(ascii: "x"), UInt8(ascii: "g"): return "pax extended header"
        case UInt8(ascii: "L"), UInt8(ascii: "K"): return "GNU long-name record"
        default: return "member of unknown type '\(Character(Unicode.Scalar(type)))'"
        }
    }

    static func checkHeader(_ header: [UInt8], at offset: Int) throws(ArchiveError) {
        guard Array(header[257..<262]) == Array("ustar".utf8) else { throw .notUstar(offset: offset) }
        let stored = try number(header, 148, 8, field: "checksum", at: offset)
        var spaced = header
        for index in 148..<156 { spaced[index] = UInt8(ascii: " ") }
        guard spaced.reduce(0, { $0 + Int($1) }) == stored else { throw .badChecksum(offset: offset) }
    }

    static func pathOf(_ header: [UInt8], at offset: Int) throws(ArchiveError) -> String {
        let name = field(header, 0, 100)
        let prefix = field(header, 345, 155)
        let raw = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
        guard let path = String(validating: raw, as: UTF8.self) else { throw .badField(field: "name", offset: offset) }
        return path
    }

    static func field(_ header: [UInt8], _ start: Int, _ length: Int) -> [UInt8] {
        let slice = header[start..<start + length]
        return Array(slice.prefix { $0 != 0 })
    }

    /// An octal number field; base-256 and other encodings are refused.
    static func number(_ header: [UInt8], _ start: Int, _ length: Int, field name: String, at offset: Int)
        throws(ArchiveError) -> Int
    {
        let digits = field(header, start, length).filter { $0 != UInt8(ascii: " ") }
        guard !digits.isEmpty, digits.count <= 11,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
            let value = Int(String(decoding: digits, as: UTF8.self), radix: 8)
        else { throw .badField(field: name, offset: offset) }
        return value
    }

    /// A member path must stay inside the folder it is extracted into, on any file system.
    static func validate(_ path: String) throws(ArchiveError) {
        if path.isEmpty { throw .unsafePath(path: path, reason: "has an empty name") }
        if path.utf8.count > 255 { throw .pathTooLong(path: path) }
        if path.hasPrefix("/") { throw .unsafePath(path: path, reason: "is an absolute path") }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" || $0.value == 0x7f }) {
            throw .unsafePath(path: path, reason: "has a control character or backslash in its name")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { throw .unsafePath(path: path, reason: "has an empty path component") }
            if component == "." || component == ".." {
                throw .unsafePath(path: path, reason: "has a '\(component)' path component")
            }
        }
    }

    static func parents(of path: String) -> [String] {
        var result: [String] = []
        var parts = path.split(separator: "/").map(String.init)
        parts.removeLast()
        while !parts.isEmpty {
            result.append(parts.joined(separator: "/"))
            parts.removeLast()
        }
        return result
    }

    // MARK: Extracting

    /// Writes `entries` into `folder`, which must not exist or be empty. The files are written to a staging
    /// folder beside it and moved into place at once, so a failure leaves nothing behind.
    public static func extract(_ entries: [ArchiveEntry], into folder: String) throws(ArchiveError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder, isDirectory: &isFolder) {
            let contents = (try? manager.contentsOfDirectory(atPath: folder)) ?? ["?"]
            guard isFolder.boolValue, contents.isEmpty else { throw .destinationNotEmpty(path: folder) }
        }
        for entry in entries { try validate(entry.path) }
        let target = URL(fileURLWithPath: folder).standardizedFileURL
        let staging = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            for entry in entries {
                let file = staging.appendingPathComponent(entry.path)
                try manager.createDirectory(
                    at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try entry.data.write(to: file)
                try manager.setAttributes(
                    [.posixPermissions: entry.executable ? 0o755 : 0o644], ofItemAtPath: file.path)
            }
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            try manager.moveItem(at: staging, to: target)
        } catch {
            try? manager.removeItem(at: staging)
            throw .writeFailed(
                path: folder, reason: "\((error as NSError).localizedFailureReason ?? "the file system refused")")
        }
    }

    /// Every regular file below `folder`, as archive entries in path order; links and special files are
    /// refused, so an archive never carries something the reader would refuse.
    public static func entries(inFolder folder: String, skipping skip: (String) -> Bool = { _ in false })
        throws(ArchiveError) -> [ArchiveEntry]
    {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: folder) else {
            throw .unreadable(path: folder, reason: "it is not a folder")
        }
        var entries: [ArchiveEntry] = []
        while let relative = enumerator.nextObject() as? String {
            let full = folder + "/" + relative
            var status = stat()
            guard lstat(full, &status) == 0 else {
                throw .unreadable(path: full, reason: String(cString: strerror(errno)))
            }
            let type = status.st_mode & S_IFMT
            if type == S_IFDIR {
                if skip(relative) { enumerator.skipDescendants() }
                continue
            }
            if skip(relative) { continue }
            guard type == S_IFREG else { throw .unsupportedMember(path: relative, kind: "link or special file") }
            guard let data = manager.contents(atPath: full) else {
                throw .unreadable(path: full, reason: "the file could not be opened")
            }
            entries.append(ArchiveEntry(path: relative, data: data, executable: status.st_mode & 0o111 != 0))
        }
        return entries.sorted { $0.path < $1.path }
    }
}
