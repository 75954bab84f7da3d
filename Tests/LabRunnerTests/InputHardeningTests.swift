// Hostile and foreign inputs as a user meets them through the binary: odd files in system/, names that
// differ only in normalization, bytes that are not UTF-8, CRLF files, and JSON keys given twice.
import Foundation
import LabTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct InputHardeningTests {
    /// Runs `register --root` and expects it refused with a sentence containing `expected`, writing nothing.
    func expectRefused(_ sandbox: Sandbox, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let before = sandbox.snapshot("ws/.labrunner")
        let result = try sandbox.run(["register", "--root", "--owner", "me", "--reason", "r"], in: "ws")
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("Error: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(sandbox.snapshot("ws/.labrunner") == before, "a refused register wrote", sourceLocation: sourceLocation)
    }

    @Test func oddEntriesInSystemAreNamedNotFollowed() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let system = sandbox.path + "/ws/system"
        let manager = FileManager.default
        // A link back to a folder above it: today's walk recursed until it crashed.
        try manager.createSymbolicLink(atPath: system + "/index/up", withDestinationPath: "..")
        try expectRefused(sandbox, "system/index/up: it is a symlink loop")
        try manager.removeItem(atPath: system + "/index/up")
        try manager.createSymbolicLink(atPath: system + "/a", withDestinationPath: "b")
        try manager.createSymbolicLink(atPath: system + "/b", withDestinationPath: "a")
        try expectRefused(sandbox, "system/a: it is a symlink loop")
        try manager.removeItem(atPath: system + "/a")
        try manager.removeItem(atPath: system + "/b")
        try manager.createSymbolicLink(atPath: system + "/gone.md", withDestinationPath: "nowhere.md")
        try expectRefused(sandbox, "system/gone.md: it is a symlink to nowhere.md, which does not exist")
        try manager.removeItem(atPath: system + "/gone.md")
        #expect(mkfifo(system + "/index/pipe", 0o644) == 0)
        try expectRefused(sandbox, "system/index/pipe: it is a FIFO (named pipe), not a file or folder")
        try manager.removeItem(atPath: system + "/index/pipe")
        try sandbox.ok(["register", "--root", "--owner", "me", "--reason", "clean again"])
    }

    @Test func namesThatDifferOnlyInNormalizationAreBothNamed() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let index = sandbox.path + "/ws/system/index/"
        try Data("# Composed\n\nOne.\n".utf8).write(to: URL(fileURLWithPath: index + "caf\u{E9}.md"))
        try Data("# Decomposed\n\nTwo.\n".utf8).write(to: URL(fileURLWithPath: index + "cafe\u{301}.md"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: index).filter { $0.hasPrefix("caf") }.count == 2)
        try expectRefused(sandbox, "('cafe\\u{301}.md' and 'caf\\u{E9}.md')")
    }

    @Test func aTextComponentThatIsNotUTF8NamesTheOffset() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let prompt = sandbox.path + "/ws/system/prompt.md"
        var data = try Data(contentsOf: URL(fileURLWithPath: prompt))
        let offset = data.count + 3
        data.append(contentsOf: Data("caf".utf8) + [0xE9, 0x0A])
        try data.write(to: URL(fileURLWithPath: prompt))
        try expectRefused(sandbox, "system/prompt.md: it is not UTF-8 text: the byte at offset \(offset) is invalid")
        let ask = try sandbox.run(["ask", "hello"], in: "ws")
        #expect(
            ask.stderr
                == "Error: prompt.md is not UTF-8 text: the byte at offset \(offset) is invalid; save the file as UTF-8.\n"
        )
    }

    @Test func crlfFilesReadAsTheirLFTwins() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let lf = try sandbox.json(["train"])
        func crlf(_ relative: String) throws {
            try sandbox.edit("ws/" + relative) { "\u{FEFF}" + $0.replacingOccurrences(of: "\n", with: "\r\n") }
        }
        try crlf("data/train.csv")
        let trained = try sandbox.json(["train"])
        #expect(trained["weights_sha256"].string != nil)
        #expect(trained["data_sha256"].string != lf["data_sha256"].string)
        try crlf("evals/core.jsonl")
        let result = try sandbox.json(["eval", "run"])
        #expect(result["pass_rate"].double ?? 0 > 0.85, "\(result.value)")
    }

    @Test func aJSONKeyGivenTwiceIsRefusedByName() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        let config = sandbox.read("ws/system/config.json")
        try sandbox.write(
            try edited(config) { $0.replacingOccurrences(of: "{", with: "{\"temperature\": 1.5, ") },
            to: "ws/system/config.json")
        let ask = try sandbox.run(["ask", "where is my order"], in: "ws")
        #expect(ask.status == 1)
        #expect(ask.stderr.contains("config.json is invalid: the key 'temperature' is given more than once"))
        try sandbox.write(config, to: "ws/system/config.json")
        try sandbox.write(#"{"pass_threshold": 0.9, "pass_threshold": 0.1}"#, to: "ws/.labrunner/settings.json")
        let register = try sandbox.run(["register", "--root", "--owner", "me", "--reason", "r"], in: "ws")
        #expect(register.status == 1)
        #expect(register.stderr.contains("the key 'pass_threshold' is given more than once"), "\(register.stderr)")
    }
}
