// The recorded history from the binary before events were typed: every event of every kind in it has one
// payload type, reads through it, and writes back to the very same bytes, so old workspaces read unchanged.
import Drills
import Foundation
import Hashing
import LabKit
import Playbook
import Registry
import Reports
import Testing

@Suite struct GoldenHistoryTests {
    /// Every payload type the kit writes, one per event kind.
    static let payloads: [any EventPayload.Type] = [
        RegistryCreated.self, VersionRegistered.self, TagMoved.self, BlobsCollected.self,
        VersionReregistered.self, TrainingRecorded.self, SuitePinned.self, EvalRecorded.self, GCPlanned.self,
        IncidentOpened.self, IncidentUpdated.self, IncidentClosed.self, PromotionStopped.self, CanaryStarted.self,
        ExperimentStarted.self, ExperimentEnded.self, InvestigationConcluded.self, PolicyPinned.self,
        LabStarted.self, LabReady.self, LabHintShown.self, LabLaidDown.self,
        DrillStarted.self, DrillFaultShipped.self, DrillJoined.self, DrillAcknowledged.self, DrillDiffRead.self,
        DrillRecovered.self, DrillEnded.self, DrillFaultSealed.self, DrillOpened.self,
        DrillRecorded.self, PersonAdded.self, PersonRemoved.self, BreakGlass.self,
    ]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden").path

    static func roundTrip<P: EventPayload>(_ type: P.Type, _ event: Event) throws -> [String: String] {
        try EventFields.encode(try event.payload(as: P.self))
    }

    @Test func everyRecordedEventReadsThroughItsPayloadAndWritesBackTheSameBytes() throws {
        let byKind = Dictionary(uniqueKeysWithValues: Self.payloads.map { ($0.kind, $0) })
        #expect(byKind.count == Self.payloads.count, "one payload type per kind")
        let histories = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures).sorted()
        #expect(histories.count >= 7)
        var kindsSeen: Set<String> = []
        var lines = 0
        for history in histories {
            let text = try String(contentsOfFile: "\(Self.fixtures)/\(history)/events.jsonl", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let event = try CanonicalJSON.decoder().decode(Event.self, from: Data(line.utf8))
                let type = try #require(byKind[event.kind], "no payload type for \(event.kind) in \(history)")
                let written = try Self.roundTrip(type, event)
                #expect(written == event.data, "\(history) event #\(event.seq) (\(event.kind))")
                var rewritten = event
                rewritten.data = written
                #expect(String(decoding: try CanonicalJSON.encode(rewritten), as: UTF8.self) == line)
                kindsSeen.insert(event.kind)
                lines += 1
            }
        }
        #expect(lines > 200)
        // The fixture holds every kind but the promotion a canary stopped, a canary's pin, the start's
        // `lab.ready`, the policy's pin, the sealed drill's fault, its opening and the room's drill record, the
        // roster's changes and break-glass, which came later (their own tests pin those).
        #expect(
            Set(byKind.keys).subtracting(kindsSeen) == [
                PromotionStopped.kind, CanaryStarted.kind, LabReady.kind, PolicyPinned.kind, DrillFaultSealed.kind,
                DrillOpened.kind, DrillRecorded.kind, PersonAdded.kind, PersonRemoved.kind, BreakGlass.kind,
            ])
    }
}
