// Play 7, investigate: production history against the symptom's onset, the composite diff of each
// suspect against its predecessor, and a repeated paired eval to tell a regression from noise.
public import Evals
public import Foundation
import Hashing
import Registry
import ToyModel

public struct ProductionMove: Encodable, Sendable {
    public var version: String
    public var seq: Int
    public var at: Date
    public var by: String
    public var reason: String
}

public struct Suspect: Encodable, Sendable {
    public var version: String
    public var predecessor: String
    public var becameProductionAt: Date
    public var changedComponents: [String]
    public var lineageChanged: Bool
    public var comparison: Comparison

    enum CodingKeys: String, CodingKey {
        case version, predecessor, comparison
        case becameProductionAt = "became_production_at"
        case changedComponents = "changed_components"
        case lineageChanged = "lineage_changed"
    }
}

public struct Investigation: Encodable, Sendable {
    public var onset: Date
    public var history: [ProductionMove]
    public var suspects: [Suspect]
    public var regressionConfirmed: Bool
    public var components: [String]
    public var conclusion: String

    enum CodingKeys: String, CodingKey {
        case onset, history, suspects, components, conclusion
        case regressionConfirmed = "regression_confirmed"
    }
}

public enum InvestigatePlay {
    public static let concludedEvent = "investigation.concluded"
    /// Enough paired repeats to separate a 10-point drop from sampling noise at alpha 0.01.
    public static let sampledRepeats = 30
    public static let maximumSuspects = 3

    public static func run(
        onset: Date, by actor: String, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Investigation {
        let registry = context.registry
        let moves = try registry.tagHistory("production")
        guard let liveIndex = moves.lastIndex(where: { $0.at <= onset }) else {
            throw PlaybookError.invalid(
                "Production had no version at \(Timestamp.string(from: onset)); give an onset after the first promotion."
            )
        }
        let history = try moves.map { move in
            let record = try registry.record(id: move.to)
            return ProductionMove(version: move.to, seq: record.seq, at: move.at, by: move.by, reason: move.reason)
        }
        var suspects: [Suspect] = []
        var index = liveIndex
        while index > 0, suspects.count < maximumSuspects {
            let suspect = try registry.record(id: moves[index].to)
            let predecessor = try registry.record(id: moves[index - 1].to)
            let diff = try registry.diff(predecessor, suspect)
            let comparison = try compare(predecessor, suspect, actor: actor, in: context, progress: progress)
            suspects.append(
                Suspect(
                    version: suspect.id, predecessor: predecessor.id, becameProductionAt: moves[index].at,
                    changedComponents: diff.changedComponents, lineageChanged: diff.lineageChanged,
                    comparison: comparison))
            if comparison.verdict == "worse" { break }
            // A rollback restored a confirmed-good version: whatever it undid is not behind this symptom.
            if moves[index].details["play"] == "rollback" { break }
            index -= 1
        }
        let culprit = suspects.first { $0.comparison.verdict == "worse" }
        var components = culprit?.changedComponents ?? []
        if culprit?.lineageChanged == true { components.append("data/train.csv (dataset lineage)") }
        let conclusion: String
        if let culprit {
            let named = components.isEmpty ? "no component (identical content)" : components.joined(separator: ", ")
            conclusion =
                "regression confirmed in \(named) (version \(culprit.version.prefix(12)) vs "
                + "\(culprit.predecessor.prefix(12)), p = \(String(format: "%.2g", culprit.comparison.pValue)))"
        } else {
            conclusion = "not distinguishable from noise — widen the investigation"
        }
        var data = [
            "onset": Timestamp.string(from: onset), "conclusion": conclusion,
            "verdict": culprit == nil ? "noise" : "regression",
        ]
        data["suspect"] = culprit?.version
        data["components"] = components.joined(separator: ",")
        try registry.write { writer in try writer.append(kind: concludedEvent, actor: actor, data: data) }
        return Investigation(
            onset: onset, history: history, suspects: suspects, regressionConfirmed: culprit != nil,
            components: components, conclusion: conclusion)
    }

    /// A paired comparison on the standard suite with the same seeds for both, each result recorded as evidence.
    static func compare(
        _ before: VersionRecord, _ after: VersionRecord, actor: String, in context: PlayContext,
        progress: (@Sendable (Int, Int) -> Void)?
    ) throws -> Comparison {
        let beforeSystem = try context.system(for: before)
        let afterSystem = try context.system(for: after)
        let sampled = beforeSystem.temperature > 0 || afterSystem.temperature > 0
        let repeats = sampled ? max(sampledRepeats, context.settings.sampledRepeats) : 1
        let suite = try context.pinnedStandardSuite(for: afterSystem, by: actor)
        let seed = context.settings.evalSeed
        let a = try EvalRunner.run(suite: suite, system: beforeSystem, seed: seed, repeats: repeats, progress: progress)
        let b = try EvalRunner.run(suite: suite, system: afterSystem, seed: seed, repeats: repeats, progress: progress)
        try EvalLedger.record(a, source: "investigate", actor: actor, in: context)
        try EvalLedger.record(b, source: "investigate", actor: actor, in: context)
        return try EvalComparer.compare(a, b, alpha: context.settings.alpha)
    }
}
