// Writes that never lie: a failure injected at every write step of register, promote, rollback and tag
// leaves either nothing changed (and nothing the next writer replays) or an event that says it is recorded.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Synchronization
import Testing

@Suite struct WriteFailureTests {
    enum Operation: String, CaseIterable {
        case register, promote, rollback, tag
    }

    /// Versions #1–#3 registered, production moved #1 → #2.
    struct Fixture {
        let registry: Registry
        let ids: [String]

        init(_ folder: TemporaryFolder) throws {
            registry = try makeRegistry(in: folder)
            let v1 = try registry.registerSample()
            let v2 = try registry.registerSample(prompt: "tone: formal\n", parent: v1.id)
            let v3 = try registry.registerSample(prompt: "tone: terse\n", parent: v2.id)
            try registry.moveTag("production", to: v1.id, by: "ops", reason: "first")
            try registry.moveTag("production", to: v2.id, by: "ops", reason: "second")
            ids = [v1.id, v2.id, v3.id]
        }

        /// Runs the operation; returns the event kind it appends and what must hold once it applied.
        func run(_ operation: Operation) throws {
            switch operation {
            case .register:
                try registry.registerSample(prompt: "tone: new\n", parent: ids[2])
            case .promote:
                try registry.moveTag(
                    "production", to: ids[2], by: "ops", reason: "promote", expecting: .pointsTo(ids[1]),
                    details: ["play": "promote"])
            case .rollback:
                try registry.moveTag(
                    "production", to: ids[0], by: "ops", reason: "rollback", expecting: .pointsTo(ids[1]),
                    details: ["play": "rollback"])
            case .tag:
                try registry.moveTag("staging", to: ids[2], by: "ops", reason: "stage")
            }
        }

        func applied(_ operation: Operation) throws -> Bool {
            switch operation {
            case .register: return try registry.versionSummaries().count == 4
            case .promote: return registry.tag("production") == ids[2]
            case .rollback: return registry.tag("production") == ids[0]
            case .tag: return registry.tag("staging") == ids[2]
            }
        }
    }

    /// What a reader can see: acknowledged events, tags, registered versions.
    struct View: Equatable {
        var events: [Event]
        var tags: [String: String]
        var versions: [String]

        init(_ root: String) throws {
            let registry = try Registry(root: root)
            events = try registry.events()
            tags = registry.tags()
            versions = try registry.versionSummaries().map(\.id)
        }
    }

    func steps(of operation: Operation) throws -> Int {
        let folder = try TemporaryFolder()
        let fixture = try Fixture(folder)
        let plan = FaultPlan(failAt: nil)
        try FaultPlan.$current.withValue(plan) { try fixture.run(operation) }
        return plan.steps.count
    }

    @Test(arguments: Operation.allCases)
    func aFailureAtEveryWriteStepIsUndoneOrSaidToBeRecorded(_ operation: Operation) throws {
        let count = try steps(of: operation)
        #expect(count >= 8, "\(operation) takes \(count) write steps")
        var undone = 0
        var recorded = 0
        for step in 1...count {
            for (action, persistent) in [(FaultPlan.Action.noSpace, false), (.permissionDenied, true)] {
                let folder = try TemporaryFolder()
                let fixture = try Fixture(folder)
                let root = fixture.registry.root
                let before = try View(root)
                let logBefore = try Data(contentsOf: URL(fileURLWithPath: root + "/events.jsonl"))
                var message: String?
                do {
                    try FaultPlan.$current.withValue(FaultPlan(failAt: step, action: action, persistent: persistent)) {
                        try fixture.run(operation)
                    }
                } catch {
                    message = String(describing: error)
                }
                let where_ = "\(operation), step \(step), \(persistent ? "persistent" : "transient")"
                if let message, message.contains("nothing was changed") {
                    undone += 1
                    #expect(!message.contains("recorded"), "\(where_): \(message)")
                    #expect(try View(root) == before, "\(where_): a reader sees a change after: \(message)")
                    #expect(try !fixture.applied(operation), "\(where_)")
                    // The next writer replays nothing.
                    try fixture.registry.write { writer in
                        try writer.append(kind: "note.added", actor: "next", data: [:])
                    }
                    let after = try View(root)
                    #expect(after.events.dropLast() == before.events, "\(where_): the failed event came back")
                    #expect(try !fixture.applied(operation), "\(where_): the next writer applied it: \(message)")
                    let log = try Data(contentsOf: URL(fileURLWithPath: root + "/events.jsonl"))
                    #expect(log.prefix(logBefore.count) == logBefore)
                } else if let message {
                    recorded += 1
                    #expect(message.contains("is recorded as event #"), "\(where_): \(message)")
                    try fixture.registry.write { writer in
                        try writer.append(kind: "note.added", actor: "next", data: [:])
                    }
                    #expect(try fixture.applied(operation), "\(where_): said recorded, never applied: \(message)")
                } else {
                    // The fault hit a step whose failure changes nothing the operation promises (a folder fsync,
                    // removing a backup): the operation is done.
                    #expect(try fixture.applied(operation), "\(where_): succeeded without applying")
                }
                let report = fixture.registry.fsck()
                #expect(report.problems.isEmpty, "\(where_): \(report.problems)")
                if message != nil {
                    #expect(
                        report.warnings.filter { $0.contains("temp file") || $0.contains("no registration") }.isEmpty,
                        "\(where_): the next writer left \(report.warnings)")
                }
            }
        }
        #expect(undone > 0)
        #expect(recorded > 0, "a permission lost after the append cannot be undone, and says so")
    }

    @Test func aVersionFileIsInPlaceBeforeItsEvent() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let plan = FaultPlan(failAt: nil)
        let record = try FaultPlan.$current.withValue(plan) { try registry.registerSample() }
        let file = plan.steps.firstIndex { $0 == "rename " + registry.root + "/versions/\(record.id).json" }
        let event = plan.steps.firstIndex { $0 == "write " + registry.root + "/events.jsonl" }
        #expect(try #require(file) < #require(event))
    }

    @Test func staleTempFilesAndOrphanVersionFilesAreReportedThenSwept() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let orphan = String(repeating: "ab", count: 32)
        for path in ["/.tmp-crash1", "/tags/.tmp-crash2", "/versions/\(orphan).json"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: registry.root + path))
        }
        let report = registry.fsck()
        #expect(report.problems.isEmpty)
        #expect(report.warnings.contains { $0.hasPrefix(".tmp-crash1 is a temp file") })
        #expect(report.warnings.contains { $0.hasPrefix("tags/.tmp-crash2 is a temp file") })
        #expect(report.warnings.contains { $0.contains("versions/\(orphan).json has no registration event") })
        #expect(!registry.isRegistered(orphan))
        #expect(registry.isRegistered(v1.id))
        try registry.moveTag("production", to: v1.id, by: "ops", reason: "next write")
        let after = registry.fsck()
        #expect(after.ok && after.warnings.isEmpty, "\(after.warnings)")
        #expect(!FileManager.default.fileExists(atPath: registry.root + "/versions/\(orphan).json"))
    }

    @Test func fsckSeesNoFalseProblemsWhileWritersMoveTags() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let v2 = try registry.registerSample(prompt: "tone: formal\n", parent: v1.id)
        let finished = Mutex<(done: Bool, error: String?)>((false, nil))
        let thread = Thread {
            do {
                for n in 0..<150 {
                    try registry.moveTag("production", to: n % 2 == 0 ? v1.id : v2.id, by: "w", reason: "move \(n)")
                    if n % 10 == 0 { _ = try registry.registerSample(prompt: "n \(n)\n", parent: v1.id) }
                }
            } catch {
                finished.withLock { $0.error = String(describing: error) }
            }
            finished.withLock { $0.done = true }
        }
        thread.start()
        var runs = 0
        var problems: [String] = []
        while !finished.withLock({ $0.done }) || runs < 5 {
            problems += registry.fsck().problems
            runs += 1
        }
        #expect(finished.withLock { $0.error } == nil)
        #expect(problems.isEmpty, "\(runs) fsck runs: \(Set(problems))")
    }
}
