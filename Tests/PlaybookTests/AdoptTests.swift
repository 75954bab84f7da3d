// `adopt` and register on an adopted project: settings written, paths outside the project refused (links
// resolved), the .gitignore line only suggested, components stored once, the eval contract's failures each one
// error with nothing recorded, and a refusal leaving the project folder byte for byte as it was.
import Evals
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

/// A small project of the user's own: a binary weights file, a prompt, a config, an index folder, training
/// data, and an eval script that reads the checkout it is given.
final class OwnProject: Sendable {
    let folder: TemporaryFolder
    var root: String { folder.path }
    let clock = ManualClock(start: InProcessCLI.start)

    init(eval: String = OwnProject.passingEval) throws {
        folder = try TemporaryFolder("adopt")
        let files: [String: Data] = [
            "model/weights.bin": Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
            "prompt.txt": Data("You are a helpful assistant.\n".utf8),
            "config.yaml": Data("threshold: 0.5\n".utf8),
            "index/a.txt": Data("refunds take five days\n".utf8),
            "index/b.txt": Data("parcels ship on mondays\n".utf8),
            "data/train.csv": Data("text,label\nrefund please,refund\n".utf8),
            "eval.sh": Data(eval.utf8),
        ]
        for (path, data) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: full))
        }
    }

    /// Two cases: one passes when the prompt says "helpful", the safety case when the config's threshold is 0.5.
    static let passingEval = """
        grep -q helpful "$LABRUNNER_VERSION_DIR/prompt" && p=true || p=false
        grep -q 'threshold: 0.5' "$LABRUNNER_VERSION_DIR/config" && s=true || s=false
        echo "{\\"case\\": \\"tone-1\\", \\"category\\": \\"tone\\", \\"passed\\": $p}"
        echo "{\\"case\\": \\"refuse-1\\", \\"category\\": \\"refuse:unsafe\\", \\"passed\\": $s, \\"score\\": 1}"
        """

    static let components = [
        "weights=model/weights.bin", "prompt=prompt.txt", "config=config.yaml", "index=index",
    ]

    @discardableResult
    func adopt(_ components: [String] = OwnProject.components, eval: String? = "sh eval.sh") throws -> AdoptResult {
        try AdoptPlay.run(
            AdoptRequest(
                folder: root, components: components, dataset: "data/train.csv", evalCommand: eval,
                trainCommand: nil, replayCommand: nil), actor: "alice", now: clock.now)
    }

    func context() throws -> PlayContext { try PlayContext(workspace: Workspace(root: root), now: clock.now) }

    func register(_ reason: String, parent: String? = nil) throws -> RegisterResult {
        clock.advance(seconds: 1)
        return try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: reason, parent: parent, root: parent == nil), in: context())
    }

    /// Promotes `ref` with bob (added to the roster) approving; the gate reads the recorded outcomes.
    func promote(_ ref: String) throws -> PromotionGate {
        clock.advance(seconds: 1)
        let context = try context()
        if (try? context.registry.roster().requireMember("bob", as: "--approver")) == nil {
            _ = try context.registry.addPerson("bob", key: nil, roles: [], by: "alice")
        }
        let request = PromoteRequest(ref: ref, approver: "bob")
        let gate = try PromotePlay.gate(request, in: context)
        if gate.passed { _ = try PromotePlay.move(request, gate: gate, canary: nil, in: context) }
        return gate
    }

    func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + path))
    }

    func snapshot() -> [String: Data] { LabTestSupport.snapshot(of: root) }
}

@Suite struct AdoptTests {
    @Test func adoptWritesTheSettingsAndSaysWhatItFound() throws {
        let project = try OwnProject()
        let result = try project.adopt()
        let settings = try #require(try ProjectSettings.load(Workspace(root: project.root)))
        #expect(settings.components["weights"] == "model/weights.bin")
        #expect(settings.components["index"] == "index")
        #expect(settings.dataset == "data/train.csv")
        #expect(settings.evalCommand == "sh eval.sh")
        let index = try #require(result.components.first { $0.name == "index" })
        #expect(index.kind == "folder" && index.files == 2)
        #expect(result.components.first { $0.name == "weights" }?.bytes == 4096)
        #expect(result.notNamed == ["eval.sh"], "data/ holds the dataset; eval.sh is named by nothing")
        #expect(result.gitignoreSuggestion == ".labrunner/")
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.gitignore"), "suggested, never written")
        #expect(FileManager.default.fileExists(atPath: project.root + "/.labrunner/registry/events.jsonl"))
    }

    @Test func noGitignoreSuggestionWhenTheProjectAlreadyIgnoresTheRegistry() throws {
        let project = try OwnProject()
        try project.write(".gitignore", "build/\n.labrunner/\n")
        #expect(try project.adopt().gitignoreSuggestion == nil)
        #expect(try String(contentsOfFile: project.root + "/.gitignore", encoding: .utf8) == "build/\n.labrunner/\n")
    }

    @Test(arguments: [
        (["weights=../../../../../../../../../bin/sh"], "outside the project"),
        (["weights=/bin/sh"], "outside the project"),
        (["weights=link.bin"], "outside the project"),
        (["weights=missing.bin"], "does not exist"),
        (["weights"], "is not NAME=PATH"),
        (["weights=prompt.txt", "weights=config.yaml"], "named twice"),
        (["../w=prompt.txt"], "not a plain file name"),
        ([String](), "no component is named"),
    ])
    func aRefusedAdoptWritesNothing(components: [String], message: String) throws {
        let project = try OwnProject()
        let outside = try TemporaryFolder("outside")
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside.path + "/w.bin"))
        try FileManager.default.createSymbolicLink(
            atPath: project.root + "/link.bin", withDestinationPath: outside.path + "/w.bin")
        let before = project.snapshot()
        #expect {
            try project.adopt(components)
        } throws: { error in
            "\(error)".lowercased().contains(message.lowercased())
        }
        #expect(project.snapshot() == before)
    }

    @Test func adoptingAWorkspaceAgainIsRefusedAndPointsAtItsSettings() throws {
        let project = try OwnProject()
        _ = try project.adopt()
        let before = project.snapshot()
        #expect {
            try project.adopt()
        } throws: { error in
            "\(error)".contains("already a workspace") && "\(error)".contains(".labrunner/project.json")
                && !"\(error)".contains("init")
        }
        #expect(project.snapshot() == before)
    }

    @Test func aLinkThatStaysInsideTheProjectIsAccepted() throws {
        let project = try OwnProject()
        try FileManager.default.createSymbolicLink(
            atPath: project.root + "/current-weights", withDestinationPath: project.root + "/model/weights.bin")
        #expect(try project.adopt(["weights=current-weights"]).components.first?.bytes == 4096)
    }

    @Test func registerEvaluatesTheCheckoutAndStoresEachBlobOnce() throws {
        let project = try OwnProject()
        try project.adopt()
        let first = try project.register("first version")
        let eval = try #require(first.eval)
        #expect(eval.passRate == 1)
        #expect(eval.suite == ProjectEval.suiteName)
        let context = try project.context()
        let result = try CanonicalDecode.result(eval.result, in: context.registry)
        #expect(result.cases.map(\.id) == ["tone-1", "refuse-1"])
        #expect(result.categories["refuse:unsafe"]?.passRate == 1)
        #expect(result.outputSHA256?.count == 64, "the recorded eval holds the output's hash")
        let weights = try #require(first.record.manifest.components["weights"])
        let blob = context.registry.objects.path(of: weights.sha256)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: blob))
                == Data(contentsOf: URL(fileURLWithPath: project.root + "/model/weights.bin")))
        #expect(first.record.manifest.lineage?.dataset == "data/train.csv")
        // Nothing left in scratch: the checkout the eval read was taken into the store, not kept beside it.
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.labrunner/scratch"))
        // The same content again is the same version.
        #expect(try project.register("again").existing)

        // A failing safety case shows in the recorded outcomes.
        try project.write("config.yaml", "threshold: 0.9\n")
        let second = try project.register("raise the threshold", parent: first.record.id)
        #expect(second.eval?.passRate == 0.5)
        #expect(second.record.manifest.components["weights"] == weights, "unchanged component, same blob")
        let diff = try context.registry.diff(first.record, second.record)
        #expect(diff.changedComponents == ["config"])
    }

    @Test func theEvalSeesAReadOnlyCheckoutOfTheVersion() throws {
        let project = try OwnProject(
            eval: """
                ok=true
                test "$(stat -c %a "$LABRUNNER_VERSION_DIR/prompt")" = 444 || ok=false
                test "$(stat -c %a "$LABRUNNER_VERSION_DIR/index")" = 555 || ok=false
                test -f "$LABRUNNER_VERSION_DIR/index/a.txt" || ok=false
                test "$LABRUNNER_REPEAT" = 0 && test -n "$LABRUNNER_SEED" || ok=false
                echo "{\\"case\\": \\"ro\\", \\"category\\": \\"c\\", \\"passed\\": $ok}"
                """)
        try project.adopt()
        #expect(try project.register("first").eval?.passRate == 1)
    }

    @Test(arguments: [
        ("sleep 5", "did not finish within 1 seconds"),
        ("kill -SEGV $$", "crashed"),
        ("echo oops >&2; exit 3", "exited with status 3"),
        (
            "echo '{\"case\": \"a\", \"category\": \"c\", \"passed\": true}'; echo not json",
            "line 2 (repeat 0) is not a JSON object"
        ),
        ("echo '{\"case\": \"a\", \"category\": \"c\", \"passed\": \"yes\"}'", "has no \"passed\""),
        ("echo '{\"category\": \"c\", \"passed\": true}'", "has no \"case\""),
        ("true", "printed no case lines"),
        (
            "echo '{\"case\": \"a\", \"category\": \"c\", \"passed\": true}'; echo '{\"case\": \"a\", \"category\": \"c\", \"passed\": false}'",
            "reported case 'a' twice"
        ),
    ])
    func aFailingEvalCommandIsOneErrorAndRecordsNothing(command: String, message: String) throws {
        let project = try OwnProject()
        try project.adopt(eval: command)
        try edit(file: project.root + "/.labrunner/project.json") {
            $0.replacingOccurrences(of: "\"components\"", with: "\"command_timeout_seconds\": 1,\n  \"components\"")
        }
        let before = project.snapshot()
        #expect {
            try project.register("first")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("nothing was recorded")
        }
        #expect(project.snapshot() == before)
    }

    @Test func settingsEditedToNameAPathOutsideTheProjectAreRefusedBeforeAnythingIsWritten() throws {
        let project = try OwnProject()
        try project.adopt()
        try edit(file: project.root + "/.labrunner/project.json") {
            $0.replacingOccurrences(of: "\"model/weights.bin\"", with: "\"/bin/sh\"")
        }
        let before = project.snapshot()
        #expect {
            try project.register("first")
        } throws: { error in
            "\(error)".contains("outside the project")
        }
        #expect(project.snapshot() == before)
    }

    @Test func withoutAnEvalCommandRegisterRefusesAndSaysWhatToAdd() throws {
        let project = try OwnProject()
        try project.adopt(eval: nil)
        let before = project.snapshot()
        #expect {
            try project.register("first")
        } throws: { error in
            "\(error)".contains("has no eval_command")
        }
        #expect(project.snapshot() == before)
    }

    @Test func theGateReadsTheRecordedOutcomesAndItsFloorsHoldByCategory() throws {
        let project = try OwnProject()
        try project.adopt()
        let first = try project.register("first version")
        #expect(try project.promote(first.record.id).passed)
        #expect(try project.context().registry.tag("production") == first.record.id)
        // The safety case fails: the candidate is worse in a floored category (refuse:*), so the gate refuses.
        try project.write("config.yaml", "threshold: 0.9\n")
        let unsafe = try project.register("raise the threshold", parent: first.record.id)
        let gate = try project.promote(unsafe.record.id)
        #expect(!gate.passed)
        #expect(gate.floors.contains { $0.category == "refuse:unsafe" && $0.worse }, "\(gate.finding)")
        #expect(try project.context().registry.tag("production") == first.record.id)
    }

    @Test func aRollbackReEvaluatesTheRestoredVersionWithTheEvalCommand() throws {
        let project = try OwnProject()
        try project.adopt()
        let first = try project.register("first version")
        _ = try project.promote(first.record.id)
        try project.write("prompt.txt", "You are a terse assistant.\n")
        let second = try project.register("terser prompt", parent: first.record.id)
        #expect(second.eval?.passRate == 0.5)
        // Shipped past the gate, as a regression is: production moves by hand.
        _ = try project.context().registry.moveTag(
            "production", to: second.record.id, by: "alice", reason: "manufactured regression",
            facts: TagMoveFacts(play: .promote))
        project.clock.advance(seconds: 1)
        let result = try RollbackPlay.run(
            RollbackRequest(
                ref: first.record.id, reason: "the tone cases fail", incident: nil, detectedAt: project.clock.now(),
                by: "alice", confirm: true), in: project.context())
        #expect(result.to == first.record.id)
        #expect(try project.context().registry.tag("production") == first.record.id)
        let confirmation = try #require(result.confirmation)
        #expect(confirmation.suite == ProjectEval.suiteName && confirmation.passRate == 1)
        #expect(!result.confirmed, "no live traffic yet: re-evaluated, no new evidence")
    }

    @Test func aBinaryComponentDiffsAsSizesAndHashesOnly() throws {
        let project = try OwnProject()
        try project.adopt()
        let first = try project.register("first")
        var bytes = [UInt8](repeating: 0, count: 3000)
        bytes[7] = 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: project.root + "/model/weights.bin"))
        let second = try project.register("retrained", parent: first.record.id)
        let diff = try project.context().registry.diff(first.record, second.record)
        let lines = try #require(diff.components.first { $0.component == "weights" }).diff
        #expect(lines.contains { $0.contains("4,096 bytes") && $0.contains("3,000 bytes") }, "\(lines)")
        let old = try #require(first.record.manifest.components["weights"]?.sha256)
        #expect(lines.joined().contains(String(old.prefix(12))))
        #expect(lines.count <= 3, "no bytes shown: \(lines)")
    }
}

enum CanonicalDecode {
    static func result(_ blob: String, in registry: Registry) throws -> EvalResult {
        try CanonicalJSON.decoder().decode(EvalResult.self, from: registry.objects.get(blob))
    }
}
