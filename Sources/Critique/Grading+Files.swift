// Grading as `critique grade` does it from files: the findings read from disk, and the sheet in the format asked
// for, with the self-check a practice folder adds.
import Foundation
import Hashing
import Registry
public import Terminal

extension Grader {
    /// Grades the findings file at `findingsPath` for the candidate `folder` against `key`, counting the hints shown.
    public static func grade(folder: String, findingsAt findingsPath: String, key: AnswerKey) throws -> ScoreSheet {
        let text = try Findings.text(at: findingsPath)
        let count = Findings.parse(text).findings.count
        guard count <= Findings.maxFindings else {
            throw CritiqueError.findingsTooMany(path: findingsPath, count: count)
        }
        return try grade(
            folder: folder, findingsText: text, key: key,
            hintsUsed: try Hints.used(in: folder).count)
    }
}

/// How `critique grade` prints its sheet.
public enum GradeFormat: String, OptionChoice {
    case text, json, markdown
}

extension Grader {
    /// `critique grade`: the key checked against the folder's commitment, the findings graded, and beside the
    /// automatic score the interviewer's adjustments and the time recorded next to the key.
    public static func grade(folder: String, findingsAt findingsPath: String, keyAt keyPath: String, adjustAt: String?)
        throws -> (sheet: ScoreSheet, key: AnswerKey)
    {
        let key = try AnswerKey.verified(keyPath, folder: folder)
        var sheet = try grade(folder: folder, findingsAt: findingsPath, key: key, adjustAt: adjustAt)
        sheet.timing = try Timing.load(forKey: keyPath)
        return (sheet, key)
    }
}

extension ScoreSheet {
    /// The sheet as `critique grade` prints it: JSON, Markdown, or text with a practice folder's self-check.
    public func output(_ format: GradeFormat, folder: String, key: AnswerKey) throws -> String {
        if format == .json { return String(try CanonicalJSON.prettyString(self).dropLast()) }
        if format == .markdown { return self.markdown() }
        // A folder whose info cannot be read is graded as an interview: no self-check is offered.
        let practice = (try? ScenarioFolder.info(in: folder).mode) == .practice
        return text(selfCheck: practice ? Hints.selfCheck(self, key: key) : nil)
    }
}

extension CalibrationPack {
    /// The three example findings for `key`'s folder, strongest first, each with the score it earns.
    public static func levels(for key: AnswerKey, folder: String) throws -> [(name: String, text: String, score: Int)] {
        let pack = make(for: key, folder: folder)
        return try [("strong", pack.strong), ("adequate", pack.adequate), ("weak", pack.weak)].map { name, text in
            (name, text, try Grader.grade(folder: folder, findingsText: text, key: key).score)
        }
    }
}

extension CalibrationPack {
    /// `critique calibrate`: the three examples written to `out` (outside the candidate folder) or returned in full,
    /// as the lines the command prints.
    public static func calibrate(folder: String, keyAt keyPath: String, out: String?) throws -> [String] {
        let key = try AnswerKey.verified(keyPath, folder: folder)
        if let out, (out + "/").hasPrefix(folder + "/") {
            throw CritiqueError.keyInsideFolder(key: out, folder: folder)
        }
        return try levels(for: key, folder: folder).map { name, text, score in
            guard let out else { return "== \(name): \(score)/100\n\(text)" }
            try StagedOutput.write(Data(text.utf8), to: "\(out)/\(name).txt")
            return "\(name): \(score)/100  (\(out)/\(name).txt)"
        }
    }
}
