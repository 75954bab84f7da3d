// The registry's on-disk value types: components, version manifests and records, events, tags.
public import Foundation

/// One component of a version: a single file, or a folder stored as a manifest of its files.
public struct ComponentEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, folder }
    public var kind: Kind
    /// The blob hash: the file's content, or the folder's manifest (`FolderManifest`).
    public var sha256: String

    public init(kind: Kind, sha256: String) {
        self.kind = kind
        self.sha256 = sha256
    }
}

/// A folder component: relative path → blob hash of each file. Stored as a blob itself.
public struct FolderManifest: Codable, Sendable, Equatable {
    public var files: [String: String]
    public init(files: [String: String]) { self.files = files }
}

/// Where the weights' training data came from; part of the version's identity.
public struct DatasetLineage: Codable, Sendable, Equatable {
    public var dataset: String
    public var sha256: String
    public init(dataset: String, sha256: String) {
        self.dataset = dataset
        self.sha256 = sha256
    }
}

/// What a version id is computed over: component name → entry, plus dataset lineage.
public struct VersionManifest: Codable, Sendable, Equatable {
    public var components: [String: ComponentEntry]
    public var lineage: DatasetLineage?

    public init(components: [String: ComponentEntry], lineage: DatasetLineage?) {
        self.components = components
        self.lineage = lineage
    }
}

/// Who registered a version, from what, and why. Mandatory at register.
public struct VersionMetadata: Codable, Sendable, Equatable {
    public var owner: String
    /// The parent version's full id; nil only for a root version.
    public var parent: String?
    public var reason: String
    public var createdAt: Date
    /// Facts recorded by higher layers at register time (eval gate result, experiment, …).
    public var extra: [String: String]

    public init(owner: String, parent: String?, reason: String, createdAt: Date, extra: [String: String] = [:]) {
        self.owner = owner
        self.parent = parent
        self.reason = reason
        self.createdAt = createdAt
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case owner, parent, reason, extra
        case createdAt = "created_at"
    }
}

/// Everything the registry knows at register time about one version; immutable afterwards.
public struct VersionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var seq: Int
    public var manifest: VersionManifest
    public var metadata: VersionMetadata
    /// Bytes per component (for people and for garbage collection reports).
    public var sizes: [String: Int]

    public var shortID: String { String(id.prefix(12)) }
}

/// One line of the hash-chained event log.
public struct Event: Codable, Sendable, Equatable {
    public var seq: Int
    public var at: Date
    public var kind: String
    public var actor: String
    public var data: [String: String]
    /// SHA-256 of the previous line's bytes (64 zeros on the first line).
    public var prev: String

    public init(
        seq: Int, at: Date, kind: String, actor: String, data: [String: String], prev: String
    ) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.actor = actor
        self.data = data
        self.prev = prev
    }
}

/// What the registration event says of a version: enough to list versions without reading their files.
public struct VersionSummary: Codable, Sendable, Equatable {
    public var id: String
    public var seq: Int
    public var owner: String
    public var parent: String?
    public var reason: String
    public var registeredAt: Date

    public var shortID: String { String(id.prefix(12)) }

    enum CodingKeys: String, CodingKey {
        case id, seq, owner, parent, reason
        case registeredAt = "registered_at"
    }

    init(_ registered: VersionRegistered, at: Date) {
        id = registered.id
        seq = registered.seq
        owner = registered.owner
        parent = registered.parent
        reason = registered.reason
        registeredAt = at
    }
}

/// Event kinds the registry itself writes (each is its payload's `kind`); higher layers add their own.
public enum EventKind {
    public static let registryCreated = RegistryCreated.kind
    public static let versionRegistered = VersionRegistered.kind
    public static let tagMoved = TagMoved.kind
    /// Garbage collection (`BlobsCollected`).
    public static let blobsCollected = BlobsCollected.kind
}

/// The last acknowledged event: lets `fsck` notice lines removed from the end of the log.
struct LogHead: Codable, Equatable {
    var seq: Int
    var sha256: String
    var offset: Int
    var versions: Int
    /// When the last event happened: a writer whose clock reads earlier refuses (the clock was set back). Absent
    /// in heads written before it was kept; recovery reads it from the log's last line then.
    var at: Date?
}

/// A tag move as recorded: who moved which tag from where to where, and why.
public struct TagMove: Sendable, Equatable {
    public var tag: String
    public var from: String?
    public var to: String
    public var by: String
    public var reason: String
    public var at: Date
    public var event: Int
    /// Facts the mover recorded beyond the registry's own (the play, approver, gate, …), as stored: read them
    /// with `details(as:)`.
    public var details: [String: String]

    /// The mover's facts read as `T` (a flat Codable, see `EventFields`); a damaged one is an error naming the event.
    public func details<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try EventFields.decode(T.self, from: details)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: event, kind: EventKind.tagMoved, reason: error.reason)
        }
    }
}
