// `LabRunner critique` end to end: an interviewer builds a scenario, the candidate works in it with the kit's
// commands and writes findings, the interviewer grades, reveals and shares it.
import Foundation
import LabTestSupport
import Playbook
import Testing

@Suite struct CritiqueCommandTests {
    @Test func anInterviewerBuildsGradesRevealsAndSharesAScenario() throws {
        let box = try Sandbox()
        #expect(
            try box.ok(["critique", "list"], in: "").components(separatedBy: "\n").filter { !$0.isEmpty }.count == 3)
        #expect(try box.ok(["critique", "new", "--help"], in: "").contains("USAGE"))
        try box.ok(
            ["critique", "new", "hand-deploys", "--seed", "11", "--out", "cand", "--mode", "practice"], in: "")
        #expect(FileManager.default.fileExists(atPath: box.path + "/cand.key.json"))
        #expect(try box.ok(["versions"], in: "cand").contains("#1"))

        // The candidate: a malformed file is caught by check, without answers.
        try box.write("NO-LINEAGE\nMUTABLE-LATEST  #1  latest moves\n", to: "bad.txt")
        let bad = try box.run(["critique", "check", "cand", "--findings", "bad.txt"], in: "")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 1: no evidence"))
        let hint = try box.ok(["critique", "hint", "cand", "--key", "cand.key.json"], in: "")
        #expect(hint.contains("Flaw 1, hint 1 of 3"))

        // The interviewer: calibration files, grades in three formats.
        let calibration = try box.ok(
            ["critique", "calibrate", "cand", "--key", "cand.key.json", "--out", "cal"], in: "")
        #expect(calibration.contains("strong: 100/100"))
        #expect(
            try box.ok(["critique", "check", "cand", "--findings", "cal/strong.txt"], in: "").contains("well-formed"))
        let json = try box.json(
            ["critique", "grade", "cand", "--findings", "cal/strong.txt", "--key", "cand.key.json"], in: "")
        #expect(json["score"].int == 100)
        #expect(json["hints_used"].int == 1)
        let text = try box.ok(
            ["critique", "grade", "cand", "--findings", "cal/weak.txt", "--key", "cand.key.json"], in: "")
        #expect(text.contains("missed") && text.contains("Self-check"))

        // The interviewer's adjustments sit beside the automatic score, never inside it.
        let weak = try box.json(
            ["critique", "grade", "cand", "--findings", "cal/weak.txt", "--key", "cand.key.json"], in: "")
        try box.write("# after the interview\r\n2  partial  15  right insight under another code\r\n", to: "adj.txt")
        let adjusted = try box.json(
            [
                "critique", "grade", "cand", "--findings", "cal/weak.txt", "--key", "cand.key.json", "--adjust",
                "adj.txt",
            ],
            in: "")
        #expect(adjusted["score"].int == weak["score"].int)
        #expect(adjusted["adjusted_score"].int == min(100, (weak["score"].int ?? 0) + 15))
        let adjustedText = try box.ok(
            [
                "critique", "grade", "cand", "--findings", "cal/weak.txt", "--key", "cand.key.json", "--adjust",
                "adj.txt",
            ],
            in: "")
        #expect(adjustedText.contains("Adjusted by the interviewer") && adjustedText.contains("right insight"))
        // Candidates side by side: the strong and the weak sheets (the weak one adjusted), as a table, CSV and JSON.
        for (name, findings, extra) in [
            ("ana", "cal/strong.txt", []), ("ben", "cal/weak.txt", ["--adjust", "adj.txt"]),
        ] {
            let sheet = try box.ok(
                ["critique", "grade", "cand", "--findings", findings, "--key", "cand.key.json", "--json"] + extra,
                in: "")
            try box.write(sheet, to: "\(name).json")
        }
        let table = try box.ok(["critique", "compare", "ana.json", "ben.json"], in: "")
        #expect(table.contains("hit rate") && table.contains("ana") && table.contains("found"))
        let csv = try box.ok(["critique", "compare", "ana.json", "ben.json", "--format", "csv"], in: "")
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4)
        #expect(csv.hasPrefix("candidate,family,score,adjusted,recall,precision,herrings,"))
        let compared = try box.json(["critique", "compare", "ana.json", "ben.json", "--json"], in: "")
        #expect(compared["candidates"][0]["score"].int == 100)
        #expect(compared["candidates"][1]["adjusted_score"].int == adjusted["adjusted_score"].int)
        #expect(try box.run(["critique", "compare", "ana.json", "nope.json"], in: "").status == 1)
        #expect(try box.run(["critique", "compare", "ana.json", "--format", "xls"], in: "").status == 64)
        try box.write("99 credit 10 no such line\n", to: "bad-adj.txt")
        let refused = try box.run(
            [
                "critique", "grade", "cand", "--findings", "cal/weak.txt", "--key", "cand.key.json", "--adjust",
                "bad-adj.txt",
            ], in: "")
        #expect(refused.status == 1 && refused.stderr.contains("no line 99"))
        let markdown = try box.ok(
            [
                "critique", "grade", "cand", "--findings", "cal/adequate.txt", "--key", "cand.key.json", "--format",
                "markdown",
            ],
            in: "")
        #expect(markdown.hasPrefix("# Critique score:"))
        let reveal = try box.ok(["critique", "reveal", "cand", "--key", "cand.key.json"], in: "")
        #expect(reveal.contains("Right practice (play"))

        // A changed key fails the commitment; nothing is graded.
        let key = box.read("cand.key.json")
        try box.write(try edited(key) { $0.replacingOccurrences(of: "\"high\"", with: "\"low\"") }, to: "changed.json")
        let tampered = try box.run(
            ["critique", "grade", "cand", "--findings", "cal/strong.txt", "--key", "changed.json"], in: "")
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("does not match the folder's commitment"))

        // Sharing: export, import, grade the copy.
        try box.ok(["critique", "export", "cand", "--out", "cand.tar"], in: "")
        try box.ok(["critique", "import", "cand.tar", "--out", "copy"], in: "")
        let copy = try box.json(
            ["critique", "grade", "copy", "--findings", "cal/strong.txt", "--key", "cand.key.json"], in: "")
        #expect(copy["score"].int == 100)
        let again = try box.run(["critique", "import", "cand.tar", "--out", "copy"], in: "")
        #expect(again.status == 1)
    }

    @Test func interviewFoldersRefusePracticeCommandsAndBadInputWritesNothing() throws {
        let box = try Sandbox()
        let unknown = try box.run(["critique", "new", "nope", "--out", "x"], in: "")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("critique list"))
        let missing = try box.run(["critique", "new", "weights-only"], in: "")
        #expect(missing.status == 64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path).isEmpty)
        try box.ok(["critique", "new", "eval-theatre", "--seed", "3", "--out", "cand"], in: "")
        try box.write("NO-LINEAGE  #1  x\n", to: "f.txt")
        let check = try box.run(["critique", "check", "cand", "--findings", "f.txt"], in: "")
        #expect(check.status == 1)
        #expect(check.stderr.contains("practice scenarios only"))
    }

    /// The interviewer's whole day: two scenarios, each candidate's start and end on the interviewer's clock, a grade
    /// with an adjustment, the printable guide, and the candidates side by side with the time each took.
    @Test func anInterviewerTimesGuidesAdjustsAndComparesCandidates() throws {
        let box = try Sandbox()
        let clock = try #require(box.clock)
        for (name, seed, minutes) in [("ana", "21", 38.0), ("ben", "22", 55.0)] {
            try box.ok(["critique", "new", "hand-deploys", "--seed", seed, "--out", name], in: "")
            let key = "\(name).key.json"
            #expect(try box.ok(["critique", "start", name, "--key", key], in: "").contains("Recorded start"))
            let twice = try box.run(["critique", "start", name, "--key", key], in: "")
            #expect(twice.status == 1 && twice.stderr.contains("already started"))
            clock.advance(minutes: minutes)
            try box.ok(["critique", "calibrate", name, "--key", key, "--out", "\(name)-cal"], in: "")
            let submitted = try box.ok(["critique", "submit", name, "--key", key], in: "")
            #expect(submitted.contains("\(Int(minutes)) min"))
            #expect(FileManager.default.fileExists(atPath: box.path + "/\(name).key.timing.json"))
            #expect(
                !(FileManager.default.subpaths(atPath: box.path + "/" + name) ?? []).contains { $0.contains("timing") })
        }
        try box.write("1  partial  10  saw the retention gap under another code\n", to: "adj.txt")
        for (name, level, extra) in [("ana", "strong", [String]()), ("ben", "adequate", ["--adjust", "adj.txt"])] {
            let grade = [
                "critique", "grade", name, "--findings", "\(name)-cal/\(level).txt", "--key", "\(name).key.json",
            ]
            let text = try box.ok(grade + extra, in: "")
            #expect(text.contains("Time taken: "))
            try box.write(try box.ok(grade + extra + ["--json"], in: ""), to: "\(name).json")
        }
        let ben = try box.json(
            [
                "critique", "grade", "ben", "--findings", "ben-cal/adequate.txt", "--key", "ben.key.json", "--adjust",
                "adj.txt",
            ],
            in: "")
        #expect(ben["adjusted_score"].int == min(100, (ben["score"].int ?? 0) + 10))
        #expect(ben["timing"]["submitted_at"].string != nil)

        let guide = try box.ok(["critique", "guide", "ana", "--key", "ana.key.json"], in: "")
        #expect(guide.hasPrefix("# Interviewer guide: hand-deploys scenario"))
        #expect(guide.contains("*Follow-ups:*") && guide.contains("*Red flags:*") && guide.contains("| senior |"))
        let sheet = try box.json(["critique", "guide", "ana", "--key", "ana.key.json", "--json"], in: "")
        #expect(sheet["flaws"].count == 4 && sheet["flaws"][0]["follow_ups"].count == 2)
        #expect(sheet["level"].string == "mid")
        let html = try box.ok(["critique", "guide", "ana", "--key", "ana.key.json", "--format", "html"], in: "")
        #expect(html.hasPrefix("<!DOCTYPE html>") && !html.contains("<script"))
        #expect(
            try box.run(["critique", "guide", "ana", "--key", "ana.key.json", "--format", "pdf"], in: "").status == 64)
        let wrongKey = try box.run(["critique", "guide", "ana", "--key", "ben.key.json"], in: "")
        #expect(wrongKey.status == 1 && wrongKey.stderr.hasPrefix("Error: "))

        let table = try box.ok(["critique", "compare", "ana.json", "ben.json"], in: "")
        let rows = table.components(separatedBy: "\n")
        #expect(rows[0].contains("time"))
        #expect(rows.contains { $0.hasPrefix("ana") && $0.contains("38 min") })
        #expect(rows.contains { $0.hasPrefix("ben") && $0.contains("55 min") })
        let csv = try box.ok(["critique", "compare", "ana.json", "ben.json", "--format", "csv"], in: "")
        #expect(csv.hasPrefix("candidate,family,score,adjusted,recall,precision,herrings,minutes,"))
        #expect(csv.contains("ana,hand-deploys,100,,1.0,1.0,0,38,"))
    }
}
