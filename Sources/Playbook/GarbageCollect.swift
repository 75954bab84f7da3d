// Play 6, gc: delete the heavy blobs of expired versions that never held production, never answered a request
// in the attribution log (canary and experiment traffic included, so every audit replay keeps working) and no
// live tag reaches; never a blob shared with a kept version. Metadata, eval results and events stay forever.
import Foundation
import Hashing
public import Registry

/// A version whose blobs the collection keeps, and every rule that keeps it.
public struct GCKeptVersion: Codable, Sendable, Equatable {
    public var version: String
    public var seq: Int
    public var reasons: [String]
}

public struct GCPlan: Encodable, Sendable, Equatable {
    public var versions: [String]
    public var blobs: [String]
    public var bytes: Int
    public var dryRun: Bool
    /// Every version not yet collected whose blobs stay, with why.
    public var kept: [GCKeptVersion] = []

    enum CodingKeys: String, CodingKey {
        case versions, blobs, bytes, kept
        case dryRun = "dry_run"
    }
}

/// `gc.planned`: a dry run, recorded so a review can see the plan was looked at before anything was deleted.
public struct GCPlanned: EventPayload {
    public static let kind = "gc.planned"
    /// Space-separated full version ids, as in `BlobsCollected`.
    public var versions: String
    /// Space-separated blob hashes.
    public var blobs: String
    public var bytes: Int

    init(_ plan: GCPlan) {
        versions = plan.versions.joined(separator: " ")
        blobs = plan.blobs.joined(separator: " ")
        bytes = plan.bytes
    }
}

public enum GCPlay {
    public static let plannedEvent = GCPlanned.kind
    static let collectedReason = "retention expired; never held production; answered no request; no live tag"

    /// What a collection at `now` would delete.
    public static func plan(in context: PlayContext) throws -> GCPlan {
        let registry = context.registry
        let events = try registry.events()
        let versions = try registry.versions()
        let now = context.now()
        let everProduction = Set(
            try events.payloads(TagMoved.self).map(\.payload).filter { $0.tag == "production" }.map(\.to))
        let experiments = try Experiments.all(events: events)
        let deadTags = Set(experiments.filter { !$0.active || $0.expiresAt < now }.map(\.tag))
        let collected = Set(try events.payloads(BlobsCollected.self).flatMap(\.payload.versionIDs))
        let answered = try requestsByVersion(in: registry)
        let liveTagNames = Dictionary(grouping: registry.tags().filter { !deadTags.contains($0.key) }, by: \.value)
            .mapValues { $0.map(\.key).sorted() }
        var expired: [VersionRecord] = []
        var kept: [VersionRecord] = []
        var keptReasons: [GCKeptVersion] = []
        for version in versions where !collected.contains(version.id) {
            var reasons: [String] = []
            if everProduction.contains(version.id) { reasons.append("held production") }
            if let sources = answered[version.id] {
                let total = sources.values.reduce(0, +)
                let detail = sources.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                reasons.append(
                    "answered \(total) request(s) in the attribution log (\(detail.joined(separator: ", "))); "
                        + "their audits replay from these blobs")
            }
            if let names = liveTagNames[version.id] { reasons.append("live tag \(names.joined(separator: ", "))") }
            let expiry = try RegisterPlay.experimentExpiry(of: version)
            if let expiry, expiry >= now {
                reasons.append("retention runs until \(Timestamp.string(from: expiry))")
            } else if expiry == nil {
                reasons.append("no retention window (not an experiment version)")
            }
            if reasons.isEmpty {
                expired.append(version)
            } else {
                kept.append(version)
                keptReasons.append(GCKeptVersion(version: version.id, seq: version.seq, reasons: reasons))
            }
        }
        var manifests: [String: FolderManifest] = [:]
        func blobs(of version: VersionRecord) throws -> Set<String> {
            var result = Set<String>()
            if let lineage = version.manifest.lineage { result.insert(lineage.sha256) }
            for entry in version.manifest.components.values {
                result.insert(entry.sha256)
                guard entry.kind == .folder else { continue }
                if manifests[entry.sha256] == nil, registry.objects.contains(entry.sha256) {
                    manifests[entry.sha256] = try registry.folderListing(entry.sha256)
                }
                result.formUnion(manifests[entry.sha256]?.files.values ?? [:].values)
            }
            return result
        }
        var keep = Set<String>()
        for version in kept { keep.formUnion(try blobs(of: version)) }
        var doomed = Set<String>()
        for version in expired { doomed.formUnion(try blobs(of: version)) }
        let deletable = doomed.subtracting(keep).filter(registry.objects.contains).sorted()
        return GCPlan(
            versions: expired.map(\.id), blobs: deletable,
            bytes: deletable.reduce(0) { $0 + registry.objects.size(of: $1) }, dryRun: true, kept: keptReasons)
    }

    /// How many requests each version answered, by source (production traffic, canary, experiment, …): a
    /// version that answered a customer keeps its blobs so that `audit --replay` of that answer still works.
    static func requestsByVersion(in registry: Registry) throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        try AttributionLog(registryRoot: registry.root).forEach { record in
            counts[record.version, default: [:]][record.source, default: 0] += 1
            return true
        }
        return counts
    }

    /// Plans and, unless `dryRun`, deletes under the writer lock (so no register can re-share a doomed blob
    /// meanwhile). The event is written first: a crash mid-deletion leaves blobs behind, never a lie.
    /// A dry run is recorded too (`gc.planned`), so a review can see that the plan was looked at first.
    public static func run(dryRun: Bool, by actor: String, in context: PlayContext) throws -> GCPlan {
        if dryRun {
            return try context.registry.write { writer in
                let plan = try plan(in: context)
                try writer.append(GCPlanned(plan), actor: actor)
                return plan
            }
        }
        return try context.registry.write { writer in
            var plan = try plan(in: context)
            plan.dryRun = false
            guard !plan.versions.isEmpty else { return plan }
            try writer.append(
                BlobsCollected(versions: plan.versions, blobs: plan.blobs, bytes: plan.bytes, reason: collectedReason),
                actor: actor)
            for hash in plan.blobs { try context.registry.objects.remove(hash) }
            return plan
        }
    }
}
