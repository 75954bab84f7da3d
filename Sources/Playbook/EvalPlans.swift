// `eval run` and `eval compare` as operations: what to run is resolved first (the versions, their systems and
// the suite: by name, else the standard suite as pinned in the registry), then the runs, which record their
// results as evidence for registered versions.
public import Evals
import Foundation
import Registry
public import Terminal
public import ToyModel

extension PlayContext {
    /// The toy system of the version `ref` names, or of the live workspace files when there is no ref.
    public func system(version ref: String?) throws -> ToySystem {
        try ref.map { try system(for: try registry.resolve($0)) } ?? liveSystem()
    }
}

/// `eval run`: one suite on the live files or a registered version.
public struct EvalRunPlan: Sendable {
    let context: PlayContext
    let record: VersionRecord?
    let system: ToySystem?
    public let suiteName: String
    let suite: EvalSuite?
    let actor: String
    /// An adopted project's settings: its eval_command is the suite.
    let project: ProjectSettings?

    /// `version` is a ref (nil: the live workspace files); `suite` a suite file name (nil: the pinned standard).
    public init(version: String?, suite: String?, by actor: String, in context: PlayContext) throws {
        self.context = context
        self.actor = actor
        let record = try version.map { try context.registry.resolve($0) }
        project = try context.project()
        if project != nil {
            try EvalComparePlan.refuseSuite(suite)
            guard let record else {
                throw PlaybookError.invalid(
                    "An adopted project's eval_command runs on a registered version's checkout; pass --version REF "
                        + "(register the live files first).")
            }
            (self.record, system, self.suite, suiteName) = (record, nil, nil, ProjectEval.suiteName)
            return
        }
        let system = try record.map { try context.system(for: $0) } ?? context.liveSystem()
        let chosen =
            try suite.map { try context.suite(named: $0, for: system) }
            ?? context.pinnedStandardSuite(for: system, by: actor)
        (self.record, self.system, self.suite, suiteName) = (record, system, chosen, chosen.name)
    }

    /// Runs the suite; against a registered version the result is recorded as its evidence.
    public func run(repeats: Int, seed: UInt64, progress: (@Sendable (Int, Int) -> Void)? = nil) throws
        -> EvalRunReport
    {
        let result: EvalResult
        if let project, let record {
            result = try context.projectEval(of: record, project, seed: seed, repeats: repeats)
        } else if let suite, let system {
            result = try EvalRunner.run(suite: suite, system: system, seed: seed, repeats: repeats, progress: progress)
        } else {
            throw PlaybookError.invalid("Nothing to evaluate; pass --version REF.")
        }
        let recorded = try record.map { _ in
            try EvalLedger.record(result, source: .evalRun, actor: actor, in: context)
        }
        return EvalRunReport(
            result: result, recorded: recorded != nil, temperature: system?.temperature ?? 0, repeats: repeats)
    }
}

/// `eval compare`: two registered versions on the same suite (B's, by name or pinned).
public struct EvalComparePlan: Sendable {
    let context: PlayContext
    let a: VersionRecord
    let b: VersionRecord
    let systemA: ToySystem?
    let systemB: ToySystem?
    let suite: EvalSuite?
    let actor: String
    /// An adopted project's settings: both versions run its eval_command on their checkouts.
    let project: ProjectSettings?

    /// An adopted project has one suite, its eval_command: a suite name is refused rather than ignored.
    static func refuseSuite(_ suite: String?) throws {
        guard let suite else { return }
        throw PlaybookError.invalid(
            "An adopted project's eval is its eval_command, not a suite file; drop --suite \(suite) (edit "
                + "\"eval_command\" in .labrunner/project.json to change what is run).")
    }

    public init(a refA: String, b refB: String, suite: String?, by actor: String, in context: PlayContext) throws {
        self.context = context
        self.actor = actor
        a = try context.registry.resolve(refA)
        b = try context.registry.resolve(refB)
        project = try context.project()
        if project != nil {
            try Self.refuseSuite(suite)
            (systemA, systemB, self.suite) = (nil, nil, nil)
            return
        }
        systemA = try context.system(for: a)
        let systemB = try context.system(for: b)
        self.systemB = systemB
        self.suite =
            try suite.map { try context.suite(named: $0, for: systemB) }
            ?? context.pinnedStandardSuite(for: systemB, by: actor)
    }

    /// Whether either version samples (temperature above 0), so one run per case would not do.
    public var sampled: Bool { (systemA?.temperature ?? 0) > 0 || (systemB?.temperature ?? 0) > 0 }

    /// Runs both on the same seeds (B on `seedB` if given) and tests the difference; both results are recorded.
    public func run(
        repeats: Int, seed: UInt64, seedB: UInt64?, alpha: Double, allowDifferentSuites: Bool,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> EvalCompareReport {
        let resultA: EvalResult
        let resultB: EvalResult
        if let project {
            resultA = try context.projectEval(of: a, project, seed: seed, repeats: repeats)
            resultB = try context.projectEval(of: b, project, seed: seedB ?? seed, repeats: repeats)
        } else if let suite, let systemA, let systemB {
            resultA = try EvalRunner.run(
                suite: suite, system: systemA, seed: seed, repeats: repeats, progress: { progress($0, $1 * 2) })
            resultB = try EvalRunner.run(
                suite: suite, system: systemB, seed: seedB ?? seed, repeats: repeats,
                progress: { progress($0 + $1, $1 * 2) })
        } else {
            throw PlaybookError.invalid("Nothing to compare; give two versions.")
        }
        let comparison = try EvalComparer.compare(
            resultA, resultB, alpha: alpha, allowDifferentSuites: allowDifferentSuites)
        try EvalLedger.record(resultA, source: .evalCompare, actor: actor, in: context)
        try EvalLedger.record(resultB, source: .evalCompare, actor: actor, in: context)
        return EvalCompareReport(a: a, b: b, resultA: resultA, resultB: resultB, comparison: comparison)
    }
}

/// What `eval compare` shows: both runs' rates and the comparison (`--json` prints the comparison alone).
public struct EvalCompareReport: Encodable, Sendable {
    let a: VersionRecord
    let b: VersionRecord
    let resultA: EvalResult
    let resultB: EvalResult
    public let comparison: Comparison

    public func encode(to encoder: any Encoder) throws { try comparison.encode(to: encoder) }
}

extension EvalCompareReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("A #\(a.seq) \(a.shortID): \(resultA.rateLine)")
        out.line("B #\(b.seq) \(b.shortID): \(resultB.rateLine)")
        comparison.render(&out)
    }
}
