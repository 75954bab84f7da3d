// The guided tour followed literally: from the first `LabRunner` on a fresh folder to the end of lab 07,
// doing only what each `LabRunner` (no arguments) says to do next, clean-ups included.
import Foundation
import LabTestSupport
import Testing

@Suite struct TourTests {
    /// One instruction as the tour prints it.
    enum Instruction: Equatable {
        case command(String, expectFailure: Bool)
        case changeDirectory(String)
        case replace(file: String, old: String, new: String)
        case append(file: String, line: String)
    }

    static func instructions(in output: String) -> [Instruction] {
        output.split(separator: "\n").compactMap { raw -> Instruction? in
            let line = String(raw)
            for (prefix, failure) in [("Next: ", false), ("Run:  ", false), ("Run (expect a refusal): ", true)]
            where line.hasPrefix(prefix) {
                let command = String(line.dropFirst(prefix.count))
                if command.hasPrefix("cd ") { return .changeDirectory(String(command.dropFirst(3))) }
                return .command(command, expectFailure: failure)
            }
            guard line.hasPrefix("Edit: "), let dash = line.range(of: " — ") else { return nil }
            let file = String(line[line.index(line.startIndex, offsetBy: 6)..<dash.lowerBound])
            let quoted = line[dash.upperBound...].split(separator: "\"", omittingEmptySubsequences: false)
            if line[dash.upperBound...].hasPrefix("change"), quoted.count >= 5 {
                return .replace(file: file, old: String(quoted[1]), new: String(quoted[3]))
            }
            if line[dash.upperBound...].hasPrefix("add the line"), quoted.count >= 3 {
                return .append(file: file, line: String(quoted[1]))
            }
            return nil
        }
    }

    @Test func theTourLeadsFromAFreshFolderThroughLab07() throws {
        // The tour's own commands run in bash, as typed, through the built binary: the real time keeps them in
        // order with the in-process `LabRunner` between them.
        let sandbox = try Sandbox(time: .live)
        var folder = ""
        var transcript: [String] = []
        var reachedLab08 = false
        for _ in 0..<50 {
            let status = try sandbox.run([], in: folder)
            #expect(status.status == 0, "\(status.stderr)")
            transcript.append("$ LabRunner\n" + status.stdout)
            let steps = Self.instructions(in: status.stdout)
            guard !steps.isEmpty else {
                Issue.record("The tour gave no instruction:\n\(status.stdout)")
                break
            }
            for step in steps {
                // Stop at lab 08, after the clean-ups the tour prints before it.
                if step == .command("LabRunner lab start 08", expectFailure: false) {
                    reachedLab08 = true
                    break
                }
                switch step {
                case .changeDirectory(let path):
                    folder = folder.isEmpty ? path : folder + "/" + path
                case .append(let file, let line):
                    let relative = folder + "/" + file
                    try sandbox.write(sandbox.read(relative) + line + "\n", to: relative)
                case .replace(let file, let old, let new):
                    let relative = folder + "/" + file
                    #expect(sandbox.read(relative).contains(old), "\(file) has no '\(old)' to change")
                    try sandbox.edit(relative) { $0.replacingOccurrences(of: old, with: new) }
                case .command(let command, let expectFailure):
                    let result = try sandbox.shell("LabRunner() { \"$LABRUNNER\" \"$@\"; }\n" + command, in: folder)
                    transcript.append("$ \(command)\n\(result.stdout)\(result.stderr)")
                    #expect(
                        (result.status != 0) == expectFailure,
                        "\(command) exited \(result.status): \(result.stderr)\n\(transcript.suffix(4).joined(separator: "\n"))"
                    )
                }
            }
            if reachedLab08 { break }
        }
        #expect(reachedLab08, "the tour did not reach lab 08:\n\(transcript.suffix(6).joined(separator: "\n"))")
        let list = try sandbox.json(["lab", "list"], in: folder)
        for index in 0...7 {
            #expect(list[index]["status"].string == "passed", "lab \(index) after the tour: \(list[index]["status"])")
        }
        #expect(list[8]["status"].string == "not started")
        let timed = try sandbox.json(["incident", "show", "INC-0001"], in: folder)
        #expect(timed["confirmed"].bool == true)
        let status = try sandbox.json(["lab", "status"], in: folder)
        #expect(status["grade"]["lab"].string == "07-run-an-experiment")
        // The clean-up comes before the next lab: the experiment's tone leaves system/.
        #expect(status["next"][0]["text"].string == "rm -rf system && LabRunner checkout production system")
        #expect(status["next"].array.last?["text"].string == "LabRunner lab start 08")
        #expect(!sandbox.read(folder + "/system/prompt.md").contains("tone: formal"))
    }

    @Test func parsesEveryInstructionShape() {
        let output = """
            Lab 05 · Manufacture an incident
            Edit: system/prompt.md — change "escalate: a, b" to "escalate: b"
            Edit: data/train.csv — add the line "my lampshade came with a dent,damaged_item"
            Run (expect a refusal): LabRunner promote latest --approver r
            Run:  LabRunner train
            Next: cd lab-workspace
            """
        #expect(
            Self.instructions(in: output) == [
                .replace(file: "system/prompt.md", old: "escalate: a, b", new: "escalate: b"),
                .append(file: "data/train.csv", line: "my lampshade came with a dent,damaged_item"),
                .command("LabRunner promote latest --approver r", expectFailure: true),
                .command("LabRunner train", expectFailure: false),
                .changeDirectory("lab-workspace"),
            ])
    }
}
