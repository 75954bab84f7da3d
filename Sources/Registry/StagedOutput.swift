// Files written outside the registry (trained weights, a checkout, --out results, the report page): staged whole
// beside where they go and put in place with one rename, so a failure leaves nothing behind, no half-written
// file and no empty folder. Every step goes through the file layer the registry's own writes use (and count).
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Output staged beside its destination: `place()` puts it there with one rename, `discard()` drops it.
public struct StagedOutput: Sendable {
    /// Where the output goes.
    public let destination: String
    /// The staged file or folder, renamed onto `placed`.
    let staged: String
    /// What the rename makes: the destination itself, or the first of its folders that does not exist yet.
    let placed: String
    /// Everything made for the staging, parents before children.
    let created: [Created]

    enum Created: Sendable {
        case file(String)
        case folder(String)
    }

    /// Writes one file in place, folders on the way included, or fails having changed nothing. A folder in the
    /// way is named, not overwritten.
    public static func write(_ data: Data, to path: String) throws {
        if FileSystem.isDirectory(path) {
            throw RegistryError.writeFailed(path: path, reason: "it is a folder; give a file path instead")
        }
        let output = try file(data, at: path)
        do {
            try output.place()
        } catch {
            throw output.failed(error)
        }
    }

    /// Stages `data` for the file `path`; folders on the way that do not exist are staged with it.
    public static func file(_ data: Data, at path: String) throws -> StagedOutput {
        var builder = Builder(destination: path, folders: missingFolders(above: path))
        do {
            try builder.makeStagedFolders()
            try builder.write(data, at: builder.inside(path))
            builder.syncFolders()
            return builder.output
        } catch {
            throw builder.output.failed(error)
        }
    }

    /// Stages a folder holding `files` (path inside it → bytes) for `path`, which must be a new or empty folder.
    public static func folder(_ files: [String: Data], at path: String) throws -> StagedOutput {
        var builder = Builder(destination: path, folders: missingFolders(above: path) + [path])
        do {
            try builder.makeStagedFolders()
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                let target = builder.inside(path + "/" + name)
                try builder.makeFolders(upTo: (target as NSString).deletingLastPathComponent)
                try builder.write(data, at: target)
            }
            builder.syncFolders()
            return builder.output
        } catch {
            throw builder.output.failed(error)
        }
    }

    /// The folders above `path` that do not exist yet, outermost first.
    static func missingFolders(above path: String) -> [String] {
        var missing: [String] = []
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty, folder != "/", !FileSystem.exists(folder) {
            missing.insert(folder, at: 0)
            folder = (folder as NSString).deletingLastPathComponent
        }
        return missing
    }

    /// Renames the staged output into place and makes the rename durable; on failure nothing moved.
    public func place() throws {
        do {
            try FileSystem.moveIntoPlace(staged, to: placed)
        } catch RegistryError.writeFailed(_, let reason) {
            throw RegistryError.writeFailed(path: destination, reason: reason)
        }
    }

    /// Removes everything staged; false when some of it could not be removed.
    @discardableResult
    public func discard() -> Bool {
        for item in created.reversed() {
            switch item {
            case .file(let path):
                if FileSystem.step("unlink", path) { unlink(path) }
            case .folder(let path):
                if FileSystem.step("rmdir", path) { rmdir(path) }
            }
        }
        return !FileSystem.exists(staged)
    }

    /// The error to report for `error`, after discarding what was staged: `error` itself, or, when it said nothing
    /// was changed but the staged temp could not be removed, the same failure naming what was left behind.
    public func failed(_ error: any Error) -> any Error {
        guard !discard(), case .writeFailed(let path, let reason) = error as? RegistryError else { return error }
        return RegistryError.tempLeftBehind(path: path, reason: reason, temp: staged)
    }

    /// What a staging makes, step by step: a temp file beside the destination, or a temp folder standing for the
    /// first missing folder (or for the destination folder itself), with everything below it inside.
    struct Builder {
        let destination: String
        /// The real folders to stage, outermost first; the first is what the staged temp folder stands for.
        let folders: [String]
        var top: String? { folders.first }
        var output: StagedOutput

        init(destination: String, folders: [String]) {
            self.destination = destination
            self.folders = folders
            let parent = ((folders.first ?? destination) as NSString).deletingLastPathComponent
            let temp = parent + "/" + FileSystem.tempPrefix + UUID().uuidString
            output = StagedOutput(
                destination: destination, staged: temp, placed: folders.first ?? destination, created: [])
        }

        /// Makes the temp folder and the staged folders inside it (none when only a file is staged).
        mutating func makeStagedFolders() throws {
            guard top != nil else { return }
            try makeFolder(output.staged)
            for folder in folders.dropFirst() { try makeFolder(inside(folder)) }
        }

        /// Where `path` (at or below the destination) is staged.
        func inside(_ path: String) -> String {
            guard let top else { return output.staged }
            return output.staged + path.dropFirst(top.count)
        }

        mutating func makeFolder(_ path: String) throws {
            guard FileSystem.step("mkdir", path), mkdir(path, 0o755) == 0 else {
                throw RegistryError.writeFailed(path: destination, reason: FileSystem.errnoText())
            }
            output = StagedOutput(
                destination: output.destination, staged: output.staged, placed: output.placed,
                created: output.created + [.folder(path)])
        }

        /// Makes the staged folders down to `folder` that are not there yet.
        mutating func makeFolders(upTo folder: String) throws {
            var missing: [String] = []
            var current = folder
            while current.count > output.staged.count, !FileSystem.exists(current) {
                missing.insert(current, at: 0)
                current = (current as NSString).deletingLastPathComponent
            }
            for path in missing { try makeFolder(path) }
        }

        mutating func write(_ data: Data, at path: String) throws {
            let fd = FileSystem.step("create", path) ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) : -1
            guard fd >= 0 else { throw RegistryError.writeFailed(path: destination, reason: FileSystem.errnoText()) }
            output = StagedOutput(
                destination: output.destination, staged: output.staged, placed: output.placed,
                created: output.created + [.file(path)])
            let ok =
                FileSystem.step("write", path) && FileSystem.writeAll(fd, data) && FileSystem.step("fsync", path)
                && fsync(fd) == 0
            let reason = ok ? "" : FileSystem.errnoText()
            close(fd)
            guard ok else { throw RegistryError.writeFailed(path: destination, reason: reason) }
        }

        /// Makes the staged folders' entries durable before the one rename that publishes them.
        func syncFolders() {
            for case .folder(let path) in output.created.reversed() { FileSystem.syncFolder(path) }
        }
    }
}
