// Starting, resetting and hinting labs: earlier labs laid down by their reference solutions, a snapshot of
// the starting state to reset to, and every start and hint recorded as a registry event.
public import Foundation
import Hashing
import Playbook
public import Registry
import Reports

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

/// What `lab reset` restores and what it keeps, said before it acts.
public struct ResetPlan: Sendable, Encodable {
    public struct TagRestore: Sendable, Encodable {
        public var tag: String
        public var from: String?
        public var to: String
        public var toLabel: String

        enum CodingKeys: String, CodingKey {
            case tag, from, to
            case toLabel = "to_label"
        }
    }

    public var lab: String
    /// Top-level workspace entries put back as they were at the lab's start.
    public var files: [String]
    /// The lab's answer files made since the start, moved into `attemptFolder`.
    public var setAside: [String]
    public var tagMoves: [TagRestore]
    public var nextAttempt: Int
    public var attemptFolder: String

    enum CodingKeys: String, CodingKey {
        case lab, files
        case setAside = "set_aside"
        case tagMoves = "tag_moves"
        case nextAttempt = "next_attempt"
        case attemptFolder = "attempt_folder"
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
        for earlier in catalog.labs(before: lab) where !Grader.grade(earlier, evidence: current).checksPass {
            progress("Laying down \(earlier.id) with its reference solution (no points)…")
            try snapshot(earlier)
            try begin(earlier, runner: runner, setup: false)
            try record(LabLaidDown(lab: earlier.id, solutionSHA256: SHA256.hash(try catalog.solution(of: earlier)).hex))
            try catalog.runSetup(of: earlier, runner: runner, in: workspace)
            try catalog.runSolution(of: earlier, runner: runner, in: workspace)
            current = try evidence()
            if let failing = Grader.grade(earlier, evidence: current).tests.first(where: {
                !$0.passed && $0.name != Grader.doneByHandTest
            }) {
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

    /// The workspace folders the assistant is built and measured from: a reset puts them back exactly.
    static let restoredExactly: Set<String> = ["system", "data", "evals"]

    /// What a reset of `lab` would do, for the person to read before agreeing.
    public func resetPlan(_ lab: Lab) throws -> ResetPlan {
        let saved = snapshotFolder(lab) + "/start"
        guard FileManager.default.fileExists(atPath: saved) else { throw LabError.noStartingState(lab: lab.id) }
        let registry = try Registry(root: workspace.registryPath, now: now)
        let startingTags = try savedTags(lab)
        // Versions are never deleted, so every tag, saved or current, names a record that reads.
        let moves = try startingTags.sorted(by: { $0.key < $1.key }).compactMap {
            name, target -> ResetPlan.TagRestore? in
            let current = registry.tag(name)
            guard current != target else { return nil }
            let record = try registry.record(id: target)
            return ResetPlan.TagRestore(
                tag: name, from: try current.map { try registry.record(id: $0) }.map { "#\($0.seq) \($0.shortID)" },
                to: record.id, toLabel: "#\(record.seq) \(record.shortID)")
        }
        // The toy system's inputs go back exactly; other files (later labs' answers) stay unless missing.
        let files = try FileManager.default.contentsOfDirectory(atPath: saved).filter { entry in
            entry != Workspace.markerFolder
                && (Self.restoredExactly.contains(entry)
                    || !FileManager.default.fileExists(atPath: workspace.root + "/" + entry))
        }.sorted()
        let attempts = try evidence().attempts(of: lab.id).count
        // The lab's own answer files made since the start go aside with the attempt, so the new attempt
        // starts without them; other labs' files stay where they are.
        let answers = Set(lab.manifest.checks.compactMap { $0.param("file") }).sorted().filter { path in
            !path.contains("..") && FileManager.default.fileExists(atPath: workspace.root + "/" + path)
                && !FileManager.default.fileExists(atPath: saved + "/" + path)
        }
        return ResetPlan(
            lab: lab.id, files: files, setAside: answers, tagMoves: moves, nextAttempt: attempts + 1,
            attemptFolder: Workspace.markerFolder + "/labs/\(lab.id)/attempt-\(attempts)")
    }

    /// Starts a new attempt from the lab's starting files and tags. Nothing is rewound: every event, version,
    /// incident and request stays, later labs' work included; tags move back by recorded moves.
    public func reset(_ lab: Lab, runner: ScriptRunner) throws {
        let plan = try resetPlan(lab)
        let saved = snapshotFolder(lab) + "/start"
        let manager = FileManager.default
        let staging = "\(snapshotsFolder)/.restore-\(UUID().uuidString)"
        try manager.copyItem(atPath: saved, toPath: staging)
        // Whatever is left in staging is a copy: failing to remove it leaves clutter, not a wrong workspace.
        defer { try? manager.removeItem(atPath: staging) }
        for path in plan.setAside {
            let destination = workspace.root + "/" + plan.attemptFolder + "/" + path
            try manager.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if manager.fileExists(atPath: destination) { try manager.removeItem(atPath: destination) }
            try manager.moveItem(atPath: workspace.root + "/" + path, toPath: destination)
        }
        for entry in plan.files {
            let target = workspace.root + "/" + entry
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: staging + "/" + entry, toPath: target)
        }
        let registry = try Registry(root: workspace.registryPath, now: now)
        for move in plan.tagMoves {
            try registry.moveTag(
                move.tag, to: move.to, by: actor,
                reason: "lab reset \(lab.manifest.number): restore the starting state",
                facts: TagMoveFacts(play: .labReset, lab: lab.id))
        }
        try begin(lab, runner: runner, attempt: plan.nextAttempt)
        try Progress.update(workspace, current: lab.id, grade: nil)
    }

    /// The next hint (or the level asked for), recorded as an event: hints cost nothing but are visible.
    public func hint(_ lab: Lab, level requested: Int?) throws -> (level: Int, text: String) {
        let hints = lab.manifest.hints
        let seen = try evidence().hintsShown(of: lab.id).map(\.payload.level).max() ?? 0
        let level = requested ?? min(seen + 1, hints.count)
        guard (1...hints.count).contains(level) else {
            throw LabError.hintLevel(requested: level, available: hints.count)
        }
        try record(LabHintShown(lab: lab.id, level: level))
        return (level, hints[level - 1])
    }

    /// Records the start, with the manifest itself stored as a blob: the lab is graded as it was started.
    func begin(_ lab: Lab, runner: ScriptRunner, attempt: Int = 1, setup: Bool = true) throws {
        let registry = try Registry(root: workspace.registryPath, now: now)
        _ = try registry.objects.put(try catalog.manifestData(of: lab))
        try record(LabStarted(lab: lab.id, manifestSHA256: lab.manifestSHA256, attempt: attempt))
        if setup { try catalog.runSetup(of: lab, runner: runner, in: workspace) }
    }

    func record(_ payload: some EventPayload) throws {
        try Registry(root: workspace.registryPath, now: now).write { writer in
            try writer.append(payload, actor: actor)
        }
    }

    /// The tags as they stood when the lab started (saved beside the starting files).
    func savedTags(_ lab: Lab) throws -> [String: String] {
        let folder = snapshotFolder(lab) + "/tags"
        var tags: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
                throw LabError.corruptFile(path: folder + "/" + name, reason: "it cannot be read")
            }
            tags[name] = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return tags
    }

    /// The learner's files: everything in the workspace outside `.labrunner` (the registry is append-only
    /// and is never restored; its tags are saved separately).
    func snapshotEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: workspace.root).filter { $0 != Workspace.markerFolder }
    }

    func snapshot(_ lab: Lab) throws {
        let manager = FileManager.default
        let folder = snapshotFolder(lab)
        let staging = "\(snapshotsFolder)/.snapshot-\(UUID().uuidString)"
        try manager.createDirectory(atPath: staging + "/start", withIntermediateDirectories: true)
        do {
            for entry in try snapshotEntries() {
                try manager.copyItem(atPath: workspace.root + "/" + entry, toPath: staging + "/start/" + entry)
            }
            try manager.copyItem(atPath: workspace.registryPath + "/tags", toPath: staging + "/tags")
            if manager.fileExists(atPath: folder) { try manager.removeItem(atPath: folder) }
            try manager.createDirectory(atPath: snapshotsFolder, withIntermediateDirectories: true)
            try manager.moveItem(atPath: staging, toPath: folder)
        } catch {
            // The snapshot's own error is the one to report; a half-made staging copy is only clutter.
            try? manager.removeItem(atPath: staging)
            throw error
        }
    }
}

/// progress.json: a mirror of where the learner is, for people and tools. Grading never reads it.
public enum Progress {
    struct Entry: Codable {
        var status: TestResult.Status
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
        // Derived data that grading never reads and this rewrites whole: an unreadable mirror is started afresh.
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
