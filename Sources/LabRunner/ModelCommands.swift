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
            return try Common.emit(
                system.ask(try invocation[question], seed: try invocation[seedOption]), invocation, console)
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
            let run = try Training.run(
                csv: csv, dataPath: dataPath, outPath: outPath, seed: try invocation[trainingSeed],
                by: Common.currentUser(console), in: workspace, now: env.now)
            return try Common.emit(run.json(weights: outPath), invocation, console) {
                run.render(&$0, weights: outPath, data: dataPath)
            }
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
            let result = try console.withProgress("eval \(suite.name)") {
                try EvalRunner.run(
                    suite: suite, system: system, seed: try invocation[seedOption], repeats: repeats, progress: $0)
            }
            let recorded = try record.map { _ in
                try EvalLedger.record(result, source: "eval run", actor: Common.currentUser(console), in: context)
            }
            try Common.saveOut(result, invocation, console)
            try Common.emit(
                EvalRunReport(
                    result: result, recorded: recorded != nil, temperature: system.temperature, repeats: repeats),
                invocation, console)
            return 0
        }
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
            let (resultA, resultB) = try console.withProgress("eval compare") { update in
                (
                    try EvalRunner.run(
                        suite: suite, system: systemA, seed: seed, repeats: repeats, progress: { update($0, $1 * 2) }),
                    try EvalRunner.run(
                        suite: suite, system: systemB, seed: try invocation[seedB] ?? seed, repeats: repeats,
                        progress: { update($0 + $1, $1 * 2) })
                )
            }
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
