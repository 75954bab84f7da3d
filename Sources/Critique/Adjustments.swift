// The interviewer's word on a score sheet: `critique grade … --adjust FILE` overrules single findings (credit, partial
// credit for the right insight under another code, or a debit), each with a reason. Adjustments are listed beside the
// automatic score and summed into a separate adjusted score; the automatic score never changes.
import Foundation

public struct Adjustment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case credit, partial, debit
    }
    /// The findings line overruled.
    public var line: Int
    public var kind: Kind
    /// Points added (credit, partial) or taken off (debit).
    public var points: Int
    public var reason: String
}

extension Adjustment {
    /// Reads `LINE  credit|partial|debit  POINTS  reason` lines (blank lines and `# ` comments skipped). Every line
    /// must name a line of the findings, a kind, 1 to 100 points and a reason.
    public static func parse(_ text: String, findings: [Finding]) throws -> [Adjustment] {
        var result: [Adjustment] = []
        var problems: [String] = []
        let lines = Set(findings.map(\.line))
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = Findings.clean(raw).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "#" || line.hasPrefix("# ") { continue }
            let parts = line.split(maxSplits: 3, whereSeparator: { $0 == " " }).map(String.init)
            guard parts.count == 4, let target = Int(parts[0]), let kind = Kind(rawValue: parts[1].lowercased()),
                let points = Int(parts[2]), (1...100).contains(points)
            else {
                problems.append("line \(index + 1): write 'LINE credit|partial|debit POINTS reason'")
                continue
            }
            guard lines.contains(target) else {
                problems.append("line \(index + 1): the findings have no line \(target)")
                continue
            }
            result.append(Adjustment(line: target, kind: kind, points: points, reason: parts[3]))
        }
        guard problems.isEmpty else { throw CritiqueError.badAdjustments(problems) }
        return result
    }

    var signed: Int { kind == .debit ? -points : points }
}

extension ScoreSheet {
    /// The sheet with the interviewer's adjustments recorded beside the automatic score.
    public func adjusted(by adjustments: [Adjustment]) -> ScoreSheet {
        var sheet = self
        sheet.adjustments = adjustments.isEmpty ? nil : adjustments
        sheet.adjustedScore =
            adjustments.isEmpty ? nil : max(0, min(100, score + adjustments.map(\.signed).reduce(0, +)))
        return sheet
    }
}

extension Grader {
    /// `critique grade --adjust FILE`: the automatic sheet, then the adjustments read from `path`.
    public static func grade(folder: String, findingsAt findingsPath: String, key: AnswerKey, adjustAt path: String?)
        throws -> ScoreSheet
    {
        let adjustText = try path.map { try Findings.text(at: $0) }
        let sheet = try grade(folder: folder, findingsAt: findingsPath, key: key)
        guard let adjustText else { return sheet }
        let findings = Findings.parse(try Findings.text(at: findingsPath)).findings
        return sheet.adjusted(by: try Adjustment.parse(adjustText, findings: findings))
    }
}
