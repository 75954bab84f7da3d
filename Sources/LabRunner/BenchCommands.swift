// `LabRunner bench …`: rerunnable benchmarks whose figures the README quotes.
import Foundation
import Hashing
import Registry
import Terminal
import ToyModel

enum BenchCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "bench", abstract: "Run the kit's benchmarks and print their figures.",
            discussion: "Build with 'swift build -c release' first: debug builds are several times slower.",
            subcommands: [registrySpec(env)]
        )
    }

    /// Timing samples in milliseconds with the statistics the README quotes.
    struct Samples: Encodable {
        var count: Int
        var medianMS: Double
        var p99MS: Double

        init(_ milliseconds: [Double]) {
            let sorted = milliseconds.sorted()
            count = sorted.count
            medianMS = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            p99MS = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        }

        enum CodingKeys: String, CodingKey {
            case count
            case medianMS = "median_ms"
            case p99MS = "p99_ms"
        }
    }

    static func time(_ clock: ContinuousClock, _ body: () throws -> Void) rethrows -> Double {
        let start = clock.now
        try body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    struct RegistryFigures: Encodable {
        var shaImplementation: String
        var hashMBPerSecond: Double
        var registerFiveComponents: Samples
        var tagMove: Samples
        var versions: Int
        var listVersions: Samples
        var resolveTag: Samples
        var resolveSequence: Samples
        var resolvePrefix: Samples

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

    static func registrySpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "registry",
            abstract: "Time hashing, register, tag moves, listing and ref resolution in one process.",
            options: [
                .value("versions", "n", help: "How many versions the listing benchmark builds.", default: "10000"),
                .value("keep", "dir", help: "Keep the benchmark workspace in this new folder (for timing commands on it)."),
                Common.json,
            ]
        ) { invocation, console in
            let target = try invocation.int("versions") ?? 10_000
            guard target >= 100 else { throw UsageError("--versions must be at least 100, not \(target).") }
            let clock = env.clock
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("labrunner-bench-\(UUID().uuidString)").path
            let root: String
            if let keep = invocation.value("keep") {
                root = Workspace.absolute(keep, from: console.currentDirectory)
            } else {
                root = scratch
            }
            let workspace = try WorkspaceSetup.create(at: root, actor: "bench", now: env.now)
            defer { if invocation.value("keep") == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            let registry = try Registry(root: workspace.registryPath, now: env.now)

            var buffer = Data(count: 256 << 20)
            buffer.withUnsafeMutableBytes { raw in
                for index in stride(from: 0, to: raw.count, by: 4096) { raw[index] = UInt8(truncatingIfNeeded: index >> 12) }
            }
            let hashMS = time(clock) { _ = SHA256.hash(buffer) }
            buffer = Data()

            var components = try ComponentScanner.scan(folder: workspace.systemPath, workspaceRoot: workspace.root)
            let basePrompt: Data
            if case .file(let data)? = components["prompt.md"] { basePrompt = data } else { basePrompt = Data() }
            var registerTimes: [Double] = []
            var parent: String?
            let progress = ProgressBar(total: target, label: "registering versions", console: console)
            for n in 0..<target {
                components["prompt.md"] = .file(basePrompt + Data("\n<!-- bench \(n) -->\n".utf8))
                let metadata = VersionMetadata(owner: "bench", parent: parent, reason: "bench \(n)", createdAt: env.now())
                let snapshot = components
                let elapsed = try time(clock) {
                    parent = try registry.register(components: snapshot, lineage: nil, lineageData: nil, metadata: metadata).record.id
                }
                if n < 200 { registerTimes.append(elapsed) }
                progress.advance()
            }
            progress.finish()
            let ids = registry.versionIDs()
            var tagTimes: [Double] = []
            for n in 0..<200 {
                let id = ids[n % ids.count]
                tagTimes.append(try time(clock) { try registry.moveTag("production", to: id, by: "bench", reason: "bench move \(n)") })
            }
            var listTimes: [Double] = []
            var tagResolve: [Double] = []
            var seqResolve: [Double] = []
            var prefixResolve: [Double] = []
            for n in 0..<10 {
                listTimes.append(try time(clock) { _ = try registry.versions() })
                tagResolve.append(try time(clock) { _ = try registry.resolve("production") })
                seqResolve.append(try time(clock) { _ = try registry.resolve("#\(target / 2 + n)") })
                let prefix = String(ids[(n * 997) % ids.count].prefix(8))
                prefixResolve.append(try time(clock) { _ = try registry.resolve(prefix) })
            }
            let figures = RegistryFigures(
                shaImplementation: SHA256.implementation, hashMBPerSecond: 256 * 1.048576 / (hashMS / 1000),
                registerFiveComponents: Samples(registerTimes), tagMove: Samples(tagTimes), versions: target,
                listVersions: Samples(listTimes), resolveTag: Samples(tagResolve), resolveSequence: Samples(seqResolve),
                resolvePrefix: Samples(prefixResolve))
            if invocation.flag("json") {
                try Common.printJSON(figures, console)
                return 0
            }
            func row(_ name: String, _ samples: Samples) -> [String] {
                [name, String(format: "%.2f", samples.medianMS), String(format: "%.2f", samples.p99MS), String(samples.count)]
            }
            console.out("SHA-256 (\(figures.shaImplementation)): \(String(format: "%.0f", figures.hashMBPerSecond)) MB/s over 256 MiB in memory")
            console.writeOut(
                Table(
                    headers: ["OPERATION", "MEDIAN MS", "P99 MS", "RUNS"],
                    rows: [
                        row("register (5 components, fsync)", figures.registerFiveComponents),
                        row("tag move (fsync)", figures.tagMove),
                        row("versions (\(target))", figures.listVersions),
                        row("resolve tag", figures.resolveTag),
                        row("resolve #N", figures.resolveSequence),
                        row("resolve id prefix", figures.resolvePrefix),
                    ], alignRight: [1, 2, 3]
                ).render())
            if invocation.value("keep") != nil { console.out("Workspace kept in \(root)") }
            return 0
        }
    }
}
