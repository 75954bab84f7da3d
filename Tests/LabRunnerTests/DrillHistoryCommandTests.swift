// `drill history` and `drill report` through the built binary: refusals that write nothing, a recorded drill
// listed and debriefed (its own workspace gone), and the cadence line on `LabRunner` with no arguments.
import Drills
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct DrillHistoryCommandTests {
    /// A finished drill's record as `drill end` leaves it, for a drill whose own workspace was deleted since.
    static let record = """
        {
          "action_items" : ["Team: nobody held the scribe role; name one with 'LabRunner drill join scribe'."],
          "code" : "prompt-7-300-00000000",
          "ended_at" : "2026-11-18T10:20:00.000Z",
          "ending" : "ended",
          "fault" : {
            "bad_version" : "5b1e0c0d2a7f9e8d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615",
            "kind" : "prompt",
            "last_known_good" : "aba5525432cd08275a4ee40d9846461962318cefe9f7c9cdaedf2340e883db82",
            "parent" : "0325ba2c5c6500000000000000000000000000000000000000000000000000aa",
            "shipped_at" : "2026-11-18T10:01:00.000Z",
            "shipped_by" : "dana"
          },
          "id" : "D-0001",
          "laps" : [
            {"at" : "2026-11-18T10:02:00.000Z", "phase" : "detected", "seconds" : 60, "target_s" : 90, "by" : "monitor"},
            {"at" : "2026-11-18T10:02:30.000Z", "phase" : "acknowledged", "seconds" : 30, "target_s" : 60, "by" : "ann", "role" : "commander"},
            {"phase" : "diagnosed", "target_s" : 240},
            {"at" : "2026-11-18T10:06:30.000Z", "phase" : "mitigated", "seconds" : 240, "target_s" : 180, "by" : "ben", "role" : "operator"},
            {"phase" : "recovered", "target_s" : 120},
            {"phase" : "resolved", "target_s" : 300}
          ],
          "participants" : [
            {"actions" : 2, "name" : "ann", "roles" : ["commander"]},
            {"actions" : 1, "name" : "ben", "roles" : ["operator"]}
          ],
          "score" : 40,
          "started_at" : "2026-11-18T10:00:00.000Z",
          "time_to_mitigate_s" : 270,
          "workspace" : "drills/D-0001"
        }
        """

    /// Records `json` in the room as `drill end` does, the event in the room's log then the file, at the sandbox's
    /// time (the event log's times only go forward, so not at the record's own, older end).
    static func save(_ json: String, in sandbox: Sandbox) throws {
        let record = try CanonicalJSON.decoder().decode(DrillRecord.self, from: Data(json.utf8))
        try DrillRoom(Workspace(root: sandbox.path + "/room")).save(record, now: try #require(sandbox.clock).now)
    }

    @Test func anEditedOrForgedRecordIsRefusedByEveryReaderAndNamedByFsck() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["init", "room"]).status == 0)
        try Self.save(Self.record, in: sandbox)
        #expect(try sandbox.run(["fsck"], in: "room").status == 0)
        #expect(try sandbox.run(["drill", "history"], in: "room").status == 0)
        let file = "room/.labrunner/drills/D-0001.json"
        let original = sandbox.read(file)
        // The cheapest forgery: a better score written into the file.
        try sandbox.edit(file) { $0.replacingOccurrences(of: "\"score\" : 40", with: "\"score\" : 100") }
        for arguments in [["drill", "history"], ["incident", "stats"], ["roi"], ["drill", "report", "D-0001"]] {
            let refused = try sandbox.run(arguments, in: "room")
            #expect(refused.status == 1, "\(arguments) refused the edited record")
            #expect(refused.stderr.contains("D-0001.json was edited"), "\(arguments): \(refused.stderr)")
        }
        let fsck = try sandbox.run(["fsck"], in: "room")
        #expect(fsck.status == 1 && fsck.stdout.contains("D-0001.json was edited"), "\(fsck.stdout)")
        try sandbox.write(original, to: file)
        #expect(try sandbox.run(["fsck"], in: "room").status == 0)
        // A whole drill forged: a record file no event commits to.
        try sandbox.write(
            original.replacingOccurrences(of: "D-0001", with: "D-0002"), to: "room/.labrunner/drills/D-0002.json")
        let forged = try sandbox.run(["drill", "history"], in: "room")
        #expect(forged.status == 1 && forged.stderr.contains("D-0002.json is not committed to"), "\(forged.stderr)")
        #expect(try sandbox.run(["fsck"], in: "room").stdout.contains("D-0002.json is not committed to"))
        // Deleting the file loses nothing: the event holds the record.
        try FileManager.default.removeItem(atPath: sandbox.path + "/room/.labrunner/drills/D-0002.json")
        try FileManager.default.removeItem(atPath: sandbox.path + "/" + file)
        let listed = try sandbox.run(["drill", "history"], in: "room")
        #expect(listed.status == 0 && listed.stdout.contains("D-0001  prompt-7-300-00000000"), "\(listed.stderr)")
    }

    @Test func refusalsWriteNothingAndARecordedDrillIsListedAndDebriefed() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["init", "room"]).status == 0)
        let status = try sandbox.run([], in: "room")
        #expect(status.stdout.contains("No rollback drill recorded yet; rehearse at least every 90 days"))

        let empty = try sandbox.run(["drill", "history"], in: "room")
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("No drills recorded in this workspace yet."))
        let none = try sandbox.run(["drill", "report", "--out", "debrief.md"], in: "room")
        #expect(none.status == 1)
        #expect(none.stderr.hasPrefix("Error: No drill has been recorded in this workspace yet"))
        let drills = sandbox.path + "/room/.labrunner/drills"
        #expect(!FileManager.default.fileExists(atPath: drills))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/room/debrief.md"))

        try Self.save(Self.record, in: sandbox)
        let unknown = try sandbox.run(["drill", "report", "D-0042", "--out", "debrief.md"], in: "room")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("There is no drill D-0042 in this workspace"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/room/debrief.md"))
        let badFormat = try sandbox.run(["drill", "report", "--format", "pdf"], in: "room")
        #expect(badFormat.status == 64)

        try #"{"drill_cadence_days": 7}"#.write(
            toFile: sandbox.path + "/room/.labrunner/settings.json", atomically: true, encoding: .utf8)
        let history = try sandbox.run(["drill", "history"], in: "room")
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("D-0001  prompt-7-300-00000000"))
        #expect(history.stdout.contains("60/30/-/240/-/-"))
        #expect(history.stdout.contains("ann=commander ben=operator"))
        #expect(history.stdout.contains("Rollback drill OVERDUE"), "a weekly cadence; the record is from 2026-11-18")
        #expect(history.stdout.contains("prompt  unfinished"))
        // From inside the finished drill's own workspace (its drill.json names the room), the history is the room's.
        let inner = sandbox.path + "/room/drills/D-0001"
        try FileManager.default.createDirectory(atPath: inner + "/.labrunner", withIntermediateDirectories: true)
        try """
        {"children": [], "code": "prompt-7-300-00000000", "id": "D-0001", "room": "\(sandbox.path)/room",
         "started_at": "2026-11-18T10:00:00.000Z", "supervisor": 2147483646, "workspace": "\(inner)"}
        """.write(toFile: inner + "/.labrunner/drill.json", atomically: true, encoding: .utf8)
        let inside = try sandbox.run(["drill", "history"], in: "room/drills/D-0001")
        #expect(inside.stdout.contains("D-0001  prompt-7-300-00000000"), "\(inside.stderr)")
        let json = try sandbox.run(["drill", "history", "--json"], in: "room")
        #expect(json.stdout.contains("\"time_to_mitigate_s\" : 270"))

        let report = try sandbox.run(["drill", "report", "--format", "html", "--out", "debrief.html"], in: "room")
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOfFile: sandbox.path + "/room/debrief.html", encoding: .utf8)
        #expect(page.contains("<h1>Drill D-0001 — 2026-11-18 — prompt fault</h1>"))
        #expect(page.contains("took 4m 0s against 3m 0s."))
        #expect(page.contains("Impact: unknown — the drill&#39;s own workspace (drills/D-0001) is gone."))

        // A cadence below 1 day is refused by name.
        try #"{"drill_cadence_days": 0}"#.write(
            toFile: sandbox.path + "/room/.labrunner/settings.json", atomically: true, encoding: .utf8)
        let refused = try sandbox.run(["drill", "history"], in: "room")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("drill_cadence_days must be at least 1"))
    }
}
