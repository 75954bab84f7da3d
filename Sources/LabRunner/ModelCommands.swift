// Toy-model and eval commands: ask, train, eval run, eval compare.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Synchronization
import Terminal
import ToyModel

enum ModelCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [askSpec(env), trainSpec(env), evalSpec(env), SuiteCommands.spec(env)]
    }

    static let versionOption = OptionSpec.value(
        "version", "ref",
        help: "Use a registered version's components from the registry (default: the live system/ files).")
    static let seedOption = OptionSpec.value("seed", "n", help: "Seed for sampling (temperature > 0).", default: "1")

    static func askSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "ask", abstract: "Ask the toy support assistant a question.",
            arguments: [.required("text", help: "What the customer writes.")],
            options: [versionOption, seedOption, Common.workspace, Common.json]
        ) { invocation, console in
            let context = try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
            let system =
                try invocation.value("version").map { try context.system(for: try context.registry.resolve($0)) }
                ?? context.liveSystem()
            for warning in system.warnings { console.err("warning: \(warning)") }
            let answer = system.ask(invocation.argument("text") ?? "", seed: try invocation.uint64("seed") ?? 1)
            if invocation.flag("json") {
                try Common.printJSON(answer, console)
                return 0
            }
            console.out(answer.text)
            var facts = ["intent \(answer.intent) (\(String(format: "%.2f", answer.confidence)))"]
            facts.append(answer.citedDocument.map { "cites \($0)" } ?? "no citation")
            if answer.escalated { facts.append("escalated to a human") }
            if answer.refused { facts.append("refused") }
            facts.append(
                "version \(answer.version == "workspace" ? "workspace (unregistered live files)" : String(answer.version.prefix(12)))"
            )
            console.out(console.styled("— " + facts.joined(separator: " · "), .dim))
            return 0
        }
    }

    static func trainSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "train", abstract: "Train the intent classifier's weights from a CSV, deterministically.",
            discussion: """
                The same data and seed always give byte-identical weights; weights.json records both. The run is
                recorded in the registry (training.recorded: data hash, seed, hyperparameters, trainer version,
                output hash), which is what 'register' verifies the weights' lineage against.
                """,
            options: [
                .value("data", "file", help: "Training data (default: data/train.csv)."),
                .value("seed", "n", help: "Training seed.", default: String(DefaultSystem.defaultSeed)),
                .value("out", "file", help: "Where to write the weights (default: system/weights.json)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let workspace = try Common.workspace(invocation, console)
            let dataPath =
                invocation.value("data").map { Workspace.absolute($0, from: console.currentDirectory) }
                ?? workspace.trainingDataPath
            let outPath =
                invocation.value("out").map { Workspace.absolute($0, from: console.currentDirectory) }
                ?? workspace.systemPath + "/weights.json"
            guard let csv = FileManager.default.contents(atPath: dataPath) else {
                throw PlaybookError.invalid("Cannot read training data \(dataPath); check the path given to --data.")
            }
            let seed = try invocation.uint64("seed") ?? DefaultSystem.defaultSeed
            let run = try Training.run(
                csv: csv, dataPath: dataPath, outPath: outPath, seed: seed, by: Common.currentUser(console),
                in: workspace, now: env.now)
            let weightsHash = run.weightsSHA256
            let dataHash = run.dataSHA256
            if invocation.flag("json") {
                try Common.printJSON(
                    [
                        "weights": outPath, "weights_sha256": weightsHash, "data_sha256": dataHash,
                        "seed": String(seed),
                        "training_event": String(run.event),
                    ],
                    console)
            } else {
                console.out(
                    "Trained \(outPath) (sha256 \(weightsHash.prefix(12))) from \(dataPath) (sha256 \(dataHash.prefix(12))), seed \(seed)"
                )
                console.out("Recorded as training run event #\(run.event): register checks weights against it.")
            }
            return 0
        }
    }

    static func evalSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "eval", abstract: "Run eval suites and compare versions statistically.",
            subcommands: [evalRunSpec(env), evalCompareSpec(env)])
    }

    static let suiteOption = OptionSpec.value(
        "suite", "name", help: "Suite file in evals/ (default: the standard suite as pinned in the registry).")
    static let repeatsOption = OptionSpec.value("repeats", "n", help: "Runs per case (use 30 when temperature > 0).")

    static func repeats(_ invocation: Invocation) throws -> Int? {
        guard let repeats = try invocation.int("repeats") else { return nil }
        guard repeats >= 1 else {
            throw UsageError("--repeats must be at least 1, not \(repeats): an eval needs at least one run per case.")
        }
        return repeats
    }

    static func evalRunSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "run", abstract: "Run an eval suite; against a registered version the result is recorded.",
            options: [versionOption, suiteOption, repeatsOption, seedOption, Common.out, Common.workspace, Common.json]
        ) { invocation, console in
            let context = try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
            let record = try invocation.value("version").map { try context.registry.resolve($0) }
            let system = try record.map { try context.system(for: $0) } ?? context.liveSystem()
            let suite =
                try invocation.value("suite").map { try context.suite(named: $0, for: system) }
                ?? context.pinnedStandardSuite(for: system, by: Common.currentUser(console))
            let repeats = try repeats(invocation) ?? 1
            let progress = ProgressHolder(console: console, label: "eval \(suite.name)")
            let result = try EvalRunner.run(
                suite: suite, system: system, seed: try invocation.uint64("seed") ?? context.settings.evalSeed,
                repeats: repeats, progress: { progress.update($0, $1) })
            progress.finish()
            let summary = try record.map { _ in
                try EvalLedger.record(result, source: .evalRun, actor: Common.currentUser(console), in: context)
            }
            try Common.saveOut(result, invocation, console)
            if invocation.flag("json") {
                try Common.printJSON(EvalRunJSON(result: result, recorded: summary != nil), console)
                return 0
            }
            EvalRendering.printResult(result, console)
            if system.temperature > 0, repeats < 10 {
                console.out(
                    console.styled(
                        "note: temperature \(system.temperature) samples; use --repeats 30 for a stable rate.", .yellow)
                )
            }
            console.out(
                summary == nil
                    ? "Not recorded: these are the live workspace files; register them, or pass --version REF."
                    : "Recorded in the registry as evidence for version \(result.version.prefix(12)).")
            return 0
        }
    }

    struct EvalRunJSON: Encodable {
        var result: EvalResult
        var recorded: Bool

        func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(recorded, forKey: .recorded)
        }

        enum CodingKeys: String, CodingKey { case recorded }
    }

    static func evalCompareSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "compare",
            abstract: "Run two versions on the same suite and test whether B is better, worse or indistinguishable.",
            discussion:
                "The case is the unit: each case's pass fraction over its repeats is paired with the other run's, and "
                + "the verdict comes from a two-sided sign-flip permutation test on the per-case differences (exact, "
                + "or 20000 seeded draws when the distribution is too big), with a 95% t-interval over cases. "
                + "See Docs/evals.md.",
            arguments: [
                .required(
                    "a", help: "The baseline version: #N, an id prefix or a tag.", missingHint: Common.quoteRefHint),
                .required(
                    "b", help: "The version to judge: #N, an id prefix or a tag.", missingHint: Common.quoteRefHint),
            ],
            options: [
                suiteOption, repeatsOption, seedOption,
                .value("seed-b", "n", help: "Give B its own seed (default: the same seeds as A)."),
                .value("alpha", "p", help: "Significance level.", default: "0.01"),
                .flag("allow-different-suites", help: "Compare even if the two results used different suite files."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
            let a = try context.registry.resolve(invocation.argument("a") ?? "")
            let b = try context.registry.resolve(invocation.argument("b") ?? "")
            let systemA = try context.system(for: a)
            let systemB = try context.system(for: b)
            let suite =
                try invocation.value("suite").map { try context.suite(named: $0, for: systemB) }
                ?? context.pinnedStandardSuite(for: systemB, by: Common.currentUser(console))
            let sampled = systemA.temperature > 0 || systemB.temperature > 0
            let repeats = try repeats(invocation) ?? (sampled ? 30 : 1)
            let seed = try invocation.uint64("seed") ?? context.settings.evalSeed
            let alpha = try invocation.double("alpha") ?? 0.01
            guard alpha > 0, alpha < 1 else { throw UsageError("--alpha must be between 0 and 1, not \(alpha).") }
            let progress = ProgressHolder(console: console, label: "eval compare")
            let resultA = try EvalRunner.run(
                suite: suite, system: systemA, seed: seed, repeats: repeats, progress: { progress.update($0, $1 * 2) })
            let resultB = try EvalRunner.run(
                suite: suite, system: systemB, seed: try invocation.uint64("seed-b") ?? seed, repeats: repeats,
                progress: { progress.update($0 + $1, $1 * 2) })
            progress.finish()
            let comparison = try EvalComparer.compare(
                resultA, resultB, alpha: alpha, allowDifferentSuites: invocation.flag("allow-different-suites"))
            let actor = Common.currentUser(console)
            try EvalLedger.record(resultA, source: .evalCompare, actor: actor, in: context)
            try EvalLedger.record(resultB, source: .evalCompare, actor: actor, in: context)
            if invocation.flag("json") {
                try Common.printJSON(comparison, console)
                return 0
            }
            console.out("A #\(a.seq) \(a.shortID): \(EvalRendering.rate(resultA))")
            console.out("B #\(b.seq) \(b.shortID): \(EvalRendering.rate(resultB))")
            EvalRendering.printComparison(comparison, console)
            return 0
        }
    }
}

/// A progress bar that appears only for work that takes over a second, fed from eval callbacks.
final class ProgressHolder: Sendable {
    private let bar: Mutex<ProgressBar?>
    private let console: Console
    private let label: String

    init(console: Console, label: String) {
        self.console = console
        self.label = label
        bar = Mutex(nil)
    }

    func update(_ done: Int, _ total: Int) {
        bar.withLock { bar in
            if bar == nil { bar = ProgressBar(total: total, label: label, console: console) }
            bar?.advance()
        }
    }

    func finish() { bar.withLock { $0?.finish() } }
}

enum EvalRendering {
    static func rate(_ result: EvalResult) -> String {
        String(
            format: "pass rate %.1f%% (95%% CI %.1f–%.1f%%, case-level), %d cases × %d repeats, temperature %g",
            result.passRate * 100,
            result.ciLow * 100, result.ciHigh * 100, result.cases.count, result.repeats, result.temperature)
    }

    static func printResult(_ result: EvalResult, _ console: Console) {
        console.out(
            "Suite \(result.suite) (sha256 \(result.suiteSHA256.prefix(12))) on \(result.version == "workspace" ? "the live workspace" : "version " + result.version.prefix(12))"
        )
        console.out(rate(result))
        if let method = result.ciMethod { console.out(console.styled("Interval: \(method).", .dim)) }
        let rows = result.categories.sorted(by: { $0.key < $1.key }).map { name, category in
            [name, String(format: "%.1f%%", category.passRate * 100), String(category.cases)]
        }
        if !rows.isEmpty {
            console.writeOut(Table(headers: ["CATEGORY", "PASS", "CASES"], rows: rows, alignRight: [1, 2]).render())
        }
    }

    static func printComparison(_ comparison: Comparison, _ console: Console) {
        let style: Style = comparison.verdict == .worse ? .red : comparison.verdict == .better ? .green : .bold
        console.out("Verdict: \(console.styled(comparison.verdict.rawValue, style))")
        console.out(
            String(
                format: "Δ pass rate (B − A, mean per case) %+.1f points, 95%% CI [%+.1f, %+.1f]; p = %.4g at alpha %g",
                comparison.delta * 100, comparison.deltaLow * 100, comparison.deltaHigh * 100, comparison.pValue,
                comparison.alpha))
        let tied = comparison.cases - comparison.casesAHigher - comparison.casesBHigher
        console.out(
            "Cases: \(comparison.cases) paired; A higher in \(comparison.casesAHigher), B higher in "
                + "\(comparison.casesBHigher), tied in \(tied)")
        console.out("Test: \(comparison.test)")
        console.out("Interval: \(comparison.interval)")
    }
}
