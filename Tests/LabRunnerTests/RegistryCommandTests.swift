// The registry commands end to end through the built binary: the happy path and every refusal.
import Foundation
import LabTestSupport
import Testing

@Suite struct RegistryCommandTests {
    func initialised() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        return sandbox
    }

    @Test func initRegisterTagShowDiffCheckoutAndFsck() throws {
        let sandbox = try initialised()
        let first = try sandbox.json(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        let id = try #require(first["id"].string)
        #expect(id.count == 64)
        #expect(first["seq"].int == 1)
        #expect(first["existing"].bool == false)

        let again = try sandbox.json(["register", "--parent", "#1", "--owner", "alice", "--reason", "same"])
        #expect(again["existing"].bool == true)
        #expect(again["id"].string == id)

        var prompt = sandbox.read("ws/system/prompt.md")
        prompt += "\nA note that changes nothing the model does.\n"
        try sandbox.write(prompt, to: "ws/system/prompt.md")
        let second = try sandbox.json(["register", "--parent", "#1", "--owner", "alice", "--reason", "prompt note"])
        #expect(second["seq"].int == 2)
        #expect(second["id"].string != id)

        try sandbox.ok(["tag", "production", "#1", "--by", "bob", "--reason", "first release"])
        try sandbox.ok(["tag", "production", "#2", "--by", "bob", "--reason", "second release"])
        #expect(try sandbox.json(["tags"])["production"].string == second["id"].string)
        #expect(try sandbox.json(["show", "production~1"])["record"]["id"].string == id)

        let diff = try sandbox.ok(["diff", "#1", "#2"])
        #expect(diff.contains("changed   prompt.md"))
        #expect(diff.contains("+A note that changes nothing the model does."))
        #expect(diff.contains("unchanged config.json"))

        let versions = try sandbox.ok(["versions"])
        #expect(versions.contains("#1") && versions.contains("#2") && versions.contains("production"))

        try sandbox.ok(["checkout", "#1", "../copy"])
        #expect(sandbox.read("copy/prompt.md") != prompt)
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/copy/index"))

        let log = try sandbox.json(["log"])
        #expect(log.array.map { $0["kind"].string ?? "" }.filter { $0 == "tag.moved" }.count == 2)
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
    }

    /// Each bad input: status, one sentence on stderr, and the workspace byte-for-byte unchanged.
    @Test func badInputIsRefusedWithOneSentenceAndWritesNothing() throws {
        let sandbox = try initialised()
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        try sandbox.write("changed\n", to: "ws/system/notes.md")
        let cases: [([String], Int32, String)] = [
            (["register", "--root", "--reason", "no owner"], 1, "Missing --owner"),
            (["register", "--root", "--owner", "alice"], 1, "Missing --reason"),
            (["register", "--owner", "alice", "--reason", "no parent"], 1, "Missing parent"),
            (["register", "--parent", "#9", "--owner", "a", "--reason", "r"], 1, "No version matches '#9'"),
            (["show", "deadbeef"], 1, "No version matches 'deadbeef'"),
            (["tag", "a/b", "#1", "--by", "bob", "--reason", "r"], 1, "not a valid tag name"),
            (["tag", "..", "#1", "--by", "bob", "--reason", "r"], 1, "not a valid tag name"),
            (["tag", "with space", "#1", "--by", "bob", "--reason", "r"], 1, "not a valid tag name"),
            (["tag", "production", "#1", "--reason", "r"], 1, "Missing --by"),
            (["init", "."], 1, "A workspace already exists"),
            (["versions", "--jsno"], 64, "Did you mean '--json'?"),
        ]
        for (arguments, status, phrase) in cases {
            let before = sandbox.snapshot()
            let result = try sandbox.run(arguments, in: "ws")
            #expect(result.status == status, "\(arguments): exit \(result.status), stderr \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(phrase), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments) printed \(result.stdout)")
            #expect(sandbox.snapshot() == before, "\(arguments) changed the workspace")
        }
    }

    @Test func outsideAWorkspaceTheErrorSaysHowToMakeOne() throws {
        let sandbox = try Sandbox()
        let result = try sandbox.run(["versions"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("LabRunner init"))
        #expect(sandbox.snapshot("") == [:])
    }

    @Test func aSymlinkLeavingTheWorkspaceIsRefused() throws {
        let sandbox = try initialised()
        try sandbox.write("secret", to: "secret.txt")
        try FileManager.default.createSymbolicLink(
            atPath: sandbox.path + "/ws/system/leak.md", withDestinationPath: sandbox.path + "/secret.txt")
        let before = sandbox.snapshot()
        let result = try sandbox.run(["register", "--root", "--owner", "a", "--reason", "r"], in: "ws")
        #expect(result.status == 1)
        #expect(result.stderr.contains("leak.md") && result.stderr.contains("outside the workspace"))
        #expect(sandbox.snapshot() == before)
    }

    @Test func aCorruptRegistryFileIsNamedWithAPointerToFsck() throws {
        let sandbox = try initialised()
        let registered = try sandbox.json(["register", "--root", "--owner", "alice", "--reason", "baseline"])
        let id = try #require(registered["id"].string)
        try sandbox.write("{ not json", to: "ws/.labrunner/registry/versions/\(id).json")
        let result = try sandbox.run(["show", "#1"], in: "ws")
        #expect(result.status == 1)
        #expect(result.stderr.contains("versions/\(id).json"))
        #expect(result.stderr.contains("LabRunner fsck"))
        let fsck = try sandbox.run(["fsck"], in: "ws")
        #expect(fsck.status == 1)
        #expect(fsck.stdout.contains("versions/\(id).json"))
    }

    @Test func hashPrintsWhatSha256sumPrints() throws {
        let sandbox = try Sandbox()
        try sandbox.write("abc", to: "abc.txt")
        let result = try sandbox.run(["hash", "abc.txt"])
        #expect(result.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n")
        let missing = try sandbox.run(["hash", "nope.txt"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.txt"))
    }
}
