// Reading a file a person may have replaced with anything: only a regular file is read, never more than a
// stated number of bytes, and a FIFO, socket or device is refused without ever blocking on it. It lives here,
// below the registry and the toy model, so both read their inputs the same way.
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum BoundedFile {
    /// Why a file was not read; each caller turns it into its own sentence naming the file.
    public enum Refusal: Error, Equatable, Sendable {
        case missing
        /// Not a regular file: `kind` says what it is ("a FIFO (named pipe)", "a socket", "a device", "a folder").
        case notRegular(kind: String)
        /// Larger than `limit` bytes (`size` is what it held when it was looked at).
        case tooLarge(size: Int, limit: Int)
        case unreadable(reason: String)
    }

    /// The bytes of the regular file at `path` (a symlink is followed), at most `limit` of them. The file is
    /// opened without blocking and checked before a byte is read, so a FIFO never stalls the caller and an
    /// oversized file is refused without being loaded; a file that grows past `limit` while it is read is
    /// refused too.
    public static func contents(_ path: String, limit: Int) throws(Refusal) -> Data {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw .missing }
            throw .unreadable(reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        if let kind = kind(info.st_mode) { throw .notRegular(kind: kind) }
        let size = Int(info.st_size)
        guard size <= limit else { throw .tooLarge(size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            done += count
            if done == bytes.count, done <= limit { bytes.append(contentsOf: [UInt8](repeating: 0, count: 4096)) }
            guard done <= limit else { throw .tooLarge(size: done, limit: limit) }
        }
        return Data(bytes[0..<done])
    }

    /// What a file of mode `mode` is, when it is not a regular file.
    public static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a regular file"
        }
    }

    /// An exact byte count as people read it: `1,048,577 bytes`.
    public static func count(_ bytes: Int) -> String {
        var digits = String(bytes)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return digits + grouped + (bytes == 1 ? " byte" : " bytes")
    }

    /// A byte count as people read a limit: `1 MiB`, `64 MiB`, `512 KiB`, `300 bytes`.
    public static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 30 {
            return bytes % (1 << 30) == 0
                ? "\(bytes >> 30) GiB" : String(format: "%.1f GiB", Double(bytes) / 1_073_741_824)
        }
        if bytes >= 1 << 20 {
            return bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
        }
        if bytes >= 1 << 10 {
            return bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : String(format: "%.1f KiB", Double(bytes) / 1024)
        }
        return "\(bytes) bytes"
    }
}
