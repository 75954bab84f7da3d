// A grade in the four shapes people and machines read: text, autograder JSON, JUnit XML and Markdown.
import Foundation
import Hashing
import Reports

public struct GradeReport: Sendable {
    public static let formatVersion = "1"
    public var grades: [LabGrade]

    public init(grades: [LabGrade]) { self.grades = grades }

    public var passed: Bool { grades.allSatisfy(\.passed) }
    /// The top-level status autograders read: error when any check could not run, else pass or fail.
    public var status: TestResult.Status { grades.contains { $0.status == .error } ? .error : passed ? .pass : .fail }
    /// The kit's own labs: only they count in the total and in "N of M labs pass", in every format; a custom
    /// lab (an author's, or a doctored copy of the kit's) is listed apart, so it can never lift the kit's total.
    var kitGrades: [LabGrade] { grades.filter { !$0.custom } }
    var customGrades: [LabGrade] { grades.filter(\.custom) }
    public var score: Int { kitGrades.reduce(0) { $0 + $1.score } }
    public var maxScore: Int { kitGrades.reduce(0) { $0 + $1.maxScore } }
    /// "Custom labs, not in the total: 99-x 1000/1000", or nil when every lab is the kit's.
    var customLine: String? {
        guard !customGrades.isEmpty else { return nil }
        return "Custom labs, not in the total: "
            + customGrades.map { "\($0.lab) \($0.score)/\($0.maxScore)" }.joined(separator: ", ") + "."
    }

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
        var status: TestResult.Status
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
                version: Self.formatVersion, status: status, score: score, maxScore: maxScore,
                tests: tests, labs: grades))
    }

    public func text(styled: (String, Bool) -> String) -> String {
        var lines: [String] = []
        for grade in grades {
            let word =
                switch grade.status {
                case .pass: "passed"
                case .fail: "failed"
                case .error: grade.status.rawValue
                }
            lines.append(
                "\(grade.custom ? "Custom lab" : "Lab") \(grade.lab) · \(grade.title): \(grade.score)/\(grade.maxScore) — \(word)"
            )
            if let note = grade.customNote { lines.append("  " + note) }
            lines.append("  \(grade.provenance)")
            for test in grade.tests {
                lines.append(
                    "  " + styled(test.passed ? "✓" : "✗", test.passed)
                        + " \(test.name) (\(test.score)/\(test.maxScore)): \(test.message)")
            }
        }
        if grades.count > 1 {
            let passedLabs = kitGrades.filter(\.passed).count
            lines.append("Total: \(score)/\(maxScore); \(passedLabs) of \(kitGrades.count) labs pass.")
            if let customLine { lines.append(customLine) }
        }
        return lines.joined(separator: "\n")
    }

    public func markdown() -> String {
        var lines = [
            "# Rollback Lab grade", "", "**\(passed ? "Passed" : "Failed")** — \(score) of \(maxScore) points.", "",
        ]
        if let customLine { lines += [customLine, ""] }
        for grade in grades {
            lines.append("## \(grade.name) · \(grade.title) — \(grade.score)/\(grade.maxScore)")
            lines.append("")
            if let note = grade.customNote {
                lines.append("> " + note)
                lines.append("")
            }
            lines.append(grade.provenance.prefix(1).uppercased() + grade.provenance.dropFirst() + ".")
            lines.append("")
            lines.append("| result | check | points | evidence |")
            lines.append("|---|---|---:|---|")
            for test in grade.tests {
                lines.append(
                    "| \(test.passed ? "pass" : test.errored ? "**ERROR**" : "**FAIL**") | \(test.name) | \(test.score)/\(test.maxScore) | \(Markdown.cell(test.message)) |"
                )
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    public func junit() -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let failures = tests.filter { $0.status == .fail }.count
        let errors = tests.filter(\.errored).count
        lines.append(
            "<testsuites name=\"Rollback Lab\" tests=\"\(tests.count)\" failures=\"\(failures)\" errors=\"\(errors)\">")
        for grade in grades {
            let failed = grade.tests.filter { $0.status == .fail }.count
            let errored = grade.tests.filter(\.errored).count
            lines.append(
                "  <testsuite name=\"\(Self.xml(grade.name))\" tests=\"\(grade.tests.count)\" failures=\"\(failed)\" errors=\"\(errored)\" skipped=\"0\">"
            )
            var properties = [
                ("done_by", grade.doneByCode), ("attempts", "\(grade.attempts)"),
                ("hints_used", "\(grade.hintsUsed)"),
            ]
            if let seed = grade.seed { properties += [("mode", "challenge"), ("seed", "\(seed)")] }
            if grade.custom { properties += [("custom_lab", "true"), ("manifest_sha256", grade.manifestSHA256)] }
            lines.append("    <properties>")
            for (name, value) in properties {
                lines.append("      <property name=\"\(name)\" value=\"\(Self.xml(value))\"/>")
            }
            lines.append("    </properties>")
            for test in grade.tests {
                let open = "    <testcase classname=\"\(Self.xml(grade.name))\" name=\"\(Self.xml(test.name))\""
                if test.passed {
                    lines.append(open + ">")
                    lines.append("      <system-out>\(Self.xml(test.message))</system-out>")
                    lines.append("    </testcase>")
                } else if test.errored {
                    lines.append(open + ">")
                    lines.append("      <error message=\"\(Self.xml(test.message))\" type=\"check\"/>")
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

extension LabGrade {
    /// "by hand in this workspace (not witnessed) · 2 attempts · 1 hint": what the person did, shown beside every score.
    public var provenance: String {
        var parts = [doneBy]
        if seed != nil { parts.append(mode) }
        if attempts > 1 { parts.append("\(attempts) attempts") }
        parts.append(hintsUsed == 1 ? "1 hint" : "\(hintsUsed) hints")
        return parts.joined(separator: " · ")
    }
}
