// The eval contract of an adopted project: `eval_command` runs in a read-only checkout of the version
// (LABRUNNER_VERSION_DIR), once per repeat (LABRUNNER_SEED, LABRUNNER_REPEAT), and prints one JSON line per case:
// {"case": ID, "category": NAME, "passed": true|false} with an optional "score". Anything else — a timeout, a
// crash, a malformed line, a case missing from a repeat, a case id given twice — is one error, and nothing is
// recorded. The result is the same `EvalResult` the toy's suites give, holding the SHA-256 of the output.
public import Evals
public import Foundation
import Hashing

public enum ProjectEval {
    /// The suite name results of `eval_command` are recorded under.
    public static let suiteName = "eval_command"

    static let noEvalCommand = PlaybookError.invalid(
        "This project has no eval_command, and every version needs an eval; add \"eval_command\" to "
            + ".labrunner/project.json (see Docs/own-system.md).")

    /// What an adopted project's gates compare on: the eval command's text, hashed (nil without one).
    static func suiteSHA256(_ settings: ProjectSettings) -> String? { settings.evalCommand.map { SHA256.hash($0).hex } }

    /// Runs the eval command `repeats` times in the project folder `root` on `checkout` and reads its outcomes.
    public static func run(
        _ settings: ProjectSettings, root: String, checkout: String, version: String, seed: UInt64, repeats: Int,
        scratch: String
    ) throws -> EvalResult {
        guard let command = settings.evalCommand else { throw noEvalCommand }
        var order: [String] = []
        var categories: [String: String] = [:]
        var bits: [String: [Character]] = [:]
        var output = SHA256()
        for index in 0..<max(repeats, 1) {
            let repeatSeed = EvalRunner.repeatSeed(seed, index)
            let run = try ProjectCommand.run(
                command, in: root,
                environment: [
                    "LABRUNNER_VERSION_DIR": checkout, "LABRUNNER_SEED": String(repeatSeed),
                    "LABRUNNER_REPEAT": String(index),
                ], timeout: settings.timeout, scratch: scratch)
            if let failure = ProjectCommand.failure(run, key: "eval_command") {
                throw PlaybookError.invalid(failure + ".")
            }
            output.update(run.stdout)
            let lines = try parse(run.stdout, repeatIndex: index)
            if index == 0 {
                guard !lines.isEmpty else {
                    throw PlaybookError.invalid(
                        "eval_command printed no case lines; it must print one JSON line per case, such as "
                            + "{\"case\": \"refund-1\", \"category\": \"refunds\", \"passed\": true}; nothing was recorded."
                    )
                }
                order = lines.map(\.id)
            }
            let seen = Set(lines.map(\.id))
            if let missing = order.first(where: { !seen.contains($0) }) {
                throw PlaybookError.invalid(
                    "eval_command printed no line for case '\(missing)' in repeat \(index) (it did in repeat 0); every "
                        + "repeat must report every case; nothing was recorded.")
            }
            for line in lines {
                guard let category = categories[line.id] ?? (index == 0 ? line.category : nil) else {
                    throw PlaybookError.invalid(
                        "eval_command reported case '\(line.id)' in repeat \(index) but not in repeat 0; every repeat "
                            + "must report the same cases; nothing was recorded.")
                }
                guard category == line.category else {
                    throw PlaybookError.invalid(
                        "eval_command put case '\(line.id)' in category '\(line.category)' in repeat \(index) and "
                            + "'\(category)' in repeat 0; a case keeps its category; nothing was recorded.")
                }
                categories[line.id] = category
                bits[line.id, default: []].append(line.passed ? "1" : "0")
            }
        }
        let cases = order.map { id in
            let outcomes = String(bits[id] ?? [])
            return CaseOutcome.reported(
                id: id, category: categories[id] ?? "uncategorised", outcomes: outcomes,
                failures: outcomes.contains("0") ? ["eval_command reported it failed"] : [])
        }
        return EvalResult.fromOutcomes(
            version: version, suite: suiteName, suiteSHA256: SHA256.hash(command).hex, seed: seed, cases: cases,
            outputSHA256: output.finalize().hex)
    }

    struct Line {
        var id: String
        var category: String
        var passed: Bool
    }

    /// The case lines of one repeat's output; blank lines are skipped, anything else must be a case.
    static func parse(_ data: Data, repeatIndex: Int) throws -> [Line] {
        var lines: [Line] = []
        var seen: [String: Int] = [:]
        let expected = "{\"case\": ID, \"category\": NAME, \"passed\": true|false}"
        for (offset, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            func refuse(_ reason: String) -> PlaybookError {
                PlaybookError.invalid(
                    "eval_command's output line \(number) (repeat \(repeatIndex)) \(reason); each line must be "
                        + "\(expected); nothing was recorded.")
            }
            guard let value = try? JSONReader.parse(Data(text.utf8)), case .object = value else {
                throw refuse("is not a JSON object")
            }
            guard let id = value["case"]?.string, !id.isEmpty else { throw refuse("has no \"case\" id (a string)") }
            guard let category = value["category"]?.string, !category.isEmpty else {
                throw refuse("has no \"category\" (a string)")
            }
            guard case .bool(let passed)? = value["passed"] else { throw refuse("has no \"passed\" (true or false)") }
            if let score = value["score"] {
                guard case .number = score else { throw refuse("has a \"score\" that is not a number") }
            }
            if let first = seen[id] {
                throw PlaybookError.invalid(
                    "eval_command reported case '\(id)' twice in repeat \(repeatIndex) (output lines \(first) and "
                        + "\(number)); case ids must be unique; nothing was recorded.")
            }
            seen[id] = number
            lines.append(Line(id: id, category: category, passed: passed))
        }
        return lines
    }
}
