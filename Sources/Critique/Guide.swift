// `critique guide DIR --key KEY`: the interviewer's printable sheet for one scenario. Per planted flaw, what a strong
// answer says (the consequence, evidence drawn from the key's placement, the practice), two follow-up questions and
// red flags; the herrings and what falling for them shows; a suggested time per level. Everything comes from the
// taxonomy, the guide notes and the key, never from text written for one seed.
import Foundation
import Registry
public import Terminal

public struct InterviewGuide: Codable, Sendable, Equatable {
    public struct Flaw: Codable, Sendable, Equatable {
        public var code: String
        public var title: String
        public var severity: Severity
        /// Where it sits in this scenario, from the key's placement.
        public var location: String
        /// What a strong answer cites: the planted evidence, as the candidate would write it.
        public var evidence: [String]
        public var strongAnswer: String
        public var followUps: [String]
        public var redFlags: [String]

        enum CodingKeys: String, CodingKey {
            case code, title, severity, location, evidence
            case strongAnswer = "strong_answer"
            case followUps = "follow_ups"
            case redFlags = "red_flags"
        }
    }

    public struct Herring: Codable, Sendable, Equatable {
        public var code: String
        public var title: String
        /// Why it is fine, in this scenario.
        public var whyFine: String
        public var fallingForItShows: String

        enum CodingKeys: String, CodingKey {
            case code, title
            case whyFine = "why_fine"
            case fallingForItShows = "falling_for_it_shows"
        }
    }

    public struct Timebox: Codable, Sendable, Equatable {
        public var level: String
        public var minutes: Int
        public var expect: String
    }

    public var family: String
    /// The level the scenario was built for (junior, mid, senior).
    public var level: CritiqueLevel
    public var flaws: [Flaw]
    public var herrings: [Herring]
    public var times: [Timebox]
}

/// How `critique guide` prints the sheet.
public enum GuideFormat: String, OptionChoice {
    case md, html
}

extension InterviewGuide {
    /// The guide for the scenario `key` describes, after checking the key against `folder`'s commitment.
    public static func make(folder: String, keyAt keyPath: String) throws -> InterviewGuide {
        let key = try AnswerKey.verified(keyPath, folder: folder)
        // Version ids are shown as the candidate sees them (#N) where the folder's registry still reads.
        let versions = (try? Registry(root: Workspace(root: folder).registryPath).versions()) ?? []
        let seqs = Dictionary(versions.map { ($0.id, $0.seq) }) { first, _ in first }
        return make(key, seqs: seqs)
    }

    static func make(_ key: AnswerKey, seqs: [String: Int]) -> InterviewGuide {
        let flaws = key.flaws.sorted { $0.severity < $1.severity }.map { planted -> Flaw in
            let kind = Taxonomy.kind(planted.code)
            let note = GuideNotes.flaws[planted.code] ?? GuideNotes.fallback
            let evidence = shown(planted.evidence, seqs: seqs)
            let cites = evidence.prefix(3).joined(separator: ", ")
            return Flaw(
                code: planted.code, title: kind?.title ?? planted.code, severity: planted.severity,
                location: planted.location, evidence: evidence,
                strongAnswer: "Names \(planted.code) citing \(cites); says that \(note.consequence); "
                    + "and knows the practice: \(kind?.practice ?? "see the taxonomy")",
                followUps: [
                    note.followUp,
                    "How would you show it with the kit alone? (Listen for: \(kind?.detection ?? "the kit's log").)",
                ],
                redFlags: [
                    note.redFlag,
                    planted.severity == .low
                        ? "Ranks it above the high-severity findings, or spends most of the time on it."
                        : "Calls it cosmetic: it is \(planted.severity.rawValue) severity because \(note.consequence).",
                ])
        }
        let herrings = key.herrings.map { planted -> Herring in
            let kind = Taxonomy.kind(planted.code)
            return Herring(
                code: planted.code, title: kind?.title ?? planted.code,
                whyFine: planted.location + ". " + (kind?.practice ?? ""),
                fallingForItShows: "A candidate who reports it "
                    + (GuideNotes.herrings[planted.code] ?? "did not check before reporting") + ".")
        }
        return InterviewGuide(
            family: key.family, level: key.level ?? .mid, flaws: flaws, herrings: herrings, times: timeboxes(key.flaws))
    }

    /// Evidence tokens as a finding writes them: #N for versions, event:N, file:line, the request or incident id;
    /// a long run of request ids is shortened to three and a count.
    static func shown(_ tokens: [String], seqs: [String: Int]) -> [String] {
        var requests: [String] = []
        var out: [String] = []
        for token in tokens {
            let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "version": out.append(seqs[parts[1]].map { "#\($0)" } ?? String(parts[1].prefix(12)))
            case "event": out.append(token)
            case "request": requests.append(parts[1])
            default: out.append(parts[1])
            }
        }
        out += requests.prefix(3)
        if requests.count > 3 { out.append("(and \(requests.count - 3) more request ids)") }
        return out
    }

    /// Reading time plus minutes a flaw by severity, more for a junior candidate: what a fair interview allows.
    static func timeboxes(_ flaws: [PlantedFlaw]) -> [Timebox] {
        let work = flaws.reduce(0) { total, flaw in
            total + (flaw.severity == .high ? 10 : flaw.severity == .medium ? 8 : 5)
        }
        func rounded(_ minutes: Double) -> Int { Int((minutes / 5).rounded(.up)) * 5 }
        return [
            Timebox(
                level: "junior", minutes: rounded(Double(15 + work) * 1.5),
                expect: "half the flaws, the high-severity ones first; hints are fair in practice mode"),
            Timebox(
                level: "mid", minutes: rounded(Double(15 + work) * 1.25),
                expect: "most flaws with checkable evidence and a consequence for each"),
            Timebox(
                level: "senior", minutes: rounded(Double(15 + work)),
                expect: "every flaw in severity order, no herring reported, and the fix for each"),
        ]
    }
}
