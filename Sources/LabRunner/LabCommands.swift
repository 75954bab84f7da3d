// The labs as commands: list, start, show, status, hint, check, reset, grade, solution.
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
                CommandSpec(
                    name: "list", abstract: "List the labs with your progress in each, graded from the registry.",
                    options: Common.io
                ) { invocation, console in
                    let catalog = try catalog(console)
                    // Outside a workspace the list still shows, with nothing started.
                    let evidence = try? Evidence(workspace: try Common.workspace(invocation, console), now: env.now)
                    return try Common.emit(LabListing(catalog: catalog, evidence: evidence), invocation, console)
                },
                CommandSpec(
                    name: "start",
                    abstract: "Start a lab; earlier labs you have not done are laid down by their reference solutions.",
                    discussion: """
                        Without a workspace, one is created (./lab-workspace, or --workspace DIR). The starting state is
                        saved so 'LabRunner lab reset' can restore it, and the start is recorded in the registry.
                        """,
                    arguments: [labID], options: [challenge, seed, Common.workspace]
                ) { invocation, console in
                    let catalog = try catalog(console)
                    let lab = try catalog.lab(try invocation[labID])
                    let seed = try ChallengeSeed.chosen(challenge: invocation[challenge], given: invocation[seed])
                    let found = try? Common.workspace(invocation, console)
                    let workspace =
                        try found
                        ?? WorkspaceSetup.create(
                            at: Common.path(try invocation[Common.workspace] ?? Workspace.defaultFolderName, console),
                            actor: console.userName, now: env.now)
                    if found == nil { console.out("Created a lab workspace in \(workspace.root)") }
                    let session = LabSession(
                        catalog: catalog, workspace: workspace, actor: console.userName, now: env.now)
                    let continued = try session.start(lab, seed: seed, runner: runner(console)) { console.out($0) }
                    try console.show {
                        try session.renderStarted(
                            &$0, lab, continued: continued, currentDirectory: console.currentDirectory)
                    }
                    return 0
                },
                CommandSpec(
                    name: "show", abstract: "Print a lab's page (goal, points, its text) without starting it.",
                    arguments: [labID], options: [Common.json]
                ) { invocation, console in
                    try Common.emit(try LabPage(catalog: catalog(console), lab: invocation[labID]), invocation, console)
                },
                CommandSpec(
                    name: "status", abstract: "Show the current lab, which checks pass, and what to do next.",
                    options: Common.io
                ) { invocation, console in
                    let session = try session(invocation, console, env)
                    guard let tour = try session.tour(try session.evidence()) else { throw LabError.noCurrentLab }
                    return try Common.emit(tour.json, invocation, console) {
                        tour.renderStatus(&$0, workspace: session.workspace, currentDirectory: console.currentDirectory)
                    }
                },
                CommandSpec(
                    name: "hint",
                    abstract: "Show the next hint for the current lab (hints cost nothing but are recorded).",
                    options: [level, otherLab, Common.workspace]
                ) { invocation, console in
                    let session = try session(invocation, console, env)
                    let lab = try session.lab(named: try invocation[otherLab])
                    console.out(try session.hintLine(lab, level: try invocation[level]))
                    return 0
                },
                CommandSpec(
                    name: "check", abstract: "Run the current lab's checks now and say why each passes or fails.",
                    arguments: [currentOrNamed], options: Common.io
                ) { invocation, console in
                    let grade = try session(invocation, console, env).check(named: try invocation[currentOrNamed])
                    let format: GradeReport.Format = try invocation[Common.json] ? .json : .text
                    try console.show { try GradeReport(grades: [grade]).render(&$0, format: format) }
                    return grade.passed ? 0 : 1
                },
                CommandSpec(
                    name: "reset",
                    abstract: "Start a new attempt at a lab from its starting files (asks first unless --yes).",
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
                    let plan = try session.resetPlan(lab)
                    console.show { plan.render(&$0, lab: lab) }
                    try Common.confirm(
                        "Start attempt \(plan.nextAttempt) of lab \(lab.manifest.number)?",
                        command: "lab reset \(lab.manifest.number)", invocation, console)
                    try session.reset(lab, runner: runner(console))
                    try console.show {
                        try session.renderReset(&$0, lab, plan, currentDirectory: console.currentDirectory)
                    }
                    return 0
                },
                CommandSpec(
                    name: "grade",
                    abstract: "Grade a lab, or all of them, from recorded evidence; exit 0 on pass, 1 on fail.",
                    arguments: [currentOrNamed], options: [allLabs, gradeFormat, Common.workspace]
                ) { invocation, console in
                    // Every argument is read, and refused, before the grading reads the workspace.
                    let (named, all, format) = (
                        try invocation[currentOrNamed], try invocation[allLabs], try invocation[gradeFormat]
                    )
                    if all, named != nil { throw UsageError("Give a lab or --all, not both.") }
                    let report = try session(invocation, console, env).grade(named: named, all: all)
                    try console.show { try report.render(&$0, format: format) }
                    return report.passed ? 0 : 1
                },
                CommandSpec(
                    name: "solution", abstract: "Show a lab's reference solution, once your own work passes it.",
                    arguments: [labID], options: [Common.workspace]
                ) { invocation, console in
                    let session = try session(invocation, console, env)
                    console.writeOut(try session.solution(ofPassed: try session.catalog.lab(try invocation[labID])))
                    return 0
                },
            ])
    }

    static let labID = Argument<String>("id", help: "The lab: its number (06) or its full id (06-emergency-rollback).")
    static let currentOrNamed = Argument<String?>(optional: "id", help: "The lab (default: the current one).")

    static func catalog(_ console: Console) throws -> LabCatalog {
        try LabCatalog.locate(environment: console.environment, currentDirectory: console.currentDirectory)
    }

    static func session(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> LabSession {
        LabSession(
            catalog: try catalog(console), workspace: try Common.workspace(invocation, console),
            actor: console.userName, now: env.now)
    }

    static func runner(_ console: Console) -> ScriptRunner {
        ScriptRunner(labRunner: console.executablePath ?? "LabRunner", environment: console.environment)
    }

    static let level = Option<Int?>(
        "level", "n", help: "Show this hint level (1 is the gentlest).",
        check: { $0 >= 1 ? nil : "--level must be 1 or more." })
    static let otherLab = Option<String?>("lab", "id", help: "A lab other than the current one.")

    static let challenge = Flag("challenge", help: "Lay the lab from a seed: you decide; the tour names commands only.")
    static let seed = Option<Int?>("seed", "n", help: "The challenge's seed (default: a random one, recorded).")
    static let allLabs = Flag("all", help: "Grade every lab.")
    static let gradeFormat = Option<GradeReport.Format>(
        "format", "format", help: "text, json, junit or markdown.", default: .text)
}
