// The event log's times only go forward: a writer whose clock was set back refuses before it writes anything,
// and fsck names an event dated before the one it follows (a log rewritten with older times).
import Foundation
import Hashing
import LabTestSupport
import Registry
import Synchronization
import Testing

@Suite struct ClockTests {
    /// A wall clock the test moves by hand, backwards included.
    final class Wall: Sendable {
        let date = Mutex(Date(timeIntervalSince1970: 1_796_000_000))
        func now() -> Date { date.withLock { $0 } }
        func move(seconds: Double) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    @Test func aClockSetBackIsRefusedAndNothingIsWritten() throws {
        let folder = try TemporaryFolder()
        let wall = Wall()
        let registry = try Registry.create(root: folder.path + "/registry", actor: "t", now: { wall.now() })
        wall.move(seconds: 60)
        try registry.write { try $0.append(kind: "note.added", actor: "t", data: [:]) }
        let log = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/registry/events.jsonl"))
        wall.move(seconds: -30)
        let error = try #require(throws: RegistryError.self) {
            try registry.write { try $0.append(kind: "note.added", actor: "t", data: [:]) }
        }
        #expect(error.description.contains("before event #2"), "\(error)")
        #expect(error.description.contains("it was set back") && error.description.contains("Nothing was changed"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/registry/events.jsonl")) == log)
        // The same millisecond is not earlier; once the clock passes the last event again, writes go on.
        wall.move(seconds: 30)
        try registry.write { try $0.append(kind: "note.added", actor: "t", data: [:]) }
        #expect(registry.fsck().problems.isEmpty)
    }

    @Test func fsckNamesAnEventDatedBeforeTheOneItFollows() throws {
        let folder = try TemporaryFolder()
        let wall = Wall()
        let registry = try Registry.create(root: folder.path + "/registry", actor: "t", now: { wall.now() })
        for _ in 0..<2 {
            wall.move(seconds: 60)
            try registry.write { try $0.append(kind: "note.added", actor: "t", data: [:]) }
        }
        // A log rewritten by hand with event #3 an hour earlier, re-chained so nothing else looks wrong.
        let path = folder.path + "/registry/events.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let late = Timestamp.string(from: wall.now())
        let early = Timestamp.string(from: wall.now().addingTimeInterval(-3600))
        lines[2] = lines[2].replacingOccurrences(of: late, with: early)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let problems = registry.fsck().problems
        #expect(problems.contains { $0.contains("event #3") && $0.contains("is dated before event #2") }, "\(problems)")
    }
}
