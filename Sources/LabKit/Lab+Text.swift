// The labs as command output: the list with progress, the tour's next instructions, the clock a timed lab
// announces, a lab's status, and a grade report in the format asked for.
public import Foundation
import Hashing
import Playbook
public import Registry
public import Terminal

/// `lab list`: every lab with the learner's progress, graded from the registry (no evidence outside a workspace).
public struct LabListing: Encodable, Sendable {
    public var rows: [Row]
    /// Whether there is a workspace to grade from.
    public var inWorkspace: Bool

    public struct Row: Encodable, Sendable {
        var number: String
        var id: String
        var title: String
        var points: Int
        var started: Bool
        var score: Int?
        var status: String
        var attempts: Int
        var doneBy: String?
        var hintsUsed: Int?

        enum CodingKeys: String, CodingKey {
            case id, title, points, started, score, status, attempts
            case doneBy = "done_by"
            case hintsUsed = "hints_used"
        }
    }

    public init(catalog: LabCatalog, evidence: Evidence?) {
        inWorkspace = evidence != nil
        rows = catalog.labs.map { lab in
            let grade = evidence.map { Grader.grade(lab, evidence: $0) }
            return Row(
                number: lab.manifest.number, id: lab.id, title: lab.manifest.title, points: lab.manifest.points,
                started: evidence?.start(of: lab.id) != nil, score: grade?.score,
                status: Self.status(lab, grade, evidence), attempts: grade?.attempts ?? 0,
                doneBy: grade.flatMap { $0.attempts > 0 ? $0.doneByCode : nil }, hintsUsed: grade?.hintsUsed)
        }
    }

    public func encode(to encoder: any Encoder) throws { try rows.encode(to: encoder) }

    static func status(_ lab: Lab, _ grade: LabGrade?, _ evidence: Evidence?) -> String {
        guard let grade else { return "not started" }
        if grade.laidDown { return "laid down (no points)" }
        if grade.passed { return grade.attempts > 1 ? "passed · \(grade.attempts) attempts" : "passed" }
        let started = evidence?.start(of: lab.id) != nil
        return started ? "in progress (\(grade.checksSummary))" : "not started"
    }
}

extension LabListing: TextRendering {
    public func render(_ out: inout TextOutput) {
        let table = Table(
            headers: ["lab", "title", "points", "status"],
            rows: rows.map { row in
                [row.number, row.title, row.score.map { "\($0)/\(row.points)" } ?? "–/\(row.points)", row.status]
            })
        out.line(table.render())
        if !inWorkspace { out.line("No workspace yet. Next: " + out.styled("LabRunner lab start 00", .cyan)) }
    }
}

extension TourStatus {
    /// The current lab's next instructions, the same lines `LabRunner` with no arguments prints; outside the
    /// workspace, first the way into it.
    public func render(_ out: inout TextOutput, workspace: Workspace, currentDirectory: String) {
        let root = workspace.root
        if currentDirectory != root, !currentDirectory.hasPrefix(root + "/") {
            out.line("Work inside the workspace; the paths below are relative to it.")
            let relative =
                root.hasPrefix(currentDirectory + "/") ? String(root.dropFirst(currentDirectory.count + 1)) : root
            out.line("Next: " + out.styled("cd \(relative)", .cyan))
            return
        }
        for instruction in instructions {
            out.line(instruction.say)
            switch instruction.kind {
            case .run:
                out.line(
                    (instruction.expectFailure ? "Run (expect a refusal): " : "Run:  ")
                        + out.styled(instruction.text, .cyan))
            case .edit: out.line("Edit: " + instruction.text)
            case .next: out.line("Next: " + out.styled(instruction.text, .cyan))
            }
        }
    }

    /// `lab status`: the lab, its score, which checks pass, then the instructions.
    public func renderStatus(_ out: inout TextOutput, workspace: Workspace, currentDirectory: String) {
        out.line(
            out.styled("Lab \(lab.manifest.number) · \(lab.manifest.title)", .bold)
                + " — \(grade.score)/\(grade.maxScore)" + (grade.seed == nil ? "" : " · \(grade.mode)"))
        if let note = grade.customNote { out.line(note) }
        for test in grade.checks { out.line("  \(test.passed ? "✓" : "·") \(test.name)") }
        render(&out, workspace: workspace, currentDirectory: currentDirectory)
    }

    /// What `lab status --json` prints: the grade and the next instructions.
    public var json: some Encodable & Sendable {
        StatusJSON(
            grade: grade,
            next: instructions.map {
                StatusJSON.Step(kind: $0.kind.rawValue, say: $0.say, text: $0.text, expectFailure: $0.expectFailure)
            })
    }
}

struct StatusJSON: Encodable, Sendable {
    struct Step: Encodable, Sendable {
        var kind: String
        var say: String
        var text: String
        var expectFailure: Bool

        enum CodingKeys: String, CodingKey {
            case kind, say, text
            case expectFailure = "expect_failure"
        }
    }

    var grade: LabGrade
    var next: [Step]
}

extension Lab {
    /// A timed lab whose alert fired says so at once: the clock is already running.
    public func renderClock(_ out: inout TextOutput, evidence: Evidence) {
        guard let timer = manifest.allTimers.first, let incident = evidence.clockIncident(of: id) else {
            return
        }
        out.line(
            out.styled("The pager fired: \(incident.id) opened at \(Timestamp.string(from: incident.openedAt)).", .red)
                + " The clock is running: gold under \(TimeParsing.describe(timer.goldSeconds)), a pass under "
                + "\(TimeParsing.describe(timer.passSeconds)).")
    }
}

extension GradeReport {
    /// The shapes a grade is printed in.
    public enum Format: String, OptionChoice, Sendable {
        case text, json, junit, markdown
    }

    /// The report in `format`, as `lab check` and `lab grade` print it.
    public func render(_ out: inout TextOutput, format: Format) throws {
        switch format {
        case .json: out.write(try json() + "\n")
        case .junit: out.write(junit() + "\n")
        case .markdown: out.write(markdown() + "\n")
        case .text: out.line(text { text, passed in out.styled(text, passed ? .green : .red) })
        }
    }
}

extension Lab {
    /// What `lab start` prints once the lab is set up: its title, whether it continues, its goal and README.
    public func renderStart(_ out: inout TextOutput, continued: Date?, readme: String, seed: Int? = nil) {
        out.line(out.styled("Lab \(manifest.number) · \(manifest.title)", .bold))
        if let continued {
            out.line(
                "Continuing: you started this lab at \(Timestamp.string(from: continued)). To start over: LabRunner lab reset \(manifest.number) --yes"
            )
        }
        out.line("Goal: \(manifest.goal)")
        if let seed {
            out.line(
                "Challenge mode (seed \(seed)): the page tells guided mode's story; what to find and decide is in this workspace's evidence, and the tour names commands only."
            )
        }
        out.line("Read: \(readme)")
    }
}

extension ResetPlan {
    /// What `lab reset` says it will do to `lab`, before it asks.
    public func render(_ out: inout TextOutput, lab: Lab) {
        out.line("Resetting lab \(lab.manifest.number) starts attempt \(nextAttempt).")
        out.line("Restores, as they were when the lab started: \(files.joined(separator: ", ")).")
        if !setAside.isEmpty {
            out.line("Sets aside this lab's answers into \(attemptFolder): \(setAside.joined(separator: ", ")).")
        }
        for move in tagMoves {
            out.line("Moves tag \(move.tag) back: \(move.from ?? "none") → \(move.toLabel) (a recorded tag move).")
        }
        out.line(
            "Keeps: every event, version, incident and request in the registry, earlier attempts and later labs' work.")
    }
}
