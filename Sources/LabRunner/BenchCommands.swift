// `LabRunner bench …`: rerunnable benchmarks whose figures the README quotes.
import Foundation
import Evals
import Hashing
import Playbook
import Registry
import Terminal
import ToyModel

enum BenchCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "bench", abstract: "Run the kit's benchmarks and print their figures.",
            discussion: "Build with 'swift build -c release' first: debug builds are several times slower.",
            subcommands: [registrySpec(env), modelSpec(env), playbookSpec(env)]
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
            p99MS =
                sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
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
                .value(
                    "keep", "dir", help: "Keep the benchmark workspace in this new folder (for timing commands on it)."),
                Common.json,
            ]
        ) { invocation, console in
            let target = try invocation.int("versions") ?? 10_000
            guard target >= 100 else { throw UsageError("--versions must be at least 100, not \(target).") }
            let clock = env.clock
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "labrunner-bench-\(UUID().uuidString)"
            ).path
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
                for index in stride(from: 0, to: raw.count, by: 4096) {
                    raw[index] = UInt8(truncatingIfNeeded: index >> 12)
                }
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
                let metadata = VersionMetadata(
                    owner: "bench", parent: parent, reason: "bench \(n)", createdAt: env.now())
                let snapshot = components
                let elapsed = try time(clock) {
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
                    try time(clock) {
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
                listTimes.append(try time(clock) { _ = try cold().versionSummaries() })
                tagResolve.append(try time(clock) { _ = try cold().resolve("production") })
                seqResolve.append(try time(clock) { _ = try cold().resolve("#\(target / 2 + n)") })
                let prefix = String(ids[(n * 997) % ids.count].prefix(8))
                prefixResolve.append(try time(clock) { _ = try cold().resolve(prefix) })
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
                [
                    name, String(format: "%.2f", samples.medianMS), String(format: "%.2f", samples.p99MS),
                    String(samples.count),
                ]
            }
            console.out(
                "SHA-256 (\(figures.shaImplementation)): \(String(format: "%.0f", figures.hashMBPerSecond)) MB/s over 256 MiB in memory"
            )
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

    static func seconds(_ milliseconds: Double) -> String { String(format: "%.3f s", milliseconds / 1000) }

    /// A throwaway workspace for a benchmark, removed afterwards unless --keep names a folder.
    static func benchWorkspace(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> (
        Workspace, Bool
    ) {
        if let keep = invocation.value("keep") {
            return (
                try WorkspaceSetup.create(
                    at: Workspace.absolute(keep, from: console.currentDirectory), actor: "bench", now: env.now), true
            )
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "labrunner-bench-\(UUID().uuidString)"
        ).path
        return (try WorkspaceSetup.create(at: scratch, actor: "bench", now: env.now), false)
    }

    struct ModelFigures: Encodable {
        var asksPerSecond: Double
        var evalCore30RepeatsMS: Double
        var trainMS: Double
        var falseAlarms: Int?
        var seedPairs: Int?
        var regressionDetected: Int?
        var smallerRegressionDetected: Int?

        enum CodingKeys: String, CodingKey {
            case asksPerSecond = "asks_per_second"
            case evalCore30RepeatsMS = "eval_core_30_repeats_ms"
            case trainMS = "train_ms"
            case falseAlarms = "false_alarms"
            case seedPairs = "seed_pairs"
            case regressionDetected = "regression_detected"
            case smallerRegressionDetected = "smaller_regression_detected"
        }
    }

    static func modelSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "model",
            abstract:
                "Time in-process answers, an eval of core with 30 repeats, and training; optionally calibrate compare.",
            options: [
                .flag(
                    "calibration",
                    help:
                        "Also run 100 seed pairs at temperature 0.7: false alarms, and detection of lab 05's "
                        + "escalation regression and of a smaller one."),
                Common.json,
            ]
        ) { invocation, console in
            let (workspace, _) = try benchWorkspace(invocation, console, env)
            defer { try? FileManager.default.removeItem(atPath: workspace.root) }
            let context = try PlayContext(workspace: workspace, now: env.now)
            let system = try context.liveSystem()
            let suite = try context.suite(named: "core", for: system)
            let inputs = suite.cases.map(\.input)
            let asks = 200_000
            var sink = 0
            let askMS = time(env.clock) {
                for index in 0..<asks { sink &+= system.ask(inputs[index % inputs.count], seed: 1).text.count }
            }
            let evalMS = try time(env.clock) {
                _ = try EvalRunner.run(suite: suite, system: system, seed: 1, repeats: 30)
            }
            let csv = try Data(contentsOf: URL(fileURLWithPath: workspace.trainingDataPath))
            let trainMS = try time(env.clock) {
                _ = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: SHA256.hash(csv).hex, seed: 42)
            }
            var figures = ModelFigures(
                asksPerSecond: Double(asks) / (askMS / 1000), evalCore30RepeatsMS: evalMS,
                trainMS: trainMS + Double(sink & 0))
            if invocation.flag("calibration") {
                let calibration = try calibrate(workspace, console)
                figures.falseAlarms = calibration.alarms
                figures.seedPairs = calibration.pairs
                figures.regressionDetected = calibration.detected
                figures.smallerRegressionDetected = calibration.smallerDetected
            }
            if invocation.flag("json") {
                try Common.printJSON(figures, console)
                return 0
            }
            console.out(
                String(format: "ask (in-process, temperature 0): %.0f answers/s on one core", figures.asksPerSecond))
            console.out("eval run core × 30 repeats: \(seconds(evalMS))")
            console.out("train on the shipped data: \(seconds(trainMS))")
            if let alarms = figures.falseAlarms, let detected = figures.regressionDetected,
                let smaller = figures.smallerRegressionDetected, let pairs = figures.seedPairs
            {
                console.out(
                    "eval compare at temperature 0.7, 30 repeats, \(pairs) seed pairs (case-level sign-flip test):")
                console.out(
                    "  shipped system vs itself (independent seeds): \(pairs - alarms) indistinguishable, \(alarms) false alarms"
                )
                console.out(
                    "  vs the escalation regression (refund_over_500 and legal_threat dropped): worse in \(detected) of \(pairs)"
                )
                console.out("  vs a smaller regression (legal_threat dropped): worse in \(smaller) of \(pairs) (power)")
            }
            return 0
        }
    }

    /// 100 independent seed pairs at temperature 0.7 with 30 repeats: how often compare cries wolf on the
    /// shipped system against itself, how often it calls lab 05's escalation regression (two triggers
    /// dropped) worse, and its power against a smaller regression (one trigger dropped). A regressed run
    /// shares its baseline's seeds, as `eval compare` does by default.
    static func calibrate(_ workspace: Workspace, _ console: Console) throws -> (
        pairs: Int, alarms: Int, detected: Int, smallerDetected: Int
    ) {
        let pairs = 100
        let configPath = workspace.systemPath + "/config.json"
        let promptPath = workspace.systemPath + "/prompt.md"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let sampled = try ToySystem(directory: workspace.systemPath)
        let prompt = try String(contentsOfFile: promptPath, encoding: .utf8)
        let directive = "escalate: refund_over_500, legal_threat, account_takeover"
        func variant(_ replacement: String) throws -> ToySystem {
            guard prompt.contains(directive) else {
                throw PlaybookError.invalid("The shipped prompt no longer has '\(directive)'; update the calibration.")
            }
            try prompt.replacingOccurrences(of: directive, with: replacement).write(
                toFile: promptPath, atomically: true, encoding: .utf8)
            return try ToySystem(directory: workspace.systemPath)
        }
        let regressed = try variant("escalate: account_takeover")
        let smaller = try variant("escalate: refund_over_500, account_takeover")
        let data = try Data(contentsOf: URL(fileURLWithPath: workspace.evalsPath + "/core.jsonl"))
        let suite = try EvalSuite(
            name: "core", data: data, sha256: SHA256.hash(data).hex, fileName: "evals/core.jsonl",
            knownIntents: sampled.intents)
        let progress = ProgressBar(total: pairs, label: "calibrating", console: console)
        var alarms = 0
        var detected = 0
        var smallerDetected = 0
        for pair in 0..<pairs {
            let seed = UInt64(10_000 + pair)
            let a = try EvalRunner.run(suite: suite, system: sampled, seed: seed, repeats: 30)
            let b = try EvalRunner.run(suite: suite, system: sampled, seed: UInt64(20_000 + pair), repeats: 30)
            if try EvalComparer.compare(a, b).verdict != .indistinguishable { alarms += 1 }
            let worse = try EvalRunner.run(suite: suite, system: regressed, seed: seed, repeats: 30)
            if try EvalComparer.compare(a, worse).verdict == .worse { detected += 1 }
            let slightly = try EvalRunner.run(suite: suite, system: smaller, seed: seed, repeats: 30)
            if try EvalComparer.compare(a, slightly).verdict == .worse { smallerDetected += 1 }
            progress.advance()
        }
        progress.finish()
        return (pairs, alarms, detected, smallerDetected)
    }

    struct PlaybookFigures: Encodable {
        var rollbackWithoutConfirm: Samples
        var trafficRequestsPerSecond: Double
        var gcVersions: Int
        var gcMS: Double
        var gcCollected: Int
        var auditRecords: Int
        var auditLookup: Samples

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

    static func playbookSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "playbook",
            abstract:
                "Time rollback, in-process traffic, gc over many versions and audit lookups in a big request log.",
            options: [
                .value("versions", "n", help: "Versions registered for the gc benchmark.", default: "10000"),
                .value(
                    "requests", "n", help: "Records in the attribution log for the audit benchmark.", default: "1000000"
                ),
                .value(
                    "keep", "dir", help: "Keep the benchmark workspace in this new folder (to time commands on it)."),
                Common.json,
            ]
        ) { invocation, console in
            let versionCount = try invocation.int("versions") ?? 10_000
            let requestCount = try invocation.int("requests") ?? 1_000_000
            guard versionCount >= 10, requestCount >= 1000 else {
                throw UsageError("Use at least 10 versions and 1000 requests.")
            }
            let (workspace, kept) = try benchWorkspace(invocation, console, env)
            defer { if !kept { try? FileManager.default.removeItem(atPath: workspace.root) } }
            let clock = env.clock
            let context = try PlayContext(workspace: workspace, now: env.now)
            let registry = context.registry
            let good = try RegisterPlay.run(
                RegisterRequest(owner: "bench", reason: "baseline", parent: nil, root: true), in: context
            ).record
            let promote = PromoteRequest(ref: good.id, approver: "bench")
            _ = try PromotePlay.move(
                promote, gate: try PromotePlay.gate(promote, in: context), canary: nil, in: context)
            let traffic = try Traffic.run(requests: 20_000, rate: 0, seed: 1, in: context)

            var rollbacks: [Double] = []
            let prompt = try String(contentsOfFile: workspace.systemPath + "/prompt.md", encoding: .utf8)
            for round in 0..<20 {
                try (prompt + "\nBench change \(round).\n").write(
                    toFile: workspace.systemPath + "/prompt.md", atomically: true, encoding: .utf8)
                let bad = try RegisterPlay.run(
                    RegisterRequest(owner: "bench", reason: "round \(round)", parent: good.id, root: false), in: context
                ).record
                let request = PromoteRequest(ref: bad.id, approver: "bench", force: true, reason: "bench")
                _ = try PromotePlay.move(
                    request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
                rollbacks.append(
                    try time(clock) {
                        _ = try RollbackPlay.run(
                            RollbackRequest(
                                ref: good.id, reason: "bench", incident: nil, detectedAt: nil, by: "bench",
                                confirm: false), in: context)
                    })
            }

            _ = try Experiments.start(name: "bench", from: good.id, ttl: "1s", by: "bench", in: context)
            var components = try ComponentScanner.scan(folder: workspace.systemPath, workspaceRoot: workspace.root)
            let progress = ProgressBar(total: versionCount, label: "registering versions", console: console)
            let expiry = Timestamp.string(from: env.now().addingTimeInterval(-1))
            for n in 0..<versionCount {
                components["notes.md"] = .file(Data("bench version \(n)\n".utf8))
                let extra = n % 2 == 0 ? ["experiment": "bench", "expires_at": expiry] : [:]
                _ = try registry.register(
                    components: components, lineage: nil, lineageData: nil,
                    metadata: VersionMetadata(
                        owner: "bench", parent: good.id, reason: "bench \(n)", createdAt: env.now(), extra: extra))
                progress.advance()
            }
            progress.finish()
            var plan: GCPlan?
            let gcMS = try time(clock) { plan = try GCPlay.run(dryRun: false, by: "bench", in: context) }

            let log = AttributionLog(registryRoot: registry.root)
            let template = try log.recent(limit: 1).first
            let fill = ProgressBar(total: requestCount, label: "filling the request log", console: console)
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
                lookups.append(try time(clock) { _ = try AttributionLog(registryRoot: registry.root).lookup(id) })
            }
            let figures = PlaybookFigures(
                rollbackWithoutConfirm: Samples(rollbacks), trafficRequestsPerSecond: traffic.requestsPerSecond,
                gcVersions: versionCount, gcMS: gcMS, gcCollected: plan?.versions.count ?? 0, auditRecords: written,
                auditLookup: Samples(lookups))
            if invocation.flag("json") {
                try Common.printJSON(figures, console)
                return 0
            }
            console.out(
                String(
                    format: "rollback without the confirmation eval: median %.2f ms, p99 %.2f ms",
                    figures.rollbackWithoutConfirm.medianMS, figures.rollbackWithoutConfirm.p99MS))
            console.out(
                String(
                    format: "traffic in-process (with the log append): %.0f requests/s",
                    figures.trafficRequestsPerSecond))
            console.out("gc over \(versionCount) versions: \(seconds(gcMS)), collected \(figures.gcCollected)")
            console.out(
                String(
                    format: "audit lookup in a log of %d requests: median %.3f ms, p99 %.3f ms", written,
                    figures.auditLookup.medianMS, figures.auditLookup.p99MS))
            if kept {
                console.out("Workspace kept in \(workspace.root); time 'LabRunner audit \(ids.last ?? "")' there.")
            }
            return 0
        }
    }
}
