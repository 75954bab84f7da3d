// A service's own request log imported into the attribution log, refused by line number and then writing
// nothing, and `audit --replay` reproducing a request with the project's replay_command.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct AdoptRequestsTests {
    func line(_ id: String, _ version: String, output: String, at: String = "2026-12-01T09:00:00Z") -> String {
        let input = SHA256.hash("question \(id)").hex
        return "{\"id\": \"\(id)\", \"at\": \"\(at)\", \"version\": \"\(version)\", \"input_sha256\": \"\(input)\", "
            + "\"output_sha256\": \"\(output)\", \"satisfied\": true}"
    }

    @Test func anImportedRequestIsAuditedAndReplayedByTheReplayCommand() throws {
        let project = try OwnProject()
        try project.adopt()
        try edit(file: project.root + "/.labrunner/project.json") {
            $0.replacingOccurrences(
                of: "\"components\"",
                with: "\"replay_command\": \"cat \\\"$LABRUNNER_VERSION_DIR/prompt\\\"\",\n  \"components\"")
        }
        let one = try project.register("first").record
        let said = SHA256.hash("You are a helpful assistant.\n").hex
        let log = [
            line("r-1", one.shortID, output: said), line("r-2", one.id, output: SHA256.hash("something else").hex),
            line("r-3", String(one.id.prefix(8)), output: said, at: "2026-12-01T09:00:01.250Z"),
        ]
        try project.write("service.jsonl", log.joined(separator: "\n") + "\n")
        let report = try RequestImport.run(file: project.root + "/service.jsonl", in: project.context())
        #expect(report.imported == 3 && report.versions == [one.id: 3])

        let audit = try AuditPlay.run(requestID: "r-1", replay: true, in: project.context())
        #expect(audit.version.id == one.id)
        #expect(audit.request.outputSHA256 == said)
        #expect(audit.replay?.identical == true)
        let other = try AuditPlay.run(requestID: "r-2", replay: true, in: project.context())
        #expect(other.replay?.identical == false, "a logged output the version does not reproduce is a mismatch")
        #expect(other.replay?.diff.first?.contains("logged output sha256") == true)
    }

    @Test func aRefusedImportNamesItsLinesAndWritesNothing() throws {
        let project = try OwnProject()
        try project.adopt()
        let one = try project.register("first").record
        let hash = SHA256.hash("x").hex
        let log = [
            line("r-1", one.shortID, output: hash), line("r-2", "0000ffff0000", output: hash),
            line("r-1", one.shortID, output: hash), "{not json", line("r-5", one.shortID, output: "abc"),
            line("r-6", one.shortID, output: hash, at: "yesterday"),
        ]
        try project.write("service.jsonl", log.joined(separator: "\n"))
        let before = project.snapshot()
        #expect {
            try RequestImport.run(file: project.root + "/service.jsonl", in: project.context())
        } throws: { error in
            let text = "\(error)"
            return text.contains("Nothing was imported") && text.contains("line 2 names the version '0000ffff0000'")
                && text.contains("line 3 repeats the id 'r-1' of line 1")
                && text.contains("line 4 is not a JSON object")
                && text.contains("line 5 needs") && text.contains("line 6 has no \"at\"")
        }
        #expect(project.snapshot() == before)
        #expect(try AttributionLog(registryRoot: project.context().registry.root).lookup("r-1") == nil)
    }
}
