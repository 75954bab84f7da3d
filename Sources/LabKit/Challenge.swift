// Challenge mode: a lab laid from a seed that picks one variant of its story (which component carries the
// regression, which change is noise, which seed trained the weights…), so what must be found and decided
// differs from workspace to workspace. Guided mode is variant 0, the story the lab's page tells.
import Foundation
import Hashing
import Registry
public import Terminal

/// How `lab start` picks a challenge's seed.
public enum ChallengeSeed {
    /// The seed a start lays from: nil in guided mode; with --challenge, the one given or a random one (recorded).
    public static func chosen(challenge: Bool, given: Int?) throws -> Int? {
        guard challenge else {
            if given != nil { throw UsageError("--seed lays a challenge: give --challenge too.") }
            return nil
        }
        return given ?? Int.random(in: 1...999_999)
    }
}

extension Lab {
    /// The variant `seed` lays (guided mode, no seed: the first, the page's own story).
    public func variantIndex(seed: Int?) -> Int {
        let count = manifest.variants?.count ?? 0
        guard let seed, count > 1 else { return 0 }
        let digest = SHA256.hash(Data("\(id)|\(seed)".utf8))
        let number = digest.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(number % UInt64(count))
    }

    /// The values of the variant `seed` lays; empty for a lab without variants.
    public func variant(seed: Int?) -> [String: String] {
        guard let variants = manifest.variants, !variants.isEmpty else { return [:] }
        return variants[variantIndex(seed: seed)]
    }

    /// Whether the lab's story changes with the seed (it has more than one variant).
    public var isSeeded: Bool { (manifest.variants?.count ?? 0) > 1 }

    /// The lab with `{variant.KEY}` in its checks' parameters filled from the variant `seed` lays: what the
    /// grader checks is this workspace's story, not the page's.
    public func resolved(seed: Int?) -> Lab {
        let values = variant(seed: seed)
        guard !values.isEmpty else { return self }
        var lab = self
        lab.manifest.checks = manifest.checks.map { spec in
            var filled = spec
            filled.params = spec.params?.mapValues { Self.fill($0, values) }
            return filled
        }
        return lab
    }

    static func fill(_ text: String, _ values: [String: String]) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: "{variant.\($1.key)}", with: $1.value) }
    }

    /// What a setup script reads of its variant: `LABRUNNER_SEED` (challenge mode only) and
    /// `LABRUNNER_VARIANT_KEY` for each of the variant's values.
    public func scriptEnvironment(seed: Int?) -> [String: String] {
        var environment: [String: String] = [:]
        if let seed { environment["LABRUNNER_SEED"] = String(seed) }
        for (key, value) in variant(seed: seed) { environment["LABRUNNER_VARIANT_" + key.uppercased()] = value }
        return environment
    }
}

extension Evidence {
    /// Labs 04 and 08's challenge: the customer whose answer is to be audited, the `rank`-th (in log order, wrapping) of the
    /// requests an incident's bad version answered up to `before` whose words no other of them says, so the words
    /// alone single it out. Their words and the minute they wrote are all the learner is told.
    /// With `incidentOnly` false (lab 04), any request before the lab counts: the canary's customers among them.
    func auditTarget(rank: Int, before: Date, incidentOnly: Bool = true) throws -> RequestRecord? {
        let bad = Set(incidents.compactMap(\.badVersion))
        var records: [RequestRecord] = []
        try AttributionLog(registryRoot: registry.root).forEach { record in
            // Words a person can paste into a search as they are (no quotes or backslashes to escape).
            if record.at <= before, !incidentOnly || bad.contains(record.version), record.hasInput,
                !record.input.contains("\""), !record.input.contains("\\")
            {
                records.append(record)
            }
            return true
        }
        let counts = Dictionary(records.map { ($0.input, 1) }, uniquingKeysWith: +)
        let unique = records.filter { counts[$0.input] == 1 }
        return unique.isEmpty ? nil : unique[rank % unique.count]
    }

    /// What a setup script reads of the facts its variant picks from the workspace's own history:
    /// `LABRUNNER_TARGET_WORDS` and `LABRUNNER_TARGET_AT` (the minute, UTC) for an `audit_rank` variant.
    func scriptFacts(_ lab: Lab, seed: Int?, startedAt: Date) throws -> [String: String] {
        let variant = lab.variant(seed: seed)
        guard let rank = variant["audit_rank"].flatMap(Int.init),
            let target = try auditTarget(
                rank: rank, before: startedAt, incidentOnly: variant["audit_among"] != "all")
        else { return [:] }
        let minute = String(Timestamp.string(from: target.at).prefix(16)).replacingOccurrences(of: "T", with: " ")
        return ["LABRUNNER_TARGET_WORDS": target.input, "LABRUNNER_TARGET_AT": minute + " UTC"]
    }
}
