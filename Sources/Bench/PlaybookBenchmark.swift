// `bench playbook`: rollback, in-process traffic, gc over many versions and audit lookups in a big request log.
import Foundation
import Hashing
import Playbook
import Registry
import Terminal

public struct PlaybookFigures: Encodable, Sendable {
    public var rollbackWithoutConfirm: Samples
    public var trafficRequestsPerSecond: Double
    public var gcVersions: Int
    public var gcMS: Double
    public var gcCollected: Int
    public var auditRecords: Int
    public var auditLookup: Samples
    /// The workspace the run was asked to keep, and a request in its log to time an audit on (not figures).
    public var keptWorkspace: String?
    public var lastRequestID: String?

    enum CodingKeys: String, CodingKey {
        case rollbackWithoutConfirm = "rollback_without_confirm"
        case trafficRequestsPerSecond = "traffic_requests_per_second"
        case gcVersions = "gc_versions"
        case gcMS = "gc_ms"
        case gcCollected = "gc_collected"
        case auditRecords = "audit_records"
        case auditLookup = "audit_lookup"
    }
}

public enum PlaybookBenchmark {
    /// `keep` names a new folder to leave the workspace in.
    public static func run(
        versions versionCount: Int, requests requestCount: Int, keep: String?, _ env: BenchEnvironment
    )
        throws -> PlaybookFigures
    {
        let workspace = try env.workspace(keep: keep)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: workspace.root) } }
        let context = try PlayContext(workspace: workspace, now: env.now)
        let registry = context.registry
        let good = try RegisterPlay.run(
            RegisterRequest(owner: "bench", reason: "baseline", parent: nil, root: true), in: context
        ).record
        let promote = PromoteRequest(ref: good.id, approver: "a-reviewer")
        _ = try PromotePlay.move(promote, gate: try PromotePlay.gate(promote, in: context), canary: nil, in: context)
        let traffic = try Traffic.run(requests: 20_000, rate: 0, seed: 1, in: context)

        var rollbacks: [Double] = []
        let prompt = try String(contentsOfFile: workspace.systemPath + "/prompt.md", encoding: .utf8)
        for round in 0..<20 {
            try (prompt + "\nBench change \(round).\n").write(
                toFile: workspace.systemPath + "/prompt.md", atomically: true, encoding: .utf8)
            let bad = try RegisterPlay.run(
                RegisterRequest(owner: "bench", reason: "round \(round)", parent: good.id, root: false), in: context
            ).record
            let request = PromoteRequest(ref: bad.id, approver: "a-reviewer", force: true, reason: "bench")
            _ = try PromotePlay.move(
                request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
            rollbacks.append(
                try env.milliseconds {
                    _ = try RollbackPlay.run(
                        RollbackRequest(
                            ref: good.id, reason: "bench", incident: nil, detectedAt: env.now(), by: "bench",
                            confirm: false), in: context)
                })
        }

        _ = try Experiments.start(name: "bench", from: good.id, ttl: "1s", by: "bench", in: context)
        var components = try ComponentScanner.scan(folder: workspace.systemPath, workspaceRoot: workspace.root)
        let progress = env.progress("registering versions", versionCount)
        let expiry = Timestamp.string(from: env.now().addingTimeInterval(-1))
        for n in 0..<versionCount {
            components["notes.md"] = .file(Data("bench version \(n)\n".utf8))
            // An experiment the log never started: its versions keep the expiry recorded here, already past.
            let extra = n % 2 == 0 ? ["experiment": "bench-expired", "expires_at": expiry] : [:]
            _ = try registry.register(
                components: components, lineage: nil, lineageData: nil,
                metadata: VersionMetadata(
                    owner: "bench", parent: good.id, reason: "bench \(n)", createdAt: env.now(), extra: extra))
            progress.advance()
        }
        progress.finish()
        var plan: GCPlan?
        let gcMS = try env.milliseconds { plan = try GCPlay.run(dryRun: false, by: "bench", in: context) }

        let log = AttributionLog(registryRoot: registry.root)
        let template = try log.recent(limit: 1).first
        let fill = env.progress("filling the request log", requestCount)
        var ids: [String] = []
        var written = 20_000
        while written < requestCount {
            let count = min(4096, requestCount - written)
            let batch = (0..<count).compactMap { offset -> RequestRecord? in
                guard var record = template else { return nil }
                record.id = String(format: "bench-%010d", written + offset)
                return record
            }
            try log.append(batch)
            if let first = batch.first { ids.append(first.id) }
            written += count
            fill.advance(by: count)
        }
        fill.finish()
        var lookups: [Double] = []
        for (index, id) in ids.enumerated() where index % max(1, ids.count / 200) == 0 {
            lookups.append(try env.milliseconds { _ = try AttributionLog(registryRoot: registry.root).lookup(id) })
        }
        return PlaybookFigures(
            rollbackWithoutConfirm: Samples(rollbacks), trafficRequestsPerSecond: traffic.requestsPerSecond,
            gcVersions: versionCount, gcMS: gcMS, gcCollected: plan?.versions.count ?? 0, auditRecords: written,
            auditLookup: Samples(lookups), keptWorkspace: keep.map { _ in workspace.root }, lastRequestID: ids.last)
    }
}
