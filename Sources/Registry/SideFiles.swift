// Side files: files in the registry that people and tools read (incidents/<id>.json) and that the module writing
// the events derives from them. Each is written in its event's own transaction, staged under a temp name that
// says the event's seq and put in place once the event is acknowledged, so a crash or a failed rename at any
// step leaves a temp the next writer puts in place (its event is recorded) or discards (it is not).
public import Foundation

extension Registry {
    /// The folders that hold side files.
    public static let sideFolders: Set<String> = ["incidents"]
    static let pendingSidePrefix = FileSystem.tempPrefix + "side-"

    /// The absolute path of a side file named "folder/name"; anything else is refused.
    func sideFilePath(_ relative: String) throws -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, Registry.sideFolders.contains(parts[0]), Registry.isSafeTagFileName(parts[1]) else {
            throw RegistryError.writeFailed(
                path: root + "/" + relative, reason: "it is not a side file the registry keeps")
        }
        return root + "/" + relative
    }

    /// The staged temp's name after the temp prefix: "side-SEQ-FOLDER-NAME".
    static func pendingSideFileName(_ relative: String, seq: Int) -> String {
        "side-\(seq)-" + relative.replacingOccurrences(of: "/", with: "-")
    }

    /// The event seq and side file of a staged temp, from its name; nil for any other temp.
    static func pendingSideFile(named name: String) -> (seq: Int, relative: String)? {
        guard name.hasPrefix(pendingSidePrefix) else { return nil }
        let rest = name.dropFirst(pendingSidePrefix.count)
        guard let dash = rest.firstIndex(of: "-"), let seq = Int(rest[..<dash]) else { return nil }
        let tail = rest[rest.index(after: dash)...]
        for folder in sideFolders.sorted() where tail.hasPrefix(folder + "-") {
            let file = String(tail.dropFirst(folder.count + 1))
            if isSafeTagFileName(file) { return (seq, folder + "/" + file) }
        }
        return nil
    }

    /// Staged side files in the registry's folder, oldest event first.
    func stagedSideFiles() -> [(name: String, seq: Int, relative: String)] {
        FileSystem.temps(in: root).compactMap { name in
            Registry.pendingSideFile(named: name).map { (name, $0.seq, $0.relative) }
        }.sorted { $0.seq < $1.seq }
    }

    /// Recovery, under the writer lock: puts in place the side files of recorded events (up to `seq`) that a crash
    /// or a failed rename left staged, and discards those of an event that was never recorded.
    func completeSideFiles(through seq: Int) throws {
        for staged in stagedSideFiles() {
            let temp = root + "/" + staged.name
            if staged.seq <= seq {
                let target = try sideFilePath(staged.relative)
                try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
                try FileSystem.moveIntoPlace(temp, to: target)
            } else {
                FileSystem.discard(temp)
            }
        }
    }

    /// A side file's bytes ("folder/name"), or nil when it is not there or cannot be read (the caller compares
    /// it with what the events imply, so either way it is a file to write again).
    public func sideFile(_ relative: String) -> Data? {
        guard let path = try? sideFilePath(relative) else { return nil }
        return try? FileSystem.read(path)
    }

    /// Every name in a side folder, dot files included: a temp left there is something to report.
    public func sideFolderEntries(_ folder: String) -> [String] {
        guard Registry.sideFolders.contains(folder) else { return [] }
        return FileSystem.list(root + "/" + folder)
    }

    /// Side files ("folder/name") staged for a recorded or in-flight event and not yet in place: the next
    /// writer completes those whose event is recorded.
    public func pendingSideFiles() -> Set<String> { Set(stagedSideFiles().map(\.relative)) }
}

extension Registry.Writer {
    /// Appends one typed event with the side files it implies (see `append(kind:actor:data:sideFiles:)`).
    @discardableResult
    public mutating func append<P: EventPayload>(
        _ payload: P, actor: String, sideFiles: (Event) throws -> [String: Data]
    ) throws -> Event {
        try append(kind: P.kind, actor: actor, data: try EventFields.encode(payload), sideFiles: sideFiles)
    }

    /// Removes an entry of a side folder that no event backs (a stray record, a temp an older writer left).
    public func removeSideFile(folder: String, name: String) throws {
        guard Registry.sideFolders.contains(folder), !name.isEmpty, !name.contains("/"), name != ".", name != ".."
        else {
            throw RegistryError.writeFailed(
                path: registry.root + "/" + folder + "/" + name, reason: "it is not a side file the registry keeps")
        }
        try FileSystem.remove(registry.root + "/" + folder + "/" + name)
        FileSystem.syncFolder(registry.root + "/" + folder)
    }
}
