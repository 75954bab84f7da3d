// Starting, resetting and hinting labs: earlier labs laid down by their reference solutions, a snapshot of
// the starting state to reset to, and every start and hint recorded as a registry event.
public import Foundation
import Hashing
public import Registry

/// Runs a lab's shell scripts (setup and reference solutions) in the workspace, as a person would.
public struct ScriptRunner: Sendable {
    /// The LabRunner binary the scripts call as `$LABRUNNER`.
    public var labRunner: String
    public var environment: [String: String]

    public init(labRunner: String, environment: [String: String]) {
        self.labRunner = labRunner
        self.environment = environment
    }

    /// Runs `script` with the workspace as its current folder; a failure names it as `name` (default: its path).
    public func run(_ script: String, in workspace: Workspace, named name: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        var env = environment
        env["LABRUNNER"] = labRunner
        env["LABRUNNER_WORKSPACE"] = workspace.root
        env["NO_COLOR"] = "1"
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LabError.scriptFailed(
                script: name ?? script, status: process.terminationStatus, output: String(decoding: data, as: UTF8.self)
            )
        }
    }
}

public struct LabSession: Sendable {
    public let catalog: LabCatalog
    public let workspace: Workspace
    public let actor: String
    public let now: @Sendable () -> Date

    public init(catalog: LabCatalog, workspace: Workspace, actor: String, now: @escaping @Sendable () -> Date) {
        self.catalog = catalog
        self.workspace = workspace
        self.actor = actor
        self.now = now
    }

    public func evidence() throws -> Evidence { try Evidence(workspace: workspace, now: now) }

    var snapshotsFolder: String { workspace.markerPath + "/labs" }
    func snapshotFolder(_ lab: Lab) -> String { "\(snapshotsFolder)/\(lab.id)" }

    /// Lays down every earlier lab that does not pass yet (with its reference solution), snapshots the
    /// starting state, records the start and runs the lab's own setup. A lab already started is continued:
    /// starting again would fire its setup (an alert, a colleague's change) a second time.
    /// Returns when the lab was first started if it is being continued.
    @discardableResult
    public func start(_ lab: Lab, runner: ScriptRunner, progress: (String) -> Void) throws -> Date? {
        var current = try evidence()
        if let started = current.start(of: lab.id) { return started.at }
        for earlier in catalog.labs(before: lab) where !Grader.grade(earlier, evidence: current).passed {
            progress("Laying down \(earlier.id) with its reference solution…")
            try begin(earlier, runner: runner)
            try catalog.runSolution(of: earlier, runner: runner, in: workspace)
            current = try evidence()
            if let failing = Grader.grade(earlier, evidence: current).tests.first(where: { !$0.passed }) {
                throw LabError.invalid(
                    "Could not lay down \(earlier.id) before \(lab.id): \(failing.name): \(failing.message) Start \(earlier.id) yourself, or begin in a fresh workspace."
                )
            }
        }
        try snapshot(lab)
        try begin(lab, runner: runner)
        try Progress.update(workspace, current: lab.id, grade: nil)
        return nil
    }

    /// Restores the snapshot taken when the lab started, then starts it again from there.
    public func reset(_ lab: Lab, runner: ScriptRunner) throws {
        let saved = snapshotFolder(lab) + "/start"
        guard FileManager.default.fileExists(atPath: saved) else { throw LabError.noStartingState(lab: lab.id) }
        let manager = FileManager.default
        let staging = "\(snapshotsFolder)/.restore-\(UUID().uuidString)"
        try manager.copyItem(atPath: saved, toPath: staging)
        defer { try? manager.removeItem(atPath: staging) }
        for entry in try snapshotEntries() { try manager.removeItem(atPath: workspace.root + "/" + entry) }
        for entry in try manager.contentsOfDirectory(atPath: staging) where entry != Workspace.markerFolder {
            try manager.moveItem(atPath: staging + "/" + entry, toPath: workspace.root + "/" + entry)
        }
        let stagedMarker = staging + "/" + Workspace.markerFolder
        for entry in (try? manager.contentsOfDirectory(atPath: stagedMarker)) ?? [] {
            try manager.moveItem(atPath: stagedMarker + "/" + entry, toPath: workspace.markerPath + "/" + entry)
        }
        try begin(lab, runner: runner)
        try Progress.update(workspace, current: lab.id, grade: nil)
    }

    /// The next hint (or the level asked for), recorded as an event: hints cost nothing but are visible.
    public func hint(_ lab: Lab, level requested: Int?) throws -> (level: Int, text: String) {
        let hints = lab.manifest.hints
        let seen = try evidence().hints(of: lab.id).compactMap { $0.data["level"].flatMap(Int.init) }.max() ?? 0
        let level = requested ?? min(seen + 1, hints.count)
        guard (1...hints.count).contains(level) else {
            throw LabError.hintLevel(requested: level, available: hints.count)
        }
        try Registry(root: workspace.registryPath, now: now).write { writer in
            try writer.append(kind: Evidence.hintShown, actor: actor, data: ["lab": lab.id, "level": String(level)])
        }
        return (level, hints[level - 1])
    }

    /// Records the start, with the manifest itself stored as a blob: the lab is graded as it was started.
    func begin(_ lab: Lab, runner: ScriptRunner) throws {
        let registry = try Registry(root: workspace.registryPath, now: now)
        _ = try registry.objects.put(try catalog.manifestData(of: lab))
        try registry.write { writer in
            try writer.append(
                kind: Evidence.labStarted, actor: actor, data: ["lab": lab.id, "manifest_sha256": lab.manifestSHA256])
        }
        try catalog.runSetup(of: lab, runner: runner, in: workspace)
    }

    /// Everything in the workspace except the lab snapshots themselves and the progress mirror.
    func snapshotEntries() throws -> [String] {
        let manager = FileManager.default
        let top = try manager.contentsOfDirectory(atPath: workspace.root).filter { $0 != Workspace.markerFolder }
        let marker = try manager.contentsOfDirectory(atPath: workspace.markerPath).filter {
            $0 != "labs" && $0 != "progress.json"
        }
        return top + marker.map { Workspace.markerFolder + "/" + $0 }
    }

    func snapshot(_ lab: Lab) throws {
        let manager = FileManager.default
        let folder = snapshotFolder(lab)
        let staging = "\(snapshotsFolder)/.snapshot-\(UUID().uuidString)"
        try manager.createDirectory(atPath: staging + "/" + Workspace.markerFolder, withIntermediateDirectories: true)
        do {
            for entry in try snapshotEntries() {
                try manager.copyItem(atPath: workspace.root + "/" + entry, toPath: staging + "/" + entry)
            }
            if manager.fileExists(atPath: folder) { try manager.removeItem(atPath: folder) }
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try manager.moveItem(atPath: staging, toPath: folder + "/start")
        } catch {
            try? manager.removeItem(atPath: staging)
            throw error
        }
    }
}

/// progress.json: a mirror of where the learner is, for people and tools. Grading never reads it.
public enum Progress {
    struct Entry: Codable {
        var status: String
        var score: Int
        var maxScore: Int
        var checkedAt: Date

        enum CodingKeys: String, CodingKey {
            case status, score
            case maxScore = "max_score"
            case checkedAt = "checked_at"
        }
    }

    struct File: Codable {
        var note = "Derived data: grading reads the registry's events, never this file."
        var current: String?
        var labs: [String: Entry] = [:]
    }

    public static func update(_ workspace: Workspace, current: String?, grade: LabGrade?, at date: Date = Date())
        throws
    {
        let decoder = CanonicalJSON.decoder()
        var file =
            FileManager.default.contents(atPath: workspace.progressPath).flatMap {
                try? decoder.decode(File.self, from: $0)
            } ?? File()
        if let current { file.current = current }
        if let grade {
            file.labs[grade.name] = Entry(
                status: grade.status, score: grade.score, maxScore: grade.maxScore, checkedAt: date)
        }
        try CanonicalJSON.encode(file).write(to: URL(fileURLWithPath: workspace.progressPath), options: .atomic)
    }
}
