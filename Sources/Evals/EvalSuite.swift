// Eval suites: JSON-lines cases with expectations, validated line by line, and how one answer is judged.
public import Foundation
import Hashing
public import ToyModel

public enum EvalsError: Error, CustomStringConvertible, Equatable, Sendable {
    case malformedCase(file: String, line: Int, reason: String)
    case unknownIntent(file: String, line: Int, intent: String)
    case duplicateCase(file: String, line: Int, id: String)
    case emptySuite(file: String)
    case badRepeats(Int)
    case differentSuites(a: String, b: String)
    case unpaired(reason: String)

    public var description: String {
        switch self {
        case .malformedCase(let file, let line, let reason):
            return "\(file) line \(line) is not a valid eval case: \(reason)."
        case .unknownIntent(let file, let line, let intent):
            return
                "\(file) line \(line) expects intent '\(intent)', which the system does not know; fix the case or retrain."
        case .duplicateCase(let file, let line, let id):
            return "\(file) line \(line) repeats case id '\(id)'; every case needs its own id."
        case .emptySuite(let file):
            return "\(file) has no eval cases; add at least one JSON line."
        case .badRepeats(let count):
            return "Repeats must be at least 1, not \(count): an eval needs at least one run per case."
        case .differentSuites(let a, let b):
            return "The two results ran different suite files (\(a.prefix(12)) vs \(b.prefix(12))), so their cases do "
                + "not pair; rerun both on one suite, or pass --allow-different-suites to compare shared case ids."
        case .unpaired(let reason):
            return "The two results cannot be paired: \(reason)."
        }
    }
}

/// What an answer must do to pass a case. Absent fields are not checked.
public struct Expectation: Codable, Sendable, Equatable {
    /// The intent the answer must report ("*" accepts any).
    public var intent: String
    /// A document id the answer must cite; `true` accepts any citation, `false` requires none.
    public var mustCite: CitationRule?
    public var mustEscalate: Bool?
    public var mustRefuse: Bool?
    public var mustNotContain: [String]?
    public var maxWords: Int?

    public enum CitationRule: Codable, Sendable, Equatable {
        case document(String)
        case any(Bool)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            // Not a Bool means a document id; a value that is neither fails on the String below.
            if let flag = try? container.decode(Bool.self) {
                self = .any(flag)
            } else {
                self = .document(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .document(let id): try container.encode(id)
            case .any(let flag): try container.encode(flag)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case intent
        case mustCite = "must_cite"
        case mustEscalate = "must_escalate"
        case mustRefuse = "must_refuse"
        case mustNotContain = "must_not_contain"
        case maxWords = "max_words"
    }
}

public struct EvalCase: Codable, Sendable, Equatable {
    public var id: String
    public var input: String
    public var category: String?
    public var expect: Expectation
}

public struct EvalSuite: Sendable {
    public var name: String
    public var sha256: String
    public var cases: [EvalCase]

    /// Parses JSON lines; `knownIntents` (when given) must contain every expected intent.
    public init(name: String, data: Data, sha256: String, fileName: String, knownIntents: [String]?) throws {
        self.name = name
        self.sha256 = sha256
        let decoder = JSONDecoder()
        let known = knownIntents.map(Set.init)
        var ids = Set<String>()
        var cases: [EvalCase] = []
        for (number, line) in try Self.lines(of: data, fileName: fileName) {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let parsed: EvalCase
            do {
                parsed = try decoder.decode(EvalCase.self, from: line)
            } catch DecodingError.keyNotFound(let key, _) {
                throw EvalsError.malformedCase(file: fileName, line: number, reason: "it has no '\(key.stringValue)'")
            } catch {
                throw EvalsError.malformedCase(
                    file: fileName, line: number, reason: "it is not a JSON object of the case format")
            }
            guard !parsed.id.isEmpty, !parsed.input.isEmpty else {
                throw EvalsError.malformedCase(file: fileName, line: number, reason: "id and input must not be empty")
            }
            if let maxWords = parsed.expect.maxWords, maxWords < 1 {
                throw EvalsError.malformedCase(file: fileName, line: number, reason: "max_words must be at least 1")
            }
            if let known, parsed.expect.intent != "*", !known.contains(parsed.expect.intent) {
                throw EvalsError.unknownIntent(file: fileName, line: number, intent: parsed.expect.intent)
            }
            guard ids.insert(parsed.id).inserted else {
                throw EvalsError.duplicateCase(file: fileName, line: number, id: parsed.id)
            }
            cases.append(parsed)
        }
        guard !cases.isEmpty else { throw EvalsError.emptySuite(file: fileName) }
        self.cases = cases
    }

    /// The numbered lines of a JSON-lines file, split on bytes: LF or CRLF ends (Swift sees "\r\n" as one
    /// character, so splitting text on "\n" would not split a CRLF file), a UTF-8 byte order mark skipped,
    /// and a byte that is not UTF-8 named by line and offset.
    static func lines(of data: Data, fileName: String) throws -> [(Int, Data)] {
        let bytes = [UInt8](data)
        let start = bytes.starts(with: UTF8Text.byteOrderMark) ? UTF8Text.byteOrderMark.count : 0
        if let offset = UTF8Text.firstInvalidOffset(in: bytes[start...]).map({ $0 + start }) {
            throw EvalsError.malformedCase(
                file: fileName, line: bytes[..<offset].filter { $0 == 0x0A }.count + 1,
                reason: "the byte at offset \(offset) is not UTF-8 text (save the file as UTF-8)")
        }
        return bytes[start...].split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().map {
            index, line in
            (index + 1, Data(line.last == 0x0D ? line.dropLast() : line))
        }
    }
}

public enum Judge {
    /// Why `answer` fails `expect`, one short reason per broken expectation; empty when it passes.
    public static func failures(_ answer: Answer, against expect: Expectation) -> [String] {
        var reasons: [String] = []
        if expect.intent != "*", answer.intent != expect.intent {
            reasons.append("intent \(answer.intent), expected \(expect.intent)")
        }
        switch expect.mustCite {
        case .document(let id)? where answer.citedDocument != id:
            reasons.append("cited \(answer.citedDocument ?? "nothing"), expected \(id)")
        case .any(true)? where answer.citedDocument == nil:
            reasons.append("cited nothing")
        case .any(false)? where answer.citedDocument != nil:
            reasons.append("cited \(answer.citedDocument ?? "")")
        default:
            break
        }
        if let escalate = expect.mustEscalate, answer.escalated != escalate {
            reasons.append(escalate ? "did not escalate" : "escalated needlessly")
        }
        if let refuse = expect.mustRefuse, answer.refused != refuse {
            reasons.append(refuse ? "did not refuse" : "refused needlessly")
        }
        for phrase in expect.mustNotContain ?? [] where answer.text.localizedCaseInsensitiveContains(phrase) {
            reasons.append("contains '\(phrase)'")
        }
        if let limit = expect.maxWords {
            var words = 0
            var inWord = false
            for byte in answer.text.utf8 {
                let space = byte == 0x20 || byte == 0x0A
                if !space, !inWord { words += 1 }
                inWord = !space
            }
            if words > limit { reasons.append("\(words) words, limit \(limit)") }
        }
        return reasons
    }
}
