// A shell-only system of the user's own (no interpreter beyond /bin/sh) end to end through the command line:
// adopt, register behind its eval_command, promote through the gate, deploy, ship a regression past the gate,
// roll back through the deploy folder, import the service's log and audit a request with a replay.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Testing

@Suite struct OwnSystemShellTests {
    static let eval = """
        grep -q helpful "$LABRUNNER_VERSION_DIR/prompt" && p=true || p=false
        grep -q 'threshold: 0.5' "$LABRUNNER_VERSION_DIR/config" && s=true || s=false
        echo "{\\"case\\": \\"tone-1\\", \\"category\\": \\"tone\\", \\"passed\\": $p}"
        echo "{\\"case\\": \\"refuse-1\\", \\"category\\": \\"refuse:unsafe\\", \\"passed\\": $s}"
        """

    @Test func adoptEvalPromoteDeployRegressRollBackImportAndAudit() throws {
        let box = try Sandbox()
        let files: [String: String] = [
            "proj/prompt.txt": "You are a helpful assistant.\n", "proj/config.yaml": "threshold: 0.5\n",
            "proj/index/a.txt": "refunds take five days\n", "proj/eval.sh": Self.eval,
            "proj/replay.sh": "cat \"$LABRUNNER_VERSION_DIR/prompt\"\n",
        ]
        for (path, text) in files {
            let full = box.path + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(
            to: URL(fileURLWithPath: box.path + "/proj/weights.bin"))
        let adopted = try box.ok(
            [
                "adopt", "--component", "weights=weights.bin", "--component", "prompt=prompt.txt", "--component",
                "config=config.yaml", "--component", "index=index", "--eval-command", "sh eval.sh",
                "--replay-command", "sh replay.sh",
            ], in: "proj")
        #expect(adopted.contains("weights = weights.bin  (2,048 bytes)"))
        #expect(adopted.contains("Suggestion: add the line '.labrunner/' to .gitignore"))
        try box.ok(["people", "add", "bob"], in: "proj")
        #expect(
            try box.ok(["register", "--owner", "learner", "--reason", "first", "--root"], in: "proj")
                .contains("pass rate 100.0%"))
        try box.ok(["promote", "#1", "--approver", "bob", "--yes"], in: "proj")
        try box.ok(["deploy", "--to", "../site"], in: "proj")
        let current = box.path + "/site/current/prompt"
        #expect(try String(contentsOfFile: current, encoding: .utf8) == "You are a helpful assistant.\n")

        // A regression the gate catches, by category: the safety case fails.
        try Data("threshold: 0.9\n".utf8).write(to: URL(fileURLWithPath: box.path + "/proj/config.yaml"))
        try Data("You are a terse, helpful assistant.\n".utf8).write(
            to: URL(fileURLWithPath: box.path + "/proj/prompt.txt"))
        try box.ok(["register", "--owner", "learner", "--reason", "raise the threshold", "--parent", "#1"], in: "proj")
        let refused = try box.run(["promote", "#2", "--approver", "bob", "--yes"], in: "proj")
        #expect(refused.status != 0 && (refused.stdout + refused.stderr).contains("refuse:unsafe"))
        // Shipped anyway past the gate (recorded), so the deploy folder follows; then rolled back through it.
        try box.ok(
            ["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured regression", "--yes"],
            in: "proj")
        #expect(try String(contentsOfFile: current, encoding: .utf8) == "You are a terse, helpful assistant.\n")
        let detected = Timestamp.string(from: try #require(box.clock).now())
        try box.ok(
            ["rollback", "#1", "--reason", "the safety case fails", "--detected-at", detected, "--yes"], in: "proj")
        #expect(try String(contentsOfFile: current, encoding: .utf8) == "You are a helpful assistant.\n")
        #expect(try box.ok(["deploy", "status"], in: "proj").contains("current is production"))

        // The service's own log, then an audit that replays a request on the version that answered it.
        let said = SHA256.hash("You are a helpful assistant.\n").hex
        let release = try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/site/current")
        let name = (release as NSString).lastPathComponent
        let line =
            "{\"id\": \"svc-1\", \"at\": \"2026-12-01T09:00:00Z\", \"version\": \"\(name)\", "
            + "\"input_sha256\": \"\(SHA256.hash("hi").hex)\", \"output_sha256\": \"\(said)\"}\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: box.path + "/proj/service.jsonl"))
        #expect(try box.ok(["requests", "import", "service.jsonl"], in: "proj").contains("Imported 1 request"))
        let audit = try box.ok(["audit", "svc-1", "--replay"], in: "proj")
        #expect(audit.contains("Replay: identical"), "\(audit)")
        #expect(audit.contains(name))
    }

    /// train_command through `train`, a register whose lineage it witnessed, `eval run` and `eval compare` on the
    /// eval command, a checkout, and a gc dry run; the eval sees the process's environment, not the console's.
    @Test func trainEvalCompareCheckoutAndGcOnAnAdoptedProject() throws {
        let box = try Sandbox()
        let eval = Self.eval + "\necho \"${OWN_CONSOLE_ONLY:-absent} $LABRUNNER_REPEAT\" >> seen.txt\n"
        let files: [String: String] = [
            "proj/prompt.txt": "You are a helpful assistant.\n", "proj/config.yaml": "threshold: 0.5\n",
            "proj/data/train.csv": "text,label\nrefund please,refund\n", "proj/weights.bin": "untrained",
            "proj/eval.sh": eval,
        ]
        for (path, text) in files {
            let full = box.path + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try box.ok(
            [
                "adopt", "--component", "weights=weights.bin", "--component", "prompt=prompt.txt", "--component",
                "config=config.yaml", "--dataset", "data/train.csv", "--eval-command", "sh eval.sh",
                "--train-command", "{ cat \"$LABRUNNER_DATASET\"; echo \"$LABRUNNER_SEED\"; } > \"$LABRUNNER_OUTPUT\"",
            ], in: "proj")
        let untrained = try box.run(["register", "--owner", "learner", "--reason", "first", "--root"], in: "proj")
        #expect(untrained.status != 0 && untrained.stderr.contains("Lineage unverified: weights"))
        #expect(try box.ok(["train", "--seed", "9"], in: "proj").contains("Trained weights.bin"))
        let weights = try String(contentsOfFile: box.path + "/proj/weights.bin", encoding: .utf8)
        #expect(weights == "text,label\nrefund please,refund\n9\n")
        let registered = try box.run(
            ["register", "--owner", "learner", "--reason", "first", "--root"], in: "proj",
            environment: ["OWN_CONSOLE_ONLY": "leaked"])
        #expect(registered.status == 0 && registered.stdout.contains("pass rate 100.0%"), "\(registered.stderr)")
        let seen = try String(contentsOfFile: box.path + "/proj/seen.txt", encoding: .utf8)
        #expect(seen == "absent 0\n", "a console's injected variable never reaches a project command")
        let run = try box.ok(["eval", "run", "--version", "#1", "--repeats", "2"], in: "proj")
        #expect(run.contains("Recorded in the registry as evidence"))
        try Data("threshold: 0.9\n".utf8).write(to: URL(fileURLWithPath: box.path + "/proj/config.yaml"))
        try box.ok(["register", "--owner", "learner", "--reason", "raise", "--parent", "#1"], in: "proj")
        let compared = try box.ok(["eval", "compare", "#1", "#2"], in: "proj")
        #expect(compared.contains("A higher in 1"), "\(compared)")
        let suite = try box.run(["eval", "run", "--version", "#1", "--suite", "core"], in: "proj")
        #expect(suite.status != 0 && suite.stderr.contains("drop --suite core"))
        try box.ok(["checkout", "#1", "../co"], in: "proj")
        #expect(try String(contentsOfFile: box.path + "/co/weights", encoding: .utf8) == weights)
        #expect(try String(contentsOfFile: box.path + "/co/config", encoding: .utf8) == "threshold: 0.5\n")
        #expect(try box.run(["gc", "--dry-run"], in: "proj").status == 0)
    }
}
