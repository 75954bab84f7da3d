// fsck: verifies the event chain, the head, every version record, every object and every tag, and that every
// version serving reads or a logged request names still has its blobs.
import Foundation
import Hashing

public struct FsckReport: Encodable, Sendable {
    public var ok: Bool { problems.isEmpty }
    /// Damage: each sentence names the file (and line or object) at fault.
    public var problems: [String]
    /// Harmless states a crash can leave, completed or discarded by the next write.
    public var warnings: [String]
    public var events: Int
    public var versions: Int
    public var objects: Int
    public var tags: Int

    enum CodingKeys: String, CodingKey { case ok, problems, warnings, events, versions, objects, tags }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(problems, forKey: .problems)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(events, forKey: .events)
        try container.encode(versions, forKey: .versions)
        try container.encode(objects, forKey: .objects)
        try container.encode(tags, forKey: .tags)
    }

    init() {
        problems = []
        warnings = []
        events = 0
        versions = 0
        objects = 0
        tags = 0
    }
}

extension Registry {
    /// Checks the whole registry without changing it. Here a read that fails is never an absence: each `try?`
    /// below turns into a sentence of the report.
    /// The log, head, version files and tags are read under a shared lock, so no writer is half-way through
    /// an operation meanwhile; the objects are hashed after it is released (writers only add them, and gc
    /// removes them after its event), so a long check never holds writers up.
    public func fsck() -> FsckReport {
        var report = FsckReport()
        // A registry this user may not lock (read-only) is still checked, as consistently as the files allow.
        var lock = try? WriterLock(path: lockPath, shared: true)
        let (events, lineHashes) = checkEventChain(&report)
        let acknowledged = checkHead(events: events, lineHashes: lineHashes, &report)
        checkVersions(events: events, acknowledged: acknowledged, &report)
        checkTags(events: events, acknowledged: acknowledged, &report)
        checkTemps(&report)
        let hashes = objects.allHashes()
        withExtendedLifetime(lock) {}
        lock = nil
        checkObjects(hashes, &report)
        checkAnswering(events: events, &report)
        return report
    }

    /// A serving tag, or a request in the attribution log, naming a version whose blobs are not all in the
    /// store (gc collected them, or they were deleted by hand): serving cannot load it, and those requests'
    /// audits cannot replay. One check per distinct version, however many requests it answered.
    private func checkAnswering(events: [Event], _ report: inout FsckReport) {
        var collectedAt: [String: Date] = [:]
        for event in events where event.is(BlobsCollected.self) {
            // A collection event that does not read is reported by checkVersions.
            for id in (try? event.payload(as: BlobsCollected.self))?.versionIDs ?? [] { collectedAt[id] = event.at }
        }
        var missing: [String: (VersionRecord, String)?] = [:]
        func gone(_ id: String) -> (VersionRecord, String)? {
            if let known = missing[id] { return known }
            // An id with no readable record is reported by checkVersions (or is not a version at all).
            let found = (try? record(id: id)).flatMap { record in missingComponent(of: record).map { (record, $0) } }
            missing[id] = found
            return found
        }
        func why(_ record: VersionRecord, _ component: String) -> String {
            let what =
                collectedAt[record.id].map { "were garbage-collected at \(Timestamp.string(from: $0))" }
                ?? "are missing from the object store"
            return "#\(record.seq) \(record.shortID), whose artifacts \(what) (component '\(component)')"
        }
        let restore = "register the same content again to restore them"
        for (name, id) in tags().sorted(by: { $0.key < $1.key }) where Registry.servingTags.contains(name) {
            guard let (record, component) = gone(id) else { continue }
            report.problems.append(
                "tags/\(name) points to \(why(record, component)): serving cannot load it; \(restore), or move \(name) "
                    + "to a version whose artifacts are kept.")
        }
        // A log that does not read is one of the problems the request log's own check reports.
        guard let answered = try? AttributionLog(registryRoot: root).answeredByVersion() else { return }
        for (id, sources) in answered.sorted(by: { $0.key < $1.key }) where Registry.isFullID(id) {
            guard let (record, component) = gone(id) else { continue }
            let count = sources.values.reduce(0, +)
            report.problems.append(
                "\(count) request(s) in requests/log.jsonl were answered by \(why(record, component)): their audits "
                    + "cannot replay; \(restore).")
        }
    }

    /// Temp files left by a crash (under the shared lock no writer has one in flight).
    private func checkTemps(_ report: inout FsckReport) {
        let swept = sweptFolders
        let prefixes = FileSystem.list(objects.root).filter { !$0.hasPrefix(".") }.map { objects.root + "/" + $0 }
        for folder in swept + prefixes {
            for name in FileSystem.temps(in: folder) {
                let path = relative(folder + "/" + name)
                report.warnings.append(
                    swept.contains(folder)
                        ? "\(path) is a temp file an interrupted write left; the next write removes it."
                        : "\(path) is a temp file an interrupted write left; it is safe to delete.")
            }
        }
    }

    private func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private func checkEventChain(_ report: inout FsckReport) -> (events: [Event], lineHashes: [String]) {
        let logName = "events.jsonl"
        guard let data = try? FileSystem.read(log.path) else {
            report.problems.append("\(logName) is missing or unreadable.")
            return ([], [])
        }
        var events: [Event] = []
        var hashes: [String] = []
        var previous = EventLog.genesis
        var broken = false
        let end = EventLog.forEachLine(in: data) { line, number in
            guard !broken else { return }
            guard let event = try? log.decode(line, number: number) else {
                report.problems.append("\(logName) line \(number) is not a valid event (it was edited or damaged).")
                broken = true
                return
            }
            if event.prev != previous {
                report.problems.append(
                    "\(logName) line \(number - 1) was changed, or a line after it removed: line \(number) no longer chains to it."
                )
                broken = true
                return
            }
            if event.seq != number {
                report.problems.append("\(logName) line \(number) carries seq \(event.seq): lines were reordered.")
                broken = true
                return
            }
            if let before = events.last, Timestamp.milliseconds(event.at) < Timestamp.milliseconds(before.at) {
                report.problems.append(
                    "\(logName) line \(number) (event #\(event.seq), \(Timestamp.string(from: event.at))) is dated "
                        + "before event #\(before.seq) (\(Timestamp.string(from: before.at))): the clock ran backwards "
                        + "or the log was rewritten, so durations read from it are untrue.")
            }
            previous = SHA256.hash(Data(buffer: line)).hex
            hashes.append(previous)
            events.append(event)
        }
        if end < data.count {
            report.warnings.append(
                "\(logName) ends with an incomplete line that was never acknowledged; the next write discards it.")
        }
        report.events = events.count
        return (events, hashes)
    }

    /// Returns how many events were acknowledged (at or before the head).
    private func checkHead(events: [Event], lineHashes: [String], _ report: inout FsckReport) -> Int {
        guard let head = try? log.head() else {
            report.problems.append("events.head is missing or damaged.")
            return events.count
        }
        guard report.problems.isEmpty else { return min(head.seq, events.count) }
        if head.seq > events.count {
            report.problems.append(
                "events.jsonl line \(head.seq) is missing or incomplete, but it was acknowledged: lines were removed or cut short."
            )
            return events.count
        }
        if head.seq > 0, lineHashes[head.seq - 1] != head.sha256 {
            report.problems.append("events.jsonl line \(head.seq) was changed after it was acknowledged.")
        }
        if events.count > head.seq {
            report.warnings.append(
                "\(events.count - head.seq) event(s) after the last acknowledged one will be completed by the next write."
            )
        }
        return head.seq
    }

    /// The event's payload, or nil with the damage reported.
    private func payload<P: EventPayload>(_ event: Event, as type: P.Type, _ report: inout FsckReport) -> P? {
        do {
            return try event.payload(as: P.self)
        } catch {
            report.problems.append("events.jsonl line \(event.seq) is a \(P.kind) event that does not read: \(error)")
            return nil
        }
    }

    private func checkVersions(events: [Event], acknowledged: Int, _ report: inout FsckReport) {
        var collected = Set<String>()
        for event in events where event.is(BlobsCollected.self) {
            collected.formUnion(payload(event, as: BlobsCollected.self, &report)?.blobHashes ?? [])
        }
        var registered = Set<String>()
        for event in events where event.is(VersionRegistered.self) {
            guard let registration = payload(event, as: VersionRegistered.self, &report) else { continue }
            let summary = VersionSummary(registration, at: event.at)
            registered.insert(summary.id)
            report.versions += 1
            let file = "versions/\(summary.id).json"
            guard let data = try? FileSystem.read(versionPath(summary.id)) else {
                if event.seq <= acknowledged {
                    report.problems.append("\(file) is missing (version #\(summary.seq)).")
                }
                continue
            }
            if SHA256.hash(data).hex != registration.recordSHA256 {
                report.problems.append(
                    "\(file) was changed after registration: it no longer matches events.jsonl line \(event.seq).")
                continue
            }
            guard let record = try? self.record(id: summary.id) else {
                report.problems.append("\(file) is damaged (version #\(summary.seq)).")
                continue
            }
            if (try? Registry.versionID(of: record.manifest)) != record.id || record.seq != summary.seq {
                report.problems.append("\(file): its id or seq does not match its manifest and registration.")
            }
            for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
                checkBlob(entry.sha256, owner: "\(record.shortID) component '\(name)'", collected, &report)
                // A folder manifest that does not read is damage checkObjects reports (its hash no longer matches).
                guard entry.kind == .folder, objects.contains(entry.sha256),
                    let data = try? objects.get(entry.sha256),
                    let listing = try? folderManifest(data, hash: entry.sha256)
                else { continue }
                for (path, hash) in listing.files.sorted(by: { $0.key < $1.key }) {
                    checkBlob(hash, owner: "\(record.shortID) file '\(name)/\(path)'", collected, &report)
                }
            }
        }
        if FileSystem.exists(pendingRecordPath) {
            report.warnings.append(
                "An interrupted registration left versions/.pending-record.json; the next write removes it.")
        }
        for id in versionIDs() where !registered.contains(id) {
            report.warnings.append(
                "versions/\(id).json has no registration event (a registration a crash cut short); the next write removes it."
            )
        }
    }

    private func checkBlob(_ hash: String, owner: String, _ collected: Set<String>, _ report: inout FsckReport) {
        if !objects.contains(hash), !collected.contains(hash) {
            report.problems.append("Object \(relativeObjectPath(hash)) of \(owner) is missing.")
        }
    }

    private func relativeObjectPath(_ hash: String) -> String {
        "objects/sha256/\(hash.prefix(2))/\(hash.dropFirst(2))"
    }

    private func checkObjects(_ hashes: [String], _ report: inout FsckReport) {
        for hash in hashes {
            guard let digest = try? SHA256.hash(fileAt: objects.path(of: hash)) else {
                // Collected by gc since the listing: not damage.
                if !objects.contains(hash) { continue }
                report.objects += 1
                report.problems.append("Object \(relativeObjectPath(hash)) is unreadable.")
                continue
            }
            report.objects += 1
            if digest.hex != hash {
                report.problems.append(
                    "Object \(relativeObjectPath(hash)) is corrupt: its content does not match its name.")
            }
        }
    }

    private func checkTags(events: [Event], acknowledged: Int, _ report: inout FsckReport) {
        var latest: [String: (event: Event, moved: TagMoved)] = [:]
        for event in events where event.is(TagMoved.self) {
            if let moved = payload(event, as: TagMoved.self, &report) { latest[moved.tag] = (event, moved) }
        }
        let current = tags()
        report.tags = current.count
        for (name, (event, moved)) in latest.sorted(by: { $0.key < $1.key }) {
            let expected: String? = moved.to
            if current[name] != expected {
                if event.seq > acknowledged { continue }
                report.problems.append(
                    "tags/\(name) points to \(current[name].map { String($0.prefix(12)) } ?? "nothing") but its last "
                        + "move (events.jsonl line \(event.seq)) set \(expected.map { String($0.prefix(12)) } ?? "nothing")."
                )
            }
        }
        for (name, id) in current.sorted(by: { $0.key < $1.key }) where latest[name] == nil {
            report.problems.append("tags/\(name) points to \(id.prefix(12)) but no event ever moved it.")
        }
    }
}
