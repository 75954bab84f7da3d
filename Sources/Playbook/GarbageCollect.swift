// Play 6, gc: delete the heavy blobs of expired versions that never held production and no live tag
// reaches; never a blob shared with a kept version. Metadata, eval results and events stay forever.
import Foundation
import Hashing
import Registry

public struct GCPlan: Encodable, Sendable, Equatable {
    public var versions: [String]
    public var blobs: [String]
    public var bytes: Int
    public var dryRun: Bool

    enum CodingKeys: String, CodingKey {
        case versions, blobs, bytes
        case dryRun = "dry_run"
    }
}

public enum GCPlay {
    public static let plannedEvent = "gc.planned"
    /// What a collection at `now` would delete.
    public static func plan(in context: PlayContext) throws -> GCPlan {
        let registry = context.registry
        let events = try registry.events()
        let versions = try registry.versions()
        let now = context.now()
        let everProduction = Set(
            events.filter { $0.kind == EventKind.tagMoved && $0.data["tag"] == "production" }
                .compactMap { $0.data["to"] })
        let experiments = Experiments.all(events: events)
        let deadTags = Set(experiments.filter { !$0.active || $0.expiresAt < now }.map(\.tag))
        let liveTargets = Set(registry.tags().filter { !deadTags.contains($0.key) }.map(\.value))
        var collected = Set<String>()
        for event in events where event.kind == EventKind.blobsCollected {
            collected.formUnion((event.data["versions"] ?? "").split(separator: " ").map(String.init))
        }
        var expired: [VersionRecord] = []
        var kept: [VersionRecord] = []
        for version in versions where !collected.contains(version.id) {
            let expiry = version.metadata.extra["expires_at"].flatMap(Timestamp.date(from:))
            if let expiry, expiry < now, !everProduction.contains(version.id), !liveTargets.contains(version.id) {
                expired.append(version)
            } else {
                kept.append(version)
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
            bytes: deletable.reduce(0) { $0 + registry.objects.size(of: $1) }, dryRun: true)
    }

    /// Plans and, unless `dryRun`, deletes under the writer lock (so no register can re-share a doomed blob
    /// meanwhile). The event is written first: a crash mid-deletion leaves blobs behind, never a lie.
    /// A dry run is recorded too (`gc.planned`), so a review can see that the plan was looked at first.
    public static func run(dryRun: Bool, by actor: String, in context: PlayContext) throws -> GCPlan {
        if dryRun {
            return try context.registry.write { writer in
                let plan = try plan(in: context)
                try writer.append(
                    kind: plannedEvent, actor: actor,
                    data: [
                        "versions": plan.versions.joined(separator: " "), "blobs": plan.blobs.joined(separator: " "),
                        "bytes": String(plan.bytes),
                    ])
                return plan
            }
        }
        return try context.registry.write { writer in
            var plan = try plan(in: context)
            plan.dryRun = false
            guard !plan.versions.isEmpty else { return plan }
            try writer.append(
                kind: EventKind.blobsCollected, actor: actor,
                data: [
                    "versions": plan.versions.joined(separator: " "), "blobs": plan.blobs.joined(separator: " "),
                    "bytes": String(plan.bytes), "reason": "retention expired; never held production; no live tag",
                ])
            for hash in plan.blobs { try context.registry.objects.remove(hash) }
            return plan
        }
    }
}
