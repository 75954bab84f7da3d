// One event's write as a transaction: stage every file that needs new disk space, append the event, rename the
// staged files into place; on a failure undo it all under the lock, or say that the event is recorded. Side files
// the event implies are put in place last, from temps named after the event, which the next writer completes.
import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#endif

/// The event log opened for one append. The same descriptor cuts the line off again, so the undo works even
/// when the file's permissions were taken away meanwhile.
final class LogAppender {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        let fd = FileSystem.step("create", path) ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) : -1
        guard fd >= 0 else { throw RegistryError.writeFailed(path: path, reason: FileSystem.errnoText()) }
        self.fd = fd
    }

    /// One write and an fsync: a reader never sees a line that will not be completed.
    func append(_ data: Data) throws {
        guard FileSystem.step("write", path), FileSystem.writeAll(fd, data), FileSystem.step("fsync", path),
            fsync(fd) == 0
        else { throw RegistryError.writeFailed(path: path, reason: FileSystem.errnoText()) }
    }

    /// Cuts the log back to `length` bytes; false when that failed.
    func cut(to length: Int) -> Bool {
        FileSystem.step("truncate", path) && ftruncate(fd, off_t(length)) == 0 && fsync(fd) == 0
    }

    var size: Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    deinit { close(fd) }
}

/// The files one event changes, staged before the event so that after it only renames remain.
struct AppendTransaction {
    let registry: Registry
    let event: Event
    let line: Data
    let start: LogHead
    private var headTemp = ""
    private var tagPath: String?
    private var tagTemp: String?
    /// A hard link to the tag's previous file, to put it back if a later step fails.
    private var tagBackup: String?
    /// Staged side files and where each goes.
    private var sideTemps: [(target: String, temp: String)] = []

    /// Stages the side files, the new tag file (if the event moves one) and the new head. A failure here
    /// changed nothing.
    init(registry: Registry, event: Event, line: Data, start: LogHead, next: LogHead, sideFiles: [String: Data])
        throws
    {
        self.registry = registry
        self.event = event
        self.line = line
        self.start = start
        do {
            for (relative, data) in sideFiles.sorted(by: { $0.key < $1.key }) {
                let target = try registry.sideFilePath(relative)
                try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
                let name = Registry.pendingSideFileName(relative, seq: event.seq)
                sideTemps.append((target, try FileSystem.stage(data, for: target, in: registry.root, name: name)))
            }
            if event.is(TagMoved.self) {
                let moved = try event.payload(as: TagMoved.self)
                let path = registry.tagPath(moved.tag)
                tagPath = path
                tagTemp = try FileSystem.stage(Data((moved.to + "\n").utf8), for: path, in: registry.root)
                tagBackup = try FileSystem.hardLink(path, in: registry.root)
            }
            headTemp = try FileSystem.stage(
                try CanonicalJSON.encode(next) + Data("\n".utf8), for: registry.log.headPath, in: registry.root)
        } catch {
            discardStaged()
            throw error
        }
    }

    /// Appends the event, moves the tag, moves the head, then puts the side files in place. Any failure up to the
    /// head is undone before it is reported, or reported as recorded when the undo itself failed (the next writer
    /// then completes the event from the log); a side file that fails after it is reported as recorded too, and
    /// its staged temp stays for the next writer to put in place.
    func commit() throws {
        let appender: LogAppender
        do {
            appender = try LogAppender(path: registry.log.path)
        } catch {
            discardStaged()
            throw error
        }
        do {
            try appender.append(line + Data("\n".utf8))
        } catch {
            try undo(error, appender: appender, tagMoved: false)
        }
        if let tagTemp, let tagPath {
            do {
                try FileSystem.moveIntoPlace(tagTemp, to: tagPath)
            } catch {
                try undo(error, appender: appender, tagMoved: false)
            }
        }
        do {
            try FileSystem.moveIntoPlace(headTemp, to: registry.log.headPath)
        } catch {
            try undo(error, appender: appender, tagMoved: tagTemp != nil)
        }
        if let tagBackup { FileSystem.discard(tagBackup) }
        for (target, temp) in sideTemps {
            do {
                try FileSystem.moveIntoPlace(temp, to: target)
            } catch {
                var reason = FileSystem.errnoText()
                if case .writeFailed(_, let failedReason) = error as? RegistryError { reason = failedReason }
                throw RegistryError.writeRecorded(path: target, reason: reason, event: event.seq, kind: event.kind)
            }
        }
    }

    /// Puts the tag back, cuts the event off the log and rethrows `failure` (which says nothing was changed).
    /// If a step of that fails, the event stays: the error then says it is recorded and will apply.
    private func undo(_ failure: any Error, appender: LogAppender, tagMoved: Bool) throws -> Never {
        var undone = true
        // Here a failed step is the answer itself (the undo did not complete), not an absence to hide.
        if tagMoved, let tagPath {
            if let tagBackup {
                undone = (try? FileSystem.rename(tagBackup, to: tagPath)) != nil
            } else {
                undone = (try? FileSystem.remove(tagPath)) != nil
            }
        }
        if undone { undone = appender.cut(to: start.offset) }
        // A line cut short by the failure was never whole: the next writer drops it, so nothing was recorded.
        if !undone, appender.size < start.offset + line.count + 1, !tagMoved { undone = true }
        // A recorded event keeps its side files' temps: they cannot be derived again here, the next writer puts
        // them in place.
        discardStaged(keepingSideFiles: !undone)
        if undone { throw failure }
        var path = appender.path
        var reason = FileSystem.errnoText()
        if case .writeFailed(let failedPath, let failedReason) = failure as? RegistryError {
            path = failedPath
            reason = failedReason
        }
        throw RegistryError.writeRecorded(path: path, reason: reason, event: event.seq, kind: event.kind)
    }

    private func discardStaged(keepingSideFiles: Bool = false) {
        let sides = keepingSideFiles ? [] : sideTemps.map(\.temp)
        for temp in [tagTemp, tagBackup, headTemp.isEmpty ? nil : headTemp].compactMap({ $0 }) + sides {
            if FileSystem.exists(temp) { FileSystem.discard(temp) }
        }
    }
}
