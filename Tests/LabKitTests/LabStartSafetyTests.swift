// A lab start or reset that fails at any step: the start counts only once its setup has finished, a re-run sets
// it up again from the starting state (never on top of a half-run setup), a reset is finished or not begun,
// attempts are counted once, the kit's scratch lives in the workspace and the next run sweeps it.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Reports
import Testing

@testable import LabKit

/// An author's catalog of one lab whose setup changes files, and a workspace to run it in.
struct SetupLab {
    let folder: TemporaryFolder
    let catalog: LabCatalog
    let lab: Lab
    let workspaceFolder: TemporaryFolder
    let session: LabSession
    let runner: ScriptRunner

    /// A fresh workspace as `init` lays it down, made once and copied for each test (training takes a while).
    static let template = try? LabWorkspace("setup-lab-template")
    /// What the reference solution of 00-demo writes: the bundled system's baseline eval.
    static let baseline = try? CanonicalJSON.encode(Baseline.evaluate(suite: "core", seed: 1, repeats: 1))

    /// `setup` is the body of Labs/00-demo/setup.sh, run in the workspace; `$SIDE` is a folder beside it.
    init(setup: String = Self.appendingSetup) throws {
        folder = try TemporaryFolder("setup-lab")
        let lab = folder.path + "/Labs/00-demo"
        try FileManager.default.createDirectory(atPath: lab, withIntermediateDirectories: true)
        try Data(Self.manifest.utf8).write(to: URL(fileURLWithPath: lab + "/lab.json"))
        try Data("# Demo\n".utf8).write(to: URL(fileURLWithPath: lab + "/README.md"))
        try Data(("set -euo pipefail\n" + setup).utf8).write(to: URL(fileURLWithPath: lab + "/setup.sh"))
        // A second lab, and a reference solution for the first (the baseline's eval, computed by the test), so
        // starting 01-next lays 00-demo down.
        let next = folder.path + "/Labs/01-next"
        try FileManager.default.createDirectory(atPath: next, withIntermediateDirectories: true)
        try Data(Self.manifest.replacingOccurrences(of: "00-demo", with: "01-next").utf8)
            .write(to: URL(fileURLWithPath: next + "/lab.json"))
        try Data("# Next\n".utf8).write(to: URL(fileURLWithPath: next + "/README.md"))
        try FileManager.default.createDirectory(
            atPath: folder.path + "/Solutions/00-demo", withIntermediateDirectories: true)
        let solution = "set -euo pipefail\nmkdir -p answers\ncp \"$SIDE/baseline.json\" answers/demo.json\n"
        try Data(solution.utf8).write(to: URL(fileURLWithPath: folder.path + "/Solutions/00-demo/solve.sh"))
        try #require(Self.baseline).write(to: URL(fileURLWithPath: folder.path + "/baseline.json"))
        catalog = try LabCatalog.load(labsFolder: folder.path + "/Labs")
        self.lab = try catalog.lab("00")
        workspaceFolder = try TemporaryFolder("setup-lab-ws")
        try FileManager.default.removeItem(atPath: workspaceFolder.path)
        try FileManager.default.copyItem(atPath: try #require(Self.template).root, toPath: workspaceFolder.path)
        session = LabSession(
            catalog: catalog, workspace: Workspace(root: workspaceFolder.path), actor: "learner", now: { Date() })
        // $SIDE: a folder of the test's own, outside the workspace, for what a script reports.
        runner = ScriptRunner(labRunner: "/bin/false", environment: ["PATH": "/usr/bin:/bin", "SIDE": folder.path])
    }

    /// Appends one line to data/ and adds a system file: run twice on the same files, it shows.
    static let appendingSetup = """
        echo "set up" >> data/train.csv
        echo "note" > system/setup-note.md
        """

    static let manifest = """
        {"id": "00-demo", "title": "Demo", "goal": "Write the answer.", "points": 10, "prerequisites": [],
         "steps": [], "hints": ["Write answers/demo.json."],
         "checks": [{"name": "answer", "check": "eval_file", "points": 10, "params": {"file": "answers/demo.json"}}]}
        """

    var root: String { workspaceFolder.path }
    var workspace: Workspace { Workspace(root: root) }

    /// Appends `text` to a workspace file, as a learner's edit.
    func append(_ text: String, to relative: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/" + relative))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
    func evidence() throws -> Evidence { try session.evidence() }
    func attempts() throws -> Int { try evidence().attempts(of: lab.id).count }
    var setupLines: Int {
        String(decoding: FileManager.default.contents(atPath: root + "/data/train.csv") ?? Data(), as: UTF8.self)
            .components(separatedBy: "\n").filter { $0 == "set up" }.count
    }
    var leftovers: [String] { LabLeftovers.warnings(registryRoot: workspace.registryPath) }
    var scratch: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/.labrunner/scratch")) ?? []).filter {
            $0 != ".lock"
        }
    }

    /// The files under `entry` (system, data) as the workspace has them now.
    func files(_ entry: String) -> [String: Data] { snapshot(of: root + "/" + entry) }
    /// The same entry as saved at the lab's start.
    func saved(_ entry: String) -> [String: Data] {
        snapshot(of: root + "/.labrunner/labs/00-demo/start/" + entry)
    }

    /// How many file steps `body` takes (registry writes and the kit's own).
    static func steps(_ body: () throws -> Void) rethrows -> Int {
        let counting = FaultPlan(failAt: nil)
        try FaultPlan.$current.withValue(counting) { try body() }
        return counting.steps.count
    }
}

@Suite struct LabStartSafetyTests {
    @Test func aStartCountsOnceItsSetupHasRun() throws {
        let lab = try SetupLab()
        try lab.session.start(lab.lab, runner: lab.runner) { _ in }
        let evidence = try lab.evidence()
        let start = try #require(evidence.started(lab.lab.id))
        #expect(start.payload.awaitsReady == true)
        #expect(evidence.ready(of: start.event) != nil)
        #expect(evidence.unfinishedStart(of: lab.lab.id) == nil)
        #expect(try lab.attempts() == 1)
        #expect(lab.setupLines == 1)
        #expect(lab.leftovers.isEmpty, "\(lab.leftovers)")
    }

    /// Every file step of a start fails in turn (a full disk, a kill's stand-in): the next start finishes it
    /// from the starting state, so the setup has run exactly once on the files, and there is one attempt.
    @Test func aStartThatFailsAtAnyStepIsFinishedByTheNext() throws {
        let counted = try SetupLab()
        let steps = try SetupLab.steps { try counted.session.start(counted.lab, runner: counted.runner) { _ in } }
        #expect(steps >= 20)
        for step in 1...steps {
            let lab = try SetupLab()
            let failed = FaultPlan.$current.withValue(FaultPlan(failAt: step, action: .fail(EIO))) {
                (try? lab.session.start(lab.lab, runner: lab.runner) { _ in }) == nil
            }
            try lab.session.start(lab.lab, runner: lab.runner) { _ in }
            let evidence = try lab.evidence()
            #expect(evidence.unfinishedStart(of: lab.lab.id) == nil, "step \(step)")
            #expect(try lab.attempts() == 1, "step \(step) (failed: \(failed))")
            #expect(lab.setupLines == 1, "step \(step): the setup ran on top of a half-run one")
            #expect(lab.files("system")["setup-note.md"] != nil, "step \(step)")
            #expect(lab.scratch.isEmpty, "step \(step): \(lab.scratch)")
            #expect(lab.leftovers.isEmpty, "step \(step): \(lab.leftovers)")
            #expect(evidence.fsck.ok, "step \(step): \(evidence.fsck.problems)")
        }
    }

    /// Every file step of a reset fails in turn: system/ and data/ are each whole (the old or the starting
    /// state), and the next reset finishes the interrupted one rather than counting another attempt.
    @Test func aResetThatFailsAtAnyStepLeavesWholeFoldersAndIsFinishedByTheNext() throws {
        func started() throws -> SetupLab {
            let lab = try SetupLab()
            try lab.session.start(lab.lab, runner: lab.runner) { _ in }
            try lab.append("learner,edit\n", to: "data/train.csv")
            try lab.append("\nA learner's line.\n", to: "system/prompt.md")
            try FileManager.default.createDirectory(atPath: lab.root + "/answers", withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: lab.root + "/answers/demo.json"))
            return lab
        }
        let counted = try started()
        let old = (system: counted.files("system"), data: counted.files("data"))
        let starting = (system: counted.saved("system"), data: counted.saved("data"))
        let steps = try SetupLab.steps { try counted.session.reset(counted.lab, runner: counted.runner) }
        #expect(steps >= 20)
        // Restored, and set up again.
        let new = (system: counted.files("system"), data: counted.files("data"))
        #expect(new.data != old.data && new.system != old.system && new.data != starting.data)
        for step in 1...steps {
            let lab = try started()
            FaultPlan.$current.withValue(FaultPlan(failAt: step, action: .fail(EIO))) {
                _ = try? lab.session.reset(lab.lab, runner: lab.runner)
            }
            let system = lab.files("system")
            let data = lab.files("data")
            #expect([old.system, starting.system, new.system].contains(system), "step \(step): system/ is torn")
            #expect([old.data, starting.data, new.data].contains(data), "step \(step): data/ is torn")
            let committed = try Restore.committed(in: LabFiles(workspace: lab.workspace)) != nil
            let attemptsAfterFailure = try lab.attempts()
            try lab.session.reset(lab.lab, runner: lab.runner)
            // A committed reset is finished, not repeated; otherwise the reset run again is the one that counts.
            #expect(try lab.attempts() == (committed ? 2 : attemptsAfterFailure + 1), "step \(step)")
            #expect(lab.files("system") == new.system, "step \(step)")
            #expect(lab.files("data") == new.data, "step \(step)")
            #expect(!FileManager.default.fileExists(atPath: lab.root + "/answers/demo.json"), "step \(step)")
            #expect(lab.scratch.isEmpty, "step \(step): \(lab.scratch)")
            #expect(lab.leftovers.isEmpty, "step \(step): \(lab.leftovers)")
            #expect(try lab.evidence().fsck.ok, "step \(step)")
        }
    }

    /// A setup killed half-way (here: it fails after changing files) leaves an unfinished start that counts
    /// for nothing, says how to go on, and the next start sets the lab up again on the starting files.
    @Test func anUnfinishedStartIsNoAttemptAndTheNextStartSetsItUpAgain() throws {
        let lab = try SetupLab(setup: SetupLab.appendingSetup + "\n[ -e \"$SIDE/proceed\" ] || exit 3\n")
        #expect(throws: LabError.self) { try lab.session.start(lab.lab, runner: lab.runner) { _ in } }
        var evidence = try lab.evidence()
        let unfinished = try #require(evidence.unfinishedStart(of: lab.lab.id))
        #expect(try lab.attempts() == 0)
        let grade = Grader.grade(lab.lab, evidence: evidence)
        let gate = try #require(grade.tests.first { $0.name == Grader.setupFinishedTest })
        #expect(gate.message.contains("'LabRunner lab start 00'"))
        #expect(grade.score == 0)
        #expect(lab.leftovers.contains { $0.contains("event #\(unfinished.event.seq)") }, "\(lab.leftovers)")
        let tour = try #require(try Tour.status(catalog: lab.catalog, evidence: evidence, user: "learner"))
        #expect(tour.instructions.map(\.text) == ["LabRunner lab start 00"])

        _ = FileManager.default.createFile(atPath: lab.folder.path + "/proceed", contents: Data())
        var said: [String] = []
        #expect(try lab.session.start(lab.lab, runner: lab.runner) { said.append($0) } == nil)
        #expect(said.contains { $0.contains("setting it up again from its starting state") }, "\(said)")
        evidence = try lab.evidence()
        #expect(evidence.unfinishedStart(of: lab.lab.id) == nil)
        #expect(evidence.started(lab.lab.id)?.payload.attempt == 1)
        #expect(try lab.attempts() == 1)
        #expect(lab.setupLines == 1)
        #expect(lab.leftovers.isEmpty, "\(lab.leftovers)")
        // A continued start runs nothing again.
        #expect(try lab.session.start(lab.lab, runner: lab.runner) { _ in } != nil)
        #expect(lab.setupLines == 1)
    }

    /// Laying down an earlier lab fails at each step in turn: the next start lays it down again from its own
    /// starting state, as the reference solution's (no points), with one attempt, and starts the later lab.
    @Test func aLayDownThatFailsAtAnyStepIsLaidDownAgainAndEarnsNothing() throws {
        let counted = try SetupLab()
        let next = try counted.catalog.lab("01")
        let steps = try SetupLab.steps { try counted.session.start(next, runner: counted.runner) { _ in } }
        #expect(Grader.grade(counted.lab, evidence: try counted.evidence()).laidDown)
        for step in stride(from: 1, through: steps, by: 1) {
            let lab = try SetupLab()
            FaultPlan.$current.withValue(FaultPlan(failAt: step, action: .fail(EIO))) {
                _ = try? lab.session.start(next, runner: lab.runner) { _ in }
            }
            do {
                try lab.session.start(next, runner: lab.runner) { _ in }
            } catch {
                Issue.record("step \(step) of \(steps): \(error)")
                continue
            }
            let evidence = try lab.evidence()
            let first = Grader.grade(lab.lab, evidence: evidence)
            #expect(first.laidDown, "step \(step): the reference solution's work counts as the learner's")
            #expect(first.checksPass, "step \(step): \(first.tests.filter { !$0.passed }.map(\.message))")
            #expect(first.score == 0, "step \(step)")
            #expect(first.attempts == 1, "step \(step)")
            #expect(lab.setupLines == 1, "step \(step): the setup ran on top of a half-run one")
            #expect(evidence.attempts(of: next.id).count == 1, "step \(step)")
            #expect(lab.leftovers.isEmpty, "step \(step): \(lab.leftovers)")
        }
    }

    @Test func scriptsRunWithTheirTemporaryFilesInsideTheWorkspace() throws {
        let lab = try SetupLab(setup: "echo \"$TMPDIR\" > \"$SIDE/tmpdir.txt\"\nmktemp > \"$SIDE/made.txt\"\n")
        try lab.session.start(lab.lab, runner: lab.runner) { _ in }
        let tmpdir = String(
            decoding: FileManager.default.contents(atPath: lab.folder.path + "/tmpdir.txt") ?? Data(), as: UTF8.self)
        #expect(tmpdir.hasPrefix(lab.root + "/.labrunner/scratch/tmp-"), "\(tmpdir)")
        let made = String(
            decoding: FileManager.default.contents(atPath: lab.folder.path + "/made.txt") ?? Data(), as: UTF8.self)
        #expect(made.hasPrefix(lab.root + "/.labrunner/scratch/"), "\(made)")
        #expect(lab.scratch.isEmpty, "the script's temporary folder goes with it: \(lab.scratch)")
    }

    /// The kit's own setup scripts are written into the workspace to run, not into the shared temp folder,
    /// where another process cleaning temp files once took one away mid-start.
    @Test func theKitsScriptsAreExtractedIntoTheWorkspace() throws {
        let space = try LabWorkspace("embedded-script")
        let side = try TemporaryFolder("embedded-script-spy")
        let spy = side.path + "/spy.sh"
        try Data("#!/bin/bash\ntr '\\0' ' ' < /proc/$PPID/cmdline > \"$(dirname \"$0\")/seen.txt\"\n".utf8)
            .write(to: URL(fileURLWithPath: spy))
        chmod(spy, 0o755)
        let catalog = try LabCatalog.embedded()
        try catalog.runSetup(
            of: try catalog.lab("06"), runner: ScriptRunner(labRunner: spy, environment: ["PATH": "/usr/bin:/bin"]),
            in: space.workspace)
        let seen = String(
            decoding: FileManager.default.contents(atPath: side.path + "/seen.txt") ?? Data(), as: UTF8.self)
        #expect(seen.contains(space.root + "/.labrunner/scratch/kit-"), "\(seen)")
        #expect(seen.contains("Labs/06-emergency-rollback/setup.sh"), "\(seen)")
    }

    /// A script's leftovers (a server it started and never stopped) die with it, and the start does not wait for
    /// them (Foundation waits for every process that inherited its child's descriptors: a leftover server once
    /// held `lab start` until it exited).
    @Test(.timeLimit(.minutes(2))) func whatAScriptLeavesRunningEndsWithIt() throws {
        let lab = try SetupLab(setup: "sleep 600 >/dev/null 2>&1 &\necho $! > \"$SIDE/sleeper.pid\"\n")
        try lab.session.start(lab.lab, runner: lab.runner) { _ in }
        let text = String(
            decoding: FileManager.default.contents(atPath: lab.folder.path + "/sleeper.pid") ?? Data(), as: UTF8.self)
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ProcessWatch.gone(pid, within: 5), "the script's background sleep outlived it")
    }

    @Test func theNextStartSweepsWhatAKilledRunLeftAndFsckNamesIt() throws {
        let lab = try SetupLab()
        let files = LabFiles(workspace: lab.workspace)
        try FileManager.default.createDirectory(
            atPath: files.scratch + "/kit-0000/Labs", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: files.scratch + "/.tmp-0000", contents: Data("x".utf8))
        try FileManager.default.createDirectory(
            atPath: files.snapshots + "/.restore-0000", withIntermediateDirectories: true)
        let warnings = lab.leftovers
        #expect(warnings.count == 3, "\(warnings)")
        #expect(
            warnings.contains { $0.hasPrefix(".labrunner/scratch/kit-0000 was left by an interrupted lab command") })
        try lab.session.start(lab.lab, runner: lab.runner) { _ in }
        #expect(lab.leftovers.isEmpty, "\(lab.leftovers)")
        #expect(!FileManager.default.fileExists(atPath: files.snapshots + "/.restore-0000"))
    }

    /// While a process holds scratch (a check writing progress.json, a script running), the sweep leaves it be.
    @Test func theSweepNeverTakesScratchInUse() throws {
        let lab = try SetupLab()
        let files = LabFiles(workspace: lab.workspace)
        let hold = try files.holdScratch()
        let inUse = try files.scratchFolder("kit")
        try files.sweep()
        #expect(FileManager.default.fileExists(atPath: inUse))
        withExtendedLifetime(hold) {}
    }

    @Test func aSecondLabOperationIsRefusedWhileOneRuns() throws {
        let lab = try SetupLab()
        let files = LabFiles(workspace: lab.workspace)
        let running = try files.lockOperation()
        let before = snapshot(of: lab.root)
        #expect(throws: LabError.self) { try lab.session.start(lab.lab, runner: lab.runner) { _ in } }
        #expect(snapshot(of: lab.root) == before, "a refused start writes nothing")
        // What the running one has in scratch is in use, not left over.
        try FileManager.default.createDirectory(atPath: files.scratch + "/kit-0000", withIntermediateDirectories: true)
        #expect(lab.leftovers.isEmpty, "\(lab.leftovers)")
        withExtendedLifetime(running) {}
    }

    @Test func whatAKilledOperationLeftIsReportedOnceNoOperationRuns() throws {
        let lab = try SetupLab()
        let files = LabFiles(workspace: lab.workspace)
        do {
            let running = try files.lockOperation()
            withExtendedLifetime(running) {}
        }
        try FileManager.default.createDirectory(atPath: files.scratch + "/kit-0000", withIntermediateDirectories: true)
        #expect(lab.leftovers.count == 1, "\(lab.leftovers)")
    }
}

enum ProcessWatch {
    /// Whether `pid` is gone (or a zombie, which runs nothing) within `seconds`.
    static func gone(_ pid: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return true }
            let text = String(decoding: stat, as: UTF8.self)
            if let close = text.lastIndex(of: ")"), text[text.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }
}
