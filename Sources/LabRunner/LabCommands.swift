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

    static let labID = Argument<String>("id", help: "The lab: its number (06) or its full id (06-emergency-rollback).")
    static let currentOrNamed = Argument<String?>(optional: "id", help: "The lab (default: the current one).")

    static func catalog(_ console: Console) throws -> LabCatalog {
        try LabCatalog.locate(environment: console.environment, currentDirectory: console.currentDirectory)
    }

    /// The tour's commands say `LabRunner`; after `swift run` it may not be on PATH yet.
    static func pathTip(_ console: Console) -> String? {
        let folders = (console.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard !folders.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/LabRunner") }),
            let binary = Common.executablePath()
        else { return nil }
        return
            "Tip: LabRunner is not on your PATH yet; run: export PATH=\"\((binary as NSString).deletingLastPathComponent):$PATH\""
    }

    static func session(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> LabSession {
        LabSession(
            catalog: try catalog(console), workspace: try Common.workspace(invocation, console),
            actor: Common.currentUser(console), now: env.now)
    }

    static func runner(_ console: Console) -> ScriptRunner {
        ScriptRunner(labRunner: Common.executablePath() ?? "LabRunner", environment: console.environment)
    }

    /// The lab named on the command line, or the one started last.
    static func chosenLab(_ name: String?, _ session: LabSession, _ evidence: @autoclosure () throws -> Evidence)
        throws -> Lab
    {
        if let name { return try session.catalog.lab(name) }
        guard let current = try evidence().currentLabID else { throw LabError.noCurrentLab }
        return try session.catalog.lab(current)
    }

    /// Where the learner is, from evidence already read.
    static func tour(_ session: LabSession, _ evidence: Evidence, _ console: Console) throws -> TourStatus? {
        try Tour.status(catalog: session.catalog, evidence: evidence, user: Common.currentUser(console))
    }

    /// After a start or a reset: the clock of a timed lab and the next instructions.
    static func showNext(_ lab: Lab, _ session: LabSession, _ console: Console) throws {
        let evidence = try session.evidence()
        let tour = try tour(session, evidence, console)
        console.show { out in
            lab.renderClock(&out, evidence: evidence)
            tour?.render(&out, workspace: session.workspace, currentDirectory: console.currentDirectory)
        }
    }

    static func listSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "list", abstract: "List the labs with your progress in each, graded from the registry.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let catalog = try catalog(console)
            // Outside a workspace the list still shows, with nothing started.
            let evidence = try? Evidence(workspace: try Common.workspace(invocation, console), now: env.now)
            try Common.emit(LabListing(catalog: catalog, evidence: evidence), invocation, console)
            return 0
        }
    }

    static func startSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "start",
            abstract: "Start a lab; earlier labs you have not done are laid down by their reference solutions.",
            discussion: """
                Without a workspace, one is created (./lab-workspace, or --workspace DIR). The starting state is
                saved so 'LabRunner lab reset' can restore it, and the start is recorded in the registry.
                """,
            arguments: [labID], options: [Common.workspace]
        ) { invocation, console in
            let catalog = try catalog(console)
            let lab = try catalog.lab(try invocation[labID])
            let workspace: Workspace
            if let found = try? Common.workspace(invocation, console) {
                workspace = found
            } else {
                let target = Common.path(try invocation[Common.workspace] ?? Workspace.defaultFolderName, console)
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
            console.out("Read: \(Common.displayPath(readme, from: console.currentDirectory))")
            try showNext(lab, session, console)
            return 0
        }
    }

    static func statusSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "status", abstract: "Show the current lab, which checks pass, and what to do next.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            guard let tour = try tour(session, try session.evidence(), console) else { throw LabError.noCurrentLab }
            if try invocation[Common.json] {
                try Common.printJSON(tour.json, console)
            } else {
                console.show {
                    tour.renderStatus(&$0, workspace: session.workspace, currentDirectory: console.currentDirectory)
                }
            }
            return 0
        }
    }

    static let level = Option<Int?>(
        "level", "n", help: "Show this hint level (1 is the gentlest).",
        check: { $0 >= 1 ? nil : "--level must be 1 or more." })
    static let otherLab = Option<String?>("lab", "id", help: "A lab other than the current one.")

    static func hintSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "hint", abstract: "Show the next hint for the current lab (hints cost nothing but are recorded).",
            options: [level, otherLab, Common.workspace]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab = try chosenLab(try invocation[otherLab], session, try session.evidence())
            let hint = try session.hint(lab, level: try invocation[level])
            console.out(
                "Hint \(hint.level) of \(lab.manifest.hints.count) for lab \(lab.manifest.number): \(hint.text)")
            return 0
        }
    }

    static func checkSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "check", abstract: "Run the current lab's checks now and say why each passes or fails.",
            arguments: [currentOrNamed], options: [Common.workspace, Common.json]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let evidence = try session.evidence()
            let grade = Grader.grade(
                try chosenLab(try invocation[currentOrNamed], session, evidence), evidence: evidence)
            try Progress.update(session.workspace, current: nil, grade: grade, at: env.now())
            let format = try invocation[Common.json] ? "json" : "text"
            try console.show { try GradeReport(grades: [grade]).render(&$0, format: format) }
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
            arguments: [labID], options: [Common.yes, Common.workspace]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab = try session.catalog.lab(try invocation[labID])
            guard try session.evidence().start(of: lab.id) != nil else { throw LabError.noStartingState(lab: lab.id) }
            let plan = try session.resetPlan(lab)
            console.show { out in
                out.line("Resetting lab \(lab.manifest.number) starts attempt \(plan.nextAttempt).")
                out.line("Restores, as they were when the lab started: \(plan.files.joined(separator: ", ")).")
                if !plan.setAside.isEmpty {
                    out.line(
                        "Sets aside this lab's answers into \(plan.attemptFolder): \(plan.setAside.joined(separator: ", "))."
                    )
                }
                for move in plan.tagMoves {
                    out.line(
                        "Moves tag \(move.tag) back: \(move.from ?? "none") → \(move.toLabel) (a recorded tag move).")
                }
                out.line(
                    "Keeps: every event, version, incident and request in the registry, earlier attempts and later labs' work."
                )
            }
            try Common.confirm(
                "Start attempt \(plan.nextAttempt) of lab \(lab.manifest.number)?",
                command: "lab reset \(lab.manifest.number)", invocation, console)
            try session.reset(lab, runner: runner(console))
            console.out(
                "Lab \(lab.manifest.number) is back at its starting files: attempt \(plan.nextAttempt) has begun.")
            try showNext(lab, session, console)
            return 0
        }
    }

    static let allLabs = Flag("all", help: "Grade every lab.")
    static let gradeFormat = Option<String>(
        "format", "format", help: "text, json, junit or markdown.", default: "text",
        check: {
            ["text", "json", "junit", "markdown"].contains($0)
                ? nil : "--format must be text, json, junit or markdown, not '\($0)'."
        })

    static func gradeSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "grade", abstract: "Grade a lab, or all of them, from recorded evidence; exit 0 on pass, 1 on fail.",
            arguments: [currentOrNamed], options: [allLabs, gradeFormat, Common.workspace]
        ) { invocation, console in
            let format = try invocation[gradeFormat]
            let named = try invocation[currentOrNamed]
            if try invocation[allLabs], named != nil { throw UsageError("Give a lab or --all, not both.") }
            let session = try session(invocation, console, env)
            let evidence = try session.evidence()
            let labs = try invocation[allLabs] ? session.catalog.labs : [try chosenLab(named, session, evidence)]
            let report = GradeReport(grades: labs.map { Grader.grade($0, evidence: evidence) })
            try console.show { try report.render(&$0, format: format) }
            return report.passed ? 0 : 1
        }
    }

    static func solutionSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "solution", abstract: "Show a lab's reference solution, once your own work passes it.",
            arguments: [labID], options: [Common.workspace]
        ) { invocation, console in
            let session = try session(invocation, console, env)
            let lab = try session.catalog.lab(try invocation[labID])
            guard Grader.grade(lab, evidence: try session.evidence()).checksPass else {
                throw LabError.notPassed(lab: lab.id)
            }
            console.writeOut(String(decoding: try session.catalog.solution(of: lab), as: UTF8.self))
            return 0
        }
    }
}
