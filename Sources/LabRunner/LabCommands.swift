// The guided labs as commands: list, start, status, hint, check, reset, grade, solution.
import Foundation
import Hashing
import LabKit
import Playbook
import Registry
import Terminal

enum LabCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "lab",
            abstract: "Work through the guided labs: start one, get hints, check and grade your work.",
            discussion: """
                The labs are built into LabRunner (LABRUNNER_LABS names an author's own Labs/ folder instead).
                Grading trusts only what the registry recorded: its hash-chained events, eval results and the
                attribution log. A lab started from a manifest that is not the kit's own grades as a custom lab.
                """,
            subcommands: [
                listSpec(env), startSpec(env), statusSpec(env), hintSpec(env), checkSpec(env), resetSpec(env),
                gradeSpec(env), solutionSpec(env),
            ])
    }

    static let labArgument = ArgumentSpec.required(
        "id", help: "The lab: its number (06) or its full id (06-emergency-rollback).")

    static func catalog(_ console: Console) throws -> LabCatalog {
        try LabCatalog.locate(environment: console.environment, currentDirectory: console.currentDirectory)
    }

    /// This binary, so lab scripts call the same LabRunner the learner runs. `$LABRUNNER`, when set, names it
    /// instead: inside a lab script it is this binary already, and a test running the command table in its own
    /// process names the built binary with it.
    static func executablePath(_ console: Console) -> String? {
        if let named = console.environment["LABRUNNER"], !named.isEmpty { return named }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath
    }

    /// The tour's commands say `LabRunner`; after `swift run` it may not be on PATH yet.
    static func pathTip(_ console: Console) -> String? {
        let folders = (console.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard !folders.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/LabRunner") }),
            let binary = executablePath(console)
        else { return nil }
        let folder = (binary as NSString).deletingLastPathComponent
        return "Tip: LabRunner is not on your PATH yet; run: export PATH=\"\(folder):$PATH\""
    }

    static func session(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> LabSession {
        LabSession(
            catalog: try catalog(console), workspace: try Common.workspace(invocation, console),
            actor: Common.currentUser(console), now: env.now)
    }

    static func runner(_ console: Console) -> ScriptRunner {
        ScriptRunner(labRunner: executablePath(console) ?? "LabRunner", environment: console.environment)
    }

    /// The lab named on the command line, or the one started last.
    static func chosenLab(_ invocation: Invocation, _ session: LabSession, _ evidence: Evidence) throws -> Lab {
        if let name = invocation.argument("id") { return try session.catalog.lab(name) }
        guard let current = evidence.currentLabID else { throw LabError.noCurrentLab }
        return try session.catalog.lab(current)
    }

    static func listSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "list", abstract: "List the labs with your progress in each, graded from the registry.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let catalog = try catalog(console)
            let evidence = try? Evidence(workspace: try Common.workspace(invocation, console), now: env.now)
            let grades = catalog.labs.map { lab in evidence.map { Grader.grade(lab, evidence: $0) } }
            if invocation.flag("json") {
                struct Row: Encodable {
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
                try Common.printJSON(
                    zip(catalog.labs, grades).map { lab, grade in
                        Row(
                            id: lab.id, title: lab.manifest.title, points: lab.manifest.points,
                            started: evidence?.start(of: lab.id) != nil, score: grade?.score,
                            status: status(lab, grade, evidence), attempts: grade?.attempts ?? 0,
                            doneBy: grade.flatMap {
                                $0.attempts > 0 ? $0.doneByCode : nil
                            },
                            hintsUsed: grade?.hintsUsed)
                    }, console)
                return 0
            }
            var table = Table(headers: ["lab", "title", "points", "status"], rows: [])
            for (lab, grade) in zip(catalog.labs, grades) {
                let score = grade.map { "\($0.score)/\(lab.manifest.points)" } ?? "–/\(lab.manifest.points)"
                table.rows.append([lab.manifest.number, lab.manifest.title, score, status(lab, grade, evidence)])
            }
            console.out(table.render())
            if evidence == nil {
                console.out("No workspace yet. Next: " + console.styled("LabRunner lab start 00", .cyan))
            }
            return 0
        }
    }

    static func status(_ lab: Lab, _ grade: LabGrade?, _ evidence: Evidence?) -> String {
        guard let grade else { return "not started" }
        if grade.laidDown { return "laid down (no points)" }
        if grade.passed { return grade.attempts > 1 ? "passed · \(grade.attempts) attempts" : "passed" }
        let started = evidence?.start(of: lab.id) != nil
        return started ? "in progress (\(grade.checksSummary))" : "not started"
    }

    static func startSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "start",
            abstract: "Start a lab; earlier labs you have not done are laid down by their reference solutions.",
            discussion: """
                Without a workspace, one is created (./lab-workspace, or --workspace DIR). The starting state is
                saved so 'LabRunner lab reset' can restore it, and the start is recorded in the registry.
                """,
            arguments: [labArgument], options: [Common.workspace]
        ) { invocation, console in
            let catalog = try catalog(console)
            let lab = try catalog.lab(invocation.argument("id") ?? "")
            let workspace: Workspace
            if let found = try? Common.workspace(invocation, console) {
                workspace = found
            } else {
                let target = Workspace.absolute(
                    invocation.value("workspace") ?? Workspace.defaultFolderName, from: console.currentDirectory)
                workspace = try WorkspaceSetup.create(at: target, actor: Common.currentUser(console), now: env.now)
                console.out("Created a lab workspace in \(workspace.root)")
            }
            let session = LabSession(
                catalog: catalog, workspace: workspace, actor: Common.currentUser(console), now: env.now)
            let continued = try session.start(lab, runner: runner(console)) { console.out($0) }
            console.out(console.styled("Lab \(lab.manifest.number) · \(lab.manifest.title)", .bold))
            if let continued {
                console.out(
                    "Continuing: you started this lab at \(Timestamp.string(from: continued)). To start over: LabRunner lab reset \(lab.manifest.number) --yes"
                )
            }
            console.out("Goal: \(lab.manifest.goal)")
            let readme = try catalog.readme(for: lab, in: session.workspace)
            console.out("Read: \(RegistryCommands.displayPath(readme, from: console.currentDirectory))")
            let evidence = try session.evidence()
            announceClock(lab, evidence, console)
            printTour(try tour(session, evidence, console), workspace: session.workspace, console)
            return 0
        }
    }

    /// A timed lab whose alert fired says so at once: the clock is already running.
    static func announceClock(_ lab: Lab, _ evidence: Evidence, _ console: Console) {
        guard let timer = lab.manifest.allTimers.first, let incident = evidence.incident(openedSinceStartOf: lab.id)
        else { return }
        console.out(
            console.styled(
                "The pager fired: \(incident.id) opened at \(Timestamp.string(from: incident.openedAt)).", .red)
                + " The clock is running: gold under \(TimeParsing.describe(timer.goldSeconds)), a pass under "
                + "\(TimeParsing.describe(timer.passSeconds)).")
    }

    /// The current lab's next instructions, the same lines `LabRunner` with no arguments prints.
    /// Where the learner is, from evidence already read.
    static func tour(_ session: LabSession, _ evidence: Evidence, _ console: Console) throws -> TourStatus? {
        try Tour.status(catalog: session.catalog, evidence: evidence, user: Common.currentUser(console))
    }

    static func printTour(_ status: TourStatus?, workspace: Workspace, _ console: Console) {
        guard let status else { return }
        let root = workspace.root
        if console.currentDirectory != root, !console.currentDirectory.hasPrefix(root + "/") {
            console.out("Work inside the workspace; the paths below are relative to it.")
            console.out(
                "Next: "
                    + console.styled("cd \(RegistryCommands.displayPath(root, from: console.currentDirectory))", .cyan))
            return
        }
        for instruction in status.instructions {
            console.out(instruction.say)
            switch instruction.kind {
            case .run:
                console.out(
                    (instruction.expectFailure ? "Run (expect a refusal): " : "Run:  ")
                        + console.styled(instruction.text, .cyan))
            case .edit:
                console.out("Edit: " + instruction.text)
            case .next:
                console.out("Next: " + console.styled(instruction.text, .cyan))
            }
        }
    }

    static func statusSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "status", abstract: "Show the current lab, which checks pass, and what to do next.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            guard let tour = try tour(session, try session.evidence(), console) else { throw LabError.noCurrentLab }
            let lab = tour.lab
            let grade = tour.grade
            if invocation.flag("json") {
                struct Step: Encodable {
                    var kind: String
                    var say: String
                    var text: String
                    var expectFailure: Bool

                    enum CodingKeys: String, CodingKey {
                        case kind, say, text
                        case expectFailure = "expect_failure"
                    }
                }
                struct Status: Encodable {
                    var grade: LabGrade
                    var next: [Step]
                }
                try Common.printJSON(
                    Status(
                        grade: grade,
                        next: tour.instructions.map {
                            Step(kind: $0.kind.rawValue, say: $0.say, text: $0.text, expectFailure: $0.expectFailure)
                        }), console)
                return 0
            }
            console.out(
                console.styled("Lab \(lab.manifest.number) · \(lab.manifest.title)", .bold)
                    + " — \(grade.score)/\(grade.maxScore)")
            if let note = grade.customNote { console.out(note) }
            for test in grade.checks { console.out("  \(test.passed ? "✓" : "·") \(test.name)") }
            printTour(tour, workspace: session.workspace, console)
            return 0
        }
    }

    static func hintSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "hint", abstract: "Show the next hint for the current lab (hints cost nothing but are recorded).",
            options: [
                .value("level", "n", help: "Show this hint level (1 is the gentlest)."),
                .value("lab", "id", help: "A lab other than the current one."), Common.workspace,
            ]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab: Lab
            if let name = invocation.value("lab") {
                lab = try session.catalog.lab(name)
            } else {
                lab = try chosenLab(invocation, session, try session.evidence())
            }
            let level = try invocation.int("level")
            if let level, level < 1 { throw UsageError("--level must be 1 or more.") }
            let hint = try session.hint(lab, level: level)
            console.out(
                "Hint \(hint.level) of \(lab.manifest.hints.count) for lab \(lab.manifest.number): \(hint.text)")
            return 0
        }
    }

    static func checkSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "check", abstract: "Run the current lab's checks now and say why each passes or fails.",
            arguments: [.optional("id", help: "The lab (default: the current one).")],
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let evidence = try session.evidence()
            let grade = Grader.grade(try chosenLab(invocation, session, evidence), evidence: evidence)
            try Progress.update(session.workspace, current: nil, grade: grade, at: env.now())
            try render(GradeReport(grades: [grade]), format: invocation.flag("json") ? "json" : "text", console)
            return grade.passed ? 0 : 1
        }
    }

    static func resetSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "reset", abstract: "Start a new attempt at a lab from its starting files (asks first unless --yes).",
            discussion: """
                system/, data/ and evals/ go back exactly to how they were when the lab started (other files
                only if they went missing), this lab's own answer files are set aside with the attempt, and tags
                that moved since are moved back by recorded tag moves. Nothing is rewound: every event, version,
                incident and request stays, later labs' work included. The lab is graded on its latest attempt;
                earlier attempts stay in the history (and their times in the rehearsal trend).
                """,
            arguments: [labArgument], options: [PlaybookCommands.yes, Common.workspace]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab = try session.catalog.lab(invocation.argument("id") ?? "")
            guard try session.evidence().start(of: lab.id) != nil else { throw LabError.noStartingState(lab: lab.id) }
            let plan = try session.resetPlan(lab)
            console.out("Resetting lab \(lab.manifest.number) starts attempt \(plan.nextAttempt).")
            console.out("Restores, as they were when the lab started: \(plan.files.joined(separator: ", ")).")
            if !plan.setAside.isEmpty {
                console.out(
                    "Sets aside this lab's answers into \(plan.attemptFolder): \(plan.setAside.joined(separator: ", "))."
                )
            }
            for move in plan.tagMoves {
                console.out(
                    "Moves tag \(move.tag) back: \(move.from ?? "none") → \(move.toLabel) (a recorded tag move).")
            }
            console.out(
                "Keeps: every event, version, incident and request in the registry, earlier attempts and later labs' work."
            )
            try PlaybookCommands.confirm(
                "Start attempt \(plan.nextAttempt) of lab \(lab.manifest.number)?",
                command: "lab reset \(lab.manifest.number)",
                invocation, console)
            try session.reset(lab, runner: runner(console))
            console.out(
                "Lab \(lab.manifest.number) is back at its starting files: attempt \(plan.nextAttempt) has begun.")
            let evidence = try session.evidence()
            announceClock(lab, evidence, console)
            printTour(try tour(session, evidence, console), workspace: session.workspace, console)
            return 0
        }
    }

    static func gradeSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "grade", abstract: "Grade a lab, or all of them, from recorded evidence; exit 0 on pass, 1 on fail.",
            arguments: [.optional("id", help: "The lab (default: the current one).")],
            options: [
                .flag("all", help: "Grade every lab."),
                .value("format", "format", help: "text, json, junit or markdown.", default: "text"),
                Common.workspace,
            ]
        ) { invocation, console in
            let format = invocation.value("format") ?? "text"
            guard ["text", "json", "junit", "markdown"].contains(format) else {
                throw UsageError("--format must be text, json, junit or markdown, not '\(format)'.")
            }
            if invocation.flag("all"), invocation.argument("id") != nil {
                throw UsageError("Give a lab or --all, not both.")
            }
            let session = try session(invocation, console, env)
            let evidence = try session.evidence()
            let labs = invocation.flag("all") ? session.catalog.labs : [try chosenLab(invocation, session, evidence)]
            let report = GradeReport(grades: labs.map { Grader.grade($0, evidence: evidence) })
            try render(report, format: format, console)
            return report.passed ? 0 : 1
        }
    }

    static func render(_ report: GradeReport, format: String, _ console: Console) throws {
        switch format {
        case "json": console.writeOut(try report.json() + "\n")
        case "junit": console.writeOut(report.junit() + "\n")
        case "markdown": console.writeOut(report.markdown() + "\n")
        default: console.out(report.text { text, passed in console.styled(text, passed ? .green : .red) })
        }
    }

    static func solutionSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "solution", abstract: "Show a lab's reference solution, once your own work passes it.",
            arguments: [labArgument], options: [Common.workspace]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab = try session.catalog.lab(invocation.argument("id") ?? "")
            guard Grader.grade(lab, evidence: try session.evidence()).checksPass else {
                throw LabError.notPassed(lab: lab.id)
            }
            console.writeOut(String(decoding: try session.catalog.solution(of: lab), as: UTF8.self))
            return 0
        }
    }
}
