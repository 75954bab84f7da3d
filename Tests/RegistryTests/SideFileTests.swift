// Side files written in their event's transaction: a failure at every write step is undone (no event, no file)
// or said to be recorded (and the next writer puts the file in place); a crash that left a staged side file is
// completed by the next writer when its event is recorded, and discarded when it is not.
import Foundation
import LabTestSupport
import Registry
import Testing

@Suite struct SideFileTests {
    static let record = "incidents/INC-0001.json"

    /// Appends one event whose side file says the event's seq.
    static func note(_ registry: Registry) throws {
        try registry.write { writer in
            try writer.append(kind: "note.added", actor: "t", data: [:]) { event in
                [record: Data("event \(event.seq)\n".utf8)]
            }
        }
    }

    static func events(_ registry: Registry) throws -> [String] { try registry.events().map(\.kind) }

    @Test func theFileLandsWithItsEvent() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try Self.note(registry)
        let seq = try #require(try registry.events().last?.seq)
        #expect(registry.sideFile(Self.record) == Data("event \(seq)\n".utf8))
        #expect(registry.fsck().warnings.isEmpty)
    }

    @Test func aFailureAtEveryStepIsUndoneOrSaidRecordedAndTheNextWriterCompletesIt() throws {
        let count = try {
            let folder = try TemporaryFolder()
            let registry = try makeRegistry(in: folder)
            let plan = FaultPlan(failAt: nil)
            try FaultPlan.$current.withValue(plan) { try Self.note(registry) }
            return plan.steps.count
        }()
        #expect(count >= 10)
        for step in 1...count {
            for plan in [FaultPlan(failAt: step), FaultPlan(failAt: step, action: .permissionDenied, persistent: true)]
            {
                let folder = try TemporaryFolder()
                let registry = try makeRegistry(in: folder)
                let before = try Self.events(registry)
                let at = "step \(step) of \(count)\(plan.persistent ? ", persistent" : "")"
                var message: String?
                do {
                    try FaultPlan.$current.withValue(plan) { try Self.note(registry) }
                } catch {
                    message = String(describing: error)
                }
                if let message, message.contains("nothing was changed") {
                    #expect(try Self.events(registry) == before, "\(at): \(message)")
                    #expect(registry.sideFile(Self.record) == nil, "\(at): the file stayed: \(message)")
                } else if let message {
                    #expect(message.contains("is recorded as event #2 (note.added)"), "\(at): \(message)")
                }
                try registry.write { writer in try writer.append(kind: "probe", actor: "next", data: [:]) }
                let noted = try registry.events().contains { $0.kind == "note.added" }
                #expect(noted == (message.map { !$0.contains("nothing was changed") } ?? true), "\(at)")
                #expect(registry.sideFile(Self.record) == (noted ? Data("event 2\n".utf8) : nil), "\(at)")
                let report = registry.fsck()
                #expect(report.problems.isEmpty && report.warnings.isEmpty, "\(at): \(report)")
            }
        }
    }

    @Test func aStagedSideFileIsPutInPlaceWhenItsEventIsRecordedAndDiscardedWhenNot() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try Self.note(registry)
        let seq = try #require(try registry.events().last?.seq)
        // What a crash leaves: one staged for the recorded event, one for an event that was never written.
        let recorded = registry.root + "/.tmp-side-\(seq)-incidents-INC-0001.json"
        let unrecorded = registry.root + "/.tmp-side-\(seq + 1)-incidents-INC-0002.json"
        try Data("completed\n".utf8).write(to: URL(fileURLWithPath: recorded))
        try Data("never\n".utf8).write(to: URL(fileURLWithPath: unrecorded))
        #expect(registry.pendingSideFiles() == ["incidents/INC-0001.json", "incidents/INC-0002.json"])
        #expect(registry.fsck().problems.isEmpty)
        try registry.write { writer in try writer.append(kind: "probe", actor: "next", data: [:]) }
        #expect(registry.sideFile("incidents/INC-0001.json") == Data("completed\n".utf8))
        #expect(registry.sideFile("incidents/INC-0002.json") == nil)
        #expect(registry.pendingSideFiles().isEmpty)
        #expect(registry.fsck().warnings.isEmpty)
    }

    @Test func aSideFileOutsideTheSideFoldersIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let before = try Self.events(registry)
        for path in ["tags/production", "incidents/../events.head", "incidents/sub/x.json", "incidents/.hidden"] {
            #expect(throws: RegistryError.self) {
                try registry.write { writer in
                    try writer.append(kind: "note.added", actor: "t", data: [:]) { _ in [path: Data("x".utf8)] }
                }
            }
        }
        #expect(try Self.events(registry) == before)
        #expect(registry.tag("production") == nil)
    }
}
