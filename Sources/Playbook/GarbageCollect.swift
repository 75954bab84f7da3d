// Play 6, gc: delete the heavy blobs of expired versions that never held production, never answered a request
// in the attribution log (canary and experiment traffic included, so every audit replay keeps working), that no
// canary was started on and no live tag reaches; never a blob shared with a kept version. Metadata, eval results
// and events stay forever. Retention is the experiment's window counted from the experiment's end (from the
// version's registration while its experiment has not ended); every tag is live but the `exp-` tag of an ended
// experiment, so a running experiment's tag keeps its version whatever the clock says.
//
// Why gc cannot take the blobs of a version that answers. gc plans and deletes holding two locks, always in
// this order: the registry's writer lock, then the attribution log's. Everything that lets a version answer
// happens under one of them, and nothing holding the log's lock ever waits for the registry's:
// - A serving tag moves under the registry lock, and only to a version whose blobs are all there
//   (`Registry.moveTag`). Once recorded, that version has held production, which gc keeps for ever.
// - A canary, before its first request, checks under the registry lock that its candidate's blobs are all
//   there and records `canary.started` (Canary.swift), which gc keeps for ever too. So either gc took the lock
//   first and collected the candidate, and the canary then finds the blobs gone and refuses before answering;
//   or the canary's event is already in the log gc reads under that lock, and the candidate is kept whatever
//   the attribution log holds yet (the canary appends its answers only at the end).
// - Every request is appended under the log's lock; while gc holds it, no answer is attributed between the
//   plan that read the log and the deletion, so a version gc sees unanswered stays unanswered until its blobs
//   are gone, and a writer that checks a version's blobs under that lock before appending cannot be fooled.
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
        // A tag is dead only when the latest experiment that owns it has ended.
        let deadTags = Set(
            Dictionary(experiments.map { ($0.tag, $0) }, uniquingKeysWith: { _, latest in latest }).values
                .filter { !$0.active }.map(\.tag))
        let collected = try collectedVersions(events)
        let canaries = Dictionary(
            try events.payloads(CanaryStarted.self).map { ($0.payload.candidate, $0.event.seq) },
            uniquingKeysWith: { first, _ in first })
        let answered = try AttributionLog(registryRoot: registry.root).answeredByVersion()
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
            if let event = canaries[version.id] {
                reasons.append("a canary was started on it (event #\(event)): it answers, or answered, customers")
            }
            if let names = liveTagNames[version.id] { reasons.append("live tag \(names.joined(separator: ", "))") }
            let retention = try retentionEnd(of: version, experiments: experiments)
            if let retention, retention.end >= now {
                reasons.append("retention runs until \(Timestamp.string(from: retention.end)) (\(retention.from))")
            } else if retention == nil {
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

    /// When `version`'s retention ends, and from what it counts: its experiment's window (as started) from the
    /// experiment's end, or from the version's registration while that experiment has not ended. A version whose
    /// experiment the log does not hold keeps the expiry recorded at registration; nil for no experiment's version.
    static func retentionEnd(of version: VersionRecord, experiments: [Experiment]) throws -> (end: Date, from: String)?
    {
        let facts = try RegisterFacts.of(version)
        guard let name = facts.experiment else { return nil }
        let registered = version.metadata.createdAt
        guard let experiment = experiments.last(where: { $0.name == name && $0.startedAt <= registered }) else {
            return facts.expiresAt.map { ($0, "the expiry recorded at registration") }
        }
        let window = experiment.expiresAt.timeIntervalSince(experiment.startedAt)
        let span = TimeParsing.describe(window)
        if let ended = experiment.endedAt {
            return (
                ended.addingTimeInterval(window), "experiment \(name) ended \(Timestamp.string(from: ended)), + \(span)"
            )
        }
        return (registered.addingTimeInterval(window), "registered, + \(span); experiment \(name) has not ended")
    }

    /// Versions whose blobs a collection removed and no registration of the same content put back since.
    static func collectedVersions(_ events: [Event]) throws -> Set<String> {
        var collected: [String: Int] = [:]
        for (event, payload) in try events.payloads(BlobsCollected.self) {
            for id in payload.versionIDs { collected[id] = event.seq }
        }
        for (event, payload) in try events.payloads(VersionReregistered.self) where (payload.restoredBlobs ?? 0) > 0 {
            if let seq = collected[payload.id], seq < event.seq { collected[payload.id] = nil }
        }
        return Set(collected.keys)
    }

    /// Plans and, unless `dryRun`, deletes under the registry's writer lock and then the attribution log's (see
    /// the file's header for why that order, and why both): no register can re-share a doomed blob, no tag or
    /// canary can start serving a doomed version, and no answer can be attributed to one, meanwhile. The event
    /// is written first: a crash mid-deletion leaves blobs behind, never a lie.
    /// A dry run is recorded too (`gc.planned`), so a review can see that the plan was looked at first.
    public static func run(dryRun: Bool, by actor: String, in context: PlayContext) throws -> GCPlan {
        try context.requireOnRoster(actor)
        let log = AttributionLog(registryRoot: context.registry.root)
        if dryRun {
            return try context.registry.write { writer in
                let planned = try log.holdingWriterLock { try plan(in: context) }
                try writer.append(GCPlanned(planned), actor: actor)
                return planned
            }
        }
        return try context.registry.write { writer in
            try log.holdingWriterLock { () throws -> GCPlan in
                var plan = try plan(in: context)
                plan.dryRun = false
                guard !plan.versions.isEmpty else { return plan }
                try writer.append(
                    BlobsCollected(
                        versions: plan.versions, blobs: plan.blobs, bytes: plan.bytes, reason: collectedReason),
                    actor: actor)
                for hash in plan.blobs { try context.registry.objects.remove(hash) }
                return plan
            }
        }
    }
}
