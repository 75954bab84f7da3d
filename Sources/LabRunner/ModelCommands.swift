// Toy-model and eval commands: ask, train, eval run, eval compare.
import Evals
import Foundation
import Playbook
import Registry
import Terminal
import ToyModel

enum ModelCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [askSpec(env), trainSpec(env), evalSpec(env), SuiteCommands.spec(env)]
    }

    static let versionOption = Option<String?>(
        "version", "ref",
        help: "Use a registered version's components from the registry (default: the live system/ files).")
    static let seedOption = Option<UInt64>("seed", "n", help: "Seed for sampling (temperature > 0).", default: 1)
    static let question = Argument<String>("text", help: "What the customer writes.")

    static func askSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "ask", abstract: "Ask the toy support assistant a question.", arguments: [question],
            options: [versionOption, seedOption, Common.workspace, Common.json]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let system =
                try invocation[versionOption].map { try context.system(for: try context.registry.resolve($0)) }
                ?? context.liveSystem()
            for warning in system.warnings { console.err("warning: \(warning)") }
            let answer = system.ask(try invocation[question], seed: try invocation[seedOption])
            if try invocation[Common.json] {
                try Common.printJSON(answer, console)
                return 0
            }
            var facts = ["intent \(answer.intent) (\(String(format: "%.2f", answer.confidence)))"]
            facts.append(answer.citedDocument.map { "cites \($0)" } ?? "no citation")
            if answer.escalated { facts.append("escalated to a human") }
            if answer.refused { facts.append("refused") }
            facts.append(
                "version \(answer.version == "workspace" ? "workspace (unregistered live files)" : String(answer.version.prefix(12)))"
            )
            console.out(answer.text)
            console.out(console.styled("— " + facts.joined(separator: " · "), .dim))
            return 0
        }
    }

    static let data = Option<String?>("data", "file", help: "Training data (default: data/train.csv).")
    static let trainingSeed = Option<UInt64>("seed", "n", help: "Training seed.", default: DefaultSystem.defaultSeed)
    static let weightsOut = Option<String?>(
        "out", "file", help: "Where to write the weights (default: system/weights.json).")

    static func trainSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "train", abstract: "Train the intent classifier's weights from a CSV, deterministically.",
            discussion: """
                The same data and seed always give byte-identical weights; weights.json records both. The run is
                recorded in the registry (training.recorded: data hash, seed, hyperparameters, trainer version,
                output hash), which is what 'register' verifies the weights' lineage against.
                """,
            options: [data, trainingSeed, weightsOut, Common.workspace, Common.json]
        ) { invocation, console in
            let workspace = try Common.workspace(invocation, console)
            let dataPath = try invocation[data].map { Common.path($0, console) } ?? workspace.trainingDataPath
            let outPath =
                try invocation[weightsOut].map { Common.path($0, console) } ?? workspace.systemPath + "/weights.json"
            guard let csv = FileManager.default.contents(atPath: dataPath) else {
                throw PlaybookError.invalid("Cannot read training data \(dataPath); check the path given to --data.")
            }
            let seed = try invocation[trainingSeed]
            let run = try Training.run(
                csv: csv, dataPath: dataPath, outPath: outPath, seed: seed, by: Common.currentUser(console),
                in: workspace, now: env.now)
            if try invocation[Common.json] {
                try Common.printJSON(
                    [
                        "weights": outPath, "weights_sha256": run.weightsSHA256, "data_sha256": run.dataSHA256,
                        "seed": String(seed), "training_event": String(run.event),
                    ], console)
                return 0
            }
            console.out(
                "Trained \(outPath) (sha256 \(run.weightsSHA256.prefix(12))) from \(dataPath) (sha256 \(run.dataSHA256.prefix(12))), seed \(seed)"
            )
            console.out("Recorded as training run event #\(run.event): register checks weights against it.")
            return 0
        }
    }

    static func evalSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "eval", abstract: "Run eval suites and compare versions statistically.",
            subcommands: [evalRunSpec(env), evalCompareSpec(env)])
    }

    static let suiteOption = Option<String?>(
        "suite", "name", help: "Suite file in evals/ (default: the standard suite as pinned in the registry).")
    static let repeatsOption = Option<Int?>(
        "repeats", "n", help: "Runs per case (use 30 when temperature > 0).",
        check: { $0 >= 1 ? nil : "--repeats must be at least 1, not \($0): an eval needs at least one run per case." })

    static func evalRunSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "run", abstract: "Run an eval suite; against a registered version the result is recorded.",
            options: [versionOption, suiteOption, repeatsOption, seedOption, Common.out, Common.workspace, Common.json]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let record = try invocation[versionOption].map { try context.registry.resolve($0) }
            let system = try record.map { try context.system(for: $0) } ?? context.liveSystem()
            let suite =
                try invocation[suiteOption].map { try context.suite(named: $0, for: system) }
                ?? context.pinnedStandardSuite(for: system, by: Common.currentUser(console))
            let repeats = try invocation[repeatsOption] ?? 1
            let progress = ProgressFeed(console: console, label: "eval \(suite.name)")
            let result = try EvalRunner.run(
                suite: suite, system: system, seed: try invocation[seedOption], repeats: repeats,
                progress: { progress.update($0, $1) })
            progress.finish()
            let recorded = try record.map { _ in
                try EvalLedger.record(result, source: "eval run", actor: Common.currentUser(console), in: context)
            }
            try Common.saveOut(result, invocation, console)
            if try invocation[Common.json] {
                try Common.printJSON(EvalRunJSON(result: result, recorded: recorded != nil), console)
                return 0
            }
            console.show { out in
                result.render(&out)
                if system.temperature > 0, repeats < 10 {
                    out.line(
                        out.styled(
                            "note: temperature \(system.temperature) samples; use --repeats 30 for a stable rate.",
                            .yellow))
                }
                out.line(
                    recorded == nil
                        ? "Not recorded: these are the live workspace files; register them, or pass --version REF."
                        : "Recorded in the registry as evidence for version \(result.version.prefix(12)).")
            }
            return 0
        }
    }

    /// `eval run --json`: the result with whether it was recorded.
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

    static let baseline = Common.ref("a", "The baseline version: #N, an id prefix or a tag.")
    static let judged = Common.ref("b", "The version to judge: #N, an id prefix or a tag.")
    static let seedB = Option<UInt64?>("seed-b", "n", help: "Give B its own seed (default: the same seeds as A).")
    static let alphaOption = Option<Double>(
        "alpha", "p", help: "Significance level.", default: 0.01,
        check: { $0 > 0 && $0 < 1 ? nil : "--alpha must be between 0 and 1, not \($0)." })
    static let allowDifferentSuites = Flag(
        "allow-different-suites", help: "Compare even if the two results used different suite files.")

    static func evalCompareSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "compare",
            abstract: "Run two versions on the same suite and test whether B is better, worse or indistinguishable.",
            discussion:
                "The case is the unit: each case's pass fraction over its repeats is paired with the other run's, and "
                + "the verdict comes from a two-sided sign-flip permutation test on the per-case differences (exact, "
                + "or 20000 seeded draws when the distribution is too big), with a 95% t-interval over cases. "
                + "See Docs/evals.md.",
            arguments: [baseline, judged],
            options: [
                suiteOption, repeatsOption, seedOption, seedB, alphaOption, allowDifferentSuites, Common.workspace,
                Common.json,
            ]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let a = try context.registry.resolve(try invocation[baseline])
            let b = try context.registry.resolve(try invocation[judged])
            let systemA = try context.system(for: a)
            let systemB = try context.system(for: b)
            let suite =
                try invocation[suiteOption].map { try context.suite(named: $0, for: systemB) }
                ?? context.pinnedStandardSuite(for: systemB, by: Common.currentUser(console))
            let sampled = systemA.temperature > 0 || systemB.temperature > 0
            let repeats = try invocation[repeatsOption] ?? (sampled ? 30 : 1)
            let seed = try invocation[seedOption]
            let alpha = try invocation[alphaOption]
            let progress = ProgressFeed(console: console, label: "eval compare")
            let resultA = try EvalRunner.run(
                suite: suite, system: systemA, seed: seed, repeats: repeats, progress: { progress.update($0, $1 * 2) })
            let resultB = try EvalRunner.run(
                suite: suite, system: systemB, seed: try invocation[seedB] ?? seed, repeats: repeats,
                progress: { progress.update($0 + $1, $1 * 2) })
            progress.finish()
            let comparison = try EvalComparer.compare(
                resultA, resultB, alpha: alpha, allowDifferentSuites: try invocation[allowDifferentSuites])
            let actor = Common.currentUser(console)
            try EvalLedger.record(resultA, source: "eval compare", actor: actor, in: context)
            try EvalLedger.record(resultB, source: "eval compare", actor: actor, in: context)
            if try invocation[Common.json] {
                try Common.printJSON(comparison, console)
                return 0
            }
            console.show { out in
                out.line("A #\(a.seq) \(a.shortID): \(resultA.rateLine)")
                out.line("B #\(b.seq) \(b.shortID): \(resultB.rateLine)")
                comparison.render(&out)
            }
            return 0
        }
    }
}
