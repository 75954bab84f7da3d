// A workspace copied as people copy folders (`cp -a`, a tar round trip) is the same registry: fsck is clean in
// the copy, its requests are found and audited, and it takes new traffic.
import Foundation
import LabTestSupport
import Testing

@Suite struct WorkspaceCopyTests {
    @Test func aCopyWithCpOrTarIsCleanAndWorks() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "alice", "--reason", "base"])
        try sandbox.ok(["promote", "#1", "--approver", "bob"])
        try sandbox.ok(["traffic", "--requests", "300"])
        #expect(try sandbox.ok(["fsck"]).contains("fsck: ok"))
        let request = try #require(try sandbox.json(["requests", "--limit", "1"]).array.first?["id"].string)
        let copied = try sandbox.shell(
            "cp -a ws by-cp && mkdir by-tar && tar -cf - ws | tar -xf - -C by-tar", in: "")
        #expect(copied.status == 0, "\(copied.stderr)")
        for copy in ["by-cp", "by-tar/ws"] {
            #expect(try sandbox.ok(["fsck"], in: copy).contains("fsck: ok"), "\(copy)")
            #expect(try sandbox.ok(["audit", request, "--replay"], in: copy).contains("Replay: identical"))
            try sandbox.ok(["traffic", "--requests", "20"], in: copy)
            #expect(try sandbox.ok(["fsck"], in: copy).contains("fsck: ok"), "\(copy) after new traffic")
        }
    }
}
