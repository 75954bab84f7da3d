// What the interviewer reads after the interview (`reveal`), the calibration pack of example findings at three
// levels, and practice mode's tiered hints (each one shown is recorded in the folder).
public import Foundation
import Hashing
import Registry

public enum Debrief {
    static let playNames = [
        1: "register", 2: "promote", 3: "rollback", 4: "experiment", 5: "audit", 6: "gc", 7: "investigate",
    ]

    public static func text(_ key: AnswerKey) -> String {
        var lines = [
            "Debrief: \(key.family), seed \(key.seed), \(key.flaws.count) planted flaws, \(key.herrings.count) red herrings",
            "",
        ]
        for (number, flaw) in key.flaws.enumerated() {
            let kind = Taxonomy.kind(flaw.code)
            lines.append("\(number + 1). \(flaw.code) [\(flaw.severity.rawValue)]: \(kind?.title ?? "")")
            lines.append("   Where: \(flaw.location)")
            lines.append("   Evidence: \(flaw.evidence.map(display).joined(separator: ", "))")
            lines.append("   Exposed by: \(kind?.detection ?? "")")
            if let kind {
                lines.append("   Right practice (play \(kind.play), \(playNames[kind.play] ?? "")): \(kind.practice)")
            }
            lines.append("")
        }
        lines.append("Red herrings (fine; reporting them costs \(Grader.herringPenalty) points each):")
        for herring in key.herrings {
            lines.append("- \(Taxonomy.kind(herring.code)?.title ?? herring.code): \(herring.location)")
        }
        return lines.joined(separator: "\n")
    }

    /// An evidence token as a candidate would write it.
    static func display(_ token: String) -> String {
        if token.hasPrefix("version:") { return String(token.dropFirst(8).prefix(12)) }
        if token.hasPrefix("event:") { return token }
        if token.hasPrefix("request:") || token.hasPrefix("incident:") {
            return String(token.split(separator: ":", maxSplits: 1)[1])
        }
        if token.hasPrefix("file:") { return String(token.dropFirst(5)) }
        return token
    }
}

/// Example findings at three levels for one scenario, so interviewers can calibrate their reading of the rubric.
public struct CalibrationPack: Codable, Sendable, Equatable {
    public var strong: String
    public var adequate: String
    public var weak: String

    /// Strong: every flaw, most severe first, with evidence. Adequate: the first half of them, one cited by the wrong
    /// code and one red herring reported. Weak: one flaw found, codes guessed without evidence, a red herring.
    public static func make(for key: AnswerKey, folder: String) -> CalibrationPack {
        let bySeverity = key.flaws.sorted { $0.severity.weight > $1.severity.weight }
        func line(_ flaw: PlantedFlaw, _ why: String) -> String {
            "\(flaw.code)  \(citation(flaw, folder: folder))  \(why)"
        }
        let strong = bySeverity.map { flaw in
            line(
                flaw,
                "\(Taxonomy.kind(flaw.code)?.title ?? flaw.code); the right practice: \(Taxonomy.kind(flaw.code)?.practice ?? "")"
            )
        }
        let half = Array(bySeverity.prefix((bySeverity.count + 1) / 2))
        var adequate = half.map { line($0, "this looks wrong to me and could hurt us later") }
        if let herring = key.herrings.first {
            adequate.append("NO-LINEAGE  \(citation(herring, folder: folder))  this version looks suspicious")
        }
        var weak = Array(bySeverity.suffix(1)).map { line($0, "not sure") }
        weak += ["MUTABLE-LATEST  production  they use tags", "SUITE-UNPINNED  evals/core.jsonl:999  suites change"]
        if let herring = key.herrings.last {
            weak.append("UNRECORDED-TRAINING  \(citation(herring, folder: folder))  odd version")
        }
        return CalibrationPack(
            strong: strong.joined(separator: "\n") + "\n", adequate: adequate.joined(separator: "\n") + "\n",
            weak: weak.joined(separator: "\n") + "\n")
    }

    /// The first evidence of `flaw`, written as a candidate would cite it (a real line for any-line file tokens).
    static func citation(_ flaw: PlantedFlaw, folder: String) -> String {
        guard let token = flaw.evidence.first else { return "-" }
        if token.hasSuffix("/*") {
            let base = String(token.dropFirst(5).dropLast(2))
            let first = (FileManager.default.subpaths(atPath: folder + "/" + base) ?? []).sorted().first {
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder + "/" + base + "/" + $0, isDirectory: &isFolder)
                    && !isFolder.boolValue
            }
            return "\(base)/\(first ?? ""):1"
        }
        if token.hasPrefix("file:"), token.filter({ $0 == ":" }).count == 1 { return Debrief.display(token) + ":1" }
        return Debrief.display(token)
    }
}

/// Practice mode's hints: three tiers per flaw (where to look, which command, what it is), shown one at a time and
/// recorded in `.critique/hints.jsonl` so the score sheet can say how many were used.
public enum Hints {
    public struct Shown: Codable, Sendable, Equatable {
        public var flaw: Int
        public var tier: Int
        public var text: String
        public var at: Date
    }

    static func path(_ folder: String) -> String { "\(folder)/\(ScenarioFolder.marker)/hints.jsonl" }

    /// The hints shown so far; none before the first. A line that does not read is an error naming the file.
    public static func used(in folder: String) throws -> [Shown] {
        let data = FileManager.default.contents(atPath: path(folder))
        try Manifest.check(data, as: "hints.jsonl", in: folder)
        guard let data else { return [] }
        let decoder = CanonicalJSON.decoder()
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { index, line in
            do {
                return try decoder.decode(Shown.self, from: Data(line.utf8))
            } catch {
                throw CritiqueError.scenarioDamaged(
                    path: path(folder), reason: "line \(index + 1) does not read: \(error)")
            }
        }
    }

    /// `critique hint`: the key checked against the folder, then the next hint as the line the command prints.
    public static func nextLine(_ folder: String, _ keyPath: String, _ now: Date) throws -> String {
        let key = try AnswerKey.verified(keyPath, folder: folder)
        guard let hint = try next(folder: folder, key: key, now: now) else { return "No hints left." }
        return "Flaw \(hint.flaw), hint \(hint.tier) of 3: \(hint.text)"
    }

    /// The next hint: the next tier of the first flaw whose hints are not all shown. Nil when none are left.
    public static func next(folder: String, key: AnswerKey, now: Date) throws -> Shown? {
        guard try ScenarioFolder.info(in: folder).mode == .practice else {
            throw CritiqueError.practiceOnly(command: "hint")
        }
        let shown = try used(in: folder)
        for (index, flaw) in key.flaws.enumerated() {
            let tiers = shown.filter { $0.flaw == index + 1 }.count
            guard tiers < flaw.hints.count else { continue }
            let hint = Shown(flaw: index + 1, tier: tiers + 1, text: flaw.hints[tiers], at: now)
            let line = String(decoding: try CanonicalJSON.encode(hint), as: UTF8.self) + "\n"
            if FileManager.default.fileExists(atPath: path(folder)) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(folder)))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(line.utf8))
                try handle.close()
            } else {
                try Data(line.utf8).write(to: URL(fileURLWithPath: path(folder)))
            }
            try Manifest.record(
                FileManager.default.contents(atPath: path(folder)) ?? Data(), as: "hints.jsonl", in: folder)
            return hint
        }
        return nil
    }

    /// Practice self-check after grading: the first-tier hint of every flaw missed.
    public static func selfCheck(_ sheet: ScoreSheet, key: AnswerKey) -> [String] {
        zip(sheet.flaws, key.flaws).filter { !$0.0.found }.compactMap { $0.1.hints.first }
    }
}
