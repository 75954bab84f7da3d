// Docs/examples/own-system end to end through the command line, with a real scikit-learn model: adopt, train
// (witnessed), register, promote through the gate, deploy, ship a regression past the gate, roll back through the
// deploy folder, answer a request as the service does, import its log and audit the request with a replay.
// Enabled only where python3 imports scikit-learn, joblib and yaml (.ci/run installs them).
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Testing

@Suite struct OwnSystemExampleTests {
    static let hasScikitLearn: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sklearn, joblib, yaml"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: hasScikitLearn, "python3 with scikit-learn, joblib and yaml"))
    func theScikitLearnExampleGoesThroughTheGateRegressesAndRollsBack() throws {
        let box = try Sandbox()
        let project = box.path + "/proj"
        try FileManager.default.copyItem(atPath: Repository.root + "/Docs/examples/own-system", toPath: project)
        try box.ok(
            [
                "adopt", "--component", "weights=model", "--component", "prompt=prompts/reply.txt", "--component",
                "config=config.yaml", "--component", "index=index", "--dataset", "data/train.csv", "--eval-command",
                "python3 eval.py", "--train-command", "python3 train.py", "--replay-command", "python3 replay.py",
            ], in: "proj")
        #expect(try box.ok(["train"], in: "proj").contains("Recorded as training run event"))
        #expect(FileManager.default.fileExists(atPath: project + "/model/classifier.joblib"))
        try box.ok(["people", "add", "bob"], in: "proj")
        try box.ok(["register", "--owner", "learner", "--reason", "first fitted model", "--root"], in: "proj")
        try box.ok(["promote", "#1", "--approver", "bob", "--yes"], in: "proj")
        try box.ok(["deploy", "--to", "../site"], in: "proj")
        let good = try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/site/current")

        // A regression: a confidence floor so high the service asks to clarify instead of answering.
        let config = project + "/config.yaml"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "min_confidence: 0.2", with: "min_confidence: 0.7").utf8).write(
            to: URL(fileURLWithPath: config))
        try box.ok(["register", "--owner", "learner", "--reason", "stricter confidence", "--parent", "#1"], in: "proj")
        let refused = try box.run(["promote", "#2", "--approver", "bob", "--yes"], in: "proj")
        #expect(refused.status != 0, "the gate refuses the regression: \(refused.stdout)")
        try box.ok(
            ["promote", "#2", "--approver", "bob", "--force", "--reason", "manufactured regression", "--yes"],
            in: "proj")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/site/current") != good)
        let detected = Timestamp.string(from: try #require(box.clock).now())
        try box.ok(
            ["rollback", "#1", "--reason", "answers turned into questions", "--detected-at", detected, "--yes"],
            in: "proj")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/site/current") == good)

        // The service answers from current/ and logs the request; the registry then says which version said it.
        let served = try runProcess(
            "/usr/bin/env", ["python3", "serve.py", "../site", "--once", "where is my order LL-12345"], in: project,
            environment: ProcessInfo.processInfo.environment)
        #expect(served.status == 0 && served.stdout.contains("order status"), "\(served.stderr)")
        #expect(try box.ok(["requests", "import", "service.jsonl"], in: "proj").contains("Imported 1 request"))
        let audit = try box.ok(["audit", "req-1", "--replay"], in: "proj")
        #expect(audit.contains("Replay: identical"), "\(audit)")
    }
}
