// The registry: versions, tags and events over the object store, with crash-safe, locked writes.
public import Foundation
public import Hashing

/// A component's bytes as found in the workspace or handed back from the store: the kit's one component-content
/// type, which the toy model loads as it is.
public typealias ComponentData = ComponentContent

/// What `register` did: the version, and whether identical content was already registered.
public struct RegisterOutcome: Sendable {
    public var record: VersionRecord
    public var existing: Bool
}

/// Compare-and-swap expectation for a tag move.
public enum TagExpectation: Sendable, Equatable {
    case any
    /// The tag must currently point here (nil: the tag must not exist yet).
    case pointsTo(String?)
}

public struct Registry: Sendable {
    public let root: String
    public let objects: ObjectStore
    let log: EventLog
    let now: @Sendable () -> Date

    var versionsPath: String { root + "/versions" }
    var tagsPath: String { root + "/tags" }
    var lockPath: String { root + "/lock" }
    var pendingRecordPath: String { versionsPath + "/.pending-record.json" }

    /// Opens an existing registry folder.
    public init(root: String, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard FileSystem.isDirectory(root + "/objects"), FileSystem.exists(root + "/events.jsonl") else {
            throw RegistryError.workspaceUnusable(
                path: root, reason: "it has no registry (expected objects/ and events.jsonl)")
        }
        self.init(unchecked: root, now: now)
    }

    private init(unchecked root: String, now: @escaping @Sendable () -> Date) {
        self.root = root
        self.objects = ObjectStore(root: root + "/objects/sha256")
        self.log = EventLog(path: root + "/events.jsonl", headPath: root + "/events.head")
        self.now = now
    }

    /// Creates an empty registry in `root` (which must not hold one) and records its creation.
    @discardableResult
    public static func create(root: String, actor: String, now: @escaping @Sendable () -> Date = { Date() }) throws
        -> Registry
    {
        if FileSystem.exists(root + "/events.jsonl") { throw RegistryError.workspaceExists(path: root) }
        let registry = Registry(unchecked: root, now: now)
        for folder in [
            registry.objects.root, registry.versionsPath, registry.tagsPath, root + "/requests", root + "/incidents",
        ] {
            try FileSystem.makeFolder(folder)
        }
        let lock = try WriterLock(path: registry.lockPath)
        defer { withExtendedLifetime(lock) {} }
        var writer = Writer(registry: registry, head: LogHead(seq: 0, sha256: EventLog.genesis, offset: 0, versions: 0))
        try writer.append(RegistryCreated(), actor: actor)
        return registry
    }

    // MARK: Writing

    /// Runs `body` under the exclusive writer lock, after completing any operation a crash interrupted.
    /// Each append is all or nothing; when `body` fails after some of its events were recorded, the error
    /// names them, so it never claims that nothing changed.
    @discardableResult
    public func write<T>(_ body: (inout Writer) throws -> T) throws -> T {
        let lock = try WriterLock(path: lockPath)
        defer { withExtendedLifetime(lock) {} }
        var writer = Writer(registry: self, head: try recover())
        do {
            return try body(&writer)
        } catch {
            guard let first = writer.recorded.first, let last = writer.recorded.last else { throw error }
            let done =
                first.seq == last.seq
                ? "Event #\(first.seq) (\(first.kind)) was recorded"
                : "Events #\(first.seq)–#\(last.seq) were recorded"
            throw RegistryError.failedAfter(done, error)
        }
    }

    /// The writer's view inside `write`: every mutation appends exactly one event.
    public struct Writer {
        let registry: Registry
        var head: LogHead
        /// Events this write has recorded so far.
        var recorded: [Event] = []

        init(registry: Registry, head: LogHead) {
            self.registry = registry
            self.head = head
        }

        /// Appends an event and applies its file effects (a tag move, the side files `sideFiles` derives from the
        /// event: relative path → bytes, see SideFiles.swift), as one transaction: staged files, the event,
        /// renames. A failure is undone before it is reported, or reported as recorded.
        @discardableResult
        public mutating func append(
            kind: String, actor: String, data: [String: String],
            sideFiles: (Event) throws -> [String: Data] = { _ in [:] }
        ) throws -> Event {
            let now = registry.now()
            // An event dated before the last one would make every duration and order read from the log a lie.
            if let last = head.at, Timestamp.milliseconds(now) < Timestamp.milliseconds(last) {
                throw RegistryError.clockWentBack(now: now, last: last, seq: head.seq)
            }
            let event = Event(seq: head.seq + 1, at: now, kind: kind, actor: actor, data: data, prev: head.sha256)
            let line = try CanonicalJSON.encode(event)
            let next = LogHead(
                seq: event.seq, sha256: SHA256.hash(line).hex, offset: head.offset + line.count + 1,
                versions: head.versions + (kind == EventKind.versionRegistered ? 1 : 0), at: event.at)
            try AppendTransaction(
                registry: registry, event: event, line: line, start: head, next: next, sideFiles: try sideFiles(event)
            ).commit()
            head = next
            recorded.append(event)
            return event
        }

        public var nextVersionSeq: Int { head.versions + 1 }
    }

    /// Completes events written after the last acknowledged head (a crash between append and head update) and
    /// the side files of recorded events, drops an incomplete final line (never acknowledged), and sweeps what a
    /// crash can leave: temp files and version files whose registration event was never written.
    private func recover() throws -> LogHead {
        guard var head = try log.head() else {
            throw RegistryError.corruptFile(path: log.headPath, reason: "it is missing")
        }
        let size = try FileSystem.size(of: log.path)
        guard size >= head.offset else {
            throw RegistryError.corruptFile(
                path: log.path, reason: "it ends before acknowledged event #\(head.seq): lines were removed")
        }
        let (pending, end) = try log.lines(from: head.offset)
        for (index, line) in pending.enumerated() {
            let event = try log.decode(line, number: head.seq + index + 1)
            guard event.prev == head.sha256, event.seq == head.seq + 1 else {
                throw RegistryError.corruptFile(
                    path: log.path, reason: "line \(head.seq + index + 1) does not chain to the line before it")
            }
            try applyEffects(of: event)
            head = LogHead(
                seq: event.seq, sha256: SHA256.hash(line).hex, offset: head.offset + line.count + 1,
                versions: head.versions + (event.kind == EventKind.versionRegistered ? 1 : 0), at: event.at)
        }
        if head.at == nil, head.seq > 0 { head.at = try log.lastEventTime(endingAt: head.offset) }
        if end < size { try FileSystem.truncate(log.path, to: max(end, head.offset)) }
        if !pending.isEmpty { try log.writeHead(head, tempFolder: root) }
        try completeSideFiles(through: head.seq)
        // A staged record still here after replay belongs to a registration whose event never committed.
        if FileSystem.exists(pendingRecordPath) { try FileSystem.remove(pendingRecordPath) }
        for folder in sweptFolders {
            for name in FileSystem.temps(in: folder) { FileSystem.discard(folder + "/" + name) }
        }
        let files = versionIDs()
        if files.count > head.versions {
            let registered = Set(try versionSummaries().map(\.id))
            for id in files where !registered.contains(id) { FileSystem.discard(versionPath(id)) }
        }
        return head
    }

    /// Where a writer may leave temp files: swept by the next writer, reported by fsck.
    var sweptFolders: [String] { [root, tagsPath, versionsPath, objects.root] }

    /// The files an event implies; idempotent so recovery can replay it.
    func applyEffects(of event: Event) throws {
        if event.is(VersionRegistered.self) {
            let registered = try event.payload(as: VersionRegistered.self)
            if !FileSystem.exists(versionPath(registered.id)), FileSystem.exists(pendingRecordPath),
                SHA256.hash(try FileSystem.read(pendingRecordPath)).hex == registered.recordSHA256
            {
                try FileSystem.moveIntoPlace(pendingRecordPath, to: versionPath(registered.id))
            }
        }
        if event.is(TagMoved.self) {
            let moved = try event.payload(as: TagMoved.self)
            try FileSystem.writeAtomically(Data((moved.to + "\n").utf8), to: tagPath(moved.tag), tempFolder: root)
        }
    }

    // MARK: Register

    /// The content id of a manifest: SHA-256 of its canonical JSON.
    public static func versionID(of manifest: VersionManifest) throws -> String {
        SHA256.hash(try CanonicalJSON.encode(manifest)).hex
    }

    /// Components hashed and ready to register: the id is known before anything is written.
    public struct PreparedVersion: Sendable {
        public let manifest: VersionManifest
        public let id: String
        let blobs: [String: Data]
        let sizes: [String: Int]
    }

    /// Hashes components (and the dataset) into a manifest without writing anything.
    public static func prepare(components: [String: ComponentData], lineage: DatasetLineage?, lineageData: Data?)
        throws -> PreparedVersion
    {
        guard !components.isEmpty else { throw RegistryError.noComponents(path: "the component list") }
        var entries: [String: ComponentEntry] = [:]
        var blobs: [String: Data] = [:]
        var sizes: [String: Int] = [:]
        for (name, content) in components {
            switch content {
            case .file(let data):
                let hash = SHA256.hash(data).hex
                blobs[hash] = data
                entries[name] = ComponentEntry(kind: .file, sha256: hash)
                sizes[name] = data.count
            case .folder(let files):
                var listing: [String: String] = [:]
                for (path, data) in files {
                    let hash = SHA256.hash(data).hex
                    blobs[hash] = data
                    listing[path] = hash
                }
                let manifestData = try CanonicalJSON.encode(FolderManifest(files: listing))
                let hash = SHA256.hash(manifestData).hex
                blobs[hash] = manifestData
                entries[name] = ComponentEntry(kind: .folder, sha256: hash)
                sizes[name] = files.values.reduce(0) { $0 + $1.count }
            }
        }
        if let lineageData { blobs[SHA256.hash(lineageData).hex] = lineageData }
        let manifest = VersionManifest(components: entries, lineage: lineage)
        return PreparedVersion(manifest: manifest, id: try versionID(of: manifest), blobs: blobs, sizes: sizes)
    }

    /// Stores the components and records a new version; identical content returns the existing version.
    public func register(
        components: [String: ComponentData], lineage: DatasetLineage?, lineageData: Data?, metadata: VersionMetadata
    ) throws -> RegisterOutcome {
        try register(
            Registry.prepare(components: components, lineage: lineage, lineageData: lineageData), metadata: metadata)
    }

    /// Records a prepared version. `attachments` are extra blobs the metadata refers to (e.g. an eval result).
    public func register(_ prepared: PreparedVersion, metadata: VersionMetadata, attachments: [Data] = [])
        throws -> RegisterOutcome
    {
        guard !metadata.owner.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(field: "owner", hint: "every version needs an owner, pass --owner NAME")
        }
        guard !metadata.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(
                field: "reason", hint: "every change needs a reason, pass --reason TEXT")
        }
        return try write { writer in
            // `write` has swept version files whose registration never committed: a file here is a registration.
            if FileSystem.exists(versionPath(prepared.id)) {
                return RegisterOutcome(record: try record(id: prepared.id), existing: true)
            }
            if let parent = metadata.parent, !FileSystem.exists(versionPath(parent)) {
                throw RegistryError.unknownRef(parent)
            }
            var blobs = prepared.blobs
            for attachment in attachments { blobs[SHA256.hash(attachment).hex] = attachment }
            for (hash, data) in blobs.sorted(by: { $0.key < $1.key }) { try objects.store(data, as: hash) }
            let record = VersionRecord(
                id: prepared.id, seq: writer.nextVersionSeq, manifest: prepared.manifest, metadata: metadata,
                sizes: prepared.sizes)
            // The version file is in place before its event, so a reader that sees the event finds the file; a
            // crash in between leaves a file with no event, which the next writer removes.
            let recordData = Data(try CanonicalJSON.prettyString(record).utf8)
            try FileSystem.writeAtomically(recordData, to: versionPath(record.id), tempFolder: root)
            let registered = VersionRegistered(
                id: record.id, seq: record.seq, owner: metadata.owner, parent: metadata.parent, reason: metadata.reason,
                recordSHA256: SHA256.hash(recordData).hex)
            do {
                try writer.append(registered, actor: metadata.owner)
            } catch {
                // Undone: the file goes too (if this fails, the next writer removes it, as after a crash).
                if case .writeRecorded = error as? RegistryError {} else { FileSystem.discard(versionPath(record.id)) }
                throw error
            }
            return RegisterOutcome(record: record, existing: false)
        }
    }

    /// True when a version with this full id is registered: its file is there and its event recorded (a file
    /// alone may be a registration in flight or one a crash cut short).
    /// A log that does not read answers false: whatever write comes next reads it again and reports the damage.
    public func isRegistered(_ id: String) -> Bool {
        guard Registry.isFullID(id), FileSystem.exists(versionPath(id)),
            let registrations = try? log.events(aboutVersion: id).payloads(VersionRegistered.self)
        else { return false }
        return registrations.contains { $0.payload.id == id }
    }

    /// A full version id: 64 lowercase hex digits.
    public static func isFullID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    // MARK: Tags

    /// A tag name is a file name under tags/ and must never read as a version ref: no hex of 4 or more
    /// digits (an id or prefix), no `#N`, no `latest`, no `~`.
    public static func validateTagName(_ name: String) throws {
        guard isSafeTagFileName(name) else { throw RegistryError.invalidTagName(name) }
        if name.count >= 4, name.allSatisfy(\.isHexDigit) { throw RegistryError.tagLooksLikeRef(name, why: "hex") }
        if name.lowercased() == "latest" { throw RegistryError.tagLooksLikeRef(name, why: "latest") }
    }

    /// Letters, digits, '.', '_', '-', not starting with '.', '-' or '#', no '..': safe as a file name.
    static func isSafeTagFileName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return !name.isEmpty && name.count <= 100 && name.allSatisfy(allowed.contains) && !name.contains("..")
            && !name.hasPrefix(".") && !name.hasPrefix("-")
    }

    /// Moves (or creates) a tag by atomic rename, recording who, from, to, why. `expecting` makes it a compare-and-swap.
    /// `first` appends any event that must land with the move, under the same lock, after every check passed.
    @discardableResult
    public func moveTag(
        _ name: String, to id: String, by actor: String, reason: String, expecting: TagExpectation = .any,
        details: [String: String] = [:], first: ((inout Writer) throws -> Void)? = nil
    ) throws -> Event {
        try Registry.validateTagName(name)
        guard !actor.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(
                field: "who moved the tag", hint: "every tag move records who made it, pass --by NAME")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(
                field: "reason", hint: "every change needs a reason, pass --reason TEXT")
        }
        return try write { writer in
            guard FileSystem.exists(versionPath(id)) else { throw RegistryError.unknownRef(id) }
            let current = tag(name)
            if case .pointsTo(let expected) = expecting, expected != current {
                throw RegistryError.tagChanged(tag: name, expected: expected, actual: current)
            }
            // Checked under the writer lock, which gc deletes under: a version whose blobs are here now keeps
            // them, since once the move is recorded it has held a serving tag.
            if Registry.servingTags.contains(name) {
                try requireArtifacts(of: try record(id: id), to: "point \(name) at")
            }
            try first?(&writer)
            return try writer.append(
                TagMoved(tag: name, from: current, to: id, reason: reason, details: details), actor: actor)
        }
    }

    /// The id a tag points to, or nil (also for a name that is not a tag file name: refs are never paths).
    public func tag(_ name: String) -> String? {
        // A missing tag file is no tag; an unreadable one reads as none too, and fsck names it (it disagrees
        // with the tag's last move).
        guard Registry.isSafeTagFileName(name), var data = try? FileSystem.read(tagPath(name)) else { return nil }
        while let last = data.last, last == 0x0A || last == 0x20 || last == 0x0D { data.removeLast() }
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }

    /// All tags, name → id.
    public func tags() -> [String: String] {
        var result: [String: String] = [:]
        for name in FileSystem.list(tagsPath) where Registry.isSafeTagFileName(name) {
            if let id = tag(name) { result[name] = id }
        }
        return result
    }

    /// Every recorded move of `name`, oldest first.
    public func tagHistory(_ name: String) throws -> [TagMove] {
        try events().payloads(TagMoved.self).compactMap { event, moved in
            guard moved.tag == name else { return nil }
            return TagMove(
                tag: name, from: moved.from, to: moved.to, by: event.actor, reason: moved.reason, at: event.at,
                event: event.seq, details: moved.details)
        }
    }

    // MARK: Reading

    func versionPath(_ id: String) -> String { "\(versionsPath)/\(id).json" }
    func tagPath(_ name: String) -> String { "\(tagsPath)/\(name)" }

    /// The record of a full version id.
    public func record(id: String) throws -> VersionRecord {
        guard Registry.isFullID(id) else { throw RegistryError.unknownRef(id) }
        let path = versionPath(id)
        let data = try FileSystem.read(path)
        do {
            return try VersionRecord(json: try JSONReader.parse(data))
        } catch {
            throw RegistryError.corruptFile(path: path, reason: "it is not a valid version record")
        }
    }

    /// Every registered version's summary, in registration order (from the event log alone).
    public func versionSummaries() throws -> [VersionSummary] {
        try events().payloads(VersionRegistered.self).map { VersionSummary($0.payload, at: $0.event.at) }
    }

    /// Every registered version's full record, in registration order.
    public func versions() throws -> [VersionRecord] {
        try versionSummaries().map { try record(id: $0.id) }
    }

    /// Every acknowledged event, oldest first.
    public func events() throws -> [Event] { try log.events() }

    /// The events that mention `text` anywhere in their line (a version id, an incident id), oldest first.
    public func events(mentioning text: String) throws -> [Event] { try log.events(containingAny: [text]) }

    /// The events about version `id` (tag moves, evals, incidents, collection), not those naming it as a parent.
    public func events(aboutVersion id: String) throws -> [Event] { try log.events(aboutVersion: id) }

    /// The events whose line contains any of `fragments` (exact bytes of the canonical JSON), oldest first.
    public func events(containingAny fragments: [String]) throws -> [Event] { try log.events(containingAny: fragments) }

    /// Full ids of every registered version (from the versions folder: cheap, no event parsing).
    public func versionIDs() -> [String] {
        FileSystem.list(versionsPath).compactMap { name in
            name.hasSuffix(".json") && !name.hasPrefix(".") ? String(name.dropLast(5)) : nil
        }
    }

    /// Resolves `#N`, `TAG~N`, a full id, a tag, `latest` (the newest version) or a unique id prefix (at least
    /// 4 hex digits). A full id always means that version; tags cannot be named like refs (see `validateTagName`),
    /// and one made before that rule never shadows a version ref.
    public func resolve(_ ref: String) throws -> VersionRecord {
        let text = ref.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("#") {
            guard let seq = Int(text.dropFirst()), seq > 0,
                let found = try versionSummaries().first(where: { $0.seq == seq })
            else { throw RegistryError.unknownRef(ref) }
            return try record(id: found.id)
        }
        if let tilde = text.firstIndex(of: "~") {
            let name = String(text[..<tilde])
            guard Registry.isSafeTagFileName(name), let steps = Int(text[text.index(after: tilde)...]), steps >= 0
            else { throw RegistryError.unknownRef(ref) }
            let history = try tagHistory(name)
            guard !history.isEmpty else { throw RegistryError.tagNotFound(name) }
            guard steps < history.count else { throw RegistryError.tagHasNoHistory(tag: name, steps: steps) }
            return try record(id: history[history.count - 1 - steps].to)
        }
        let lower = text.lowercased()
        if Registry.isFullID(lower), FileSystem.exists(versionPath(lower)) { return try record(id: lower) }
        if text == "latest" {
            guard let newest = try versionSummaries().last else { throw RegistryError.unknownRef(ref) }
            return try record(id: newest.id)
        }
        let looksLikePrefix = lower.count >= 4 && lower.allSatisfy(\.isHexDigit)
        let matches = looksLikePrefix ? versionIDs().filter { $0.hasPrefix(lower) } : []
        if matches.count > 1 {
            throw RegistryError.ambiguousRef(ref, candidates: matches.map { String($0.prefix(12)) })
        }
        if let id = matches.first { return try record(id: id) }
        if let id = tag(text) { return try record(id: id) }
        throw RegistryError.unknownRef(ref)
    }

    /// The bytes of every component of a version, read back from the store and verified.
    public func contents(of record: VersionRecord) throws -> [String: ComponentData] {
        var result: [String: ComponentData] = [:]
        for (name, entry) in record.manifest.components {
            result[name] = try content(of: entry, component: name, version: record)
        }
        return result
    }

    func content(of entry: ComponentEntry, component: String, version: VersionRecord) throws -> ComponentData {
        func blob(_ hash: String) throws -> Data {
            guard objects.contains(hash) else {
                if let collected = try collection(of: version.id) {
                    throw RegistryError.artifactsCollected(
                        version: version.shortID, component: component, at: Timestamp.string(from: collected.at))
                }
                throw RegistryError.objectMissing(hash: hash, component: component)
            }
            return try objects.get(hash)
        }
        switch entry.kind {
        case .file:
            return .file(try blob(entry.sha256))
        case .folder:
            let listing = try folderManifest(try blob(entry.sha256), hash: entry.sha256)
            var files: [String: Data] = [:]
            for (path, hash) in listing.files { files[path] = try blob(hash) }
            return .folder(files)
        }
    }

    /// The file listing of a stored folder component.
    public func folderListing(_ hash: String) throws -> FolderManifest {
        try folderManifest(try objects.get(hash), hash: hash)
    }

    func folderManifest(_ data: Data, hash: String) throws -> FolderManifest {
        do {
            return try CanonicalJSON.decoder().decode(FolderManifest.self, from: data)
        } catch {
            throw RegistryError.corruptFile(path: objects.path(of: hash), reason: "it is not a folder manifest")
        }
    }

    /// The garbage-collection event that removed a version's artifacts, if any.
    public func collection(of id: String) throws -> Event? {
        try events(aboutVersion: id).payloads(BlobsCollected.self).last { $0.payload.versionIDs.contains(id) }?.event
    }

    /// Writes a version's components into `destination` (which must be new or empty). The whole tree is staged
    /// beside it and put there with one rename, so a failure leaves no folder and no partial checkout.
    public func checkout(_ record: VersionRecord, into destination: String) throws {
        if FileSystem.exists(destination), !FileSystem.list(destination).isEmpty {
            throw RegistryError.destinationNotEmpty(path: destination)
        }
        var files: [String: Data] = [:]
        for (name, content) in try contents(of: record) {
            switch content {
            case .file(let data):
                files[name] = data
            case .folder(let listing):
                for (path, data) in listing { files[name + "/" + path] = data }
            }
        }
        let staged = try StagedOutput.folder(files, at: destination)
        do {
            try staged.place()
        } catch {
            throw staged.failed(error)
        }
    }
}
