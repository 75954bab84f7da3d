// Where drills live. The team's workspace is the room: each drill gets its own fresh workspace under
// drills/<id>/, the running drill is named in .labrunner/drills/active.json, and each finished drill's record is
// an event in the room's hash-chained log (`drill.recorded`, the whole record and the SHA-256 of its file),
// with .labrunner/drills/<id>.json the readable copy — the history that cadence, trends and the pilot's numbers
// read. Every reader checks each file against its event: an edited or forged file is refused, by name.
public import Foundation
import Hashing
public import Registry

/// The running drill, as its supervisor wrote it (in the room's active.json and the drill's own drill.json).
public struct DrillState: Codable, Sendable, Equatable {
    public var id: String
    public var code: String
    /// The team's workspace (absolute).
    public var room: String
    /// The drill's own workspace (absolute).
    public var workspace: String
    public var startedAt: Date
    public var supervisor: Int32
    public var url: String?
    /// The service, traffic and monitor processes.
    public var children: [Int32] = []

    enum CodingKeys: String, CodingKey {
        case id, code, room, workspace, supervisor, url, children
        case startedAt = "started_at"
    }

    public init(id: String, code: String, room: String, workspace: String, startedAt: Date, supervisor: Int32) {
        self.id = id
        self.code = code
        self.room = room
        self.workspace = workspace
        self.startedAt = startedAt
        self.supervisor = supervisor
    }

    /// The state file inside a drill's own workspace.
    public static func path(in workspace: Workspace) -> String { workspace.markerPath + "/drill.json" }

    /// The drill this workspace belongs to, when it is a drill's own workspace.
    public static func load(in workspace: Workspace) -> DrillState? {
        DrillRoom.read(DrillState.self, at: path(in: workspace))
    }

    /// The drill whose own workspace this is, while it runs (its room still names it active).
    public static func running(in workspace: Workspace) -> DrillState? {
        guard let state = load(in: workspace), DrillRoom(room(of: workspace)).active()?.id == state.id else {
            return nil
        }
        return state
    }

    /// The team's workspace a drill's own workspace sits in (drills/<id>/ inside it), found from where the drill
    /// is now, so a room moved or renamed after its drills still works.
    public static func room(of drillWorkspace: Workspace) -> Workspace {
        Workspace(
            root: ((drillWorkspace.root as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)
    }

    /// Whether the supervisor process is still alive: a `drill start` process with its pid (a pid freed when
    /// the drill died may since be someone else's).
    public var isRunning: Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(supervisor)/cmdline") else { return false }
        let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return zip(words, words.dropFirst()).contains { $0 == "drill" && $1 == "start" }
    }
}

/// Days since the last drill against the team's cadence.
public struct DrillCadence: Codable, Sendable, Equatable {
    public var cadenceDays: Int
    public var lastDrill: Date?
    public var daysSince: Int?
    public var overdue: Bool

    enum CodingKeys: String, CodingKey {
        case overdue
        case cadenceDays = "cadence_days"
        case lastDrill = "last_drill"
        case daysSince = "days_since"
    }

    /// The sentence `LabRunner` and `drill history` print.
    public var sentence: String {
        guard let daysSince else {
            return "No rollback drill recorded yet; rehearse at least every \(cadenceDays) days: LabRunner drill start."
        }
        let ago = daysSince == 0 ? "today" : daysSince == 1 ? "1 day ago" : "\(daysSince) days ago"
        return overdue
            ? "Rollback drill OVERDUE: the last was \(ago) (cadence \(cadenceDays) days); run LabRunner drill start."
            : "Last rollback drill \(ago); next due within \(cadenceDays - daysSince) days."
    }
}

public struct DrillRoom: Sendable {
    public let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    public var folder: String { workspace.markerPath + "/drills" }
    public var activePath: String { folder + "/active.json" }
    public func drillRoot(_ id: String) -> String { workspace.root + "/drills/" + id }
    public func recordPath(_ id: String) -> String { folder + "/" + id + ".json" }

    /// The next free id: one more than any drill folder or record.
    public func nextID() -> String {
        let manager = FileManager.default
        let names =
            ((try? manager.contentsOfDirectory(atPath: workspace.root + "/drills")) ?? [])
            + ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).map { ($0 as NSString).deletingPathExtension }
        let highest = names.compactMap { $0.hasPrefix("D-") ? Int($0.dropFirst(2)) : nil }.max() ?? 0
        return String(format: "D-%04d", highest + 1)
    }

    public func active() -> DrillState? { Self.read(DrillState.self, at: activePath) }

    public func setActive(_ state: DrillState?) throws {
        guard let state else {
            try? FileManager.default.removeItem(atPath: activePath)
            return
        }
        try Self.write(state, to: activePath)
    }

    /// Records `record`: first the `drill.recorded` event in the room's log (under its lock), then the file it
    /// commits to, so a crash between the two leaves the event, which readers read the record from.
    /// Its action items without an id are numbered after every other drill's in the room.
    public func save(_ record: DrillRecord, by actor: String = "drill", now: @escaping @Sendable () -> Date) throws {
        let others = try committedRecords().values.map(\.record).filter { $0.id != record.id }
        let record = DrillActions.number(record, after: others)
        let file = Data((try CanonicalJSON.prettyString(record) + "\n").utf8)
        let registry = try Registry(root: workspace.registryPath, now: now)
        let recorded = DrillRecorded(
            drill: record.id, record: String(decoding: try CanonicalJSON.encode(record), as: UTF8.self),
            sha256: SHA256.hash(file).hex)
        try registry.write { writer in _ = try writer.append(recorded, actor: actor) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try file.write(to: URL(fileURLWithPath: recordPath(record.id)), options: .atomic)
    }

    public func record(_ id: String) throws -> DrillRecord {
        guard let record = try records().first(where: { $0.id == id }) else { throw DrillsError.noSuchDrill(id) }
        return record
    }

    /// Every finished drill, oldest first, read from the room's log; each record file checked against its event.
    public func records() throws -> [DrillRecord] {
        let committed = try committedRecords()
        if let problem = try recordProblems(committed).first { throw problem }
        return committed.values.map(\.record).sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    /// The latest `drill.recorded` of each drill in the room's log (none when the room has no registry yet).
    func committedRecords() throws -> [String: (record: DrillRecord, sha256: String, seq: Int)] {
        guard FileManager.default.fileExists(atPath: workspace.registryPath + "/events.jsonl") else { return [:] }
        var committed: [String: (record: DrillRecord, sha256: String, seq: Int)] = [:]
        for (event, recorded) in try Registry(root: workspace.registryPath).events().payloads(DrillRecorded.self) {
            guard let record = try? CanonicalJSON.decoder().decode(DrillRecord.self, from: Data(recorded.record.utf8))
            else {
                throw RegistryError.corruptEvent(seq: event.seq, kind: event.kind, reason: "its record is not JSON")
            }
            committed[recorded.drill] = (record, recorded.sha256, event.seq)
        }
        return committed
    }

    /// Each record file that its event does not commit to: edited since, or written without an event (forged).
    func recordProblems(_ committed: [String: (record: DrillRecord, sha256: String, seq: Int)]) throws
        -> [DrillsError]
    {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix("D-") && $0.hasSuffix(".json")
        }
        return names.sorted().compactMap { name -> DrillsError? in
            let id = (name as NSString).deletingPathExtension
            let path = folder + "/" + name
            guard let entry = committed[id] else { return .recordForged(path: path) }
            let bytes = FileManager.default.contents(atPath: path) ?? Data()
            return SHA256.hash(bytes).hex == entry.sha256 ? nil : .recordEdited(path: path, seq: entry.seq)
        }
    }

    /// What `fsck` adds for the room's drill records: each edited or forged file, and each one missing (a
    /// warning: the event holds the record).
    public func check(into report: inout FsckReport) {
        do {
            let committed = try committedRecords()
            report.problems += try recordProblems(committed).map(\.description)
            report.problems += try DrillActions.problems(
                committed.values.map(\.record), events: try DrillActions.events(workspace))
            for id in committed.keys.sorted() where !FileManager.default.fileExists(atPath: recordPath(id)) {
                report.warnings.append(
                    "The drill record \(recordPath(id)) is missing; its drill.recorded event holds it.")
            }
        } catch {
            report.problems.append("The room's drill records cannot be read: \(error)")
        }
    }

    /// The latest completed drill's start: only a drill that ran to `drill end` with a fault shipped counts.
    public func cadence(now: Date, cadenceDays: Int) throws -> DrillCadence {
        let last = try records().last(where: \.isCompleted)?.startedAt
        let days = last.map { Int(max(0, now.timeIntervalSince($0)) / 86_400) }
        return DrillCadence(
            cadenceDays: cadenceDays, lastDrill: last, daysSince: days, overdue: days.map { $0 > cadenceDays } ?? false)
    }

    static func read<T: Decodable>(_ type: T.Type, at path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? CanonicalJSON.decoder().decode(type, from: data)
    }

    static func write<T: Encodable>(_ value: T, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data((try CanonicalJSON.prettyString(value) + "\n").utf8).write(
            to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `drill.recorded`, in the room's log: a finished drill's record (canonical JSON) and the SHA-256 of its file.
public struct DrillRecorded: EventPayload {
    public static let kind = "drill.recorded"
    public var drill: String
    public var record: String
    public var sha256: String

    public init(drill: String, record: String, sha256: String) {
        self.drill = drill
        self.record = record
        self.sha256 = sha256
    }
}
