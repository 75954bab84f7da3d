// Crash-safe file primitives (write-temp-fsync-rename, durable appends, hard-link backups for undo), the
// writer and reader locks, and the fault plan that lets tests fail or kill any one write step.
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Deterministic write faults: every mutating file step of the registry (create, write, fsync, rename, link,
/// unlink, truncate, mkdir) is counted, and step `failAt` fails with `errno` (or kills the process, as a
/// power cut would), in debug builds only. Tests set `FaultPlan.current` for one task; `Docs/reliability.sh` sets `LABRUNNER_FAULT`
/// (`count`, `enospc@K`, `eacces@K+` where `+` keeps every later step failing too, `kill@K`).
public final class FaultPlan: Sendable {
    public enum Action: Sendable, Equatable {
        case fail(Int32)
        case kill

        /// The disk is full.
        public static let noSpace = Action.fail(ENOSPC)
        /// Permission was taken away.
        public static let permissionDenied = Action.fail(EACCES)
    }

    public let failAt: Int?
    public let action: Action
    /// Every step after `failAt` fails too (a permission lost, a disk that stays full).
    public let persistent: Bool
    let trace: Bool
    private let state = Mutex<[String]>([])

    public convenience init(failAt: Int?, action: Action = .noSpace, persistent: Bool = false) {
        self.init(failAt: failAt, action: action, persistent: persistent, trace: false)
    }

    init(failAt: Int?, action: Action, persistent: Bool, trace: Bool) {
        self.failAt = failAt
        self.action = action
        self.persistent = persistent
        self.trace = trace
    }

    /// The steps taken so far, as "kind path".
    public var steps: [String] { state.withLock { $0 } }

    @TaskLocal public static var current: FaultPlan?

    static let environment: FaultPlan? = parse(ProcessInfo.processInfo.environment["LABRUNNER_FAULT"] ?? "")

    /// The seam is live in debug builds only (the test suite and the reliability scripts build those): a
    /// release binary a user installs never kills or fails itself because of an environment variable.
    static var active: FaultPlan? {
        #if DEBUG
            current ?? environment
        #else
            nil
        #endif
    }

    /// Counts one mutating file step taken above the registry (a lab reset's renames), so one plan reaches every
    /// write of a command; false (with `errno` set) when the step is to fail.
    public static func allowStep(_ kind: String, _ path: String) -> Bool { active?.allow(kind, path) ?? true }

    static func parse(_ text: String) -> FaultPlan? {
        if text == "count" { return FaultPlan(failAt: nil, action: .fail(0), persistent: false, trace: true) }
        let parts = text.split(separator: "@")
        guard parts.count == 2 else { return nil }
        let persistent = parts[1].hasSuffix("+")
        guard let step = Int(persistent ? parts[1].dropLast() : parts[1]), step > 0 else { return nil }
        let action: Action
        switch parts[0] {
        case "enospc": action = .fail(ENOSPC)
        case "eacces": action = .fail(EACCES)
        case "eio": action = .fail(EIO)
        case "kill": action = .kill
        default: return nil
        }
        return FaultPlan(failAt: step, action: action, persistent: persistent, trace: true)
    }

    /// Counts one step; false (with `errno` set) when it is to fail.
    func allow(_ kind: String, _ path: String) -> Bool {
        let number = state.withLock { steps -> Int in
            steps.append(kind + " " + path)
            return steps.count
        }
        if trace { FileHandle.standardError.write(Data("labrunner-fault-step \(number) \(kind) \(path)\n".utf8)) }
        guard let failAt, number == failAt || (persistent && number > failAt) else { return true }
        switch action {
        case .kill:
            kill(getpid(), SIGKILL)
            return false
        case .fail(let code):
            errno = code
            return false
        }
    }
}

enum FileSystem {
    static let tempPrefix = ".tmp-"

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Counts one mutating step against the active fault plan; false (errno set) when it must fail.
    static func step(_ kind: String, _ path: String) -> Bool { FaultPlan.active?.allow(kind, path) ?? true }

    /// Writes `data` to `path` atomically and durably: temp file, fsync, rename, fsync folder. The temp file
    /// lives in `tempFolder` (default: the target's folder), which must be on the same file system.
    static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644, tempFolder: String? = nil)
        throws
    {
        let temp = try stage(
            data, for: path, in: tempFolder ?? (path as NSString).deletingLastPathComponent, mode: mode)
        do {
            try moveIntoPlace(temp, to: path)
        } catch {
            discard(temp)
            throw error
        }
    }

    /// Writes `data` durably to a new temp file in `folder`, to be renamed onto `target` later; returns its path.
    /// `name` (after the temp prefix) lets the next writer tell what the file is for; by default it is random.
    /// Failure removes the temp file and reports `target`.
    static func stage(_ data: Data, for target: String, in folder: String, mode: mode_t = 0o644, name: String? = nil)
        throws -> String
    {
        let temp = folder + "/" + tempPrefix + (name ?? UUID().uuidString)
        let fd = step("create", temp) ? open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) : -1
        guard fd >= 0 else { throw RegistryError.writeFailed(path: target, reason: errnoText()) }
        let ok = step("write", temp) && writeAll(fd, data) && step("fsync", temp) && fsync(fd) == 0
        let reason = ok ? "" : errnoText()
        close(fd)
        guard ok else {
            discard(temp)
            throw RegistryError.writeFailed(path: target, reason: reason)
        }
        return temp
    }

    static func rename(_ source: String, to target: String) throws {
        guard step("rename", target), Glibc.rename(source, target) == 0 else {
            throw RegistryError.writeFailed(path: target, reason: errnoText())
        }
    }

    /// A second name for `path` (a backup that costs no data blocks); nil when `path` does not exist.
    static func hardLink(_ path: String, in folder: String) throws -> String? {
        guard exists(path) else { return nil }
        let backup = folder + "/" + tempPrefix + UUID().uuidString
        guard step("link", backup), link(path, backup) == 0 else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
        return backup
    }

    /// Best-effort removal of a temp file; one left behind is swept by the next writer.
    static func discard(_ path: String) {
        if step("unlink", path) { unlink(path) }
    }

    /// Appends `data` with one write and fsyncs it, so a reader never sees a line that will not be completed.
    static func appendDurably(_ data: Data, to path: String) throws {
        let fd = step("create", path) ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) : -1
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        defer { close(fd) }
        guard step("write", path), writeAll(fd, data), step("fsync", path), fsync(fd) == 0 else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    /// Renames a staged file onto `target` and makes the rename durable (fsync of the folder).
    static func moveIntoPlace(_ source: String, to target: String) throws {
        try rename(source, to: target)
        syncFolder((target as NSString).deletingLastPathComponent)
    }

    static func remove(_ path: String) throws {
        guard step("unlink", path) else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    /// Appends `data` with one write, without waiting for the disk.
    static func append(_ data: Data, to path: String) throws {
        let fd = step("create", path) ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) : -1
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        defer { close(fd) }
        guard step("write", path), writeAll(fd, data) else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    static func truncate(_ path: String, to length: Int) throws {
        guard step("truncate", path), Glibc.truncate(path, off_t(length)) == 0 else {
            throw RegistryError.writeFailed(path: path, reason: errnoText())
        }
    }

    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Writes every byte, retrying short writes and EINTR; false on any other failure (errno says why).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        var remaining = bytes.count
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

    static func syncFolder(_ folder: String) {
        guard step("fsync", folder) else { return }
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

    static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw RegistryError.unreadable(path: path, reason: errnoText()) }
        return Int(info.st_size)
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
        guard !isDirectory(path) else { return }
        guard step("mkdir", path) else { throw RegistryError.writeFailed(path: path, reason: errnoText()) }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RegistryError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// A folder's entries; a folder that is not there has none (every caller lists a folder it may not have made yet).
    static func list(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Temp files (`.tmp-*`) in `folder`: in-flight under the writer lock, stale from a crash otherwise.
    static func temps(in folder: String) -> [String] {
        list(folder).filter { $0.hasPrefix(tempPrefix) }
    }
}

/// An advisory `flock` on the registry's lock file: exclusive for a writer, shared for a reader that needs
/// several files to agree (fsck), held for the life of the value.
final class WriterLock {
    private let fd: Int32

    init(path: String, shared: Bool = false) throws {
        let fd = open(path, (shared ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryError.lockFailed(path: path, reason: FileSystem.errnoText()) }
        while flock(fd, shared ? LOCK_SH : LOCK_EX) != 0 {
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
