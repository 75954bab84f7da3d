// Components named by path in an adopted project: files or folders of any size, hashed streaming (never held in
// memory whole), copied into a staged checkout that is verified against those hashes, and stored once: the store
// takes the staged copy by hard link, so a weights file costs one copy (a reflink where the file system has them).
public import Foundation
import Hashing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file of a component named by path: where it is, what it hashed to, how big it is.
public struct StreamedFile: Sendable, Equatable {
    /// Path inside the version's checkout (`weights.bin`, `index/a.txt`).
    public var checkoutPath: String
    public var source: String
    public var sha256: String
    public var size: Int
}

/// Components hashed from the project's paths: the manifest (so the id) and the files behind it.
public struct StreamedVersion: Sendable {
    public var prepared: Registry.PreparedVersion
    public var files: [StreamedFile]
    public var totalBytes: Int { files.reduce(0) { $0 + $1.size } }
}

extension Registry {
    /// Hashes the components `paths` names (component name → absolute path of a file or folder inside
    /// `projectRoot`) and the dataset, streaming, writing nothing. Links are followed only inside the project;
    /// names starting with '.' inside folders are skipped. `progress` gets bytes hashed and the total.
    public static func prepare(
        paths: [String: String], dataset: (name: String, path: String)?, projectRoot: String,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> StreamedVersion {
        guard !paths.isEmpty else { throw RegistryError.noComponents(path: "the project's settings") }
        let root = StreamWalk.resolved(projectRoot) ?? projectRoot
        var found: [String: [StreamedFile]] = [:]
        var kinds: [String: ComponentEntry.Kind] = [:]
        for (name, path) in paths {
            let (kind, files) = try StreamWalk.files(of: path, component: name, root: root)
            kinds[name] = kind
            found[name] = files
        }
        var datasetFile: StreamedFile?
        if let dataset {
            let (kind, files) = try StreamWalk.files(of: dataset.path, component: dataset.name, root: root)
            guard kind == .file, let file = files.first else {
                throw RegistryError.componentUnusable(path: dataset.name, reason: "the dataset must be one file")
            }
            datasetFile = file
        }
        let total = found.values.joined().reduce(0) { $0 + $1.size } + (datasetFile?.size ?? 0)
        var done = 0
        func hash(_ file: inout StreamedFile) throws {
            file.sha256 = try StreamWalk.hash(file.source, shown: file.checkoutPath) { step in
                done += step
                progress?(done, total)
            }
        }
        var entries: [String: ComponentEntry] = [:]
        var blobs: [String: Data] = [:]
        var sizes: [String: Int] = [:]
        var all: [StreamedFile] = []
        for name in found.keys.sorted() {
            var files = found[name] ?? []
            for index in files.indices { try hash(&files[index]) }
            all += files
            sizes[name] = files.reduce(0) { $0 + $1.size }
            if kinds[name] == .file, let file = files.first {
                entries[name] = ComponentEntry(kind: .file, sha256: file.sha256)
            } else {
                let prefix = name + "/"
                let listing = Dictionary(
                    files.map { (String($0.checkoutPath.dropFirst(prefix.count)), $0.sha256) },
                    uniquingKeysWith: { a, _ in a })
                let manifest = try CanonicalJSON.encode(FolderManifest(files: listing))
                let hash = SHA256.hash(manifest).hex
                blobs[hash] = manifest
                entries[name] = ComponentEntry(kind: .folder, sha256: hash)
            }
        }
        var lineage: DatasetLineage?
        if var file = datasetFile {
            try hash(&file)
            lineage = DatasetLineage(dataset: file.checkoutPath, sha256: file.sha256)
            file.checkoutPath = ".dataset"
            all.append(file)
        }
        let manifest = VersionManifest(components: entries, lineage: lineage)
        let prepared = PreparedVersion(
            manifest: manifest, id: try versionID(of: manifest), blobs: blobs, sizes: sizes)
        return StreamedVersion(prepared: prepared, files: all)
    }

    /// Copies the version's files into `destination` (new), checking each copy against the hash `prepare`
    /// found: the checkout holds exactly the bytes the id names, or this throws naming the file that changed.
    /// The dataset is kept as `.dataset` beside the components. Folders and files are made read-only.
    public static func stageCheckout(_ version: StreamedVersion, into destination: String) throws {
        try FileSystem.makeFolder(destination)
        for file in version.files {
            let target = destination + "/" + file.checkoutPath
            try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
            let copied = try StreamWalk.copy(file.source, to: target, shown: file.checkoutPath)
            guard copied == file.sha256 else {
                throw RegistryError.componentUnusable(
                    path: file.checkoutPath,
                    reason: "it changed while it was being registered (its hash is no longer the one first read); "
                        + "wait until whatever writes it is done and run the command again")
            }
        }
        StreamWalk.setWritable(destination, false)
    }

    /// Makes a checkout's folders read-only (0555) and its files 0444.
    public static func makeReadOnly(_ path: String) { StreamWalk.setWritable(path, false) }

    /// Removes a staged checkout (its folders made writable again first).
    public static func discardCheckout(_ path: String) {
        StreamWalk.setWritable(path, true)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Records a streamed version whose files are staged in `staged` (see `stageCheckout`): blobs are taken
    /// from the staged copies by hard link (a copy where links are refused), then the version as `register` does.
    public func register(
        _ version: StreamedVersion, staged: String, metadata: VersionMetadata, attachments: [Data] = []
    ) throws -> RegisterOutcome {
        try storeFiles(version, staged: staged)
        return try register(version.prepared, metadata: metadata, attachments: attachments)
    }

    /// Puts the staged files' blobs into the store (content already there is left as it is). A blob stored
    /// here that no version ends up naming is unreachable, and gc counts it as such.
    public func storeFiles(_ version: StreamedVersion, staged: String) throws {
        try write { _ in
            for file in version.files where !objects.contains(file.sha256) {
                try objects.storeFile(staged + "/" + file.checkoutPath, as: file.sha256)
            }
        }
    }

    /// Writes a version's components into `destination` (new), streaming: each file is a hard link to its
    /// read-only blob where the file system allows, a copy otherwise. Staged beside it and renamed into place.
    public func linkCheckout(_ record: VersionRecord, into destination: String) throws {
        guard !FileSystem.exists(destination) else { throw RegistryError.destinationNotEmpty(path: destination) }
        let parent = (destination as NSString).deletingLastPathComponent
        let staging = parent + "/" + FileSystem.tempPrefix + UUID().uuidString
        do {
            for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
                var files: [String: String] = [name: entry.sha256]
                if entry.kind == .folder {
                    let listing = try folderListing(entry.sha256).files
                    files = Dictionary(uniqueKeysWithValues: listing.map { (name + "/" + $0.key, $0.value) })
                }
                for (path, hash) in files.sorted(by: { $0.key < $1.key }) {
                    guard objects.contains(hash) else { throw RegistryError.objectMissing(hash: hash, component: name) }
                    let target = staging + "/" + path
                    try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
                    if link(objects.path(of: hash), target) != 0 {
                        _ = try StreamWalk.copy(objects.path(of: hash), to: target, shown: path)
                    }
                }
            }
            try FileSystem.makeFolder(staging)
            try FileSystem.rename(staging, to: destination)
        } catch {
            Registry.discardCheckout(staging)
            throw error
        }
    }
}

extension ObjectStore {
    /// Stores the file at `path` under `hash` (which the caller has checked it holds): a hard link when the
    /// file system allows, a streamed copy otherwise, made read-only; content already stored writes nothing.
    func storeFile(_ path: String, as hash: String) throws {
        let target = self.path(of: hash)
        guard !FileSystem.exists(target) else { return }
        try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
        let temp = root + "/" + FileSystem.tempPrefix + UUID().uuidString
        if link(path, temp) != 0 {
            let copied = try StreamWalk.copy(path, to: temp, shown: path)
            guard copied == hash else {
                FileSystem.discard(temp)
                throw RegistryError.componentUnusable(path: path, reason: "it changed while it was being stored")
            }
        }
        chmod(temp, 0o444)
        do {
            try FileSystem.moveIntoPlace(temp, to: target)
        } catch {
            FileSystem.discard(temp)
            throw error
        }
    }

    /// The bytes of a blob only when it is at most `limit` long (nil otherwise): for showing small text.
    public func smallBlob(_ hash: String, limit: Int) throws -> Data? {
        size(of: hash) <= limit ? try get(hash) : nil
    }
}

/// Walking, hashing and copying the project's own files, streaming.
enum StreamWalk {
    static let chunk = 1 << 20

    static func resolved(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    /// The files of the component at `path`, sizes known and hashes still empty.
    static func files(of path: String, component: String, root: String) throws -> (ComponentEntry.Kind, [StreamedFile])
    {
        guard let real = resolved(path) else {
            throw RegistryError.unreadable(path: component, reason: "\(path) does not exist")
        }
        guard real.hasPrefix(root + "/") else {
            throw RegistryError.componentEscapesWorkspace(component: component, target: real)
        }
        var info = stat()
        guard stat(real, &info) == 0 else {
            throw RegistryError.unreadable(path: component, reason: FileSystem.errnoText())
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return (.file, [StreamedFile(checkoutPath: component, source: real, sha256: "", size: Int(info.st_size))])
        case S_IFDIR:
            var files: [StreamedFile] = []
            try walk(real, shown: component, root: root, depth: 1, into: &files)
            return (.folder, files)
        default:
            throw RegistryError.componentUnusable(path: component, reason: "it is neither a file nor a folder")
        }
    }

    static func walk(_ folder: String, shown: String, root: String, depth: Int, into files: inout [StreamedFile]) throws
    {
        guard depth <= 32 else {
            throw RegistryError.componentUnusable(path: shown, reason: "it is nested more than 32 folders deep")
        }
        for name in FileSystem.list(folder) where !name.hasPrefix(".") {
            let inner = shown + "/" + name
            guard let real = resolved(folder + "/" + name) else {
                throw RegistryError.componentUnusable(
                    path: inner, reason: "it is a symlink whose target does not exist")
            }
            guard real.hasPrefix(root + "/") else {
                throw RegistryError.componentEscapesWorkspace(component: inner, target: real)
            }
            var info = stat()
            guard stat(real, &info) == 0 else {
                throw RegistryError.unreadable(path: inner, reason: FileSystem.errnoText())
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                files.append(StreamedFile(checkoutPath: inner, source: real, sha256: "", size: Int(info.st_size)))
            case S_IFDIR:
                try walk(real, shown: inner, root: root, depth: depth + 1, into: &files)
            default:
                throw RegistryError.componentUnusable(
                    path: inner, reason: "it is neither a file nor a folder; remove it")
            }
        }
    }

    /// SHA-256 of a file in 1 MiB reads; `step` gets each read's byte count.
    static func hash(_ path: String, shown: String, step: (Int) -> Void = { _ in }) throws -> String {
        try stream(path, shown: shown, to: nil, step: step)
    }

    /// Copies `path` to the new file `target` in 1 MiB steps and returns the SHA-256 of what was copied.
    static func copy(_ path: String, to target: String, shown: String) throws -> String {
        let out = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw RegistryError.writeFailed(path: target, reason: FileSystem.errnoText()) }
        defer { close(out) }
        let hash = try stream(path, shown: shown, to: out)
        guard fsync(out) == 0 else { throw RegistryError.writeFailed(path: target, reason: FileSystem.errnoText()) }
        return hash
    }

    private static func stream(_ path: String, shown: String, to out: Int32?, step: (Int) -> Void = { _ in }) throws
        -> String
    {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RegistryError.unreadable(path: shown, reason: FileSystem.errnoText()) }
        defer { close(input) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw RegistryError.unreadable(path: shown, reason: FileSystem.errnoText())
            }
            if count == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(bytes)
            if let out, !FileSystem.writeAll(out, bytes) {
                throw RegistryError.writeFailed(path: shown, reason: FileSystem.errnoText())
            }
            step(count)
        }
        return hasher.finalize().hex
    }

    /// Makes a staged tree read-only (files 0444, folders 0555) or writable again so it can be removed.
    static func setWritable(_ path: String, _ writable: Bool) {
        guard FileSystem.isDirectory(path) else { return }
        if writable { chmod(path, 0o755) }
        for name in FileSystem.list(path) {
            let inner = path + "/" + name
            if FileSystem.isDirectory(inner) {
                setWritable(inner, writable)
            } else if !writable {
                chmod(inner, 0o444)
            }
        }
        if !writable { chmod(path, 0o555) }
    }
}
