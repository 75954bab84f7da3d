// Grading a findings file against the sealed key: which planted flaw each finding hits (right code, evidence that
// resolves to the flaw), recall weighted by severity, precision over what was reported, severity order, and red
// herrings. The formula is published in Docs/critique.md and pinned by the calibration tests.
import Foundation
import Hashing

public struct FindingResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case found, duplicate, herring
        case wrongCode = "wrong_code"
        case unfounded
        case notAFlaw = "not_a_flaw"
        /// Right code and evidence, but no sentence saying what goes wrong: no credit until the interviewer adjusts.
        case unexplained
    }
    public var line: Int
    public var code: String
    public var evidence: String
    /// The candidate's explanation, shown to the interviewer beside the verdict (control characters removed).
    public var explanation: String
    public var status: Status
    public var why: String
}

public struct FlawResult: Codable, Sendable, Equatable {
    public var code: String
    public var severity: Severity
    public var location: String
    public var found: Bool
    public var line: Int?
    public var why: String
}

public struct ScoreSheet: Codable, Sendable, Equatable {
    public var family: String
    public var score: Int
    public var recall: Double
    public var precision: Double
    public var order: Double
    public var herringsReported: Int
    public var hintsUsed: Int
    public var flaws: [FlawResult]
    public var findings: [FindingResult]
    /// The interviewer's adjustments (`--adjust`), recorded beside the automatic score, and the score they give.
    public var adjustments: [Adjustment]?
    public var adjustedScore: Int?
    /// The candidate's start and end on the interviewer's clock (`critique start` / `submit`), when recorded.
    public var timing: InterviewTiming?

    enum CodingKeys: String, CodingKey {
        case family, score, recall, precision, order, flaws, findings, adjustments, timing
        case herringsReported = "herrings_reported"
        case hintsUsed = "hints_used"
        case adjustedScore = "adjusted_score"
    }
}

public enum Grader {
    /// Points taken off for each red herring reported as a flaw.
    public static let herringPenalty = 5
    /// Words an explanation needs to count as saying what goes wrong (about a sentence).
    public static let explanationWords = 6

    /// How precision scales the score: full at 80% and above, then falling faster than precision itself, so a list
    /// that is half noise keeps under half the points and taxonomy spam keeps almost none.
    public static func precisionFactor(_ precision: Double) -> Double { pow(min(1, precision / 0.8), 1.5) }

    static func explained(_ finding: Finding) -> Bool {
        finding.explanation.split(whereSeparator: { $0 == " " }).filter { $0.contains(where: \.isLetter) }.count
            >= explanationWords
    }

    public static func grade(folder: String, findingsText: String, key: AnswerKey, hintsUsed: Int = 0) throws
        -> ScoreSheet
    {
        let resolver = try EvidenceResolver(folder: folder)
        let findings = Findings.parse(findingsText).findings
        var foundBy: [Int: Int] = [:]  // flaw index → finding line
        var results: [FindingResult] = []
        for finding in findings {
            guard let token = try resolver.resolve(finding.evidence) else {
                results.append(
                    result(finding, .unfounded, "the evidence '\(finding.evidence)' names nothing in the folder"))
                continue
            }
            let hits = key.flaws.indices.filter { EvidenceResolver.matches(token, key.flaws[$0]) }
            if let index = hits.first(where: { key.flaws[$0].code == finding.code }) {
                if !explained(finding) {
                    results.append(
                        result(
                            finding, .unexplained,
                            "the evidence points at the planted \(finding.code), but the explanation does not say "
                                + "what goes wrong (write at least a sentence)"))
                } else if foundBy[index] != nil {
                    results.append(result(finding, .duplicate, "flaw already found on line \(foundBy[index] ?? 0)"))
                } else {
                    foundBy[index] = finding.line
                    results.append(result(finding, .found, "points at the planted \(finding.code)"))
                }
            } else if let herring = key.herrings.first(where: { EvidenceResolver.matches(token, $0) }) {
                results.append(result(finding, .herring, "this is fine: \(herring.location)"))
            } else if let index = hits.first {
                results.append(
                    result(
                        finding, .wrongCode,
                        "the evidence points at a planted \(key.flaws[index].code), not \(finding.code)"))
            } else {
                results.append(result(finding, .notAFlaw, "the evidence is real but shows no planted \(finding.code)"))
            }
        }
        let total = key.flaws.reduce(0) { $0 + $1.severity.weight }
        let gained = foundBy.keys.reduce(0) { $0 + key.flaws[$1].severity.weight }
        let recall = total == 0 ? 0 : Double(gained) / Double(total)
        let counted = results.filter { $0.status != .duplicate }.count
        let precision = counted == 0 ? 0 : Double(foundBy.count) / Double(counted)
        // Severity order: of every pair of found flaws, the share listed with the more severe one first.
        let ordered = foundBy.sorted { $0.value < $1.value }.map { key.flaws[$0.key].severity.weight }
        var pairs = 0
        var concordant = 0
        for first in ordered.indices {
            for second in ordered.indices where second > first {
                pairs += 1
                if ordered[first] >= ordered[second] { concordant += 1 }
            }
        }
        let order = pairs == 0 ? 1 : Double(concordant) / Double(pairs)
        let herrings = results.filter { $0.status == .herring }.count
        let raw = 100 * recall * precisionFactor(precision) * (0.9 + 0.1 * order)
        let score = max(0, min(100, Int(raw.rounded()) - herringPenalty * herrings))
        let flaws = key.flaws.indices.map { index -> FlawResult in
            let flaw = key.flaws[index]
            if let line = foundBy[index] {
                return FlawResult(
                    code: flaw.code, severity: flaw.severity, location: flaw.location, found: true, line: line,
                    why: "found on line \(line) with evidence that points at it")
            }
            let near = results.first { $0.code == flaw.code && $0.status != .found }
            let why =
                near.map { "line \($0.line) names the code, but \($0.why)" }
                ?? "no finding names \(flaw.code) with evidence pointing at it"
            return FlawResult(
                code: flaw.code, severity: flaw.severity, location: flaw.location, found: false, line: nil, why: why)
        }
        return ScoreSheet(
            family: key.family, score: score, recall: rounded(recall), precision: rounded(precision),
            order: rounded(order), herringsReported: herrings, hintsUsed: hintsUsed, flaws: flaws, findings: results)
    }

    static func result(_ finding: Finding, _ status: FindingResult.Status, _ why: String) -> FindingResult {
        FindingResult(
            line: finding.line, code: finding.code, evidence: finding.evidence, explanation: finding.explanation,
            status: status, why: why)
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

extension ScoreSheet {
    public func text(selfCheck: [String]? = nil) -> String {
        var lines = [
            "Score: \(score)/100  (family \(family); recall \(percent(recall)), precision \(percent(precision)), "
                + "severity order \(percent(order)), red herrings reported \(herringsReported))"
        ]
        if hintsUsed > 0 { lines.append("Hints used: \(hintsUsed)") }
        if let timing { lines.append("Time taken: \(timing.summary)") }
        if let adjustedScore {
            lines.append("Adjusted by the interviewer: \(adjustedScore)/100 (automatic score \(score)/100)")
            for adjustment in adjustments ?? [] {
                lines.append(
                    "  line \(adjustment.line) \(adjustment.kind.rawValue) \(adjustment.signed > 0 ? "+" : "")"
                        + "\(adjustment.signed): \(adjustment.reason)")
            }
        }
        lines.append("")
        lines.append("Planted flaws:")
        for flaw in flaws {
            lines.append("  \(flaw.found ? "found " : "missed") \(flaw.code) [\(flaw.severity.rawValue)]: \(flaw.why)")
        }
        lines.append("")
        lines.append("Findings:")
        if findings.isEmpty { lines.append("  (none)") }
        for finding in findings {
            lines.append(
                "  line \(finding.line) \(finding.code) \(finding.evidence): \(finding.status.rawValue), \(finding.why)"
            )
            lines.append("      explanation: \(finding.explanation.isEmpty ? "(none)" : finding.explanation)")
        }
        if let selfCheck, !selfCheck.isEmpty {
            lines.append("")
            lines.append("Self-check (practice): look again at")
            lines += selfCheck.map { "  - " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    public func markdown() -> String {
        var lines = [
            "# Critique score: \(score)/100", "",
            "Family `\(family)`. Recall \(percent(recall)), precision \(percent(precision)), severity order "
                + "\(percent(order)), red herrings reported \(herringsReported).", "",
        ]
        if let timing { lines += ["Time taken: \(Self.escapeMarkdown(timing.summary)).", ""] }
        if let adjustedScore {
            lines += ["Adjusted by the interviewer: \(adjustedScore)/100 (automatic score \(score)/100).", ""]
            lines += (adjustments ?? []).map {
                "- line \($0.line) \($0.kind.rawValue) \($0.signed): " + Self.escapeMarkdown($0.reason)
            }
            lines.append("")
        }
        lines += [
            "| flaw | severity | result | why |", "|---|---|---|---|",
        ]
        for flaw in flaws {
            let cells = [flaw.code, flaw.severity.rawValue, flaw.found ? "found" : "missed", flaw.why]
            lines.append("| " + cells.map(Self.escapeMarkdown).joined(separator: " | ") + " |")
        }
        lines += ["", "| line | code | evidence | explanation | status | why |", "|---|---|---|---|---|---|"]
        for finding in findings {
            let cells = [
                "\(finding.line)", finding.code, finding.evidence, finding.explanation, finding.status.rawValue,
                finding.why,
            ]
            lines.append("| " + cells.map(Self.escapeMarkdown).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Text as a literal in Markdown: every character Markdown or HTML would read is backslash-escaped.
    public static func escapeMarkdown(_ text: String) -> String {
        var out = ""
        for character in Findings.clean(text) {
            if "\\`*_{}[]()<>#+-.!|~&".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    private func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
}
