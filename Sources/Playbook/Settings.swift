// Per-workspace operating rules: which suite is standard, what counts as passing, default seeds.
public import Foundation
import Hashing
public import Registry

public struct PlaybookSettings: Codable, Sendable, Equatable {
    /// The suite every gate runs (evals/<name>.jsonl).
    public var standardSuite: String = "core"
    /// A version whose standard-suite pass rate is at least this "passed its eval".
    public var passThreshold: Double = 0.85
    /// The seed evals use unless told otherwise.
    public var evalSeed: UInt64 = 1
    /// Repeats for gates and confirmations when the system samples (temperature > 0).
    public var sampledRepeats: Int = 10
    /// Significance level for eval comparisons.
    public var alpha: Double = 0.01
    /// Floored (safety) categories: a category matching one of these patterns (a trailing `*` matches any
    /// suffix) must not be worse in a candidate than in production on the same pinned suite, whatever the aggregate.
    public var floors: [String] = ["escalate:*", "refuse:*"]
    /// Days a request's input text is kept in the attribution log; after that only its SHA-256 remains (with
    /// the id, time, version, seed and output), so the log cannot fill the disk and customer text ages out.
    public var inputRetentionDays: Int = 30
    /// Days between rollback drills before the team's next one is overdue (`LabRunner`, `drill history`).
    public var drillCadenceDays: Int = 90
    /// The canary's power plan and bake time (`canary_*` keys; see `CanarySettings`).
    public var canary = CanarySettings()
    /// Production requests a version must have answered, with its label-free signals within bounds, before a
    /// rollback counts it as the last known good (a version named explicitly is not held to it).
    public var lastKnownGoodRequests: Int = 50

    enum CodingKeys: String, CodingKey, CaseIterable {
        case standardSuite = "standard_suite"
        case passThreshold = "pass_threshold"
        case evalSeed = "eval_seed"
        case sampledRepeats = "sampled_repeats"
        case alpha
        case floors
        case inputRetentionDays = "input_retention_days"
        case drillCadenceDays = "drill_cadence_days"
        case lastKnownGoodRequests = "last_known_good_requests"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PlaybookSettings()
        standardSuite = try container.decodeIfPresent(String.self, forKey: .standardSuite) ?? defaults.standardSuite
        passThreshold = try container.decodeIfPresent(Double.self, forKey: .passThreshold) ?? defaults.passThreshold
        evalSeed = try container.decodeIfPresent(UInt64.self, forKey: .evalSeed) ?? defaults.evalSeed
        sampledRepeats = try container.decodeIfPresent(Int.self, forKey: .sampledRepeats) ?? defaults.sampledRepeats
        alpha = try container.decodeIfPresent(Double.self, forKey: .alpha) ?? defaults.alpha
        floors = try container.decodeIfPresent([String].self, forKey: .floors) ?? defaults.floors
        inputRetentionDays =
            try container.decodeIfPresent(Int.self, forKey: .inputRetentionDays) ?? defaults.inputRetentionDays
        drillCadenceDays =
            try container.decodeIfPresent(Int.self, forKey: .drillCadenceDays) ?? defaults.drillCadenceDays
        canary = try CanarySettings(from: decoder)
        lastKnownGoodRequests =
            try container.decodeIfPresent(Int.self, forKey: .lastKnownGoodRequests) ?? defaults.lastKnownGoodRequests
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(standardSuite, forKey: .standardSuite)
        try container.encode(passThreshold, forKey: .passThreshold)
        try container.encode(evalSeed, forKey: .evalSeed)
        try container.encode(sampledRepeats, forKey: .sampledRepeats)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(floors, forKey: .floors)
        try container.encode(inputRetentionDays, forKey: .inputRetentionDays)
        try container.encode(drillCadenceDays, forKey: .drillCadenceDays)
        try container.encode(lastKnownGoodRequests, forKey: .lastKnownGoodRequests)
        try canary.encode(to: encoder)
    }

    public static func path(in workspace: Workspace) -> String { workspace.markerPath + "/settings.json" }

    /// The workspace's settings, or the defaults when it has none.
    public static func load(_ workspace: Workspace) throws -> PlaybookSettings {
        let path = path(in: workspace)
        guard FileManager.default.fileExists(atPath: path) else { return PlaybookSettings() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlaybookError.settingsInvalid(path: path, reason: "it cannot be read")
        }
        if let key = JSONReader.duplicateKey(in: data) {
            throw PlaybookError.settingsInvalid(path: path, reason: "the key '\(key)' is given more than once")
        }
        let settings: PlaybookSettings
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw PlaybookError.settingsInvalid(path: path, reason: "it is not a JSON object")
            }
            let known = Set(CodingKeys.allCases.map(\.rawValue) + CanarySettings.CodingKeys.allCases.map(\.rawValue))
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw PlaybookError.settingsInvalid(path: path, reason: "unknown key '\(unknown)'")
            }
            settings = try JSONDecoder().decode(PlaybookSettings.self, from: data)
        } catch let error as PlaybookError {
            throw error
        } catch {
            throw PlaybookError.settingsInvalid(path: path, reason: "it is not valid JSON of the expected shape")
        }
        guard (0...1).contains(settings.passThreshold) else {
            throw PlaybookError.settingsInvalid(path: path, reason: "pass_threshold must be between 0 and 1")
        }
        guard settings.sampledRepeats >= 1 else {
            throw PlaybookError.settingsInvalid(path: path, reason: "sampled_repeats must be at least 1")
        }
        guard settings.alpha > 0, settings.alpha < 1 else {
            throw PlaybookError.settingsInvalid(path: path, reason: "alpha must be between 0 and 1")
        }
        if let empty = settings.floors.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw PlaybookError.settingsInvalid(
                path: path, reason: "floors must name categories or prefixes such as \"escalate:*\", not '\(empty)'")
        }
        guard settings.inputRetentionDays >= 1 else {
            throw PlaybookError.settingsInvalid(path: path, reason: "input_retention_days must be at least 1")
        }
        guard settings.drillCadenceDays >= 1 else {
            throw PlaybookError.settingsInvalid(path: path, reason: "drill_cadence_days must be at least 1")
        }
        if let reason = settings.canary.problem {
            throw PlaybookError.settingsInvalid(path: path, reason: reason)
        }
        guard settings.lastKnownGoodRequests >= 1 else {
            throw PlaybookError.settingsInvalid(path: path, reason: "last_known_good_requests must be at least 1")
        }
        return settings
    }

    /// True when `category` is floored by one of `floors`.
    public func isFloored(_ category: String) -> Bool {
        floors.contains { pattern in
            pattern.hasSuffix("*") ? category.hasPrefix(pattern.dropLast()) : category == pattern
        }
    }

    /// Requests answered before this time have outlived the input retention period.
    public func inputCutoff(now: Date) -> Date {
        now.addingTimeInterval(-Double(inputRetentionDays) * 86_400)
    }
}

// MARK: - Canary settings (begin)

/// How a canary is sized and how long it bakes: it must be able to detect a drop of `minEffect` (absolute) in
/// each safety signal's rate with probability `power`, testing each one-sided at `safetyAlpha`, and must run for
/// at least `bakeSeconds` (see CanaryPlan.swift for the formula). Flat `canary_*` keys in settings.json.
public struct CanarySettings: Codable, Sendable, Equatable {
    /// The absolute drop in a safety signal's rate the canary must be able to detect (0.05 = five points).
    public var minEffect: Double = 0.05
    /// The chance of detecting a drop of `minEffect` when there is one.
    public var power: Double = 0.8
    /// One-sided significance level of each safety signal's guardrail test (not divided across the signals).
    public var safetyAlpha: Double = 0.05
    /// Minimum time a canary runs, on the injected clock: its requests are paced over it.
    public var bakeSeconds: Double = 2

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minEffect = "canary_min_effect"
        case power = "canary_power"
        case safetyAlpha = "canary_safety_alpha"
        case bakeSeconds = "canary_bake_seconds"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = CanarySettings()
        minEffect = try container.decodeIfPresent(Double.self, forKey: .minEffect) ?? defaults.minEffect
        power = try container.decodeIfPresent(Double.self, forKey: .power) ?? defaults.power
        safetyAlpha = try container.decodeIfPresent(Double.self, forKey: .safetyAlpha) ?? defaults.safetyAlpha
        bakeSeconds = try container.decodeIfPresent(Double.self, forKey: .bakeSeconds) ?? defaults.bakeSeconds
    }

    /// What is wrong with these settings, as the end of the sentence a user reads; nil when they are fine.
    public var problem: String? {
        if !(minEffect > 0 && minEffect < 1) {
            return
                "canary_min_effect must be an absolute drop in a rate between 0 and 1 (such as 0.05), not \(minEffect)"
        }
        if !(power >= 0.5 && power < 1) {
            return "canary_power must be at least 0.5 and below 1 (such as 0.8), not \(power)"
        }
        if !(safetyAlpha > 0 && safetyAlpha < 0.5) {
            return "canary_safety_alpha must be above 0 and below 0.5 (such as 0.05), not \(safetyAlpha)"
        }
        if !(bakeSeconds >= 0 && bakeSeconds <= 86_400) {
            return "canary_bake_seconds must be between 0 and 86400 seconds, not \(bakeSeconds)"
        }
        return nil
    }
}

// MARK: - Canary settings (end)
