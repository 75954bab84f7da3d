// Toy-model and eval commands: ask, train, eval run, eval compare, and the suite pins every gate runs.
import Evals
import Foundation
import Playbook
import Registry
import Terminal
import ToyModel

enum ModelCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "ask", abstract: "Ask the toy support assistant a question.", arguments: [question],
                options: [versionOption, seedOption] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let system = try context.system(version: try invocation[versionOption])
                for warning in system.warnings { console.err("warning: \(warning)") }
                return try Common.emit(
                    system.ask(try invocation[question], seed: try invocation[seedOption]), invocation, console)
            },
            CommandSpec(
                name: "train", abstract: "Train the intent classifier's weights from a CSV, deterministically.",
                discussion: Training.discussion,
                options: [data, trainingSeed, weightsOut] + Common.io
            ) { invocation, console in
                let workspace = try Common.workspace(invocation, console)
                let report = try Training.run(
                    data: try invocation[data].map { Common.path($0, console) },
                    weights: try invocation[weightsOut].map { Common.path($0, console) },
                    seed: try invocation[trainingSeed], by: console.userName, in: workspace, now: env.now)
                return try Common.emit(report, invocation, console)
            },
            CommandSpec(
                name: "eval", abstract: "Run eval suites and compare versions statistically.",
                subcommands: [
                    CommandSpec(
                        name: "run",
                        abstract: "Run an eval suite; against a registered version the result is recorded.",
                        options: [versionOption, suiteOption, repeatsOption, seedOption, Common.out] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let plan = try EvalRunPlan(
                            version: try invocation[versionOption], suite: try invocation[suiteOption],
                            by: console.userName, in: context)
                        let repeats = try invocation[repeatsOption] ?? 1
                        let report = try console.withProgress("eval \(plan.suiteName)") {
                            try plan.run(repeats: repeats, seed: try invocation[seedOption], progress: $0)
                        }
                        try Common.saveOut(report.result, invocation, console)
                        return try Common.emit(report, invocation, console)
                    },
                    CommandSpec(
                        name: "compare",
                        abstract:
                            "Run two versions on the same suite and test whether B is better, worse or indistinguishable.",
                        discussion:
                            "The case is the unit: each case's pass fraction over its repeats is paired with the other run's, and "
                            + "the verdict comes from a two-sided sign-flip permutation test on the per-case differences (exact, "
                            + "or 20000 seeded draws when the distribution is too big), with a 95% t-interval over cases. "
                            + "See Docs/evals.md.",
                        arguments: [baseline, judged],
                        options: [
                            suiteOption, repeatsOption, seedOption, seedBOption, alphaOption, allowDifferentSuites,
                        ] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let plan = try EvalComparePlan(
                            a: try invocation[baseline], b: try invocation[judged], suite: try invocation[suiteOption],
                            by: console.userName, in: context)
                        let repeats = try invocation[repeatsOption] ?? (plan.sampled ? 30 : 1)
                        let (seed, alpha) = (try invocation[seedOption], try invocation[alphaOption])
                        let seedB = try invocation[seedBOption]
                        let report = try console.withProgress("eval compare") {
                            try plan.run(
                                repeats: repeats, seed: seed, seedB: seedB, alpha: alpha,
                                allowDifferentSuites: try invocation[allowDifferentSuites], progress: $0)
                        }
                        return try Common.emit(report, invocation, console)
                    },
                ]),
            SuiteCommands.spec(env), SuiteCommands.policySpec(env),
        ]
    }

    static let versionOption = Option<String?>(
        "version", "ref",
        help: "Use a registered version's components from the registry (default: the live system/ files).")
    static let seedOption = Option<UInt64>("seed", "n", help: "Seed for sampling (temperature > 0).", default: 1)
    static let question = Argument<String>("text", help: "What the customer writes.")

    static let data = Option<String?>("data", "file", help: "Training data (default: data/train.csv).")
    static let trainingSeed = Option<UInt64>("seed", "n", help: "Training seed.", default: DefaultSystem.defaultSeed)
    static let weightsOut = Option<String?>(
        "out", "file", help: "Where to write the weights (default: system/weights.json).")

    static let suiteOption = Option<String?>(
        "suite", "name", help: "Suite file in evals/ (default: the standard suite as pinned in the registry).")
    static let repeatsOption = Option<Int?>(
        "repeats", "n", help: "Runs per case (use 30 when temperature > 0).",
        check: { $0 >= 1 ? nil : "--repeats must be at least 1, not \($0): an eval needs at least one run per case." })

    static let baseline = Common.ref("a", "The baseline version: #N, an id prefix or a tag.")
    static let judged = Common.ref("b", "The version to judge: #N, an id prefix or a tag.")
    static let seedBOption = Option<UInt64?>("seed-b", "n", help: "Give B its own seed (default: the same seeds as A).")
    static let alphaOption = Option<Double>(
        "alpha", "p", help: "Significance level.", default: 0.01,
        check: { $0 > 0 && $0 < 1 ? nil : "--alpha must be between 0 and 1, not \($0)." })
    static let allowDifferentSuites = Flag(
        "allow-different-suites", help: "Compare even if the two results used different suite files.")
}

enum SuiteCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "suite", abstract: "Pin eval suites in the registry; gates run the pinned copy.",
            discussion: """
                Gates, rollback confirmation and investigate run the standard suite as pinned in the registry,
                never the workspace file: editing evals/ changes nothing until it is pinned. The first gate pins
                the file automatically (reason "first use"). A pin that removes or edits cases of a safety
                category (escalate:*, refuse:*, or a floored one) needs a second person's --approver.
                """,
            subcommands: [
                CommandSpec(
                    name: "pin",
                    abstract: "Pin evals/NAME.jsonl as the suite gates run, showing the change by category.",
                    arguments: [name], options: [reason, approver, by] + Common.io
                ) { invocation, console in
                    let context = try Common.context(invocation, console, env)
                    let result = try SuitePins.pin(
                        name: try invocation[name], reason: try invocation[reason] ?? "", by: try invocation[by],
                        approver: try invocation[approver], in: context)
                    return try Common.emit(result, invocation, console) { result.renderPinned(&$0) }
                },
                CommandSpec(
                    name: "show", abstract: "Show the pinned suite and what pinning the workspace file would change.",
                    arguments: [name], options: Common.io
                ) { invocation, console in
                    let context = try Common.context(invocation, console, env)
                    let preview = try SuitePins.preview(name: try invocation[name], in: context)
                    return try Common.emit(preview, invocation, console) { preview.renderPreview(&$0) }
                },
            ])
    }

    static let name = Argument<String?>(optional: "name", help: "The suite (default: the standard suite, core).")
    static let by = Common.by("Who pins (default: $USER).")
    static let reason = Option<String?>("reason", "text", help: "Why it changes (required).", required: true)
    static let approver = Option<String?>(
        "approver", "name", help: "Second person allowing a pin that weakens it (not --by; compared normalised).")
    static func policySpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "policy", abstract: "Pin settings.json as the policy gates, canaries and rollbacks decide under.",
            discussion: PolicyReport.commandHelp,
            subcommands: [
                CommandSpec(
                    name: "pin", abstract: "Pin settings.json, showing what changes.",
                    options: [reason, approver, by] + Common.io
                ) { invocation, console in
                    let result = try PolicyPins.pin(
                        reason: try invocation[reason] ?? "", by: try invocation[by],
                        approver: try invocation[approver], in: try Common.context(invocation, console, env))
                    return try Common.emit(result, invocation, console) { result.renderPinned(&$0) }
                },
                CommandSpec(name: "show", abstract: "Show the pin and settings.json's changes.", options: Common.io) {
                    try Common.emit(try PolicyPins.show(in: try Common.context($0, $1, env)), $0, $1)
                },
            ])
    }
}
