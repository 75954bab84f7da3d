// Maps parsed JSON to events and version records (the read side of Models.swift's Codable types).
import Foundation
import Hashing

struct MalformedRecord: Error {}

extension Event {
    init(json: JSONValue) throws {
        guard let seq = json["seq"]?.int, let at = json["at"]?.string.flatMap(Timestamp.date(from:)),
            let kind = json["kind"]?.string, let actor = json["actor"]?.string, let data = json["data"]?.stringMap,
            let prev = json["prev"]?.string
        else { throw MalformedRecord() }
        self.init(seq: seq, at: at, kind: kind, actor: actor, data: data, prev: prev)
    }
}

extension VersionRecord {
    init(json: JSONValue) throws {
        guard let id = json["id"]?.string, let seq = json["seq"]?.int, let manifest = json["manifest"],
            let componentMembers = manifest["components"]?.members, let fields = json["metadata"],
            let owner = fields["owner"]?.string, let reason = fields["reason"]?.string,
            let createdAt = fields["created_at"]?.string.flatMap(Timestamp.date(from:)),
            let extra = fields["extra"]?.stringMap, let sizeMembers = json["sizes"]?.members
        else { throw MalformedRecord() }
        var components: [String: ComponentEntry] = [:]
        for (name, entry) in componentMembers {
            guard let kind = entry["kind"]?.string.flatMap(ComponentEntry.Kind.init(rawValue:)),
                let sha256 = entry["sha256"]?.string
            else { throw MalformedRecord() }
            components[name] = ComponentEntry(kind: kind, sha256: sha256)
        }
        var lineage: DatasetLineage?
        if let value = manifest["lineage"] {
            guard let dataset = value["dataset"]?.string, let sha256 = value["sha256"]?.string else {
                throw MalformedRecord()
            }
            lineage = DatasetLineage(dataset: dataset, sha256: sha256)
        }
        var parent: String?
        if let value = fields["parent"] {
            guard let text = value.string else { throw MalformedRecord() }
            parent = text
        }
        var sizes: [String: Int] = [:]
        for (name, value) in sizeMembers {
            guard let size = value.int else { throw MalformedRecord() }
            sizes[name] = size
        }
        self.init(
            id: id, seq: seq, manifest: VersionManifest(components: components, lineage: lineage),
            metadata: VersionMetadata(owner: owner, parent: parent, reason: reason, createdAt: createdAt, extra: extra),
            sizes: sizes)
    }
}
