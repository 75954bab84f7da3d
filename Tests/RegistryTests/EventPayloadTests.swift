// Typed payloads: the flat string fields an event stores, written and read back through one Codable struct.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Testing

struct SampleFinished: EventPayload, Equatable {
    static let kind = "sample.finished"
    enum Outcome: String, Codable { case passed, failed }
    var outcome: Outcome
    var count: Int
    var rate: Double
    var confirmed: Bool
    var finishedAt: Date
    var note: String?

    enum CodingKeys: String, CodingKey {
        case outcome, count, rate, confirmed, note
        case finishedAt = "finished_at"
    }
}

@Suite struct EventPayloadTests {
    let sample = SampleFinished(
        outcome: .failed, count: 12, rate: 0.9791666666666666, confirmed: true,
        finishedAt: Date(timeIntervalSince1970: 1_764_000_000.25), note: nil)

    @Test func fieldsAreTheStringsOnDisk() throws {
        let fields = try EventFields.encode(sample)
        #expect(
            fields == [
                "outcome": "failed", "count": "12", "rate": "0.9791666666666666", "confirmed": "true",
                "finished_at": "2025-11-24T16:00:00.250Z",
            ])
        #expect(try EventFields.decode(SampleFinished.self, from: fields) == sample)
    }

    @Test func appendedPayloadReadsBackFromTheLog() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try registry.write { writer in try writer.append(sample, actor: "tester") }
        let events = try registry.events()
        let read = try events.payloads(SampleFinished.self)
        #expect(read.count == 1)
        #expect(read.first?.payload == sample)
        #expect(read.first?.event.actor == "tester")
    }

    @Test func aCorruptFieldIsAnErrorNamingTheEventAndField() throws {
        var fields = try EventFields.encode(sample)
        fields["count"] = "twelve"
        let event = Event(seq: 7, at: Date(), kind: SampleFinished.kind, actor: "x", data: fields, prev: "")
        #expect {
            try event.payload(as: SampleFinished.self)
        } throws: { error in
            "\(error)".contains("Event #7 (sample.finished)") && "\(error)".contains("'count'")
        }
        fields["count"] = "12"
        fields["outcome"] = "maybe"
        let badEnum = Event(seq: 8, at: Date(), kind: SampleFinished.kind, actor: "x", data: fields, prev: "")
        #expect(throws: RegistryError.self) { try badEnum.payload(as: SampleFinished.self) }
        fields.removeValue(forKey: "outcome")
        let missing = Event(seq: 9, at: Date(), kind: SampleFinished.kind, actor: "x", data: fields, prev: "")
        #expect {
            try missing.payload(as: SampleFinished.self)
        } throws: { error in
            "\(error)".contains("'outcome' is missing")
        }
    }

    @Test func anEventOfAnotherKindIsNotReadAsThisOne() throws {
        let event = Event(seq: 3, at: Date(), kind: "tag.moved", actor: "x", data: [:], prev: "")
        #expect(!event.is(SampleFinished.self))
        #expect(throws: RegistryError.self) { try event.payload(as: SampleFinished.self) }
    }
}
