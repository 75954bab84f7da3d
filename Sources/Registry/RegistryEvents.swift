// The registry's own events: its creation, each registration, each tag move and each garbage collection
// (written by the gc play, read here because the registry answers "were this version's blobs collected?").
import Foundation

/// `registry.created`: the first line of every log; it records no fields.
public struct RegistryCreated: EventPayload {
    public static let kind = "registry.created"
    public init() {}
}

/// `version.registered`: a new version, with the SHA-256 of its record file.
public struct VersionRegistered: EventPayload {
    public static let kind = "version.registered"
    public var id: String
    public var seq: Int
    public var owner: String
    /// The parent's full id; absent for a root version.
    public var parent: String?
    public var reason: String
    public var recordSHA256: String

    enum CodingKeys: String, CodingKey {
        case id, seq, owner, parent, reason
        case recordSHA256 = "record_sha256"
    }
}

/// `tag.moved`: who moved which tag from where to where and why, plus whatever facts the mover recorded beside
/// them (a play's gate, approver, canary, …), kept as they were written.
public struct TagMoved: EventPayload {
    public static let kind = "tag.moved"
    public var tag: String
    /// Where the tag pointed before; absent when the move created it.
    public var from: String?
    public var to: String
    public var reason: String
    /// The mover's own fields (see `TagMove.details(as:)`); never one of the four above.
    public var details: [String: String]

    static let ownKeys: Set<String> = ["tag", "from", "to", "reason"]

    public init(tag: String, from: String?, to: String, reason: String, details: [String: String] = [:]) {
        self.tag = tag
        self.from = from
        self.to = to
        self.reason = reason
        self.details = details.filter { !Self.ownKeys.contains($0.key) }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        tag = try container.decode(String.self, forKey: Key("tag"))
        from = try container.decodeIfPresent(String.self, forKey: Key("from"))
        to = try container.decode(String.self, forKey: Key("to"))
        reason = try container.decode(String.self, forKey: Key("reason"))
        var details: [String: String] = [:]
        for key in container.allKeys where !Self.ownKeys.contains(key.stringValue) {
            details[key.stringValue] = try container.decode(String.self, forKey: key)
        }
        self.details = details
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in details where !Self.ownKeys.contains(name) {
            try container.encode(value, forKey: Key(name))
        }
        try container.encode(tag, forKey: Key("tag"))
        try container.encodeIfPresent(from, forKey: Key("from"))
        try container.encode(to, forKey: Key("to"))
        try container.encode(reason, forKey: Key("reason"))
    }
}

/// `gc.collected`: the versions whose heavy blobs were deleted, and the blobs.
public struct BlobsCollected: EventPayload {
    public static let kind = "gc.collected"
    /// Space-separated full version ids (see `versionIDs`).
    public var versions: String
    /// Space-separated blob hashes (see `blobHashes`).
    public var blobs: String
    public var bytes: Int
    public var reason: String

    public init(versions: [String], blobs: [String], bytes: Int, reason: String) {
        self.versions = versions.joined(separator: " ")
        self.blobs = blobs.joined(separator: " ")
        self.bytes = bytes
        self.reason = reason
    }

    public var versionIDs: [String] { versions.split(separator: " ").map(String.init) }
    public var blobHashes: [String] { blobs.split(separator: " ").map(String.init) }
}
