// The lab events as typed payloads: every lab.* event of the recorded history (the binary before typed events)
// decodes and re-encodes to the very data on disk, and a damaged one stops grading with an error naming it.
import Foundation
import Hashing
import Registry
import Reports
import Testing
@testable import LabKit

@Suite struct LabEventsTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../LabRunnerTests/Fixtures/golden").standardized.path

    /// Each lab kind with its payload: decoded, then encoded again.
    static let payloads: [String: @Sendable (Event) throws -> [String: String]] = [
        LabStarted.kind: { try EventFields.encode($0.payload(as: LabStarted.self)) },
        LabReady.kind: { try EventFields.encode($0.payload(as: LabReady.self)) },
        LabHintShown.kind: { try EventFields.encode($0.payload(as: LabHintShown.self)) },
        LabLaidDown.kind: { try EventFields.encode($0.payload(as: LabLaidDown.self)) },
    ]

    static func events(in folder: String) throws -> [(line: Data, event: Event)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/events.jsonl"))
        return try data.split(separator: 0x0A).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let event = Event(
                seq: try #require(object["seq"] as? Int),
                at: try #require((object["at"] as? String).flatMap(Timestamp.date(from:))),
                kind: try #require(object["kind"] as? String), actor: try #require(object["actor"] as? String),
                data: try #require(object["data"] as? [String: String]), prev: try #require(object["prev"] as? String))
            return (Data(line), event)
        }
    }

    @Test func everyRecordedLabEventReencodesToTheBytesOnDisk() throws {
        var seen: [String: Int] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.golden).filter { !$0.hasPrefix(".") }
        for name in names.sorted() {
            for (line, event) in try Self.events(in: Self.golden + "/" + name) where event.kind.hasPrefix("lab.") {
                let reencode = try #require(Self.payloads[event.kind], "\(name) line \(event.seq): \(event.kind)")
                let data = try reencode(event)
                #expect(data == event.data, "\(name) line \(event.seq) (\(event.kind))")
                var again = event
                again.data = data
                #expect(try CanonicalJSON.encode(again) == line, "\(name) line \(event.seq) is not byte-identical")
                seen[event.kind, default: 0] += 1
            }
        }
        // `lab.ready` came after the recorded history: its bytes are pinned by the test below.
        for kind in Self.payloads.keys.sorted() where kind != LabReady.kind {
            #expect((seen[kind] ?? 0) > 0, "the recorded history holds no \(kind) event to check")
        }
    }

    @Test func aStartThatAwaitsItsScriptsAndItsReadyEventKeepTheirFields() throws {
        let awaiting = LabStarted(lab: "06-emergency-rollback", manifestSHA256: "ab", attempt: 2, awaitsReady: true)
        #expect(
            try EventFields.encode(awaiting) == [
                "lab": "06-emergency-rollback", "manifest_sha256": "ab", "attempt": "2", "awaits_ready": "true",
            ])
        let plain = LabStarted(lab: "03-promotion-is-a-tag-move", manifestSHA256: "cd", attempt: 1)
        #expect(
            try EventFields.encode(plain) == [
                "lab": "03-promotion-is-a-tag-move", "manifest_sha256": "cd", "attempt": "1",
            ],
            "a start with nothing to run writes what starts always wrote")
        let ready = LabReady(lab: "06-emergency-rollback", attempt: 2, start: 41)
        #expect(try EventFields.encode(ready) == ["lab": "06-emergency-rollback", "attempt": "2", "start": "41"])
    }

    /// A workspace whose lab 06 was started with one damaged field in its start (or a hint after it).
    static func workspace(damaging kind: String, _ data: [String: String]) throws -> Workspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("labevents-" + UUID().uuidString).path
        let workspace = Workspace(root: root)
        let registry = try Registry.create(root: workspace.registryPath, actor: "test")
        let manifest = try registry.objects.put(try JSONEncoder().encode(TimerTests.lab.manifest))
        try registry.write { writer in
            if kind == LabStarted.kind {
                try writer.append(
                    kind: kind, actor: "learner", data: data.merging(["manifest_sha256": manifest]) { a, _ in a })
            } else {
                try writer.append(
                    LabStarted(lab: TimerTests.lab.id, manifestSHA256: manifest, attempt: 1), actor: "learner")
                try writer.append(kind: kind, actor: "learner", data: data)
            }
        }
        return workspace
    }

    @Test(arguments: [
        (LabStarted.kind, ["lab": "06-emergency-rollback", "attempt": "x"], 2, "attempt"),
        (LabHintShown.kind, ["lab": "06-emergency-rollback", "level": "first"], 3, "level"),
        (LabLaidDown.kind, ["lab": "06-emergency-rollback"], 3, "solution_sha256"),
        (LabReady.kind, ["lab": "06-emergency-rollback", "attempt": "1", "start": "two"], 3, "start"),
    ])
    func aDamagedLabEventIsAnErrorNamingItNotAnAbsence(kind: String, data: [String: String], seq: Int, field: String)
        throws
    {
        let workspace = try Self.workspace(damaging: kind, data)
        defer { try? FileManager.default.removeItem(atPath: workspace.root) }
        let catalog = try LabCatalog.embedded()
        let session = LabSession(catalog: catalog, workspace: workspace, actor: "learner", now: { Date() })
        do {
            let evidence = try session.evidence()
            let grade = Grader.grade(try catalog.lab("06"), evidence: evidence)
            Issue.record("graded a damaged \(kind) event as \(grade.status) instead of refusing it")
        } catch let error as RegistryError {
            #expect(error == .corruptEvent(seq: seq, kind: kind, reason: try Self.reason(kind, data, seq)))
            #expect("\(error)".contains("Event #\(seq) (\(kind))"), "\(error)")
            #expect("\(error)".contains("'\(field)'"), "\(error)")
        }
    }

    /// What the registry says of the damaged fields, read straight from the payload.
    static func reason(_ kind: String, _ data: [String: String], _ seq: Int) throws -> String {
        let event = Event(seq: seq, at: Date(), kind: kind, actor: "learner", data: data, prev: "")
        do {
            _ = try LabEventsTests.payloads[kind].map { try $0(event) }
        } catch RegistryError.corruptEvent(_, _, let reason) {
            return reason
        }
        return ""
    }
}
