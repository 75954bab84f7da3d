// Reading a saved write-up back: the generated parts to compare with a fresh render, and the learner's own sections.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

extension Writeup {
    // MARK: Reading a saved write-up

    /// The write-up with the learner's words taken out: what must match a fresh render.
    public static func generatedParts(of text: String) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                inside = true
                kept.append(line)
            } else if line.hasPrefix(closeMarker) {
                inside = false
                kept.append(line)
            } else if !inside {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Section title → what the learner wrote in it (placeholder prompts excluded).
    public static func learnerSections(of text: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                current = String(line.dropFirst(openMarker.count)).replacingOccurrences(of: " -->", with: "")
                sections[current ?? ""] = ""
            } else if line.hasPrefix(closeMarker) {
                current = nil
            } else if let title = current {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("_"), trimmed.hasSuffix("_"), trimmed == "_\(prompts[title] ?? "")_" { continue }
                sections[title, default: ""] += line + "\n"
            }
        }
        return sections
    }

    /// A fresh render with the learner's sections carried over from an earlier file.
    public static func keepingLearnerSections(of previous: String, in fresh: String) -> String {
        let kept = learnerSections(of: previous).filter { wordCount($0.value) > 0 }
        guard !kept.isEmpty else { return fresh }
        var out: [String] = []
        var skipping = false
        for line in fresh.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                out.append(String(line))
                let title = String(line.dropFirst(openMarker.count)).replacingOccurrences(of: " -->", with: "")
                if let words = kept[title] {
                    out.append(words.trimmingCharacters(in: .newlines))
                    skipping = true
                }
            } else if line.hasPrefix(closeMarker) {
                skipping = false
                out.append(String(line))
            } else if !skipping {
                out.append(String(line))
            }
        }
        return out.joined(separator: "\n")
    }

    public static func wordCount(_ text: String) -> Int {
        text.split { $0.isWhitespace }.filter { $0.contains { $0.isLetter } }.count
    }

    static func describe(_ answer: Answer) -> String {
        "intent \(answer.intent), escalated \(answer.escalated ? "yes" : "no"), cited \(answer.citedDocument ?? "nothing")"
    }

    static func time(_ date: Date) -> String { Timestamp.string(from: date) }
    /// "0.0020", or "< 0.0001" rather than a p-value of zero that no finite test can give.
    static func pValue(_ p: Double, equals: Bool = false) -> String {
        p < 0.0001 ? "< 0.0001" : (equals ? "= " : "") + String(format: "%.4f", p)
    }
    static func duration(_ seconds: TimeInterval) -> String { TimeParsing.describe(max(0, seconds)) }
}
