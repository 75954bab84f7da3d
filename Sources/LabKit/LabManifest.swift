// A lab as data: the manifest in Labs/NN-slug/lab.json, decoded and validated so a bad file names its field.
import Foundation
import Hashing

/// One instruction of the guided tour: a command to run or an edit to make, optionally shown done by a check.
public struct LabStep: Codable, Sendable, Equatable {
    public var say: String
    public var run: String?
    public var edit: LabEdit?
    /// The lab check whose pass shows this step done; steps without one are preparation for the next.
    public var check: String?
    /// The command is expected to be refused: the refusal is the lesson.
    public var expectFailure: Bool?

    enum CodingKeys: String, CodingKey {
        case say, run, edit, check
        case expectFailure = "expect_failure"
    }
}

/// An ordinary edit of a workspace file: replace one text with another, or append a line.
public struct LabEdit: Codable, Sendable, Equatable {
    public var file: String
    public var replace: String?
    public var with: String?
    public var append: String?
}

/// A named predicate from the check library with its parameters and the points it is worth.
public struct LabCheckSpec: Codable, Sendable, Equatable {
    public var name: String
    public var check: String
    public var points: Int
    public var params: [String: String]?

    public func param(_ key: String) -> String? { params?[key] }
}

/// A phase timed from one recorded event to another, graded against thresholds.
public struct LabTimer: Codable, Sendable, Equatable {
    public var name: String
    public var from: String
    public var to: String
    public var goldSeconds: Double
    public var passSeconds: Double
    public var points: Int

    enum CodingKeys: String, CodingKey {
        case name, from, to, points
        case goldSeconds = "gold_seconds"
        case passSeconds = "pass_seconds"
    }
}

public struct LabManifest: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var goal: String
    public var points: Int
    public var prerequisites: [String]
    public var steps: [LabStep]
    public var hints: [String]
    public var checks: [LabCheckSpec]
    public var timers: [LabTimer]?
    /// The stories a challenge-mode start picks from by its seed, each a set of values the setup script reads
    /// (`LABRUNNER_VARIANT_KEY`) and the checks' parameters name (`{variant.key}`); the first is guided mode's.
    public var variants: [[String: String]]?

    /// "06" from "06-emergency-rollback".
    public var number: String { String(id.prefix(2)) }
    public var allTimers: [LabTimer] { timers ?? [] }
}

/// A lab: its manifest and where its files (the text the learner reads, its scripts) are.
public struct Lab: Sendable, Equatable {
    public var manifest: LabManifest
    /// Labs/NN-slug for an embedded lab (its path in the kit), else the folder on disk. Its files are read
    /// and its scripts run through the `LabCatalog` it came from, wherever they live.
    public var folder: String
    /// SHA-256 of lab.json as loaded, recorded when the lab starts.
    public var manifestSHA256: String
    /// One hash over every file of the lab (lab.json, its page, its scripts, its reference solution), recorded
    /// when the lab starts: what makes a lab the kit's own (`LabCatalog.isKitLab`).
    public var contentSHA256: String

    public var id: String { manifest.id }
}

enum ManifestValidation {
    /// NN-slug: two digits, then lowercase words joined by single hyphens.
    static func isValidID(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].count == 2, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber)
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        }
    }

    /// The keys `{variant.KEY}` placeholders in `text` name.
    static func variantKeys(in text: String) -> [String] {
        text.components(separatedBy: "{variant.").dropFirst().compactMap { rest in
            rest.firstIndex(of: "}").map { String(rest[..<$0]) }
        }
    }

    /// Every rule a manifest must satisfy, checked in the order a reader meets the fields.
    static func validate(_ manifest: LabManifest, file: String, folderName: String, knownLabs: Set<String>) throws {
        func bad(_ field: String, _ problem: String) -> LabError {
            LabError.badManifest(file: file, field: field, problem: problem)
        }
        guard isValidID(manifest.id) else {
            throw bad("id", "'\(manifest.id)' must look like NN-slug, for example 06-emergency-rollback")
        }
        guard manifest.id == folderName else {
            throw bad("id", "'\(manifest.id)' must match its folder name '\(folderName)'")
        }
        for (field, text) in [("title", manifest.title), ("goal", manifest.goal)]
        where text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw bad(field, "must not be empty")
        }
        for (index, prerequisite) in manifest.prerequisites.enumerated() where !knownLabs.contains(prerequisite) {
            throw bad("prerequisites[\(index)]", "'\(prerequisite)' is not a lab in this folder")
        }
        guard !manifest.hints.isEmpty else { throw bad("hints", "give at least one hint") }
        guard !manifest.checks.isEmpty else { throw bad("checks", "give at least one check") }
        var names = Set<String>()
        for (index, spec) in manifest.checks.enumerated() {
            let field = "checks[\(index)]"
            guard names.insert(spec.name).inserted else { throw bad(field + ".name", "'\(spec.name)' is used twice") }
            guard let definition = CheckLibrary.definitions[spec.check] else {
                throw bad(
                    field + ".check",
                    "'\(spec.check)' is not a known check; known checks: "
                        + CheckLibrary.definitions.keys.sorted().joined(separator: ", "))
            }
            for key in definition.requiredParams where spec.param(key) == nil {
                throw bad(field + ".params", "check '\(spec.check)' needs the parameter '\(key)'")
            }
            guard spec.points > 0 else { throw bad(field + ".points", "must be a positive whole number") }
        }
        for (index, timer) in manifest.allTimers.enumerated() {
            let field = "timers[\(index)]"
            for (key, anchor) in [("from", timer.from), ("to", timer.to)] where TimerAnchor(rawValue: anchor) == nil {
                throw bad(
                    field + "." + key,
                    "'\(anchor)' is not a known moment; use one of "
                        + TimerAnchor.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard timer.goldSeconds > 0, timer.passSeconds >= timer.goldSeconds else {
                throw bad(field, "needs 0 < gold_seconds <= pass_seconds")
            }
            guard names.insert(timer.name).inserted else { throw bad(field + ".name", "'\(timer.name)' is used twice") }
        }
        if let variants = manifest.variants {
            let keys = Set(variants.first?.keys.map { $0 } ?? [])
            guard !keys.isEmpty else { throw bad("variants", "give at least one variant with values, or none") }
            for (index, variant) in variants.enumerated() where Set(variant.keys) != keys {
                throw bad(
                    "variants[\(index)]",
                    "must give the same keys as the first: \(keys.sorted().joined(separator: ", "))")
            }
        }
        for (index, spec) in manifest.checks.enumerated() {
            for value in (spec.params ?? [:]).values {
                for key in Self.variantKeys(in: value) where manifest.variants?.first?[key] == nil {
                    throw bad("checks[\(index)].params", "names {variant.\(key)}, which no variant gives")
                }
            }
        }
        let total = manifest.checks.reduce(0) { $0 + $1.points } + manifest.allTimers.reduce(0) { $0 + $1.points }
        guard total == manifest.points else {
            throw bad("points", "is \(manifest.points) but its checks and timers add up to \(total)")
        }
        for (index, step) in manifest.steps.enumerated() {
            let field = "steps[\(index)]"
            guard (step.run == nil) != (step.edit == nil) else {
                throw bad(field, "give exactly one of 'run' (a command) or 'edit' (a file change)")
            }
            if let check = step.check, !manifest.checks.contains(where: { $0.name == check }) {
                throw bad(field + ".check", "'\(check)' is not one of this lab's checks")
            }
            if let edit = step.edit, (edit.append == nil) == (edit.replace == nil || edit.with == nil) {
                throw bad(field + ".edit", "give either 'append', or both 'replace' and 'with'")
            }
        }
    }
}
