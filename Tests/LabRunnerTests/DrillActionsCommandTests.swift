// `drill actions` and `drill actions close` in process: the room's action items across drills with their status,
// a close recorded as an event (refused, writing nothing, for an unknown or closed id or without --note), and the
// next drill's debrief naming what an earlier drill still had open.
import Drills
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Synchronization
import Testing

@Suite struct DrillActionsCommandTests {
    /// A finished drill's record in the new shape (items not numbered yet: the room numbers them when it saves).
    static func record(_ id: String, day: Int, items: [(owner: String, text: String)]) -> String {
        let start = String(format: "2026-%02d-%02dT10:00:00.000Z", day > 30 ? 12 : 11, day > 30 ? day - 30 : day)
        let end = start.replacingOccurrences(of: "T10:00", with: "T10:20")
        let entries = items.map {
            #"{"owner": "\#($0.owner)", "text": "\#($0.text)", "due": "\#(end)", "status": "open"}"#
        }
        return DrillHistoryCommandTests.record
            .replacingOccurrences(of: "D-0001", with: id)
            .replacingOccurrences(of: "2026-11-18T10:00:00.000Z", with: start)
            .replacingOccurrences(of: "2026-11-18T10:20:00.000Z", with: end)
            .replacingOccurrences(
                of: #"["Team: nobody held the scribe role; name one with 'LabRunner drill join scribe'."]"#,
                with: "[" + entries.joined(separator: ", ") + "]")
    }

    @Test func itemsAreListedClosedWithANoteAndStillOpenInTheNextDebrief() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["init", "room"]).status == 0)
        let none = try sandbox.run(["drill", "actions"], in: "room")
        #expect(none.status == 0 && none.stdout.contains("No action items yet"), "\(none.stderr)")
        try DrillHistoryCommandTests.save(
            Self.record("D-0001", day: 18, items: [("ann", "Rehearse the rollback"), ("ben", "Read the diff first")]),
            in: sandbox)
        try DrillHistoryCommandTests.save(
            Self.record("D-0002", day: 40, items: [("ann", "Name a scribe next time")]), in: sandbox)
        let listed = try sandbox.run(["drill", "actions"], in: "room")
        #expect(listed.status == 0, "\(listed.stderr)")
        for line in ["A-0001  D-0001  open", "A-0002  D-0001  open", "A-0003  D-0002  open"] {
            #expect(listed.stdout.contains(line), "\(line) in \(listed.stdout)")
        }
        #expect(listed.stdout.contains("OVERDUE"), "D-0001's items were due 2026-11-18, before the sandbox's clock")

        // Refusals write nothing: no --note, an empty one, an unknown id.
        let before = sandbox.read("room/.labrunner/registry/events.jsonl")
        for arguments in [
            ["drill", "actions", "close", "A-0001"], ["drill", "actions", "close", "A-0001", "--note", "  "],
            ["drill", "actions", "close", "A-0042", "--note", "done"],
        ] {
            let refused = try sandbox.run(arguments, in: "room")
            #expect(refused.status != 0, "\(arguments) was refused")
            #expect(sandbox.read("room/.labrunner/registry/events.jsonl") == before, "\(arguments) wrote nothing")
        }
        #expect(
            try sandbox.run(["drill", "actions", "close", "A-0042", "--note", "x"], in: "room").stderr.contains(
                "There is no action item A-0042"))

        let closed = try sandbox.run(
            ["drill", "actions", "close", "A-0001", "--note", "rehearsed on Tuesday", "--as", "cleo"], in: "room")
        #expect(closed.status == 0, "\(closed.stderr)")
        let again = try sandbox.run(["drill", "actions", "close", "A-0001", "--note", "again"], in: "room")
        #expect(again.status == 1 && again.stderr.contains("A-0001 was already closed by cleo"), "\(again.stderr)")
        let after = sandbox.read("room/.labrunner/registry/events.jsonl")
        #expect(after.components(separatedBy: "drill.action-closed").count == 2, "one closure event")

        let json = try sandbox.run(["drill", "actions", "--json"], in: "room")
        let list = try CanonicalJSON.decoder().decode(ActionList.self, from: Data(json.stdout.utf8))
        let first = try #require(list.items.first { $0.id == "A-0001" })
        #expect(first.status == .closed && first.closedBy == "cleo" && first.note == "rehearsed on Tuesday")
        #expect(list.items.filter { $0.status == .open }.map(\.id) == ["A-0002", "A-0003"])
        #expect(try sandbox.run(["fsck"], in: "room").status == 0)

        // D-0002 ended after A-0001 was closed: its debrief names only A-0002 as still open from D-0001.
        let report = try sandbox.run(["drill", "report", "D-0002"], in: "room")
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Still open from D-0001: A-0002 (ben, due 2026-11-18): Read the diff first"))
        #expect(!report.stdout.contains("Still open from D-0001: A-0001"))
        #expect(report.stdout.contains("| A-0003 | ann | 2026-12-10 | open | Name a scribe next time |"))
        // D-0001's own debrief shows the closure, and nothing still open from before it.
        let older = try sandbox.run(["drill", "report", "D-0001"], in: "room")
        #expect(older.stdout.contains("| A-0001 | ann | 2026-11-18 | closed by cleo: rehearsed on Tuesday |"))
        #expect(!older.stdout.contains("Still open from"))
    }

    @Test func anOlderRecordsSentencesAreShownAsTheyWereAndFsckNamesAStrayClosure() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["init", "room"]).status == 0)
        try DrillHistoryCommandTests.save(DrillHistoryCommandTests.record, in: sandbox)
        let file = sandbox.read("room/.labrunner/drills/D-0001.json")
        #expect(file.contains(#""action_items" : ["#) && file.contains(#""Team: nobody held the scribe role"#))
        let listed = try sandbox.run(["drill", "actions"], in: "room")
        #expect(listed.stdout.contains("—   D-0001  untracked"), "\(listed.stdout)")
        #expect(try sandbox.run(["drill", "report"], in: "room").stdout.contains("Team: nobody held the scribe role"))
        // Two people closing the same item at once: one closure is recorded, the other refused.
        try DrillHistoryCommandTests.save(
            Self.record("D-0002", day: 40, items: [("ann", "Name a scribe next time")]), in: sandbox)
        let room = Workspace(root: sandbox.path + "/room")
        let clock = try #require(sandbox.clock)
        let outcomes = Mutex<[Bool]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let closed =
                (try? DrillActions.close("A-0001", note: "done \(index)", by: "p\(index)", in: room, now: clock.now))
            outcomes.withLock { $0.append(closed != nil) }
        }
        #expect(outcomes.withLock { $0.filter { $0 }.count } == 1)
        #expect(try DrillActions.list(room, now: clock.now()).items.filter { $0.status == .closed }.count == 1)
        // A closure no record holds, written straight into the log: fsck names it.
        let registry = try Registry(
            root: sandbox.path + "/room/.labrunner/registry", now: try #require(sandbox.clock).now)
        try registry.write { writer in
            _ = try writer.append(DrillActionClosed(action: "A-0007", drill: "D-0001", note: "x"), actor: "eve")
        }
        let fsck = try sandbox.run(["fsck"], in: "room")
        #expect(fsck.status == 1 && fsck.stdout.contains("closes the action item A-0007"), "\(fsck.stdout)")
    }
}
