// Where options may stand, what a typo suggests, and what usage lines promise: the command line as typed.
import Foundation
import Testing

@testable import Terminal

/// A table shaped like LabRunner's: a root that runs on its own, with a global --workspace and --json.
let globalApp: CLI = {
    let workspace = OptionSpec.value("workspace", "dir", help: "The workspace.")
    let json = OptionSpec.flag("json", help: "Print JSON.")
    let report: @Sendable (Invocation, Console) throws -> Int32 = { invocation, console in
        console.out(
            "\(invocation.commandPath.joined(separator: " ")) workspace=\(invocation.value("workspace") ?? "-") "
                + "json=\(invocation.flag("json")) ref=\(invocation.argument("ref") ?? "-")")
        return 0
    }
    return CLI(
        root: CommandSpec(
            name: "LabRunner", abstract: "Practise.", options: [workspace],
            subcommands: [
                CommandSpec(name: "tags", abstract: "List tags.", options: [workspace, json], run: report),
                CommandSpec(
                    name: "show", abstract: "Show a version.",
                    arguments: [.required("ref", help: "A version.", missingHint: "Quote '#1'.")],
                    options: [workspace, json], run: report),
                CommandSpec(
                    name: "tag", abstract: "Move a tag.",
                    options: [
                        .value("reason", "text", help: "Why (required).", required: true),
                        .value("by", "name", help: "Who."),
                    ], run: report),
                CommandSpec(
                    name: "lab", abstract: "Labs.",
                    subcommands: [
                        CommandSpec(name: "start", abstract: "Start a lab.", options: [workspace], run: report),
                        CommandSpec(name: "status", abstract: "Lab status.", options: [workspace], run: report),
                    ]),
                CommandSpec(name: "hash", abstract: "Hash files.", run: report),
            ], run: report), version: "1", globalOptions: [json])
}()

@Suite struct CommandLineFormsTests {
    func run(_ arguments: [String]) -> (Int32, String, String) {
        let capture = Capture()
        let status = globalApp.run(arguments, console: capture.console())
        return (status, capture.stdout, capture.stderr)
    }

    @Test func globalOptionsWorkBeforeOrAfterTheSubcommand() {
        for arguments in [
            ["--workspace", "w", "tags"], ["tags", "--workspace", "w"], ["--workspace=w", "tags"],
            ["--json", "--workspace", "w", "tags"], ["--workspace", "w", "--json", "tags"],
        ] {
            let (status, out, err) = run(arguments)
            #expect(status == 0, "\(arguments): \(err)")
            #expect(out.hasPrefix("LabRunner tags workspace=w"), "\(arguments): \(out)")
        }
        #expect(run(["--workspace", "w", "--json", "tags"]).1.contains("json=true"))
        let (status, out, _) = run(["--workspace", "w", "lab", "start"])
        #expect(status == 0)
        #expect(out.hasPrefix("LabRunner lab start workspace=w"))
        // A global option value that happens to be a command name is still the option's value.
        #expect(run(["--workspace", "tags", "show", "x"]).1 == "LabRunner show workspace=tags json=false ref=x\n")
        // The root itself takes --workspace.
        #expect(run(["--workspace", "w"]).1 == "LabRunner workspace=w json=false ref=-\n")
    }

    @Test func aGlobalOptionTheCommandDoesNotTakeIsAUsageError() {
        let (status, _, err) = run(["--json", "hash"])
        #expect(status == 64)
        #expect(err.contains("Unknown option '--json'"))
    }

    @Test func anUnknownCommandIsAnErrorEvenWithHelp() {
        for arguments in [
            ["nosuch", "--help"], ["nosuch", "-h"], ["--workspace", "w", "nosuch"], ["lab", "nosuch"],
        ] {
            let (status, out, err) = run(arguments)
            #expect(status == 64, "\(arguments)")
            #expect(out.isEmpty, "\(arguments): \(out)")
            #expect(err.contains("Unknown command 'nosuch'."), "\(arguments): \(err)")
        }
    }

    @Test func typosOfSubcommandsSuggestTheCommand() {
        let (status, _, err) = run(["lab", "strat"])
        #expect(status == 64)
        #expect(err.contains("Unknown command 'strat'. Did you mean 'start'?"))
        #expect(run(["tgas"]).2.contains("Did you mean 'tags'?"))
        #expect(Fuzzy.distance("strat", "start") == 1)
        #expect(Fuzzy.closest(to: "tags", in: ["tags", "tag"]) == "tag")
    }

    @Test func aMissingArgumentCarriesItsHint() {
        let (status, _, err) = run(["show"])
        #expect(status == 64)
        #expect(err.contains("Error: Missing expected argument '<ref>'. Quote '#1'."))
    }

    @Test func usageShowsRequiredOptionsWithoutBrackets() {
        let (_, out, _) = run(["tag", "--help"])
        #expect(out.contains("USAGE: LabRunner tag --reason <text> [--by <name>]"))
        #expect(run(["--help"]).1.contains("USAGE: LabRunner [--workspace <dir>] [<subcommand>]"))
    }

    @Test func foundationFileErrorsBecomeSentences() {
        let error = CocoaError(
            .fileWriteUnknown,
            userInfo: [
                NSFilePathErrorKey: "/tmp/ws/system",
                NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EISDIR)),
            ])
        let sentence = SystemErrors.sentence(for: error)
        #expect(sentence == "Cannot use /tmp/ws/system: is a directory; check the path and try again.")
        #expect(!sentence.contains("NSCocoaErrorDomain"))
    }
}
