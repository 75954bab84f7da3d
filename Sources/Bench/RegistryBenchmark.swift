// `bench registry`: hashing, register, tag moves, listing and ref resolution, timed in one process.
import Foundation
import Hashing
import Registry
import Terminal

public struct RegistryFigures: Encodable, Sendable {
    public var shaImplementation: String
    public var hashMBPerSecond: Double
    public var registerFiveComponents: Samples
    public var tagMove: Samples
    public var versions: Int
    public var listVersions: Samples
    public var resolveTag: Samples
    public var resolveSequence: Samples
    public var resolvePrefix: Samples
    /// The workspace the run was asked to keep (not part of the figures).
    public var keptWorkspace: String?

    enum CodingKeys: String, CodingKey {
        case versions
        case shaImplementation = "sha_implementation"
        case hashMBPerSecond = "hash_mb_per_s"
        case registerFiveComponents = "register_5_components"
        case tagMove = "tag_move"
        case listVersions = "list_versions"
        case resolveTag = "resolve_tag"
        case resolveSequence = "resolve_seq"
        case resolvePrefix = "resolve_prefix"
    }
}

public enum RegistryBenchmark {
    /// Registers `versions` versions (timing the first 200), then times tag moves, listing and resolving on a cold
    /// registry each time. `keep` names a new folder to leave the workspace in.
    public static func run(versions target: Int, keep: String?, _ env: BenchEnvironment) throws -> RegistryFigures {
        let workspace = try env.workspace(keep: keep)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: workspace.root) } }
        let registry = try Registry(root: workspace.registryPath, now: env.now)

        var buffer = Data(count: 256 << 20)
        buffer.withUnsafeMutableBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 4096) {
                raw[index] = UInt8(truncatingIfNeeded: index >> 12)
            }
        }
        let hashMS = env.milliseconds { _ = SHA256.hash(buffer) }
        buffer = Data()

        var components = try ComponentScanner.scan(folder: workspace.systemPath, workspaceRoot: workspace.root)
        let basePrompt: Data
        if case .file(let data)? = components["prompt.md"] { basePrompt = data } else { basePrompt = Data() }
        var registerTimes: [Double] = []
        var parent: String?
        let progress = env.progress("registering versions", target)
        for n in 0..<target {
            components["prompt.md"] = .file(basePrompt + Data("\n<!-- bench \(n) -->\n".utf8))
            let metadata = VersionMetadata(owner: "bench", parent: parent, reason: "bench \(n)", createdAt: env.now())
            let snapshot = components
            let elapsed = try env.milliseconds {
                parent = try registry.register(
                    components: snapshot, lineage: nil, lineageData: nil, metadata: metadata
                ).record.id
            }
            if n < 200 { registerTimes.append(elapsed) }
            progress.advance()
        }
        progress.finish()
        let ids = registry.versionIDs()
        var tagTimes: [Double] = []
        for n in 0..<200 {
            let id = ids[n % ids.count]
            tagTimes.append(
                try env.milliseconds {
                    try registry.moveTag("production", to: id, by: "bench", reason: "bench move \(n)")
                })
        }
        var listTimes: [Double] = []
        var tagResolve: [Double] = []
        var seqResolve: [Double] = []
        var prefixResolve: [Double] = []
        // A fresh Registry value each time, as a new process would have: no parsed events cached.
        func cold() throws -> Registry { try Registry(root: workspace.registryPath, now: env.now) }
        for n in 0..<10 {
            listTimes.append(try env.milliseconds { _ = try cold().versionSummaries() })
            tagResolve.append(try env.milliseconds { _ = try cold().resolve("production") })
            seqResolve.append(try env.milliseconds { _ = try cold().resolve("#\(target / 2 + n)") })
            let prefix = String(ids[(n * 997) % ids.count].prefix(8))
            prefixResolve.append(try env.milliseconds { _ = try cold().resolve(prefix) })
        }
        return RegistryFigures(
            shaImplementation: SHA256.implementation, hashMBPerSecond: 256 * 1.048576 / (hashMS / 1000),
            registerFiveComponents: Samples(registerTimes), tagMove: Samples(tagTimes), versions: target,
            listVersions: Samples(listTimes), resolveTag: Samples(tagResolve), resolveSequence: Samples(seqResolve),
            resolvePrefix: Samples(prefixResolve), keptWorkspace: keep.map { _ in workspace.root })
    }
}
