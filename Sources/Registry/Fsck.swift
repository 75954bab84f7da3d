// fsck: verifies the event chain, the head, every version record, every object and every tag.
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
    /// Checks the whole registry without changing it.
    public func fsck() -> FsckReport {
        var report = FsckReport()
        let events = checkEventChain(&report)
        let acknowledged = checkHead(events: events, &report)
        checkVersions(events: events, acknowledged: acknowledged, &report)
        checkObjects(&report)
        checkTags(events: events, acknowledged: acknowledged, &report)
        return report
    }

    private func checkEventChain(_ report: inout FsckReport) -> [Event] {
        let logName = "events.jsonl"
        guard let data = try? FileSystem.read(log.path) else {
            report.problems.append("\(logName) is missing or unreadable.")
            return []
        }
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if let last = lines.last, last.isEmpty {
            lines.removeLast()
        } else if !lines.isEmpty {
            lines.removeLast()
            report.warnings.append(
                "\(logName) ends with an incomplete line that was never acknowledged; the next write discards it.")
        }
        var events: [Event] = []
        var previous = EventLog.genesis
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let event = try? log.decode(Data(line), number: number) else {
                report.problems.append("\(logName) line \(number) is not a valid event (it was edited or damaged).")
                return events
            }
            if event.prev != previous {
                report.problems.append(
                    "\(logName) line \(number - 1) was changed, or a line after it removed: line \(number) no longer chains to it.")
                return events
            }
            if event.seq != number {
                report.problems.append("\(logName) line \(number) carries seq \(event.seq): lines were reordered.")
                return events
            }
            previous = SHA256.hash(Data(line)).hex
            events.append(event)
        }
        report.events = events.count
        return events
    }

    /// Returns how many events were acknowledged (at or before the head).
    private func checkHead(events: [Event], _ report: inout FsckReport) -> Int {
        guard let head = try? log.head() else {
            report.problems.append("events.head is missing or damaged.")
            return events.count
        }
        guard report.problems.isEmpty else { return min(head.seq, events.count) }
        if head.seq > events.count {
            report.problems.append(
                "events.jsonl line \(head.seq) is missing or incomplete, but it was acknowledged: lines were removed or cut short.")
            return events.count
        }
        if head.seq > 0 {
            let line = (try? log.lines().lines[head.seq - 1]) ?? Data()
            if SHA256.hash(line).hex != head.sha256 {
                report.problems.append("events.jsonl line \(head.seq) was changed after it was acknowledged.")
            }
        }
        if events.count > head.seq {
            report.warnings.append(
                "\(events.count - head.seq) event(s) after the last acknowledged one will be completed by the next write.")
        }
        return head.seq
    }

    private func checkVersions(events: [Event], acknowledged: Int, _ report: inout FsckReport) {
        var collected = Set<String>()
        for event in events where event.kind == EventKind.blobsCollected {
            collected.formUnion((event.data["blobs"] ?? "").split(separator: " ").map(String.init))
        }
        var registered = Set<String>()
        for event in events where event.kind == EventKind.versionRegistered {
            guard let record = event.record else {
                report.problems.append("events.jsonl line \(event.seq) registers a version without its record.")
                continue
            }
            registered.insert(record.id)
            report.versions += 1
            let file = "versions/\(record.id).json"
            if (try? Registry.versionID(of: record.manifest)) != record.id {
                report.problems.append("\(file): its id does not match its manifest's SHA-256.")
            }
            guard let stored = try? self.record(id: record.id) else {
                if event.seq > acknowledged {
                    continue
                }
                report.problems.append("\(file) is missing or damaged (version #\(record.seq)).")
                continue
            }
            if stored != record {
                report.problems.append("\(file) differs from its registration event (line \(event.seq)).")
            }
            for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
                checkBlob(entry.sha256, owner: "\(record.shortID) component '\(name)'", collected, &report)
                guard entry.kind == .folder, objects.contains(entry.sha256),
                    let data = try? objects.get(entry.sha256),
                    let listing = try? folderManifest(data, hash: entry.sha256)
                else { continue }
                for (path, hash) in listing.files.sorted(by: { $0.key < $1.key }) {
                    checkBlob(hash, owner: "\(record.shortID) file '\(name)/\(path)'", collected, &report)
                }
            }
        }
        for id in versionIDs() where !registered.contains(id) {
            report.warnings.append("versions/\(id).json has no registration event and is ignored.")
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

    private func checkObjects(_ report: inout FsckReport) {
        for hash in objects.allHashes() {
            report.objects += 1
            guard let digest = try? SHA256.hash(fileAt: objects.path(of: hash)) else {
                report.problems.append("Object \(relativeObjectPath(hash)) is unreadable.")
                continue
            }
            if digest.hex != hash {
                report.problems.append("Object \(relativeObjectPath(hash)) is corrupt: its content does not match its name.")
            }
        }
    }

    private func checkTags(events: [Event], acknowledged: Int, _ report: inout FsckReport) {
        var latest: [String: Event] = [:]
        for event in events where event.kind == EventKind.tagMoved {
            if let tag = event.data["tag"] { latest[tag] = event }
        }
        let current = tags()
        report.tags = current.count
        for (name, event) in latest.sorted(by: { $0.key < $1.key }) {
            let expected = event.data["to"]
            if current[name] != expected {
                if event.seq > acknowledged { continue }
                report.problems.append(
                    "tags/\(name) points to \(current[name].map { String($0.prefix(12)) } ?? "nothing") but its last "
                        + "move (events.jsonl line \(event.seq)) set \(expected.map { String($0.prefix(12)) } ?? "nothing").")
            }
        }
        for (name, id) in current.sorted(by: { $0.key < $1.key }) where latest[name] == nil {
            report.problems.append("tags/\(name) points to \(id.prefix(12)) but no event ever moved it.")
        }
    }
}
