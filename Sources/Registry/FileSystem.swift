// Crash-safe file primitives: write-temp-fsync-rename, durable appends, and the writer lock.
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum FileSystem {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Writes `data` to `path` atomically and durably: temp file in the same folder, fsync, rename, fsync folder.
    static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = folder + "/.tmp-" + UUID().uuidString
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        var ok = writeAll(fd, data) && fsync(fd) == 0
        let reason = ok ? "" : errnoText()
        close(fd)
        if ok { ok = rename(temp, path) == 0 }
        guard ok else {
            let failure = reason.isEmpty ? errnoText() : reason
            unlink(temp)
            throw RegistryError.writeFailed(path: path, reason: failure)
        }
        syncFolder(folder)
    }

    /// Appends `data` with one write and fsyncs it, so a reader never sees a line that will not be completed.
    static func appendDurably(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        defer { close(fd) }
        guard writeAll(fd, data), fsync(fd) == 0 else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    static func moveIntoPlace(_ source: String, to target: String) throws {
        guard rename(source, target) == 0 else {
            throw RegistryError.writeFailed(path: target, reason: errnoText())
        }
        syncFolder((target as NSString).deletingLastPathComponent)
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    /// Appends `data` with one write, without waiting for the disk.
    static func append(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        defer { close(fd) }
        guard writeAll(fd, data) else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
    }

    static func truncate(_ path: String, to length: Int) throws {
        guard Glibc.truncate(path, off_t(length)) == 0 else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let written = write(fd, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                remaining -= written
                pointer += written
            }
            return true
        }
    }

    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.unreadable(path: path, reason: exists(path) ? "permission denied" : "no such file")
        }
        return data
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RegistryError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    static func list(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }
}

/// An exclusive advisory `flock` on the registry's lock file, held for the life of a write.
final class WriterLock {
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryError.lockFailed(path: path, reason: FileSystem.errnoText()) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = FileSystem.errnoText()
            close(fd)
            throw RegistryError.lockFailed(path: path, reason: reason)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
