// prompt.md: free text plus directive lines (`key: value`) that the assistant obeys. Only directives
// change behaviour; every other line changes the version id and nothing else.

import Foundation

struct PromptDirectives: Sendable, Equatable {
    enum Tone: String, Sendable { case friendly, formal, neutral }

    static let triggers = ["account_takeover", "legal_threat", "refund_over_500"]
    static let topics = ["competitor_prices", "investment_advice", "legal_advice", "medical_advice"]
    static let keys = ["cite_sources", "escalate", "max_words", "refuse", "tone"]

    /// Escalation triggers, sorted (a sorted array: checked on every answer, so no per-call sorting).
    var escalate: [String] = []
    var citeSources = false
    var maxWords: Int?
    var tone: Tone = .neutral
    /// Topics to decline, sorted.
    var refuse: [String] = []
    var warnings: [String] = []

    init() {}

    init(parsing text: String) throws {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            // A directive is a lowercase snake_case key at the start of a line; anything else is free text.
            guard !key.isEmpty, key.allSatisfy({ ($0 >= "a" && $0 <= "z") || $0 == "_" }) else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let number = index + 1
            func malformed(_ reason: String) -> ToyModelError {
                .malformedDirective(line: number, text: line, reason: reason)
            }
            func list(_ allowed: [String]) throws -> [String] {
                let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                for item in items where !allowed.contains(item) {
                    throw malformed("'\(item)' is not one of \(allowed.joined(separator: ", "))")
                }
                return Array(Set(items)).sorted()
            }
            switch key {
            case "escalate":
                escalate = try list(PromptDirectives.triggers)
            case "refuse":
                refuse = try list(PromptDirectives.topics)
            case "cite_sources":
                guard value == "yes" || value == "no" else { throw malformed("use 'yes' or 'no'") }
                citeSources = value == "yes"
            case "max_words":
                guard let words = Int(value), (5...500).contains(words) else {
                    throw malformed("use a whole number of words from 5 to 500")
                }
                maxWords = words
            case "tone":
                guard let parsed = Tone(rawValue: value) else {
                    throw malformed("use 'friendly', 'formal' or 'neutral'")
                }
                tone = parsed
            default:
                warnings.append(
                    "prompt.md line \(number): unknown directive '\(key)' is ignored (known: \(PromptDirectives.keys.joined(separator: ", ")))."
                )
            }
        }
    }
}
