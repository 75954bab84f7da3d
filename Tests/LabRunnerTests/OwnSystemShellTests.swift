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
}
