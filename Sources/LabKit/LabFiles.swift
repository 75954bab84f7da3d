// The lab kit's own files in a workspace: scratch space under .labrunner/scratch (never the shared temp folder,
// where another process may clean it away), the locks lab operations take, file steps that a kill leaves whole
// (each counted by the registry's fault plan, so one LABRUNNER_FAULT reaches every write of a command), and the
// sweep of what a killed run left behind.
import Foundation
import Registry

#if canImport(Glibc)
    import Glibc
#endif

struct LabFiles {
    let workspace: Workspace

    var scratch: String { workspace.markerPath + "/scratch" }
    /// A restore in flight: its journal and the staged starting files (see `Restore`).
    var restore: String { workspace.markerPath + "/restore" }
    var snapshots: String { workspace.markerPath + "/labs" }
    /// Held exclusively by `lab start` and `lab reset` for their whole run.
    var operationLock: String { workspace.markerPath + "/lab.lock" }
    /// Held shared by whoever has something in scratch/, exclusively (never waiting) by the sweep.
    var scratchLock: String { scratch + "/.lock" }

    static let tempPrefix = ".tmp-"

    // MARK: Locks

    /// The lab operation lock; a second `lab start` or `lab reset` is refused rather than left waiting, so a
    /// command run from inside a lab's own script can never wait on the command that runs the script.
    func lockOperation() throws -> FileLock {
        guard let lock = try FileLock(path: operationLock, exclusive: true, wait: false, patience: 2) else {
            throw LabError.invalid(
                "Another 'LabRunner lab start' or 'lab reset' is running in this workspace; wait for it to finish, then run this again."
            )
        }
        return lock
    }

    /// Whether a lab start or reset holds the operation lock now (only an existing lock file is tried).
    var operationRunning: Bool {
        guard Self.exists(operationLock) else { return false }
        do {
            return try FileLock(path: operationLock, exclusive: true, wait: false) == nil
        } catch {
            return false
        }
    }

    /// A shared hold on scratch/ for as long as the returned lock lives.
    func holdScratch() throws -> FileLock {
        try Self.makeFolder(scratch)
        // A shared lock waits only for a sweep in progress, which never waits itself.
        guard let lock = try FileLock(path: scratchLock, exclusive: false, wait: true) else {
            throw LabError.fileFailed(path: scratchLock, reason: "it could not be locked")
        }
        return lock
    }

    /// A new private folder in scratch/ (`hold` must be held while it is used).
    func scratchFolder(_ prefix: String) throws -> String {
        let folder = scratch + "/" + prefix + "-" + UUID().uuidString
        try Self.step("mkdir", folder)
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }

    // MARK: Writing

    /// Writes `data` to `path` whole or not at all: a temp file in scratch/, fsync, rename, fsync of the folder.
    func writeAtomically(_ data: Data, to path: String) throws {
        let hold = try holdScratch()
        defer { withExtendedLifetime(hold) {} }
        let temp = scratch + "/" + Self.tempPrefix + UUID().uuidString
        try Self.step("create", temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LabError.fileFailed(path: path, reason: Self.errnoText()) }
        var written = false
        do {
            try Self.step("write", temp)
            written = data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let count = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return false }
                    offset += count
                }
                return true
            }
            if written {
                try Self.step("fsync", temp)
                written = fsync(fd) == 0
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        let reason = Self.errnoText()
        close(fd)
        guard written else {
            unlink(temp)
            throw LabError.fileFailed(path: path, reason: reason)
        }
        do {
            try Self.makeFolder((path as NSString).deletingLastPathComponent)
            try Self.rename(temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
        Self.syncFolder((path as NSString).deletingLastPathComponent)
    }

    // MARK: Steps

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Counts one mutating step against the fault plan; throws (naming `path`) when it is to fail.
    static func step(_ kind: String, _ path: String) throws {
        guard FaultPlan.allowStep(kind, path) else { throw LabError.fileFailed(path: path, reason: errnoText()) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The file's identity (device and inode), which a rename keeps: how a restore tells a swapped entry.
    static func identity(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }

    static func makeFolder(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
        try step("mkdir", path)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LabError.fileFailed(path: path, reason: "\(error)")
        }
    }

    static func rename(_ source: String, to target: String) throws {
        try step("rename", target)
        guard Glibc.rename(source, target) == 0 else { throw LabError.fileFailed(path: target, reason: errnoText()) }
    }

    /// renameat2's RENAME_EXCHANGE, looked up at run time: the C library declares it only for GNU sources, which
    /// Swift does not import. Nil where the C library has none.
    private static let renameat2:
        (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
            guard let symbol = dlsym(nil, "renameat2") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
        }()

    /// Swaps two existing paths in one step, so each name holds either its old content or the other's, never
    /// nothing. False where the system cannot (no renameat2, or a file system without RENAME_EXCHANGE); the
    /// caller then moves the old content aside first, which its journal makes safe to finish after a kill.
    static func exchange(_ first: String, _ second: String) throws -> Bool {
        guard let renameat2 else { return false }
        try step("rename", second)
        let exchangeFlag: UInt32 = 2
        if renameat2(AT_FDCWD, first, AT_FDCWD, second, exchangeFlag) == 0 { return true }
        if errno == EINVAL || errno == ENOSYS || errno == ENOTSUP { return false }
        throw LabError.fileFailed(path: second, reason: errnoText())
    }

    static func copy(_ source: String, to target: String) throws {
        try step("copy", target)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: target)
        } catch {
            throw LabError.fileFailed(path: target, reason: "\(error)")
        }
    }

    static func removeTree(_ path: String) throws {
        guard exists(path) else { return }
        try step("unlink", path)
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw LabError.fileFailed(path: path, reason: "\(error)")
        }
    }

    /// Makes every file and folder under `path` durable before a rename publishes it.
    static func syncTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            // A folder that cannot be listed has nothing of ours to flush.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                syncTree(path + "/" + name)
            }
        }
        guard kind == S_IFDIR || kind == S_IFREG else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    // MARK: Leftovers

    /// Staging folders older kits made beside the saved starting states.
    var legacyStaging: [String] {
        // No labs folder yet means no leftovers in it.
        ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).filter {
            $0.hasPrefix(".restore-") || $0.hasPrefix(".snapshot-")
        }.sorted().map { snapshots + "/" + $0 }
    }

    /// What is in scratch/ besides its lock.
    var scratchEntries: [String] {
        // No scratch folder yet means nothing in it.
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).filter { $0 != ".lock" }.sorted()
            .map { scratch + "/" + $0 }
    }

    /// Removes what killed runs left in scratch/ (unless another process is using it now: then the next run
    /// does) and older kits' staging folders. Called under the operation lock; never touches a pending restore.
    func sweep() throws {
        for folder in legacyStaging { try Self.removeTree(folder) }
        guard Self.exists(scratch),
            let sweeping = try FileLock(path: scratchLock, exclusive: true, wait: false, patience: 1)
        else { return }
        defer { withExtendedLifetime(sweeping) {} }
        for entry in scratchEntries { try Self.removeTree(entry) }
    }
}

/// An advisory `flock` held for the life of the value; the kernel drops it when the process dies.
final class FileLock {
    private let fd: Int32

    /// Nil when `wait` is false and another process still holds a conflicting lock after `patience` seconds.
    /// The patience covers a lock just released whose descriptor a process being started elsewhere in this one
    /// still shares for the moment between fork and exec.
    init?(path: String, exclusive: Bool, wait: Bool, patience: Double = 0) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LabError.fileFailed(path: path, reason: LabFiles.errnoText()) }
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        let deadline = Date().addingTimeInterval(patience)
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK, Date() < deadline {
                usleep(50_000)
                continue
            }
            let busy = errno == EWOULDBLOCK
            let reason = LabFiles.errnoText()
            close(fd)
            if busy { return nil }
            throw LabError.fileFailed(path: path, reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}

/// What interrupted lab commands left in a workspace, as fsck's warnings: each says what the next run does.
public enum LabLeftovers {
    /// The warnings for the workspace whose registry is at `registryRoot`.
    public static func warnings(registryRoot: String) -> [String] {
        let markerPath = (registryRoot as NSString).deletingLastPathComponent
        let files = LabFiles(workspace: Workspace(root: (markerPath as NSString).deletingLastPathComponent))
        // While a lab start or reset runs, its journal, scratch and unfinished start are in use, not left over.
        // (Only an existing lock file is tried: nobody holds one that is not there, and fsck creates nothing.)
        if files.operationRunning { return [] }
        var warnings: [String] = []
        if let journal = Restore.journal(in: files) {
            warnings.append(
                "A \(journal.purpose.words) of lab \(journal.lab) was interrupted (\(Workspace.markerFolder)/restore): 'LabRunner lab \(journal.purpose == .reset ? "reset" : "start") \(journal.lab.prefix(2))' finishes it."
            )
        }
        for path in files.scratchEntries + files.legacyStaging {
            let shown = path.dropFirst(files.workspace.root.count + 1)
            warnings.append(
                "\(shown) was left by an interrupted lab command; the next 'LabRunner lab start' or 'lab reset' removes it."
            )
        }
        // A registry that does not read is fsck's own problem, reported beside these.
        let events = (try? Registry(root: registryRoot).events()) ?? []
        for (lab, start) in (try? Evidence.unfinishedStarts(in: events)) ?? [] {
            warnings.append(
                "Lab \(lab)'s start (event #\(start.seq)) did not finish its scripts, so it is no attempt yet: 'LabRunner lab start \(lab.prefix(2))' sets it up again from its starting state."
            )
        }
        return warnings
    }
}
