// Whether a version can still answer: every blob its components need is in the store. A version gc collected
// (or whose blobs were deleted by hand) can never be given a serving tag, and identical content registered
// again puts its blobs back.
import Foundation
import Hashing

extension Registry {
    /// The tags that serving reads: `serve`, `traffic` and every rollback answer from `production`.
    public static let servingTags: Set<String> = ["production"]

    /// The first component (in name order) of `record` whose blob, folder listing or folder file is not in the
    /// store; nil when all are. Costs one `stat` per blob and one read per folder listing.
    public func missingComponent(of record: VersionRecord) -> String? {
        for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
            guard objects.contains(entry.sha256) else { return name }
            guard entry.kind == .folder else { continue }
            // A listing that does not read is a component that cannot be loaded: missing, for this purpose.
            guard let listing = try? folderListing(entry.sha256) else { return name }
            if listing.files.values.contains(where: { !objects.contains($0) }) { return name }
        }
        return nil
    }

    /// Refuses `action` ("point production at", "start a canary on") on a version whose blobs are not all
    /// in the store, saying when gc collected them if it did.
    public func requireArtifacts(of record: VersionRecord, to action: String) throws {
        guard let component = missingComponent(of: record) else { return }
        throw RegistryError.artifactsMissing(
            action: action, version: "#\(record.seq) \(record.shortID)", component: component,
            collectedAt: try collection(of: record.id).map { Timestamp.string(from: $0.at) })
    }
}

extension Registry.Writer {
    /// Stores every blob of `prepared` that the store lacks (a version gc collected, registered again with the
    /// same content); returns how many it stored. Under the writer lock, so gc cannot remove them meanwhile.
    public func restoreBlobs(of prepared: Registry.PreparedVersion) throws -> Int {
        var restored = 0
        for (hash, data) in prepared.blobs.sorted(by: { $0.key < $1.key }) where !registry.objects.contains(hash) {
            try registry.objects.store(data, as: hash)
            restored += 1
        }
        return restored
    }
}
