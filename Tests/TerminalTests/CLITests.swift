// The command line as a user meets it: help, parsing forms, errors with suggestions, exit codes, output rules.
import Foundation
import LabTestSupport
import Synchronization
import Testing

@testable import Terminal

final class Capture: Sendable {
    let out = Mutex("")
    let err = Mutex("")

    func console(terminal: Bool = false, environment: [String: String] = [:], answer: String? = nil) -> Console {
        Console(
            writeOut: { text in self.out.withLock { $0 += text } },
            writeErr: { text in self.err.withLock { $0 += text } },
            readLine: { answer }, stdoutIsTerminal: terminal, stdinIsTerminal: terminal, stderrIsTerminal: terminal,
            environment: environment, currentDirectory: "/tmp")
    }

    var stdout: String { out.withLock { $0 } }
    var stderr: String { err.withLock { $0 } }
}

let seen = Mutex<[String]>([])

let app = CLI(
    root: CommandSpec(
        name: "LabRunner", abstract: "Practise model version control.",
        subcommands: [
            CommandSpec(
                name: "versions", abstract: "List versions.",
                options: [.flag("json", help: "Print JSON."), .value("limit", "n", help: "At most N.", default: "20")]
            ) { invocation, console in
                console.out("json=\(invocation.flag("json")) limit=\(try invocation.int("limit") ?? -1)")
                return 0
            },
            CommandSpec(
                name: "eval", abstract: "Run evals.",
                subcommands: [
                    CommandSpec(
                        name: "run", abstract: "Run a suite.",
                        arguments: [.optional("suite", help: "The suite.")],
                        options: [
                            .value("seed", "n", short: "s", help: "Seed."),
                            .value("tag", "name", help: "Tag.", repeating: true),
                        ]
                    ) { invocation, console in
                        console.out(
                            "suite=\(invocation.argument("suite") ?? "-") seed=\(invocation.value("seed") ?? "-") tags=\(invocation.values("tag"))"
                        )
                        return 0
                    }
                ]),
            CommandSpec(
                name: "hash", abstract: "Hash files.", arguments: [.repeating("file", help: "Files.")]
            ) { invocation, console in
                console.out(invocation.arguments("file").joined(separator: ","))
                return 0
            },
            CommandSpec(name: "fail", abstract: "Always fails.") { _, _ in
                struct Broken: Error, CustomStringConvertible {
                    var description: String { "The registry is broken; run fsck." }
                }
                throw Broken()
            },
        ]), version: "1.2.3")

@Suite struct CLITests {
    func run(_ arguments: [String], terminal: Bool = false) -> (Int32, String, String) {
        let capture = Capture()
        let status = app.run(arguments, console: capture.console(terminal: terminal))
        return (status, capture.stdout, capture.stderr)
    }

    @Test func helpHasTheStandardSectionsOnEveryCommand() {
        let (status, out, _) = run(["--help"])
        #expect(status == 0)
        for section in [
            "OVERVIEW: Practise model version control.", "USAGE: LabRunner <subcommand>", "OPTIONS:", "SUBCOMMANDS:",
        ] {
            #expect(out.contains(section), "missing \(section)")
        }
        #expect(out.contains("  versions  ") && out.contains("--version"))
        let (_, runHelp, _) = run(["eval", "run", "-h"])
        #expect(runHelp.contains("USAGE: LabRunner eval run [--seed <n>] [--tag <name>] ... [<suite>]"))
        #expect(runHelp.contains("ARGUMENTS:") && runHelp.contains("<suite>"))
        #expect(runHelp.contains("-s, --seed <n>"))
        #expect(run(["help", "eval", "run"]).1 == runHelp)
        #expect(run(["versions", "--help"]).1.contains("(default: 20)"))
    }

    @Test func versionAndNoArguments() {
        #expect(run(["--version"]).1 == "1.2.3\n")
        #expect(run([]).1.contains("OVERVIEW"))
    }

    @Test func optionFormsAndTheDoubleDash() {
        #expect(run(["versions", "--json", "--limit", "5"]).1 == "json=true limit=5\n")
        #expect(run(["versions", "--limit=7"]).1 == "json=false limit=7\n")
        #expect(run(["versions"]).1 == "json=false limit=20\n")
        #expect(run(["eval", "run", "-s", "3", "core"]).1 == "suite=core seed=3 tags=[]\n")
        #expect(run(["eval", "run", "core", "--tag", "a", "--tag=b"]).1 == "suite=core seed=- tags=[\"a\", \"b\"]\n")
        #expect(run(["hash", "--", "--odd-name", "-x"]).1 == "--odd-name,-x\n")
    }

    @Test func usageErrorsExit64WithUsageAndSuggestion() {
        let (status, out, err) = run(["versions", "--jsno"])
        #expect(status == 64)
        #expect(out.isEmpty)
        #expect(err.hasPrefix("Error: Unknown option '--jsno'. Did you mean '--json'?\n"))
        #expect(err.contains("Usage: LabRunner versions"))
        #expect(err.contains("See 'LabRunner versions --help' for more information."))
        #expect(run(["verions"]).2.contains("Unknown command 'verions'. Did you mean 'versions'?"))
        #expect(run(["versions", "--limit"]).2.contains("Missing value for '--limit <n>'"))
        #expect(run(["versions", "--json=yes"]).2.contains("does not take a value"))
        #expect(run(["versions", "--limit", "many"]).2.contains("--limit must be a whole number, not 'many'"))
        #expect(run(["versions", "--limit", "many"]).0 == 64)
        #expect(run(["versions", "extra"]).2.contains("Unexpected argument 'extra'"))
        #expect(run(["hash"]).2.contains("Missing expected argument '<file>'"))
        #expect(run(["eval"]).0 == 64)
    }

    @Test func aFailingCommandPrintsOneSentenceAndExits1() {
        let (status, out, err) = run(["fail"])
        #expect(status == 1)
        #expect(out.isEmpty)
        #expect(err == "Error: The registry is broken; run fsck.\n")
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() {
        let capture = Capture()
        #expect(capture.console(terminal: true).styled("x", .red) == "\u{1B}[31mx\u{1B}[0m")
        #expect(capture.console(terminal: false).styled("x", .red) == "x")
        #expect(capture.console(terminal: true, environment: ["NO_COLOR": ""]).styled("x", .red) == "x")
        #expect(capture.console(terminal: true, environment: ["TERM": "dumb"]).styled("x", .red) == "x")
    }

    @Test func questionsNeverWaitWithoutATerminal() {
        let capture = Capture()
        #expect(capture.console(terminal: false, answer: "y").confirm("Go?") == nil)
        #expect(capture.console(terminal: true, answer: "y").confirm("Go?") == true)
        #expect(capture.console(terminal: true, answer: "").confirm("Go?") == false)
    }

    @Test func tablesAlignColumns() {
        let text = Table(headers: ["TAG", "SEQ"], rows: [["production", "#12"], ["exp", "#3"]], alignRight: [1])
            .render()
        #expect(text == "TAG         SEQ\n----------  ---\nproduction  #12\nexp          #3\n")
    }

    @Test func progressBarDrawsNothingOffATerminal() {
        let capture = Capture()
        let bar = ProgressBar(
            total: 10, label: "work", console: capture.console(terminal: false), minimumDuration: .zero)
        for _ in 0..<10 { bar.advance() }
        bar.finish()
        #expect(capture.stderr.isEmpty)
        let tty = Capture()
        let shown = ProgressBar(total: 4, label: "work", console: tty.console(terminal: true), minimumDuration: .zero)
        for _ in 0..<4 { shown.advance() }
        shown.finish()
        #expect(tty.stderr.contains("work [") && tty.stderr.contains("100% (4/4)"))
    }

    @Test func completionScriptsComeFromTheTable() throws {
        let bash = try app.completionScript(shell: "bash")
        #expect(bash.contains("versions") && bash.contains("--limit") && bash.contains("complete -F"))
        let folder = try TemporaryFolder("completion")
        try Data(bash.utf8).write(to: URL(fileURLWithPath: folder.path + "/completion.bash"))
        let checked = try runProcess(
            "/bin/bash", ["-n", folder.path + "/completion.bash"], in: folder.path, environment: [:])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(try app.completionScript(shell: "zsh").contains("#compdef LabRunner"))
        #expect(
            try app.completionScript(shell: "fish").contains(
                "complete -c LabRunner -n '__fish_use_subcommand' -a 'versions'"))
        #expect(throws: UsageError.self) { try app.completionScript(shell: "tcsh") }
        #expect(run(["--generate-completion-script", "fish"]).0 == 0)
    }

    @Test func typoSuggestionsNeedToBeClose() {
        #expect(Fuzzy.closest(to: "--jsno", in: ["--json", "--limit"]) == "--json")
        #expect(Fuzzy.closest(to: "--xyz", in: ["--json", "--limit"]) == nil)
    }
}
