// `requests`: the attribution log's most recent requests, optionally only one version's, and input retention
// applied on demand.
import Foundation
public import Registry

public enum RequestListing {
    /// The last `limit` requests, oldest first; with `version` (a ref), only those that version answered.
    public static func recent(limit: Int, version ref: String?, in context: PlayContext) throws -> [RequestRecord] {
        let log = AttributionLog(registryRoot: context.registry.root)
        guard let ref else { return try log.recent(limit: limit) }
        let version = try context.registry.resolve(ref).id
        var matching: [RequestRecord] = []
        try log.forEach { record in
            if record.version == version { matching.append(record) }
            return true
        }
        return Array(matching.suffix(limit))
    }

    /// Drops the input text of requests older than the workspace's retention (their SHA-256 stays); returns how
    /// many.
    public static func applyRetention(in context: PlayContext) throws -> Int {
        let now = context.now()
        return try AttributionLog(registryRoot: context.registry.root).dropInputs(
            answeredBefore: context.settings.inputCutoff(now: now), now: now)
    }
}
