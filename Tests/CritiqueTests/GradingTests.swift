// Grading: perfect, taxonomy-spam, empty and calibration findings files get their expected, pinned scores; each
// planted flaw is reported found or missed with why; red herrings, wrong codes and unfounded evidence cost points.
@testable import Critique
import Foundation
import LabTestSupport
import Testing

@Suite struct GradingTests {
    static let families = ["weights-only", "hand-deploys", "eval-theatre"]

    func grade(_ built: NewScenario, _ text: String) throws -> ScoreSheet {
        try Grader.grade(folder: built.folder, findingsText: text, key: built.key)
    }

    @Test(arguments: families)
    func perfectFindingsScore100AndSpamEmptyScoreNothing(family: String) throws {
        let built = try Built.scenario(family, seed: 5, everyFlaw: true)
        let perfect = CalibrationPack.make(for: built.key, folder: built.folder).strong
        let sheet = try grade(built, perfect)
        #expect(sheet.score == 100)
        #expect(sheet.flaws.allSatisfy { $0.found })
        let spam = Taxonomy.kinds.map { "\($0.code)  -  everything is wrong" }.joined(separator: "\n")
        #expect(try grade(built, spam).score == 0)
        let spamWithoutEvidence = Taxonomy.kinds.map(\.code).joined(separator: "\n")
        #expect(try grade(built, spamWithoutEvidence).score == 0)
        #expect(try grade(built, "").score == 0)
        #expect(try grade(built, "").flaws.allSatisfy { !$0.found && $0.why.contains("no finding names") })
    }

    /// The calibration pack of each family (seed 1), graded and pinned: interviewers read these numbers.
    @Test(arguments: zip(families, [(100, 41, 0), (100, 36, 0), (100, 37, 0)]))
    func calibrationPackScoresArePinned(family: String, expected: (Int, Int, Int)) throws {
        let built = try Built.scenario(family, seed: 1)
        let pack = CalibrationPack.make(for: built.key, folder: built.folder)
        let scores = (
            try grade(built, pack.strong).score, try grade(built, pack.adequate).score,
            try grade(built, pack.weak).score
        )
        #expect(scores == expected)
    }

    @Test func herringsWrongCodesAndUnfoundedEvidenceAreNamed() throws {
        let built = try Built.scenario("weights-only", seed: 5, everyFlaw: true)
        let perfect = CalibrationPack.make(for: built.key, folder: built.folder).strong
        let herring = try #require(built.key.herrings.first { $0.code == "HERRING-COSMETIC-PROMPT" })
        let herringLine = "NO-LINEAGE  \(Debrief.display(herring.evidence[0]))  an odd extra version"
        let withHerring = try grade(built, perfect + herringLine + "\n")
        #expect(withHerring.herringsReported == 1)
        #expect(withHerring.score <= 100 - Grader.herringPenalty)
        #expect(withHerring.findings.last?.status == .herring)

        let unfounded = try grade(built, "NO-LINEAGE  #999  a version from nowhere\nMUTABLE-LATEST  nothing.txt:1  x\n")
        #expect(unfounded.findings.map(\.status) == [.unfounded, .unfounded])
        #expect(unfounded.score == 0)

        let latest = try #require(built.key.flaws.first { $0.code == "MUTABLE-LATEST" })
        let wrong = try grade(built, "NO-LINEAGE  \(Debrief.display(latest.evidence[0]))  wrong code\n")
        #expect(wrong.findings.first?.status == .wrongCode)
        #expect(wrong.flaws.first { $0.code == "MUTABLE-LATEST" }?.found == false)
    }

    @Test func severityOrderCountsAndDuplicatesAreNeutral() throws {
        let built = try Built.scenario("hand-deploys", seed: 5, everyFlaw: true)
        let lines = CalibrationPack.make(for: built.key, folder: built.folder).strong.split(separator: "\n")
        let reversed = try grade(built, lines.reversed().joined(separator: "\n"))
        #expect(reversed.order < 1)
        #expect(reversed.score < 100 && reversed.score >= 90)
        let doubled = try grade(built, (lines + [lines[0]]).joined(separator: "\n"))
        #expect(doubled.score == 100)
        #expect(doubled.findings.last?.status == .duplicate)
    }

    @Test func findingsFormatProblemsAreListedWithoutAnswers() {
        let parsed = Findings.parse(
            """
            # my notes
            NO-LINEAGE  #3  no parent
            BOGUS-CODE  #3  what
            MUTABLE-LATEST
            SUITE-CHANGED  banana  bad evidence
            COPY-PROMOTION  deploy/current/prompt.md:1
            """)
        #expect(parsed.findings.count == 5)
        #expect(parsed.problems.count == 4)
        #expect(parsed.problems[0].hasPrefix("line 3:"))
    }

    /// Evidence that points straight at a flaw is accepted: the server's config line that names the production tag
    /// while deploy.sh copies other files in shows COPY-PROMOTION. The same line under another code is not a find.
    @Test func theServeConfigLineShowsACopyPromotion() throws {
        let built = try Built.scenario("hand-deploys", seed: 5, everyFlaw: true)
        let explanation = "the server runs copied files that the production tag never named, so nothing gated them"
        let sheet = try grade(built, "COPY-PROMOTION  deploy/serve.json:2  \(explanation)\n")
        #expect(sheet.findings.first?.status == .found)
        let elsewhere = try grade(built, "APPROVER-IS-AUTHOR  deploy/serve.json:2  \(explanation)\n")
        #expect(elsewhere.findings.first?.status != .found)
    }
}
