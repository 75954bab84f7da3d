// Findings files as people's editors write them, and as a cheat would: CRLF, BOMs and UTF-16 read alike; oversize
// files, too many findings and unknown encodings refused by name; escape sequences never reach the interviewer; taxonomy
// spam and unexplained findings earn (almost) nothing.
@testable import Critique
import Foundation
import LabTestSupport
import Testing

@Suite struct ReadingTests {
    func write(_ data: Data, _ name: String, in temp: TemporaryFolder) throws -> String {
        let path = temp.path + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func crlfBomAndUtf16CopiesOfAPerfectFileScore100() throws {
        let built = try Built.scenario("weights-only", seed: 5, everyFlaw: true)
        let perfect = CalibrationPack.make(for: built.key, folder: built.folder).strong
        let temp = try TemporaryFolder("critique")
        let crlf = Data(perfect.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var copies: [(String, Data)] = [
            ("plain", Data(perfect.utf8)), ("crlf", crlf), ("bom", Data([0xEF, 0xBB, 0xBF]) + crlf),
        ]
        if let little = perfect.data(using: .utf16LittleEndian), let big = perfect.data(using: .utf16BigEndian) {
            copies += [("utf16le", Data([0xFF, 0xFE]) + little), ("utf16be", Data([0xFE, 0xFF]) + big)]
        }
        #expect(copies.count == 5)
        for (name, data) in copies {
            let path = try write(data, name, in: temp)
            let sheet = try Grader.grade(folder: built.folder, findingsAt: path, key: built.key)
            #expect(sheet.score == 100, "\(name) copy scored \(sheet.score)")
            #expect(try Findings.read(path).problems.isEmpty, "\(name) copy has format problems")
        }
        let bare = try write(perfect.data(using: .utf16LittleEndian) ?? Data(), "bare", in: temp)
        #expect(
            throws: CritiqueError.findingsEncoding(path: bare, reason: "it looks like UTF-16 without a byte-order mark")
        ) {
            try Findings.read(bare)
        }
    }

    @Test func oversizeFilesAndTooManyFindingsAreRefusedByName() throws {
        let temp = try TemporaryFolder("critique")
        let big = try write(
            Data(count: Findings.maxBytes + 1).map { _ in UInt8(ascii: "x") }.reduce(into: Data()) { $0.append($1) },
            "big", in: temp)
        #expect(throws: CritiqueError.findingsTooLarge(path: big, bytes: Findings.maxBytes + 1)) {
            try Findings.read(big)
        }
        let lines = (0...Findings.maxFindings).map {
            "NO-LINEAGE  #\($0 + 1)  a version without any parent breaks the chain"
        }
        let many = try write(Data(lines.joined(separator: "\n").utf8), "many", in: temp)
        #expect(throws: CritiqueError.findingsTooMany(path: many, count: Findings.maxFindings + 1)) {
            try Findings.read(many)
        }
    }

    @Test func escapeSequencesAreStrippedAndMarkdownIsEscaped() throws {
        let built = try Built.scenario("weights-only", seed: 5, everyFlaw: true)
        let hostile =
            "NO-LINEAGE  #2  \u{1B}]0;pwned\u{07}\u{1B}[31mred\u{1B}[0m | **bold** <script> \u{202E}evil and more words\n"
        let sheet = try Grader.grade(folder: built.folder, findingsText: hostile, key: built.key)
        for output in [sheet.text(), sheet.markdown()] {
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        }
        #expect(sheet.findings.first?.explanation.hasPrefix("red") == true)
        #expect(sheet.markdown().contains("\\*\\*bold\\*\\* \\<script\\>"))
        #expect(sheet.markdown().contains("red \\| "))
    }

    @Test func taxonomySpamScoresAtMost10AndUnexplainedFindingsEarnNothing() throws {
        let built = try Built.scenario("hand-deploys", seed: 5, everyFlaw: true)
        let evidence = Set(
            (built.key.flaws + built.key.herrings).map { CalibrationPack.citation($0, folder: built.folder) })
        let spam = Taxonomy.kinds.flatMap { kind in
            evidence.sorted().map { "\(kind.code)  \($0)  this could be a serious problem for the team later" }
        }
        let sheet = try Grader.grade(folder: built.folder, findingsText: spam.joined(separator: "\n"), key: built.key)
        #expect(sheet.score <= 10, "spam scored \(sheet.score)")
        let perfect = CalibrationPack.make(for: built.key, folder: built.folder).strong
        let terse = perfect.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: "  ") + "  bad"
        }
        let unexplained = try Grader.grade(
            folder: built.folder, findingsText: terse.joined(separator: "\n"), key: built.key)
        #expect(unexplained.score == 0)
        #expect(unexplained.findings.allSatisfy { $0.status == .unexplained })
    }
}
