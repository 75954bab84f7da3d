// Writes outside the registry's own files tell the truth: a failure injected at every write step of train,
// incident open and rollback leaves a message that is true (nothing changed, or what is recorded), fsck finds no
// problem, the next write leaves nothing behind, and a bundle verifies whenever fsck is clean; a kill at every
// step of incident open and rollback leaves incident records the next writer completes; traffic, checkout,
// eval run --out and report leave nothing when they fail.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite(.serialized) struct TruthfulWritesTests {
    /// Versions #1 and #2 promoted in turn (so a rollback has somewhere to go) and INC-0001 opened and closed.
    static func template(time: Sandbox.Time = .manual) throws -> Sandbox {
        let sandbox = try Sandbox(time: time)
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "ops", "--reason", "base"])
        try sandbox.ok(["promote", "#1", "--approver", "a-reviewer", "--yes"])
        try sandbox.write("second\n", to: "ws/system/notes.md")
        try sandbox.ok(["register", "--parent", "production", "--owner", "ops", "--reason", "second"])
        try sandbox.ok(["promote", "#2", "--approver", "a-reviewer", "--yes"])
        try sandbox.ok(["incident", "open", "--symptom", "an earlier scare"])
        try sandbox.ok(["incident", "close", "INC-0001", "--resolution", "false alarm"])
        return sandbox
    }

    enum Operation: String, CaseIterable, CustomTestStringConvertible {
        case train, incident, rollback
        var testDescription: String { rawValue }

        var arguments: [String] {
            switch self {
            case .train: return ["train", "--seed", "7"]
            case .incident: return ["incident", "open", "--symptom", "wrong refunds"]
            case .rollback:
                return [
                    "rollback", "#1", "--reason", "wrong refunds", "--detected-at", "now", "--by", "carol", "--yes",
                ]
            }
        }
    }

    /// A fresh copy of the template's workspace, named `name` in the sandbox.
    static func fresh(_ sandbox: Sandbox, _ name: String) throws -> String {
        let target = sandbox.path + "/" + name
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: sandbox.path + "/ws", toPath: target)
        return name
    }

    /// How many write steps `arguments` takes in `folder` (a copy that is thrown away).
    static func steps(_ sandbox: Sandbox, _ arguments: [String]) throws -> Int {
        let folder = try fresh(sandbox, "count")
        let plan = FaultPlan(failAt: nil)
        let result = try FaultPlan.$current.withValue(plan) { try sandbox.run(arguments, in: folder) }
        #expect(result.status == 0, "\(arguments) runs: \(result.stderr)")
        return plan.steps.count
    }

    /// What the user and a script can see of a workspace: events, production, the weights, incident records.
    struct View: Equatable {
        var events: [String]
        var production: String?
        var weights: Data?
        var incidents: [String: Data]

        init(_ sandbox: Sandbox, _ folder: String) throws {
            let registry = try Registry(root: sandbox.path + "/" + folder + "/.labrunner/registry")
            events = try registry.events().map { "\($0.seq) \($0.kind)" }
            production = registry.tag("production")
            weights = FileManager.default.contents(atPath: sandbox.path + "/" + folder + "/system/weights.json")
            incidents = snapshot(of: sandbox.path + "/" + folder + "/.labrunner/registry/incidents")
        }
    }

    /// Why `message` is untrue about what happened between `before` and `after`, or nil when it is true.
    static func untruth(_ message: String, status: Int32, _ operation: Operation, before: View, after: View) -> String?
    {
        let recorded = #/recorded as event #(\d+) \(([a-z._]+)\)/#
        for match in message.matches(of: recorded) {
            let claim = "\(match.output.1) \(match.output.2)"
            if !after.events.contains(claim) { return "says event \(claim) is recorded, the log has \(after.events)" }
        }
        if status == 0 { return nil }
        let rolledBack = after.production != before.production
        let saysRolledBack = message.hasPrefix("Error: Production was rolled back")
        if saysRolledBack && !rolledBack || rolledBack && !saysRolledBack && !message.contains("(tag.moved)") {
            return "production \(rolledBack ? "moved" : "did not move"), and the message says otherwise"
        }
        if message.contains("nothing was changed") {
            if after != before { return "says nothing was changed, but the workspace changed" }
            return nil
        }
        guard message.contains("recorded as event") || message.contains("but the step after it failed") else {
            return "says neither that nothing changed nor what is recorded"
        }
        if operation == .train, message.contains("the file is unchanged"), after.weights != before.weights {
            return "says the weights file is unchanged, but it changed"
        }
        // Every event the command recorded is named (an incident a rollback opened, by its id).
        for event in after.events.dropFirst(before.events.count) {
            let seq = event.prefix { $0 != " " }
            let incident = "INC-\(String(format: "%04d", before.incidents.count + 1))"
            let named =
                message.contains("event #\(seq)") || event.hasSuffix("incident.opened") && message.contains(incident)
            if !named { return "does not say that event \(event) is recorded" }
        }
        return nil
    }

    /// What `fsck` reports in `folder`.
    static func fsck(_ sandbox: Sandbox, _ folder: String) throws -> (problems: [String], warnings: [String]) {
        let report = try JSONValueBox(parsing: try sandbox.run(["fsck", "--json"], in: folder).stdout)
        return (report["problems"].array.compactMap(\.string), report["warnings"].array.compactMap(\.string))
    }

    /// Whether the weights in `folder` are the output of a recorded training run, as register checks them.
    static func weightsVerify(_ sandbox: Sandbox, _ folder: String) throws -> Bool {
        let root = sandbox.path + "/" + folder
        let weights = try #require(FileManager.default.contents(atPath: root + "/system/weights.json"))
        let events = try Registry(root: root + "/.labrunner/registry").events()
        guard case .verified = try Training.verify(weights: SHA256.hash(weights).hex, dataset: nil, events: events)
        else { return false }
        return true
    }

    /// Whether a bundle made in `folder` verifies.
    static func bundleVerifies(_ sandbox: Sandbox, _ folder: String) throws -> Bool {
        let made = try sandbox.run(["bundle", "--out", "../\(folder).tar", "--learner", "ada"], in: folder)
        guard made.status == 0 else { return false }
        return try sandbox.run(["verify", "\(folder).tar"], in: "").status == 0
    }

    /// How the incident records differ from what `incident show` derives from the events (empty: they agree).
    static func incidentRecordsDiffer(_ sandbox: Sandbox, _ folder: String) throws -> [String] {
        let records = sandbox.path + "/" + folder + "/.labrunner/registry/incidents"
        let ids = try sandbox.json(["incident", "list"], in: folder).array.compactMap { $0["id"].string }
        var differences: [String] = []
        for id in ids {
            let shown = try sandbox.run(["incident", "show", id, "--json"], in: folder).stdout
            let file = FileManager.default.contents(atPath: records + "/" + id + ".json")
            if file.map({ String(decoding: $0, as: UTF8.self) }) != shown {
                differences.append(file == nil ? "\(id).json is missing" : "\(id).json is stale")
            }
        }
        let names = Set(ids.map { $0 + ".json" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: records)) ?? [] where !names.contains(name) {
            differences.append("\(name) is backed by no incident")
        }
        return differences
    }

    @Test(arguments: Operation.allCases)
    func aFailureAtEveryWriteStepIsReportedTruthfullyAndLeavesFsckClean(_ operation: Operation) throws {
        let sandbox = try Self.template()
        let steps = try Self.steps(sandbox, operation.arguments)
        #expect(steps >= 8)
        for step in 1...steps {
            for (name, plan) in [
                ("ENOSPC", FaultPlan(failAt: step, action: .noSpace)),
                ("EACCES from then on", FaultPlan(failAt: step, action: .permissionDenied, persistent: true)),
            ] {
                let folder = try Self.fresh(sandbox, "case")
                let before = try View(sandbox, folder)
                let result = try FaultPlan.$current.withValue(plan) { try sandbox.run(operation.arguments, in: folder) }
                let after = try View(sandbox, folder)
                let at = "\(operation) with \(name) at step \(step) of \(steps): \(result.stderr)"
                let untrue = Self.untruth(result.stderr, status: result.status, operation, before: before, after: after)
                #expect(untrue == nil, "\(at) — \(untrue ?? "")")
                let problems = try Self.fsck(sandbox, folder).problems
                #expect(problems.isEmpty, "\(at) — fsck: \(problems)")
                // A sample: a bundle and its verify cost seconds.
                if !plan.persistent, step % 6 == 0 || step == steps {
                    #expect(
                        try Self.bundleVerifies(sandbox, folder) == problems.isEmpty, "\(at) — fsck and verify agree")
                }
                if operation == .train {
                    // The weights on disk are always a recorded run's output: register never calls them unverified.
                    #expect(try Self.weightsVerify(sandbox, folder), "\(at) — the weights' lineage is unverified")
                }
                try sandbox.ok(["tag", "probe", "#1", "--by", "probe", "--reason", "the next writer"], in: folder)
                let left = try Self.fsck(sandbox, folder)
                #expect(left.problems.isEmpty && left.warnings.isEmpty, "\(at) — after the next write: \(left)")
            }
        }
    }

    @Test(arguments: [Operation.incident, .rollback])
    func aKillAtEveryWriteStepLeavesIncidentRecordsTheNextWriterCompletes(_ operation: Operation) throws {
        let sandbox = try Self.template(time: .live)
        let folder = try Self.fresh(sandbox, "count")
        let counted = try sandbox.launch(operation.arguments, in: folder, environment: ["LABRUNNER_FAULT": "count"])
        let steps = counted.stderr.split(separator: "\n").filter { $0.hasPrefix("labrunner-fault-step ") }.count
        #expect(steps >= 8, "\(counted.stderr)")
        for step in 1...max(1, steps) {
            let folder = try Self.fresh(sandbox, "case")
            let killed = try sandbox.launch(
                operation.arguments, in: folder, environment: ["LABRUNNER_FAULT": "kill@\(step)"])
            #expect(killed.status != 0, "step \(step) was not reached")
            let at = "\(operation) killed at step \(step) of \(steps)"
            let report = try Self.fsck(sandbox, folder)
            #expect(report.problems.isEmpty, "\(at) — fsck: \(report.problems)")
            // A kill between an event and its records leaves warnings: there above all, verify must agree.
            if !report.warnings.isEmpty || step == steps {
                #expect(
                    try Self.bundleVerifies(sandbox, folder) == report.problems.isEmpty,
                    "\(at) — fsck and verify agree")
            }
            try sandbox.ok(["tag", "probe", "#1", "--by", "probe", "--reason", "the next writer"], in: folder)
            let left = try Self.fsck(sandbox, folder)
            #expect(left.problems.isEmpty && left.warnings.isEmpty, "\(at) — after the next write: \(left)")
            let differences = try Self.incidentRecordsDiffer(sandbox, folder)
            #expect(differences.isEmpty, "\(at) — the next writer completes the records: \(differences)")
        }
    }

    @Test func theNextIncidentWriterRebuildsMissingStaleAndStrayRecordsAndFsckNamesThem() throws {
        let sandbox = try Self.template()
        let records = sandbox.path + "/ws/.labrunner/registry/incidents"
        try sandbox.ok(["incident", "open", "--symptom", "slow answers"])
        // What a crash of an older LabRunner left: a record missing, one stale, Foundation's temp, a stray.
        try FileManager.default.removeItem(atPath: records + "/INC-0001.json")
        try sandbox.edit("ws/.labrunner/registry/incidents/INC-0002.json") {
            $0.replacingOccurrences(of: "\"open\"", with: "\"closed\"")
        }
        try sandbox.write("{}", to: "ws/.labrunner/registry/incidents/.dat.nosync3e1.Ab12Cd")
        try sandbox.write("{}", to: "ws/.labrunner/registry/incidents/INC-0009.json")
        let report = try Self.fsck(sandbox, "ws")
        let problems = report.problems + report.warnings
        for named in ["INC-0001.json is missing", "INC-0002.json differs", ".dat.nosync3e1.Ab12Cd", "INC-0009.json"] {
            #expect(problems.contains { $0.contains(named) }, "fsck names \(named): \(problems)")
        }
        #expect(try sandbox.run(["fsck"]).status == 1, "a record that disagrees with its events is a problem")
        #expect(try Self.bundleVerifies(sandbox, "ws"), "a bundle carries the records as the events give them")
        try sandbox.ok(["incident", "open", "--symptom", "wrong totals"])
        #expect(try Self.incidentRecordsDiffer(sandbox, "ws").isEmpty)
        let after = try Self.fsck(sandbox, "ws")
        #expect(after.problems.isEmpty && after.warnings.isEmpty, "\(after)")
        #expect(!FileManager.default.fileExists(atPath: records + "/INC-0009.json"))
    }

    /// incidents/ replaced by a file: the record cannot be written, whatever the fault seam does.
    static func breakIncidentsFolder(_ sandbox: Sandbox) throws {
        let records = sandbox.path + "/ws/.labrunner/registry/incidents"
        try FileManager.default.removeItem(atPath: records)
        try sandbox.write("not a folder\n", to: "ws/.labrunner/registry/incidents")
    }

    @Test func anIncidentThatCannotBeWrittenSaysWhatIsRecorded() throws {
        let sandbox = try Self.template()
        try Self.breakIncidentsFolder(sandbox)
        let before = try sandbox.json(["log"]).count
        let result = try sandbox.run(["incident", "open", "--symptom", "wrong refunds"], in: "ws")
        #expect(result.status == 1)
        let grew = try sandbox.json(["log"]).count > before
        if grew {
            #expect(result.stderr.contains("INC-0002 is recorded as event #"), "\(result.stderr)")
        } else {
            #expect(result.stderr.contains("nothing was changed"), "\(result.stderr)")
        }
        #expect(!result.stderr.contains("Domain="), "no NSError dump: \(result.stderr)")
    }

    @Test func aRollbackWhoseIncidentCannotBeWrittenSaysWhatIsRecordedInASentence() throws {
        let sandbox = try Self.template()
        try sandbox.ok(["incident", "open", "--symptom", "wrong refunds"])
        try Self.breakIncidentsFolder(sandbox)
        let result = try sandbox.run(Operation.rollback.arguments, in: "ws")
        #expect(result.status == 1)
        for dump in ["Domain=", "NSCocoaErrorDomain", "Code=", "UserInfo"] {
            #expect(!result.stderr.contains(dump), "no NSError dump: \(result.stderr)")
        }
        #expect(result.stderr.hasPrefix("Error: Production was rolled back"), "\(result.stderr)")
        let log = try sandbox.json(["log"]).array
        let eval = try #require(log.last { $0["kind"].string == "eval.recorded" }?["seq"].int)
        #expect(
            result.stderr.contains("re-evaluation is recorded as event #\(eval) (eval.recorded)"), "\(result.stderr)")
        if log.last?["kind"].string == "incident.updated" {
            #expect(result.stderr.contains("update is recorded as event #"), "\(result.stderr)")
        }
    }

    @Test(arguments: Operation.allCases)
    func aWriterLockThatCannotBeTakenSaysNothingChanged(_ operation: Operation) throws {
        let sandbox = try Self.template()
        // A folder where the lock file goes: opening it fails for real, as a full disk or a lost permission would.
        let lock = sandbox.path + "/ws/.labrunner/registry/lock"
        try? FileManager.default.removeItem(atPath: lock)
        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: false)
        let before = try View(sandbox, "ws")
        let result = try sandbox.run(operation.arguments, in: "ws")
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("writer lock") && result.stderr.contains("nothing was changed"), "\(result.stderr)")
        #expect(try View(sandbox, "ws") == before)
    }

    @Test func aFirstTrafficRunThatFailsLeavesNoEmptyLog() throws {
        let sandbox = try Self.template()
        let traffic = ["traffic", "--requests", "3"]
        let steps = try Self.steps(sandbox, traffic)
        for step in 1...steps {
            let folder = try Self.fresh(sandbox, "case")
            let log = sandbox.path + "/" + folder + "/.labrunner/registry/requests/log.jsonl"
            try? FileManager.default.removeItem(atPath: log)
            _ = try FaultPlan.$current.withValue(FaultPlan(failAt: step, action: .noSpace)) {
                try sandbox.run(traffic, in: folder)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? nil
            #expect(size != 0, "a failure at step \(step) left an empty log")
            let problems = try Self.fsck(sandbox, folder).problems
            #expect(problems.isEmpty, "a failure at step \(step): \(problems)")
        }
    }

    /// A name no file system takes: the write fails for real, after any folder above it could have been made.
    static let tooLong = String(repeating: "x", count: 300)

    @Test func checkoutEvalOutAndReportThatFailLeaveNoFolder() throws {
        let sandbox = try Self.template()
        for arguments in [
            ["checkout", "#1", "../co/\(Self.tooLong)"],
            ["eval", "run", "--out", "../results/\(Self.tooLong).json"],
            ["report", "--out", "../pages/\(Self.tooLong)"],
        ] {
            let result = try sandbox.run(arguments, in: "ws")
            #expect(result.status == 1, "\(arguments[0]) fails")
            #expect(result.stderr.contains("nothing was changed"), "\(result.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.path).filter { $0 != "ws" }
            #expect(left.isEmpty, "\(arguments[0]) said nothing was changed and left \(left)")
        }
    }

    @Test func aCheckoutThatFailsAtAnyStepLeavesNothing() throws {
        let sandbox = try Self.template()
        let checkout = ["checkout", "#1", "../out/a/b"]
        let steps = try Self.steps(sandbox, checkout)
        try FileManager.default.removeItem(atPath: sandbox.path + "/out")
        for step in 1...steps {
            let result = try FaultPlan.$current.withValue(FaultPlan(failAt: step, action: .noSpace)) {
                try sandbox.run(checkout, in: "ws")
            }
            let made = FileManager.default.fileExists(atPath: sandbox.path + "/out")
            if result.status == 0 {
                #expect(made)
                try FileManager.default.removeItem(atPath: sandbox.path + "/out")
                continue
            }
            #expect(result.stderr.contains("nothing was changed"), "step \(step): \(result.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.path).filter {
                $0 != "ws" && $0 != "count"
            }
            #expect(left.isEmpty, "a failure at step \(step) left \(left)")
        }
    }
}
