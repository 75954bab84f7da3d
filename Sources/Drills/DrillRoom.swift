// Where drills live. The team's workspace is the room: each drill gets its own fresh workspace under
// drills/<id>/, the running drill is named in .labrunner/drills/active.json, and each finished drill leaves its
// record in .labrunner/drills/<id>.json — the history that cadence, trends and the pilot's numbers read.
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

    public func save(_ record: DrillRecord) throws { try Self.write(record, to: recordPath(record.id)) }

    public func record(_ id: String) throws -> DrillRecord {
        let path = recordPath(id)
        guard FileManager.default.fileExists(atPath: path) else { throw DrillsError.noSuchDrill(id) }
        guard let record = Self.read(DrillRecord.self, at: path) else { throw DrillsError.recordUnreadable(path: path) }
        return record
    }

    /// Every finished drill, oldest first.
    public func records() throws -> [DrillRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix("D-") && $0.hasSuffix(".json")
        }
        return try names.sorted().map { try record(($0 as NSString).deletingPathExtension) }
            .sorted { $0.startedAt < $1.startedAt }
    }

    public func cadence(now: Date, cadenceDays: Int) throws -> DrillCadence {
        let last = try records().last?.startedAt
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
