// Starting, resetting and hinting labs: earlier labs laid down by their reference solutions, a snapshot of
// the starting state to reset to, and every start and hint recorded as a registry event. A start counts once its
// scripts have finished; one interrupted is begun again from the starting state, as is an interrupted reset.
public import Foundation
import Hashing
import Playbook
public import Registry
import Reports

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

    var files: LabFiles { LabFiles(workspace: workspace) }
    func snapshotFolder(_ lab: Lab) -> String { "\(files.snapshots)/\(lab.id)" }

    /// Lays down every earlier lab that does not pass yet (with its reference solution), snapshots the
    /// starting state, records the start and runs the lab's own setup. A lab already started is continued:
    /// starting again would fire its setup (an alert, a colleague's change) a second time. A start whose setup
    /// was interrupted is set up again from its starting state, with the same attempt number.
    /// Returns when the lab was first started if it is being continued.
    /// `seed` (challenge mode) lays the variant of the lab's story that seed picks; nil is guided mode. Earlier
    /// labs are laid down in guided mode.
    @discardableResult
    public func start(_ lab: Lab, seed given: Int? = nil, runner: ScriptRunner, progress: (String) -> Void) throws
        -> Date?
    {
        let seed = try challengeSeed(lab, given: given)
        // Refused before anything is written: an attempt keeps the mode it was started in.
        if let started = try? evidence().started(lab.id), started.payload.seed != seed {
            throw LabError.invalid(
                "Lab \(lab.manifest.number) was started in \(started.payload.modeWords) mode; continue it with 'LabRunner lab start \(lab.manifest.number)\(started.payload.seed.map { " --challenge --seed \($0)" } ?? "")', or start the other mode in a fresh workspace (--workspace DIR)."
            )
        }
        let operation = try prepare(runner: runner, progress: progress)
        defer { withExtendedLifetime(operation) {} }
        var current = try evidence()
        if let unfinished = current.unfinishedStart(of: lab.id) {
            progress("Lab \(lab.manifest.number)'s setup was interrupted; setting it up again from its starting state…")
            try retry(lab, unfinished, laidDown: false, runner: runner)
            try Progress.update(workspace, current: lab.id, grade: nil)
            return nil
        }
        if let started = current.start(of: lab.id) { return started.at }
        for earlier in catalog.labs(before: lab) where !Grader.grade(earlier, evidence: current).checksPass {
            progress("Laying down \(earlier.id) with its reference solution (no points)…")
            if let unfinished = current.unfinishedStart(of: earlier.id) {
                try retry(earlier, unfinished, laidDown: true, runner: runner)
            } else {
                try snapshot(earlier)
                try begin(earlier, attempt: current.attempts(of: earlier.id).count + 1, laidDown: true, runner: runner)
            }
            current = try evidence()
        }
        try snapshot(lab)
        try begin(lab, attempt: current.attempts(of: lab.id).count + 1, laidDown: false, seed: seed, runner: runner)
        try Progress.update(workspace, current: lab.id, grade: nil)
        return nil
    }

    /// The workspace folders the assistant is built and measured from: a reset puts them back exactly.
    static let restoredExactly: Set<String> = ["system", "data", "evals"]

    /// What a reset of `lab` would do, for the person to read before agreeing.
    public func resetPlan(_ lab: Lab) throws -> ResetPlan {
        let evidence = try evidence()
        guard evidence.start(of: lab.id) != nil else { throw LabError.noStartingState(lab: lab.id) }
        let attempts = evidence.attempts(of: lab.id).count
        return try plan(
            lab, attempt: attempts + 1, asideFolder: Workspace.markerFolder + "/labs/\(lab.id)/attempt-\(attempts)")
    }

    /// What restoring `lab`'s starting state for `attempt` does; the lab's answers go aside into `asideFolder`.
    func plan(_ lab: Lab, attempt: Int, asideFolder: String) throws -> ResetPlan {
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
        // The lab's own answer files made since the start go aside with the attempt, so the new attempt
        // starts without them; other labs' files stay where they are.
        let answers = Set(lab.manifest.checks.compactMap { $0.param("file") }).sorted().filter { path in
            !path.contains("..") && FileManager.default.fileExists(atPath: workspace.root + "/" + path)
                && !FileManager.default.fileExists(atPath: saved + "/" + path)
        }
        return ResetPlan(
            lab: lab.id, files: files, setAside: answers, tagMoves: moves, nextAttempt: attempt,
            attemptFolder: asideFolder)
    }

    /// Starts a new attempt from the lab's starting files and tags. Nothing is rewound: every event, version,
    /// incident and request stays, later labs' work included; tags move back by recorded moves. A reset of this
    /// lab that a kill interrupted is finished instead of starting yet another attempt.
    public func reset(_ lab: Lab, runner: ScriptRunner) throws {
        let operation = try prepare(runner: runner) { _ in }
        defer { withExtendedLifetime(operation) {} }
        if operation.finished?.lab == lab.id, operation.finished?.purpose == .reset { return }
        let plan = try resetPlan(lab)
        try restore(lab, plan: plan, purpose: .reset, laidDown: false, runner: runner)
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

    // MARK: Starting an attempt

    /// What a lab operation holds while it runs, and the interrupted restore it finished first, if any.
    struct Operation {
        let locks: [FileLock]
        let finished: Restore.Journal?
    }

    /// Takes the operation lock, sweeps what killed runs left, and finishes an interrupted restore.
    func prepare(runner: ScriptRunner, progress: (String) -> Void) throws -> Operation {
        let files = self.files
        try LabFiles.makeFolder(workspace.markerPath)
        let operation = try files.lockOperation()
        // An event a kill left unacknowledged is completed now (an empty write does that and records nothing), so
        // what follows reads a settled registry and finds it clean even if it writes nothing more.
        try Registry(root: workspace.registryPath, now: now).write { _ in }
        try files.sweep()
        let hold = try files.holdScratch()
        guard let journal = try Restore.committed(in: files) else {
            return Operation(locks: [operation, hold], finished: nil)
        }
        guard let lab = catalog.labs.first(where: { $0.id == journal.lab }) else {
            throw LabError.invalid(
                "A \(journal.purpose.words) of lab \(journal.lab) was interrupted, and \(catalog.origin) has no such lab; run LabRunner with the labs it was started from to finish it."
            )
        }
        progress("Finishing the interrupted \(journal.purpose.words) of lab \(lab.manifest.number)…")
        try finish(lab, journal, runner: runner)
        try Progress.update(workspace, current: lab.id, grade: nil)
        return Operation(locks: [operation, hold], finished: journal)
    }

    /// Begins `unfinished`'s attempt again from the lab's starting state; what the interrupted run made that is
    /// the lab's answer goes aside.
    func retry(
        _ lab: Lab, _ unfinished: (event: Event, payload: LabStarted), laidDown: Bool, runner: ScriptRunner
    ) throws {
        let plan = try plan(
            lab, attempt: unfinished.payload.attempt,
            asideFolder: Workspace.markerFolder + "/labs/\(lab.id)/interrupted-\(unfinished.event.seq)")
        try restore(
            lab, plan: plan, purpose: .retry, laidDown: laidDown, interrupted: unfinished.event,
            seed: unfinished.payload.seed, runner: runner)
    }

    /// Commits a restore of `plan` and finishes it.
    func restore(
        _ lab: Lab, plan: ResetPlan, purpose: Restore.Journal.Purpose, laidDown: Bool, interrupted: Event? = nil,
        seed: Int? = nil, runner: ScriptRunner
    ) throws {
        let last = try Registry(root: workspace.registryPath, now: now).events().last?.seq ?? 0
        let journal = try Restore.commit(
            lab: lab.id, purpose: purpose, attempt: plan.nextAttempt, laidDown: laidDown, after: last,
            interrupted: interrupted?.seq, entries: plan.files,
            setAside: plan.setAside.map { .init(from: $0, to: plan.attemptFolder + "/" + $0) },
            saved: snapshotFolder(lab) + "/start", files: files)
        try finish(lab, journal, seed: seed, runner: runner)
    }

    /// Finishes a committed restore, wherever a kill stopped it: the files, then the tags (recorded moves, only
    /// those still needed), the incidents an interrupted setup opened, then its attempt, recorded once.
    func finish(_ lab: Lab, _ journal: Restore.Journal, seed: Int? = nil, runner: ScriptRunner) throws {
        // A new attempt keeps the mode (and seed) of the lab's latest start.
        let seed = try seed ?? evidence().started(lab.id)?.payload.seed
        try Restore.applyFiles(journal, files: files)
        if let interrupted = journal.interrupted { try closeIncidents(openedAfter: interrupted, lab: lab) }
        let registry = try Registry(root: workspace.registryPath, now: now)
        let reason =
            journal.purpose == .reset
            ? "lab reset \(lab.manifest.number): restore the starting state"
            : "lab start \(lab.manifest.number): set up again from the starting state after an interrupted setup"
        for (tag, target) in try savedTags(lab).sorted(by: { $0.key < $1.key }) where registry.tag(tag) != target {
            try registry.moveTag(
                tag, to: target, by: actor, reason: reason, facts: TagMoveFacts(play: .labReset, lab: lab.id))
        }
        try begin(
            lab, attempt: journal.attempt, laidDown: journal.laidDown, seed: seed, runner: runner, restored: journal)
    }

    /// The seed a start lays from: in a workspace bound to an examiner's challenge, the one the challenge derives
    /// for the lab (a seed given is refused); elsewhere the one given.
    func challengeSeed(_ lab: Lab, given: Int?) throws -> Int? {
        guard let bound = try evidence().events.challengeBinding()?.payload else { return given }
        let number = lab.manifest.number
        guard given == nil else {
            throw LabError.invalid(
                "This workspace answers an examiner's challenge, which sets lab \(number)'s seed; run 'LabRunner lab start \(number)' without --challenge or --seed."
            )
        }
        guard bound.labs.split(separator: ",").contains(Substring(lab.id)) else {
            throw LabError.invalid(
                "Lab \(number) is not one of this workspace's challenge's labs (\(bound.labs)); start one of those.")
        }
        return bound.seed(for: lab.id)
    }

    /// Records the start (with the manifest itself stored as a blob: the lab is graded as it was started), then
    /// runs its scripts (the setup; laying down, the reference solution too) and records `lab.ready`. A start
    /// with scripts to run awaits that event: killed before it, the start is no attempt, and the next run begins
    /// it again. After a restore, its start is recorded once, however often a kill makes this run again.
    func begin(
        _ lab: Lab, attempt: Int, laidDown: Bool, seed: Int? = nil, runner: ScriptRunner,
        restored journal: Restore.Journal? = nil
    ) throws {
        let awaits = laidDown || catalog.hasSetup(lab)
        let current = try evidence()
        // The start a restore already recorded before a kill stopped it, found by coming after the journal.
        let recorded = journal.flatMap { journal in
            current.started(lab.id).flatMap { $0.event.seq > journal.after ? $0.event : nil }
        }
        let start: Event
        if let recorded {
            start = recorded
        } else {
            let registry = try Registry(root: workspace.registryPath, now: now)
            _ = try registry.objects.put(try catalog.manifestData(of: lab))
            start = try record(
                LabStarted(
                    lab: lab.id, manifestSHA256: lab.manifestSHA256, attempt: attempt, awaitsReady: awaits ? true : nil,
                    labSHA256: lab.contentSHA256, seed: seed)
            )
        }
        if laidDown, recorded == nil || current.laidDown(lab.id) == nil {
            try record(LabLaidDown(lab: lab.id, solutionSHA256: SHA256.hash(try catalog.solution(of: lab)).hex))
        }
        if journal != nil { try Restore.discard(files: files) }
        guard awaits else { return }
        // The scripts read the variant the start recorded (a start found again keeps its own seed).
        var runner = runner
        let recordedSeed = (try? start.payload(as: LabStarted.self))?.seed ?? seed
        runner.environment.merge(lab.scriptEnvironment(seed: recordedSeed)) { _, variant in variant }
        runner.environment.merge(try evidence().scriptFacts(lab, seed: recordedSeed, startedAt: start.at)) { $1 }
        try catalog.runSetup(of: lab, runner: runner, in: workspace)
        if laidDown { try catalog.runSolution(of: lab, runner: runner, in: workspace) }
        try record(LabReady(lab: lab.id, attempt: attempt, start: start.seq))
        // Graded once the attempt counts (a timer reads only a finished setup's page); a reference solution that
        // does not pass is the kit's own fault, said with what stands.
        if laidDown,
            let failing = Grader.grade(lab, evidence: try evidence()).tests.first(where: {
                !$0.passed && $0.name != Grader.doneByHandTest
            })
        {
            throw LabError.invalid(
                "Could not lay down \(lab.id): \(failing.name): \(failing.message) Its reference solution ran and is recorded as laid down; start \(lab.id) yourself, or begin in a fresh workspace."
            )
        }
    }

    /// Closes the incidents still open that an interrupted setup opened (after its start, event `seq`): the setup
    /// runs again and pages afresh, and the lab is about that page. Closing is a recorded event, never a rewind.
    func closeIncidents(openedAfter seq: Int, lab: Lab) throws {
        let context = try PlayContext(workspace: workspace, now: now)
        let events = try context.registry.events()
        let opened = Set(try events.payloads(IncidentOpened.self).filter { $0.event.seq > seq }.map(\.payload.incident))
        for incident in try Incidents.all(events: events) where opened.contains(incident.id) && incident.status == .open
        {
            _ = try Incidents.close(
                incident.id,
                resolution:
                    "Opened by lab \(lab.manifest.number)'s setup, which was interrupted; the setup ran again from the starting state.",
                by: actor, in: context)
        }
    }

    @discardableResult
    func record(_ payload: some EventPayload) throws -> Event {
        try Registry(root: workspace.registryPath, now: now).write { writer in
            try writer.append(payload, actor: actor)
        }
    }

    // MARK: The starting state

    /// The tags as they stood when the lab started, saved inside the starting files (older kits saved them
    /// beside, in tags/).
    func savedTags(_ lab: Lab) throws -> [String: String] {
        let inside = snapshotFolder(lab) + "/start/" + Workspace.markerFolder + "/tags"
        let folder = FileManager.default.fileExists(atPath: inside) ? inside : snapshotFolder(lab) + "/tags"
        var tags: [String: String] = [:]
        // A tag write in flight leaves a dot-named temp file beside the tags: it is no tag.
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
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

    /// Saves the starting state: the learner's files with the tags inside (`.labrunner/tags`), staged in
    /// scratch and swapped in by one rename, so the saved files and tags always belong together.
    func snapshot(_ lab: Lab) throws {
        let files = self.files
        let staging = try files.scratchFolder("snapshot")
        for entry in try snapshotEntries() {
            try LabFiles.copy(workspace.root + "/" + entry, to: staging + "/" + entry)
        }
        try LabFiles.makeFolder(staging + "/" + Workspace.markerFolder)
        try LabFiles.copy(workspace.registryPath + "/tags", to: staging + "/" + Workspace.markerFolder + "/tags")
        LabFiles.syncTree(staging)
        let folder = snapshotFolder(lab)
        try LabFiles.makeFolder(folder)
        let saved = folder + "/start"
        if !LabFiles.exists(saved) {
            try LabFiles.rename(staging, to: saved)
        } else if try LabFiles.exchange(staging, saved) {
            // The old starting state, now in scratch: one left behind is swept by the next lab command.
            try? LabFiles.removeTree(staging)
        } else {
            try LabFiles.rename(saved, to: files.scratch + "/trash-" + UUID().uuidString)
            try LabFiles.rename(staging, to: saved)
        }
        try LabFiles.removeTree(folder + "/tags")
        LabFiles.syncFolder(folder)
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
        try LabFiles(workspace: workspace).writeAtomically(CanonicalJSON.encode(file), to: workspace.progressPath)
    }
}
