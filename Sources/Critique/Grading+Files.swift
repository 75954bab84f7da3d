// Grading as `critique grade` does it from files: the findings read from disk, and the sheet in the format asked
// for, with the self-check a practice folder adds.
import Foundation

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

extension ScoreSheet {
    /// The sheet as `critique grade` prints it: Markdown, or text with a practice folder's self-check.
    public func output(markdown: Bool, folder: String, key: AnswerKey) -> String {
        if markdown { return self.markdown() }
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
