// The registry's own readers refuse a damaged record by name: a tag move without its target, a registration
// whose seq is not a number, a late label that is not one.
import Foundation
import LabTestSupport
import Hashing
import Registry
import Testing

@Suite struct CorruptEventTests {
    @Test func aTagMoveWithoutItsTargetIsRefusedBeforeItIsWritten() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let before = try registry.events().count
        #expect(throws: RegistryError.corruptEvent(seq: 2, kind: "tag.moved", reason: "its field 'to' is missing")) {
            try registry.write { writer in
                try writer.append(kind: "tag.moved", actor: "ops", data: ["tag": "staging", "reason": "x"])
            }
        }
        #expect(try registry.events().count == before)
        #expect(registry.fsck().ok)
    }

    @Test func aTagMoveWithoutItsTargetDoesNotReadAsAMove() throws {
        let event = Event(
            seq: 9, at: Date(), kind: "tag.moved", actor: "ops", data: ["tag": "staging", "reason": "x"], prev: "")
        #expect(throws: RegistryError.corruptEvent(seq: 9, kind: "tag.moved", reason: "its field 'to' is missing")) {
            _ = try [event].payloads(TagMoved.self)
        }
    }

    @Test func aRegistrationWhoseSeqIsNotANumberIsAnError() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let event = try registry.write { writer in
            try writer.append(
                kind: "version.registered", actor: "ops",
                data: [
                    "id": String(repeating: "c", count: 64), "seq": "one", "owner": "ops", "reason": "x",
                    "record_sha256": String(repeating: "d", count: 64),
                ])
        }
        #expect(throws: RegistryError.self) { _ = try registry.versionSummaries() }
        let report = registry.fsck()
        #expect(
            report.problems.contains { $0.hasPrefix("events.jsonl line \(event.seq) is a version.registered event") })
    }

    @Test func theRegistrysPayloadsAreTheFieldsItAlwaysWrote() throws {
        let moved = TagMoved(
            tag: "production", from: nil, to: "abc", reason: "first", details: ["play": "promote", "to": "ignored"])
        #expect(
            try EventFields.encode(moved) == ["tag": "production", "to": "abc", "reason": "first", "play": "promote"])
        let read = try EventFields.decode(TagMoved.self, from: try EventFields.encode(moved))
        #expect(read.details == ["play": "promote"] && read.from == nil)
        let collected = BlobsCollected(versions: ["v1", "v2"], blobs: [], bytes: 0, reason: "expired")
        #expect(
            try EventFields.encode(collected) == ["versions": "v1 v2", "blobs": "", "bytes": "0", "reason": "expired"])
        #expect(collected.versionIDs == ["v1", "v2"] && collected.blobHashes.isEmpty)
    }

    @Test func aFormattedNumberKeepsItsTextAndRefusesANonNumber() throws {
        struct Timed: Codable, Equatable { var seconds: FormattedNumber }
        let timed = Timed(seconds: FormattedNumber(1.5, format: "%.3f"))
        #expect(try EventFields.encode(timed) == ["seconds": "1.500"])
        #expect(try EventFields.decode(Timed.self, from: ["seconds": "1.500"]).seconds.value == 1.5)
        #expect(throws: EventFields.FieldError.self) { try EventFields.decode(Timed.self, from: ["seconds": "soon"]) }
    }

    @Test func aFieldGroupIsStoredInlineAndPresentWhenItsKeyIs() throws {
        struct Extra: EventFieldGroup, Equatable {
            static let presenceKey = "extra_name"
            var name: String
            var count: Int
            enum CodingKeys: String, CodingKey {
                case name = "extra_name"
                case count = "extra_count"
            }
        }
        struct Holder: Codable, Equatable {
            var id: String
            var extra: Extra?
        }
        let full = Holder(id: "a", extra: Extra(name: "n", count: 2))
        #expect(try EventFields.encode(full) == ["id": "a", "extra_name": "n", "extra_count": "2"])
        #expect(try EventFields.decode(Holder.self, from: try EventFields.encode(full)) == full)
        #expect(try EventFields.decode(Holder.self, from: ["id": "a"]) == Holder(id: "a", extra: nil))
        #expect(throws: EventFields.FieldError.self) {
            try EventFields.decode(Holder.self, from: ["id": "a", "extra_name": "n"])
        }
    }

    @Test func unsupportedNumberTypesAreRefusedNotRecursed() throws {
        struct Small: Codable { var count: Int32 }
        #expect(throws: EventFields.FieldError.self) { try EventFields.encode(Small(count: 1)) }
        #expect(throws: EventFields.FieldError.self) { try EventFields.decode(Small.self, from: ["count": "1"]) }
        struct Big: Codable, Equatable { var seed: UInt64 }
        #expect(try EventFields.encode(Big(seed: UInt64.max)) == ["seed": "18446744073709551615"])
        #expect(try EventFields.decode(Big.self, from: ["seed": "18446744073709551615"]) == Big(seed: UInt64.max))
    }

    @Test func aLateLabelThatDoesNotReadIsAnErrorNamingTheFile() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try FileManager.default.createDirectory(atPath: registry.root + "/requests", withIntermediateDirectories: true)
        try Data("not a label\n".utf8).write(to: URL(fileURLWithPath: registry.root + "/requests/feedback.jsonl"))
        #expect(
            throws: RegistryError.corruptFile(
                path: registry.root + "/requests/feedback.jsonl", reason: "line 1 is not a feedback record")
        ) {
            _ = try AttributionLog(registryRoot: registry.root).feedback()
        }
    }
}
