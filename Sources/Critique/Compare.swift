// `critique compare GRADE.json…`: candidates side by side from their score sheets (`critique grade --json`), as a
// table or CSV, with each planted flaw's hit rate across the candidates whose scenario planted it.
import Foundation
import Hashing
public import Terminal

/// How `critique compare` prints the candidates.
public enum CompareFormat: String, OptionChoice {
    case table, csv
}

public struct Comparison: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        /// The sheet's file name without `.json`.
        public var name: String
        public var family: String
        public var score: Int
        public var adjustedScore: Int?
        public var recall: Double
        public var precision: Double
        public var herringsReported: Int
        /// Minutes from `critique start` to `critique submit`, when both were recorded.
        public var minutes: Int?
        /// Planted flaw code → found; codes the candidate's scenario did not plant are absent.
        public var hits: [String: Bool]

        enum CodingKeys: String, CodingKey {
            case name, family, score, recall, precision, hits, minutes
            case adjustedScore = "adjusted_score"
            case herringsReported = "herrings_reported"
        }
    }

    public var candidates: [Candidate]
    /// Flaw code → share of the candidates whose scenario planted it who found it.
    public var hitRates: [String: Double]

    enum CodingKeys: String, CodingKey {
        case candidates
        case hitRates = "hit_rates"
    }

    /// Reads every sheet; one that does not read is an error naming it, and nothing is printed.
    public static func load(_ paths: [String]) throws -> Comparison {
        guard !paths.isEmpty else { throw CritiqueError.gradeUnreadable(path: "", reason: "no sheet was given") }
        let candidates = try paths.map { path -> Candidate in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CritiqueError.gradeUnreadable(path: path, reason: "no such file")
            }
            guard JSONReader.duplicateKey(in: data) == nil,
                let sheet = try? CanonicalJSON.decoder().decode(ScoreSheet.self, from: data)
            else {
                throw CritiqueError.gradeUnreadable(path: path, reason: "it is not a 'critique grade --json' sheet")
            }
            let name = Findings.clean(((path as NSString).lastPathComponent as NSString).deletingPathExtension)
            var hits: [String: Bool] = [:]
            for flaw in sheet.flaws { hits[flaw.code] = (hits[flaw.code] ?? false) || flaw.found }
            return Candidate(
                name: name, family: sheet.family, score: sheet.score, adjustedScore: sheet.adjustedScore,
                recall: sheet.recall, precision: sheet.precision, herringsReported: sheet.herringsReported,
                minutes: sheet.timing?.minutes, hits: hits)
        }
        var rates: [String: Double] = [:]
        for code in Set(candidates.flatMap(\.hits.keys)) {
            let planted = candidates.compactMap { $0.hits[code] }
            rates[code] = Double(planted.filter { $0 }.count) / Double(planted.count)
        }
        return Comparison(candidates: candidates, hitRates: rates)
    }

    var codes: [String] { hitRates.keys.sorted() }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    /// The text table: one row a candidate, then the hit rate of each flaw.
    public var table: String {
        let header = ["candidate", "family", "score", "adjusted", "recall", "precision", "herrings", "time"]
        var rows = [header + codes]
        for candidate in candidates {
            rows.append(
                [
                    candidate.name, candidate.family, "\(candidate.score)",
                    candidate.adjustedScore.map(String.init) ?? "-",
                    Self.percent(candidate.recall), Self.percent(candidate.precision), "\(candidate.herringsReported)",
                    candidate.minutes.map { "\($0) min" } ?? "-",
                ] + codes.map { code in candidate.hits[code].map { $0 ? "found" : "missed" } ?? "-" })
        }
        rows.append(["hit rate", "", "", "", "", "", "", ""] + codes.map { Self.percent(hitRates[$0] ?? 0) })
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// CSV (RFC 4180): the same columns (time in minutes), found as 1, missed as 0, not planted empty; the last row the hit rates.
    public var csv: String {
        func field(_ text: String) -> String {
            text.contains { ",\"\n".contains($0) }
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [
            (["candidate", "family", "score", "adjusted", "recall", "precision", "herrings", "minutes"] + codes)
        ]
        for candidate in candidates {
            lines.append(
                [
                    candidate.name, candidate.family, "\(candidate.score)",
                    candidate.adjustedScore.map(String.init) ?? "",
                    "\(candidate.recall)", "\(candidate.precision)", "\(candidate.herringsReported)",
                    candidate.minutes.map(String.init) ?? "",
                ] + codes.map { code in candidate.hits[code].map { $0 ? "1" : "0" } ?? "" })
        }
        lines.append(
            ["hit rate", "", "", "", "", "", "", ""] + codes.map { String(format: "%.3f", hitRates[$0] ?? 0) })
        return lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
