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
                listSpec, codesSpec, newSpec(env), checkSpec, gradeSpec, revealSpec, hintSpec(env), calibrateSpec,
                exportSpec, importSpec,
            ])
    }

    static func path(_ given: String, _ console: Console) -> String {
        Workspace.absolute(given, from: console.currentDirectory)
    }

    /// A required option's value as an absolute path; missing is a usage error (exit 64), never the current folder.
    static func required(_ option: String, _ invocation: Invocation, _ console: Console) throws -> String {
        guard let given = invocation.value(option), !given.isEmpty else {
            throw UsageError("Missing --\(option); see the command's --help.")
        }
        return path(given, console)
    }

    static let listSpec = CommandSpec(
        name: "list", abstract: "List the scenario families, one line each.", options: [Common.json]
    ) { invocation, console in
        if invocation.flag("json") {
            try Common.printJSON(Families.all.map { ["name": $0.name, "summary": $0.summary] }, console)
            return 0
        }
        for family in Families.all {
            console.out(family.name.padding(toLength: 14, withPad: " ", startingAt: 0) + family.summary)
        }
        return 0
    }

    static let codesSpec = CommandSpec(
        name: "codes", abstract: "Print the published flaw taxonomy: the codes a finding may use.",
        options: [Common.json]
    ) { invocation, console in
        if invocation.flag("json") {
            try Common.printJSON(Taxonomy.kinds, console)
            return 0
        }
        for kind in Taxonomy.kinds {
            console.out(
                kind.code.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + "[\(kind.severity.rawValue)] \(kind.title)")
        }
        return 0
    }

    static func newSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "new", abstract: "Build a candidate folder from a family, with flaws planted by seed.",
            arguments: [.required("family", help: "The scenario family (see 'critique list').")],
            options: [
                .value("out", "dir", help: "The candidate folder to create (new or empty).", required: true),
                .value("seed", "n", help: "Chooses and places the flaws (default: random, so it cannot be guessed)."),
                .value("key", "file", help: "Where to write the answer key (default: DIR.key.json beside DIR)."),
                .value(
                    "mode", "mode", help: "interview (no hints) or practice (hints, format check).",
                    default: "interview"),
                Common.json,
            ]
        ) { invocation, console in
            let mode = try CritiqueMode(parsing: invocation.value("mode") ?? "interview")
            var generator = SystemRandomNumberGenerator()
            let seed = try invocation.uint64("seed") ?? generator.next() % 1_000_000_000
            let built = try Scenarios.create(
                family: invocation.argument("family") ?? "", seed: seed, mode: mode,
                folder: try required("out", invocation, console),
                keyPath: invocation.value("key").map { path($0, console) })
            if invocation.flag("json") {
                try Common.printJSON(
                    ["folder": built.folder, "key": built.keyPath, "family": built.key.family], console)
                return 0
            }
            console.out("Built a \(built.key.family) scenario (\(mode.rawValue)) in \(built.folder)")
            console.out("Answer key: \(built.keyPath) (keep it away from the candidate)")
            return 0
        }
    }

    static let checkSpec = CommandSpec(
        name: "check", abstract: "Check a findings file's format (practice scenarios only); reveals no answers.",
        arguments: [.required("dir", help: "The candidate folder.")],
        options: [.value("findings", "file", help: "The findings file.", required: true)]
    ) { invocation, console in
        let folder = path(invocation.argument("dir") ?? "", console)
        guard try ScenarioFolder.info(in: folder).mode == .practice else {
            throw CritiqueError.practiceOnly(command: "check")
        }
        let parsed = try Findings.read(try required("findings", invocation, console))
        guard parsed.problems.isEmpty else { throw CritiqueError.badFindings(parsed.problems) }
        console.out("\(parsed.findings.count) finding(s), all well-formed.")
        return 0
    }

    static let gradeSpec = CommandSpec(
        name: "grade", abstract: "Verify the key against the folder's commitment, then score a findings file.",
        arguments: [.required("dir", help: "The candidate folder.")],
        options: [
            .value("findings", "file", help: "The candidate's findings file.", required: true),
            .value("key", "file", help: "The answer key 'critique new' wrote.", required: true),
            .value("format", "format", help: "text, json or markdown.", default: "text"),
            Common.json,
        ]
    ) { invocation, console in
        let folder = path(invocation.argument("dir") ?? "", console)
        let format = invocation.flag("json") ? "json" : invocation.value("format") ?? "text"
        guard ["text", "json", "markdown"].contains(format) else {
            throw UsageError("--format must be text, json or markdown, not '\(format)'.")
        }
        let key = try AnswerKey.verified(try required("key", invocation, console), folder: folder)
        let findingsPath = try required("findings", invocation, console)
        guard let data = FileManager.default.contents(atPath: findingsPath) else {
            throw CritiqueError.findingsUnreadable(path: findingsPath)
        }
        let sheet = try Grader.grade(
            folder: folder, findingsText: String(decoding: data, as: UTF8.self), key: key,
            hintsUsed: try Hints.used(in: folder).count)
        switch format {
        case "json": try Common.printJSON(sheet, console)
        case "markdown": console.out(sheet.markdown())
        default:
            let practice = (try? ScenarioFolder.info(in: folder).mode) == .practice
            console.out(sheet.text(selfCheck: practice ? Hints.selfCheck(sheet, key: key) : nil))
        }
        return 0
    }

    static let revealSpec = CommandSpec(
        name: "reveal",
        abstract: "Print the debrief: each flaw, where it is, how the kit exposes it, the right practice.",
        arguments: [.required("dir", help: "The candidate folder.")],
        options: [.value("key", "file", help: "The answer key 'critique new' wrote.", required: true), Common.json]
    ) { invocation, console in
        let key = try AnswerKey.verified(
            try required("key", invocation, console), folder: path(invocation.argument("dir") ?? "", console))
        if invocation.flag("json") {
            try Common.printJSON(key, console)
        } else {
            console.out(Debrief.text(key))
        }
        return 0
    }

    static func hintSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "hint", abstract: "Show the next tiered hint (practice scenarios only; every hint is recorded).",
            arguments: [.required("dir", help: "The candidate folder.")],
            options: [.value("key", "file", help: "The answer key 'critique new' wrote.", required: true)]
        ) { invocation, console in
            let folder = path(invocation.argument("dir") ?? "", console)
            let key = try AnswerKey.verified(try required("key", invocation, console), folder: folder)
            guard let hint = try Hints.next(folder: folder, key: key, now: env.now()) else {
                console.out("No hints left.")
                return 0
            }
            console.out("Flaw \(hint.flaw), hint \(hint.tier) of 3: \(hint.text)")
            return 0
        }
    }

    static let calibrateSpec = CommandSpec(
        name: "calibrate",
        abstract: "Write example findings at three levels (strong, adequate, weak) with their scores.",
        arguments: [.required("dir", help: "The candidate folder.")],
        options: [
            .value("key", "file", help: "The answer key 'critique new' wrote.", required: true),
            .value(
                "out", "dir", help: "Folder for strong.txt, adequate.txt and weak.txt (outside the candidate folder)."),
        ]
    ) { invocation, console in
        let folder = path(invocation.argument("dir") ?? "", console)
        let key = try AnswerKey.verified(try required("key", invocation, console), folder: folder)
        let pack = CalibrationPack.make(for: key, folder: folder)
        let levels = [("strong", pack.strong), ("adequate", pack.adequate), ("weak", pack.weak)]
        let out = try invocation.value("out").map { _ in try required("out", invocation, console) }
        if let out, (out + "/").hasPrefix(folder + "/") {
            throw CritiqueError.keyInsideFolder(key: out, folder: folder)
        }
        for (name, text) in levels {
            let score = try Grader.grade(folder: folder, findingsText: text, key: key).score
            if let out {
                try Common.write(Data(text.utf8), to: "\(out)/\(name).txt")
                console.out("\(name): \(score)/100  (\(out)/\(name).txt)")
            } else {
                console.out("== \(name): \(score)/100\n\(text)")
            }
        }
        return 0
    }

    static let exportSpec = CommandSpec(
        name: "export", abstract: "Pack a candidate folder into one file (tar with a SHA-256 manifest).",
        arguments: [.required("dir", help: "The candidate folder.")],
        options: [.value("out", "file", help: "The bundle file to write.", required: true)]
    ) { invocation, console in
        let file = try required("out", invocation, console)
        let count = try Sharing.export(folder: path(invocation.argument("dir") ?? "", console), to: file)
        console.out("Exported \(count) files to \(file)")
        return 0
    }

    static let importSpec = CommandSpec(
        name: "import", abstract: "Unpack a bundle into a new folder; a bundle failing any check writes nothing.",
        arguments: [.required("file", help: "The bundle file.")],
        options: [.value("out", "dir", help: "The folder to create (new or empty).", required: true)]
    ) { invocation, console in
        let folder = try required("out", invocation, console)
        let count = try Sharing.importBundle(path(invocation.argument("file") ?? "", console), into: folder)
        console.out("Imported \(count) files into \(folder)")
        return 0
    }
}
