// The recorded history from the binary before typed events (labs, drills, scenarios) read through the typed
// payloads of Registry and Playbook: every event of their kinds decodes, and re-encodes to the very bytes on disk.
import Foundation
import Hashing
import Playbook
import Registry
import Testing

/// One golden folder: its event log's lines, parsed, and its folder.
struct GoldenHistory {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../LabRunnerTests/Fixtures/golden").standardized.path

    let name: String
    let folder: String
    let lines: [(line: Data, event: Event)]

    static func all() throws -> [GoldenHistory] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { name in
            let folder = root + "/" + name
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/events.jsonl"))
            let lines = try data.split(separator: 0x0A).map { line in (Data(line), try event(Data(line))) }
            return GoldenHistory(name: name, folder: folder, lines: lines)
        }
    }

    static func event(_ line: Data) throws -> Event {
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        return Event(
            seq: try #require(object["seq"] as? Int),
            at: try #require((object["at"] as? String).flatMap(Timestamp.date(from:))),
            kind: try #require(object["kind"] as? String), actor: try #require(object["actor"] as? String),
            data: try #require(object["data"] as? [String: String]), prev: try #require(object["prev"] as? String))
    }

    /// The folder as a registry to read (the blobs were not recorded: only events, versions and tags).
    func registry() throws -> (Registry, TemporaryCopy) {
        let copy = try TemporaryCopy(of: folder)
        try FileManager.default.createDirectory(
            atPath: copy.path + "/objects/sha256", withIntermediateDirectories: true)
        return (try Registry(root: copy.path), copy)
    }
}

final class TemporaryCopy {
    let path: String
    init(of folder: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: folder, toPath: path)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct GoldenHistoryTests {
    /// Each kind Registry and Playbook write, with its payload: decoded, then encoded again.
    static let payloads: [String: @Sendable (Event) throws -> [String: String]] = [
        RegistryCreated.kind: { try EventFields.encode($0.payload(as: RegistryCreated.self)) },
        VersionRegistered.kind: { try EventFields.encode($0.payload(as: VersionRegistered.self)) },
        TagMoved.kind: { event in
            let moved = try event.payload(as: TagMoved.self)
            // The mover's facts read as the plays' one type, and nothing in them is left unread.
            let facts = try EventFields.decode(TagMoveFacts.self, from: moved.details)
            #expect(try EventFields.encode(facts) == moved.details, "event #\(event.seq): \(moved.details)")
            return try EventFields.encode(moved)
        },
        BlobsCollected.kind: { try EventFields.encode($0.payload(as: BlobsCollected.self)) },
        GCPlanned.kind: { try EventFields.encode($0.payload(as: GCPlanned.self)) },
        VersionReregistered.kind: { try EventFields.encode($0.payload(as: VersionReregistered.self)) },
        TrainingRecorded.kind: { try EventFields.encode($0.payload(as: TrainingRecorded.self)) },
        SuitePinned.kind: { try EventFields.encode($0.payload(as: SuitePinned.self)) },
        EvalRecorded.kind: { try EventFields.encode($0.payload(as: EvalRecorded.self)) },
        IncidentOpened.kind: { try EventFields.encode($0.payload(as: IncidentOpened.self)) },
        IncidentUpdated.kind: { try EventFields.encode($0.payload(as: IncidentUpdated.self)) },
        IncidentClosed.kind: { try EventFields.encode($0.payload(as: IncidentClosed.self)) },
        PromotionStopped.kind: { try EventFields.encode($0.payload(as: PromotionStopped.self)) },
        CanaryStarted.kind: { try EventFields.encode($0.payload(as: CanaryStarted.self)) },
        ExperimentStarted.kind: { try EventFields.encode($0.payload(as: ExperimentStarted.self)) },
        ExperimentEnded.kind: { try EventFields.encode($0.payload(as: ExperimentEnded.self)) },
        InvestigationConcluded.kind: { try EventFields.encode($0.payload(as: InvestigationConcluded.self)) },
        PolicyPinned.kind: { try EventFields.encode($0.payload(as: PolicyPinned.self)) },
    ]
    /// Kinds of Registry and Playbook the recorded history happens not to hold (a canary that stopped, the
    /// pin every canary now records before its first request, and the policy's pin, which came later).
    static let unrecorded: Set<String> = [PromotionStopped.kind, CanaryStarted.kind, PolicyPinned.kind]
    /// Kinds other modules write (labs, drills).
    static let othersPrefixes = ["lab.", "drill."]

    @Test func everyEventOfTheseKindsReencodesToTheBytesOnDisk() throws {
        var seen: [String: Int] = [:]
        for history in try GoldenHistory.all() {
            for (line, event) in history.lines {
                guard let reencode = Self.payloads[event.kind] else {
                    #expect(
                        Self.othersPrefixes.contains { event.kind.hasPrefix($0) },
                        "\(history.name) line \(event.seq): kind \(event.kind) has no payload here")
                    continue
                }
                let data = try reencode(event)
                #expect(data == event.data, "\(history.name) line \(event.seq) (\(event.kind))")
                // The whole line too: the event with its re-encoded data is the same canonical bytes.
                var again = event
                again.data = data
                #expect(
                    try CanonicalJSON.encode(again) == line,
                    "\(history.name) line \(event.seq) (\(event.kind)) is not byte-identical")
                seen[event.kind, default: 0] += 1
            }
        }
        for kind in Self.payloads.keys.sorted() where !Self.unrecorded.contains(kind) {
            #expect((seen[kind] ?? 0) > 0, "the recorded history holds no \(kind) event to check")
        }
    }

    @Test func theReadersFoldTheRecordedHistoryWithoutAnError() throws {
        var incidents = 0
        var evals = 0
        for history in try GoldenHistory.all() {
            let (registry, copy) = try history.registry()
            let events = try registry.events()
            #expect(events.count == history.lines.count)
            incidents += try Incidents.all(events: events).count
            _ = try Experiments.all(events: events)
            _ = try SuitePins.all(events: events)
            _ = try Training.runs(events: events)
            for tag in registry.tags().keys { _ = try registry.tagHistory(tag).map { try $0.facts() } }
            for version in try registry.versions() {
                let summaries = try EvalLedger.summaries(for: version, events: events)
                evals += summaries.count
                for summary in summaries {
                    // On stdout a summary is one flat object: the recorded fields and the time.
                    let json = try CanonicalJSON.encode(summary)
                    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
                    #expect(Set(object.keys) == Set(try EventFields.encode(summary.recorded).keys).union(["at"]))
                    #expect(try CanonicalJSON.decoder().decode(EvalSummary.self, from: json) == summary)
                }
                // What register put in the metadata is its facts and its eval, and nothing else.
                let facts = try EventFields.encode(try RegisterFacts.of(version))
                let eval = try #require(try EvalLedger.summaries(for: version, events: []).first)
                let prefixed = Dictionary(
                    uniqueKeysWithValues: try EventFields.encode(eval.recorded).map { ("eval_" + $0.key, $0.value) })
                #expect(facts.merging(prefixed) { _, new in new } == version.metadata.extra, "\(version.id)")
            }
            withExtendedLifetime(copy) {}
        }
        #expect(incidents > 0 && evals > 0)
    }
}
