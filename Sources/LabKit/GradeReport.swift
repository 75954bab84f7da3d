// A grade in the four shapes people and machines read: text, autograder JSON, JUnit XML and Markdown.
import Foundation
import Hashing
import Reports

public struct GradeReport: Sendable {
    public static let formatVersion = "1"
    public var grades: [LabGrade]

    public init(grades: [LabGrade]) { self.grades = grades }

    public var passed: Bool { grades.allSatisfy(\.passed) }
    public var score: Int { grades.reduce(0) { $0 + $1.score } }
    public var maxScore: Int { grades.reduce(0) { $0 + $1.maxScore } }

    /// Tests are named `lab/check` when more than one lab is graded, and always for a custom lab
    /// (`custom:NN-slug/check`), so no test of a custom lab reads as one of the kit's.
    var tests: [TestResult] {
        grades.flatMap { grade in
            grade.tests.map { test in
                var named = test
                if grades.count > 1 || grade.custom { named.name = grade.name + "/" + test.name }
                return named
            }
        }
    }

    struct AutograderJSON: Encodable {
        var version: String
        var status: String
        var score: Int
        var maxScore: Int
        var tests: [TestResult]
        var labs: [LabGrade]

        enum CodingKeys: String, CodingKey {
            case version, status, score, tests, labs
            case maxScore = "max_score"
        }
    }

    public func json() throws -> String {
        try CanonicalJSON.prettyString(
            AutograderJSON(
                version: Self.formatVersion, status: passed ? "passed" : "failed", score: score, maxScore: maxScore,
                tests: tests, labs: grades))
    }

    public func text(styled: (String, Bool) -> String) -> String {
        var lines: [String] = []
        for grade in grades {
            lines.append(
                "\(grade.custom ? "Custom lab" : "Lab") \(grade.lab) · \(grade.title): \(grade.score)/\(grade.maxScore) — \(grade.status)"
            )
            if let note = grade.customNote { lines.append("  " + note) }
            for test in grade.tests {
                lines.append(
                    "  " + styled(test.passed ? "✓" : "✗", test.passed)
                        + " \(test.name) (\(test.score)/\(test.maxScore)): \(test.message)")
            }
            if grade.hintsUsed > 0 { lines.append("  hints used: \(grade.hintsUsed)") }
        }
        if grades.count > 1 {
            let passedLabs = grades.filter(\.passed).count
            lines.append("Total: \(score)/\(maxScore); \(passedLabs) of \(grades.count) labs pass.")
        }
        return lines.joined(separator: "\n")
    }

    public func markdown() -> String {
        var lines = [
            "# Rollback Lab grade", "", "**\(passed ? "Passed" : "Failed")** — \(score) of \(maxScore) points.", "",
        ]
        for grade in grades {
            lines.append("## \(grade.name) · \(grade.title) — \(grade.score)/\(grade.maxScore)")
            lines.append("")
            if let note = grade.customNote {
                lines.append("> " + note)
                lines.append("")
            }
            lines.append("| result | check | points | evidence |")
            lines.append("|---|---|---:|---|")
            for test in grade.tests {
                lines.append(
                    "| \(test.passed ? "pass" : "**FAIL**") | \(test.name) | \(test.score)/\(test.maxScore) | \(Markdown.cell(test.message)) |"
                )
            }
            if grade.hintsUsed > 0 {
                lines.append("")
                lines.append("Hints used: \(grade.hintsUsed).")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    public func junit() -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let failures = tests.filter { !$0.passed }.count
        lines.append(
            "<testsuites name=\"Rollback Lab\" tests=\"\(tests.count)\" failures=\"\(failures)\" errors=\"0\">")
        for grade in grades {
            let failed = grade.tests.filter { !$0.passed }.count
            lines.append(
                "  <testsuite name=\"\(Self.xml(grade.name))\" tests=\"\(grade.tests.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"0\">"
            )
            if grade.custom {
                lines.append("    <properties>")
                lines.append("      <property name=\"custom_lab\" value=\"true\"/>")
                lines.append("      <property name=\"manifest_sha256\" value=\"\(Self.xml(grade.manifestSHA256))\"/>")
                lines.append("    </properties>")
            }
            for test in grade.tests {
                let open = "    <testcase classname=\"\(Self.xml(grade.name))\" name=\"\(Self.xml(test.name))\""
                if test.passed {
                    lines.append(open + ">")
                    lines.append("      <system-out>\(Self.xml(test.message))</system-out>")
                    lines.append("    </testcase>")
                } else {
                    lines.append(open + ">")
                    lines.append("      <failure message=\"\(Self.xml(test.message))\" type=\"check\"/>")
                    lines.append("    </testcase>")
                }
            }
            if let note = grade.customNote { lines.append("    <system-out>\(Self.xml(note))</system-out>") }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n")
    }

    static func xml(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\n", "\t": escaped += "&#\(scalar.value);"
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if scalar.value >= 0x20 { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }
}
