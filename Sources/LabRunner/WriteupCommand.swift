// `LabRunner writeup`: the postmortem of the learner's incident, filled from their registry.
import Foundation
import LabKit
import Playbook
import Registry
import Reports
import Terminal

enum WriteupCommand {
    static let file = Option<String?>("out", "file", help: "Write to this file instead of standard output.")
    static let incident = Option<String?>(
        "incident", "id", help: "The incident (default: the first one rolled back after a forced promotion).")

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "writeup",
            abstract: "Write the Markdown postmortem of your incident, every number read from the registry.",
            discussion: """
                Sections marked 'your words' are yours to write. Writing again to the same --out file keeps
                what you wrote in them and refreshes everything else.
                """,
            options: [file, incident, Common.workspace]
        ) { invocation, console in
            // The grader's evidence: it holds the registry context and says how each lab was done.
            let evidence = try Evidence(workspace: try Common.workspace(invocation, console), now: env.now)
            var text = try Writeup.render(
                context: evidence.context, incidentID: try invocation[incident],
                provenance: evidence.writeupProvenance())
            guard let given = try invocation[file] else {
                console.writeOut(text + "\n")
                return 0
            }
            let path = Common.path(given, console)
            if let previous = FileManager.default.contents(atPath: path) {
                text = Writeup.keepingLearnerSections(of: String(decoding: previous, as: UTF8.self), in: text)
            }
            try Common.write(Data((text + "\n").utf8), to: path)
            console.out("Wrote \(given). Fill in the sections marked 'your words', then run 'LabRunner lab check'.")
            return 0
        }
    }
}
