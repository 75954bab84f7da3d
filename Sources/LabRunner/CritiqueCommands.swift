// `LabRunner critique`: flawed-setup scenarios for interviewers. Parse, call one Critique function, render.
import Critique
import Foundation
import Registry
import Terminal

enum CritiqueCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "critique",
            abstract: "Build flawed-setup scenarios, grade a candidate's findings, reveal the answers.",
            discussion: """
                'critique new' builds a candidate folder by running the kit's own plays with flaws planted by seed;
                the answer key goes outside the folder, which holds only a commitment to it (SHA-256 of salt and
                key). Candidates write findings as 'CODE  EVIDENCE  explanation' lines; see Docs/critique.md.
                """,
            subcommands: [
                CommandSpec(
                    name: "list", abstract: "List the scenario families, one line each.", options: [Common.json]
                ) { invocation, console in
                    try Common.emit(Families.listingJSON, invocation, console) { $0.write(Families.listing) }
                },
                CommandSpec(
                    name: "codes", abstract: "Print the published flaw taxonomy: the codes a finding may use.",
                    options: [Common.json]
                ) { invocation, console in
                    try Common.emit(Taxonomy.kinds, invocation, console) { $0.write(Taxonomy.listing) }
                },
                CommandSpec(
                    name: "new", abstract: "Build a candidate folder from a family, with flaws planted by seed.",
                    arguments: [family], options: [newFolder, seed, newKey, modeOption, level, Common.json]
                ) { invocation, console in
                    let mode = try invocation[modeOption]
                    let built = try Scenarios.create(
                        family: try invocation[family], seed: try invocation[seed],
                        mode: mode, level: try invocation[level], folder: try required(newFolder, invocation, console),
                        keyPath: try invocation[newKey].map { Common.path($0, console) })
                    return try Common.emit(built.json, invocation, console) { built.render(&$0, mode: mode) }
                },
                CommandSpec(
                    name: "check",
                    abstract: "Check a findings file's format (practice scenarios only); reveals no answers.",
                    arguments: [candidateFolder], options: [findingsToCheck]
                ) { invocation, console in
                    let count = try Findings.check(
                        folder: Common.path(try invocation[candidateFolder], console),
                        findingsAt: try required(findingsToCheck, invocation, console))
                    console.out("\(count) finding(s), all well-formed.")
                    return 0
                },
                CommandSpec(
                    name: "grade",
                    abstract: "Verify the key against the folder's commitment, then score a findings file.",
                    arguments: [candidateFolder], options: [findings, keyFile, adjustFile, gradeFormat, Common.json]
                ) { invocation, console in
                    let folder = Common.path(try invocation[candidateFolder], console)
                    let graded = try Grader.grade(
                        folder: folder, findingsAt: try required(findings, invocation, console),
                        keyAt: try required(keyFile, invocation, console),
                        adjustAt: try invocation[adjustFile].map { Common.path($0, console) })
                    let format = try invocation[Common.json] ? .json : try invocation[gradeFormat]
                    console.out(try graded.sheet.output(format, folder: folder, key: graded.key))
                    return 0
                },
                CommandSpec(
                    name: "guide",
                    abstract: "Print the interviewer's sheet: strong answers, follow-ups, red flags, time.",
                    arguments: [candidateFolder], options: [keyFile, guideFormat, Common.json]
                ) { invocation, console in
                    let guide = try InterviewGuide.make(
                        folder: Common.path(try invocation[candidateFolder], console),
                        keyAt: try required(keyFile, invocation, console))
                    let format = try invocation[guideFormat]
                    return try Common.emit(guide, invocation, console) { $0.write(guide.render(format)) }
                },
                timing(.start, env), timing(.submit, env),
                CommandSpec(
                    name: "reveal",
                    abstract: "Print the debrief: each flaw, where it is, how the kit exposes it, the right practice.",
                    arguments: [candidateFolder], options: [keyFile, Common.json]
                ) { invocation, console in
                    let key = try AnswerKey.verified(
                        try required(keyFile, invocation, console),
                        folder: Common.path(try invocation[candidateFolder], console))
                    return try Common.emit(key, invocation, console) { $0.line(Debrief.text(key)) }
                },
                CommandSpec(
                    name: "hint",
                    abstract: "Show the next tiered hint (practice scenarios only; every hint is recorded).",
                    arguments: [candidateFolder], options: [keyFile]
                ) { invocation, console in
                    let folder = Common.path(try invocation[candidateFolder], console)
                    console.out(try Hints.nextLine(folder, try required(keyFile, invocation, console), env.now()))
                    return 0
                },
                CommandSpec(
                    name: "calibrate",
                    abstract: "Write example findings at three levels (strong, adequate, weak) with their scores.",
                    arguments: [candidateFolder], options: [keyFile, examplesFolder]
                ) { invocation, console in
                    for line in try CalibrationPack.calibrate(
                        folder: Common.path(try invocation[candidateFolder], console),
                        keyAt: try required(keyFile, invocation, console),
                        out: try invocation[examplesFolder].map { Common.path($0, console) })
                    { console.out(line) }
                    return 0
                },
                CommandSpec(
                    name: "compare",
                    abstract: "Candidates side by side from their 'grade --json' sheets, per-flaw hit rates.",
                    arguments: [sheets], options: [compareFormat, Common.json]
                ) { invocation, console in
                    let comparison = try Comparison.load(try invocation[sheets].map { Common.path($0, console) })
                    return try Common.emit(comparison, invocation, console) {
                        $0.write(try invocation[compareFormat] == .csv ? comparison.csv : comparison.table)
                    }
                },
                CommandSpec(
                    name: "export", abstract: "Pack a candidate folder into one file (tar with a SHA-256 manifest).",
                    arguments: [candidateFolder], options: [bundleFile]
                ) { invocation, console in
                    let folder = Common.path(try invocation[candidateFolder], console)
                    console.out(try Sharing.exported(folder, to: try required(bundleFile, invocation, console)))
                    return 0
                },
                CommandSpec(
                    name: "import",
                    abstract: "Unpack a bundle into a new folder; a bundle failing any check writes nothing.",
                    arguments: [bundle], options: [importFolder]
                ) { invocation, console in
                    let file = Common.path(try invocation[bundle], console)
                    console.out(try Sharing.imported(file, into: try required(importFolder, invocation, console)))
                    return 0
                },
            ])
    }

    /// `critique start` / `submit`: the time recorded beside the key, on the interviewer's clock.
    static func timing(_ step: Timing.Step, _ env: AppEnvironment) -> CommandSpec {
        CommandSpec(name: step.rawValue, abstract: step.abstract, arguments: [candidateFolder], options: [keyFile]) {
            invocation, console in
            let folder = Common.path(try invocation[candidateFolder], console)
            console.out(try Timing.record(step, folder, try required(keyFile, invocation, console), env.now()))
            return 0
        }
    }

    /// A required option's value as an absolute path; missing is a usage error (exit 64), never the current folder.
    static func required(_ option: Option<String?>, _ invocation: Invocation, _ console: Console) throws -> String {
        guard let given = try invocation[option], !given.isEmpty else {
            throw UsageError("Missing --\(option.spec.name); see the command's --help.")
        }
        return Common.path(given, console)
    }

    static let candidateFolder = Argument<String>("dir", help: "The candidate folder.")
    static let keyFile = Option<String?>("key", "file", help: "The answer key 'critique new' wrote.", required: true)

    static let family = Argument<String>("family", help: "The scenario family (see 'critique list').")
    static let newFolder = Option<String?>(
        "out", "dir", help: "The candidate folder to create (new or empty).", required: true)
    static let seed = Option<UInt64?>(
        "seed", "n", help: "A label mixed with the key's 256-bit secret: it reproduces nothing without the key.")
    static let newKey = Option<String?>(
        "key", "file", help: "Where to write the answer key (default: DIR.key.json beside DIR).")
    static let modeOption = Option<CritiqueMode>(
        "mode", "mode", help: "interview (no hints) or practice (hints, format check).", default: "interview",
        parse: CritiqueMode.init(parsing:))

    static let level = Option<CritiqueLevel>(
        "level", "level", help: "junior (3 visible flaws), mid (4) or senior (5).", default: .mid)
    static let findingsToCheck = Option<String?>("findings", "file", help: "The findings file.", required: true)
    static let findings = Option<String?>("findings", "file", help: "The candidate's findings file.", required: true)
    static let gradeFormat = Option<GradeFormat>("format", "format", help: "text, json or markdown.", default: .text)
    static let guideFormat = Option<GuideFormat>("format", "format", help: "md or html.", default: .md)
    static let adjustFile = Option<String?>(
        "adjust", "file",
        help: "The interviewer's 'LINE credit|partial|debit POINTS reason' lines, shown beside the score.")
    static let examplesFolder = Option<String?>(
        "out", "dir", help: "Folder for strong.txt, adequate.txt and weak.txt (outside the candidate folder).")
    static let sheets = Argument<[String]>(repeating: "grade.json", help: "Score sheets from 'critique grade --json'.")
    static let compareFormat = Option<CompareFormat>("format", "format", help: "table or csv.", default: .table)
    static let bundleFile = Option<String?>("out", "file", help: "The bundle file to write.", required: true)

    static let bundle = Argument<String>("file", help: "The bundle file.")
    static let importFolder = Option<String?>(
        "out", "dir", help: "The folder to create (new or empty).", required: true)
}
