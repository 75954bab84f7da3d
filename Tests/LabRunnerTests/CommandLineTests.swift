// The command line as a person types it into bash: option placement, typos, quoting, help and init.
import Foundation
import LabTestSupport
import Testing

@Suite struct CommandLineTests {
    @Test func globalOptionsWorkBeforeTheSubcommand() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        for arguments in [
            ["--workspace", "ws", "tags"], ["tags", "--workspace", "ws"], ["--json", "--workspace", "ws", "tags"],
        ] {
            let result = try sandbox.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let json = try sandbox.run(["--workspace", "ws", "--json", "versions"])
        #expect(json.status == 0)
        #expect(json.stdout.filter { !$0.isWhitespace } == "[]")
    }

    @Test func typosAndBareNumbersGetSuggestions() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let strat = try sandbox.run(["lab", "strat"], in: "ws")
        #expect(strat.status == 64)
        #expect(strat.stderr.contains("Did you mean 'start'?"))
        let bare = try sandbox.run(["show", "1"], in: "ws")
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("did you mean version '#1'?"))
        // In bash an unquoted #1 is a comment, so the program sees `show` alone.
        let unquoted = try sandbox.shell("\"$LABRUNNER\" show #1", in: "ws")
        #expect(unquoted.status == 64)
        #expect(unquoted.stderr.contains("Missing expected argument '<ref>'. If you typed #N, quote it ('#1')"))
    }

    @Test func anUnknownCommandWithHelpIsAnError() throws {
        let sandbox = try Sandbox()
        let result = try sandbox.run(["nosuch", "--help"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: Unknown command 'nosuch'."))
    }

    @Test func helpSaysWhatTheCommandDoes() throws {
        let sandbox = try Sandbox()
        let rollback = try sandbox.ok(["rollback", "--help"], in: "")
        #expect(rollback.contains("USAGE: LabRunner rollback [--reason <text>] [--dry-run] [--incident <id>]"))
        #expect(rollback.contains("only live signals on the restored version confirm it"))
        let tag = try sandbox.ok(["tag", "--help"], in: "")
        #expect(tag.contains("USAGE: LabRunner tag --by <name> --reason <text> [--workspace <dir>]"))
    }

    @Test func initCreatesMissingParentFolders() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "a/b/c"], in: "")
        try sandbox.ok(["versions"], in: "a/b/c")
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/a/b/c/system/prompt.md"))
        // Nothing but the workspace is left behind: no staging folders beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path) == ["a"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path + "/a/b") == ["c"])
    }

    @Test func aFolderInTheWayIsNamedInASentence() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let result = try sandbox.run(["train", "--out", "system"], in: "ws")
        #expect(result.status == 1)
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        #expect(!result.stderr.contains("Domain="))
        #expect(result.stderr.contains("/ws/system: it is a folder"))
    }

    @Test func gradeJSONUsesTheAutograderStatusValues() throws {
        // Lab 01's start lays lab 00 down with the built binary: the real time keeps the history in order.
        let sandbox = try Sandbox(time: .live)
        try sandbox.ok(["lab", "start", "01", "--workspace", "ws"], in: "")
        let result = try sandbox.run(["lab", "grade", "--format", "json"], in: "ws")
        #expect(result.status == 1)
        let report = JSONValueBox(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)))
        #expect(report["status"].string == "fail")
        let statuses = Set(report["tests"].array.compactMap { $0["status"].string })
        #expect(statuses.isSubset(of: ["pass", "fail", "error"]) && statuses.contains("fail"), "\(statuses)")
        #expect(report["labs"][0]["status"].string == "fail")
    }
}
