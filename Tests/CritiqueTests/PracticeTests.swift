// Practice mode: tiered hints, each recorded in the folder and counted on the score sheet; interview mode has none.
@testable import Critique
import Foundation
import LabTestSupport
import Testing

@Suite struct PracticeTests {
    @Test func hintsComeInTiersAreRecordedAndInterviewFoldersRefuseThem() throws {
        let temp = try TemporaryFolder("critique")
        let built = try Scenarios.create(
            family: "hand-deploys", seed: 7, mode: .practice, folder: temp.path + "/p", keyPath: temp.path + "/k.json")
        let now = Date(timeIntervalSince1970: 0)
        let first = try #require(try Hints.next(folder: built.folder, key: built.key, now: now))
        let second = try #require(try Hints.next(folder: built.folder, key: built.key, now: now))
        #expect((first.flaw, first.tier, second.flaw, second.tier) == (1, 1, 1, 2))
        #expect(try Hints.used(in: built.folder).count == 2)
        let record = built.folder + "/.critique/hints.jsonl"
        let saved = try Data(contentsOf: URL(fileURLWithPath: record))
        try FileManager.default.removeItem(atPath: record)
        #expect(throws: CritiqueError.scenarioDamaged(path: record, reason: "it was removed")) {
            try Hints.used(in: built.folder)
        }
        try saved.write(to: URL(fileURLWithPath: record))
        let sheet = try Grader.grade(
            folder: built.folder, findingsText: "", key: built.key, hintsUsed: try Hints.used(in: built.folder).count)
        #expect(sheet.hintsUsed == 2)
        #expect(Hints.selfCheck(sheet, key: built.key).count == built.key.flaws.count)
        #expect(try String(contentsOfFile: built.folder + "/BRIEF.md", encoding: .utf8).contains("Practice mode"))

        let interview = try Built.scenario("hand-deploys", seed: 1)
        #expect(throws: CritiqueError.practiceOnly(command: "hint")) {
            try Hints.next(folder: interview.folder, key: interview.key, now: now)
        }
        #expect(try !String(contentsOfFile: interview.folder + "/BRIEF.md", encoding: .utf8).contains("hint"))
    }
}
