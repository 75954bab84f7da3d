// The interviewer's guide and the interview's timing: the guide covers exactly what the key planted, with two
// follow-ups and red flags per flaw, the herrings and a time per level; start and submit are recorded on the
// interviewer's clock beside the key, once each, and the score sheet shows the time taken.
@testable import Critique
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Testing

@Suite struct GuideTests {
    /// A copy of a built scenario's key in a folder of its own, so timing records never touch the shared scenario.
    func keyCopy(_ built: NewScenario) throws -> (folder: TemporaryFolder, key: String) {
        let folder = try TemporaryFolder("critique-guide")
        let key = folder.path + "/cand.key.json"
        try FileManager.default.copyItem(atPath: built.keyPath, toPath: key)
        return (folder, key)
    }

    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func theGuideCoversExactlyWhatWasPlanted(family: String) throws {
        let built = try Built.scenario(family, seed: 1)
        let guide = try InterviewGuide.make(folder: built.folder, keyAt: built.keyPath)
        #expect(Set(guide.flaws.map(\.code)) == Set(built.key.flaws.map(\.code)))
        #expect(guide.herrings.map(\.code) == built.key.herrings.map(\.code))
        // Most severe first, as a candidate should list them.
        #expect(guide.flaws.map(\.severity) == guide.flaws.map(\.severity).sorted())
        for flaw in guide.flaws {
            #expect(flaw.followUps.count == 2, "\(flaw.code)")
            #expect(flaw.redFlags.count >= 2, "\(flaw.code)")
            #expect(flaw.strongAnswer.contains(flaw.code) && !flaw.evidence.isEmpty, "\(flaw.code)")
            // The evidence is the candidate's: versions as #N, never a raw id the folder does not show.
            #expect(flaw.evidence.allSatisfy { !$0.hasPrefix("version:") }, "\(flaw.code)")
        }
        #expect(guide.times.map(\.level) == ["junior", "mid", "senior"])
        #expect(guide.times[0].minutes > guide.times[1].minutes && guide.times[1].minutes > guide.times[2].minutes)
        // The cheapest wrong guide lists the family's whole pool: a code the seed did not plant must not appear.
        let markdown = guide.render(.md)
        let family = try Families.family(family)
        for code in family.pool where !built.key.flaws.contains(where: { $0.code == code }) {
            #expect(!markdown.contains(code), "\(code) was not planted")
        }
    }

    /// A guide written once for a family would read the same for two scenarios; this one follows each key.
    @Test func twoScenariosGetDifferentGuidesFromTheirOwnPlacements() throws {
        let first = try Built.scenario("hand-deploys", seed: 1)
        let second = try Built.scenario("hand-deploys", seed: 2)
        let a = try InterviewGuide.make(folder: first.folder, keyAt: first.keyPath)
        let b = try InterviewGuide.make(folder: second.folder, keyAt: second.keyPath)
        #expect(a.render(.md) != b.render(.md))
        #expect(Set(a.flaws.map(\.location)) == Set(first.key.flaws.map(\.location)))
        #expect(Set(b.flaws.map(\.location)) == Set(second.key.flaws.map(\.location)))
        // A key that is not the folder's is refused before anything is printed.
        #expect(throws: CritiqueError.self) { try InterviewGuide.make(folder: first.folder, keyAt: second.keyPath) }
    }

    @Test func theHTMLGuideIsOneStaticPageWithEverythingEscaped() throws {
        let flaw = PlantedFlaw(
            code: "COPY-PROMOTION", severity: .high, location: "deploy/current <script>alert(1)</script> & co",
            evidence: ["file:deploy/current/*", "version:abc"], hints: [])
        let key = AnswerKey(
            family: "hand-deploys", seed: 1, secret: "s", mode: .interview, salt: "x", flaws: [flaw], herrings: [])
        let guide = InterviewGuide.make(key, seqs: ["abc": 4])
        let html = guide.render(.html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"))
        #expect(html.contains("<code>#4</code>"))
        let markdown = guide.render(.md)
        #expect(markdown.contains("\\<script\\>") && !markdown.contains("<script>"))
        // Byte-stable: the same key renders the same page.
        #expect(InterviewGuide.make(key, seqs: ["abc": 4]).render(.html) == html)
    }

    @Test func startAndSubmitAreRecordedOnceEachOnTheInterviewersClockBesideTheKey() throws {
        let built = try Built.scenario("weights-only", seed: 1)
        let (folder, key) = try keyCopy(built)
        // A clock years from the machine's: a record made with the real time would show it.
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_900_000_000))
        let record = Timing.path(forKey: key)
        #expect(record == folder.path + "/cand.key.timing.json")
        #expect(throws: CritiqueError.self) { try Timing.submit(folder: built.folder, keyPath: key, now: clock.now()) }
        #expect(!FileManager.default.fileExists(atPath: record))

        let started = try Timing.start(folder: built.folder, keyPath: key, now: clock.now())
        #expect(started.startedAt == clock.now())
        let mode = try FileManager.default.attributesOfItem(atPath: record)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: record))
        clock.advance(minutes: 5)
        #expect(throws: CritiqueError.self) { try Timing.start(folder: built.folder, keyPath: key, now: clock.now()) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: record)) == before)

        clock.advance(minutes: 42)
        let submitted = try Timing.submit(folder: built.folder, keyPath: key, now: clock.now())
        #expect(submitted.minutes == 47)
        #expect(throws: CritiqueError.self) { try Timing.submit(folder: built.folder, keyPath: key, now: clock.now()) }
        // Nothing about the interview's time is in the candidate's folder.
        let inside = FileManager.default.subpaths(atPath: built.folder) ?? []
        #expect(!inside.contains { $0.contains("timing") })

        let findings = folder.path + "/findings.txt"
        try Data("NO-LINEAGE  #1  nothing here to see at all, really\n".utf8).write(to: URL(fileURLWithPath: findings))
        let sheet = try Grader.grade(folder: built.folder, findingsAt: findings, keyAt: key, adjustAt: nil).sheet
        #expect(sheet.timing?.minutes == 47)
        #expect(sheet.text().contains("Time taken: 47 min"))
        #expect(sheet.markdown().contains("Time taken: 47 min"))
    }

    @Test func aSubmitDatedBeforeTheStartIsRefused() throws {
        let built = try Built.scenario("weights-only", seed: 1)
        // The folder is kept for the whole test: dropping it would delete the copy.
        let (folder, key) = try keyCopy(built)
        defer { withExtendedLifetime(folder) {} }
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        _ = try Timing.start(folder: built.folder, keyPath: key, now: start)
        #expect(throws: CritiqueError.self) {
            try Timing.submit(folder: built.folder, keyPath: key, now: start.addingTimeInterval(-60))
        }
        #expect(try Timing.load(forKey: key)?.submittedAt == nil)
    }
}
