// Lab manifests: the bundled curriculum loads, and a bad manifest names its file and field.
import Foundation
import LabTestSupport
import Testing

@testable import LabKit

@Suite struct ManifestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A copy of the bundled Labs/ whose one manifest is rewritten by `edit`.
    static func catalog(editing lab: String, _ edit: (inout [String: Any]) -> Void) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("labkit")
        let root = folder.path
        try FileManager.default.copyItem(atPath: repository + "/Labs", toPath: root + "/Labs")
        let path = "\(root)/Labs/\(lab)/lab.json"
        var manifest = try #require(
            try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&manifest)
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        return folder
    }

    @Test func theCurriculumLoadsInOrder() throws {
        let catalog = try LabCatalog.load(root: Self.repository)
        #expect(catalog.labs.map(\.manifest.number) == (0...12).map { String(format: "%02d", $0) })
        #expect(try catalog.lab("06").id == "06-emergency-rollback")
        #expect(try catalog.lab("6").id == "06-emergency-rollback")
        #expect(try catalog.lab("06-emergency-rollback").manifest.allTimers.first?.goldSeconds == 120)
        #expect(throws: LabError.unknownLab("13", known: catalog.labs.map(\.manifest.number))) {
            try catalog.lab("13")
        }
        for lab in catalog.labs.dropFirst() {
            #expect(lab.manifest.prerequisites == [catalog.labs(before: lab).last?.id ?? ""], "\(lab.id)")
        }
    }

    @Test(arguments: [
        ("title", "field 'title' is missing"),
        ("checks", "field 'checks' is missing"),
    ])
    func missingFieldsAreNamed(field: String, phrase: String) throws {
        let copy = try Self.catalog(editing: "02-register-behind-the-gate") { $0.removeValue(forKey: field) }
        let error = try #require(throws: LabError.self) { try LabCatalog.load(root: copy.path) }
        #expect(error.description.hasPrefix("Labs/02-register-behind-the-gate/lab.json: "), "\(error)")
        #expect(error.description.contains(phrase), "\(error)")
    }

    @Test func wrongValuesAreNamedWithTheWayOut() throws {
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("points", { $0["points"] = 99 }, "field 'points' is 99 but its checks and timers add up to 20"),
            ("id", { $0["id"] = "04-other" }, "must match its folder name"),
            (
                "check",
                { manifest in
                    var checks = manifest["checks"] as? [[String: Any]] ?? []
                    checks[0]["check"] = "vibes"
                    manifest["checks"] = checks
                }, "field 'checks[0].check' 'vibes' is not a known check"
            ),
            (
                "step",
                { manifest in
                    var steps = manifest["steps"] as? [[String: Any]] ?? []
                    steps[0]["edit"] = ["file": "x", "append": "y"]
                    manifest["steps"] = steps
                }, "field 'steps[0]' give exactly one of 'run'"
            ),
            ("type", { $0["hints"] = "read the docs" }, "field 'hints' has the wrong type"),
        ]
        for (name, edit, phrase) in cases {
            let copy = try Self.catalog(editing: "04-attribution", edit)
            let error = try #require(throws: LabError.self, "\(name)") { try LabCatalog.load(root: copy.path) }
            #expect(error.description.contains(phrase), "\(name): \(error)")
        }
    }

    @Test func junitEscapesWhatXMLForbids() {
        let report = GradeReport(grades: [
            LabGrade(
                lab: "00-orientation", title: "Orientation", score: 0, maxScore: 10,
                tests: [
                    TestResult(
                        name: "a<b>&\"c\"", status: .fail, score: 0, maxScore: 10,
                        message: "bell \u{7} and 'quotes' & <tags>\nnext line")
                ], hintsUsed: 0, attempts: 1, laidDown: false)
        ])
        let xml = report.junit()
        #expect(xml.contains("name=\"a&lt;b&gt;&amp;&quot;c&quot;\""))
        #expect(xml.contains("message=\"bell  and &apos;quotes&apos; &amp; &lt;tags&gt;&#10;next line\""))
        #expect(!xml.contains("\u{7}"))
        #expect(report.passed == false)
    }
}
