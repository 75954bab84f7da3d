// A candidate's findings file (`CODE  EVIDENCE  explanation`, one a line) and the evidence resolver: what a token
// such as `#4`, `event:12`, `req-…`, `INC-0002` or `scripts/deploy.sh:3` names in the candidate folder. Evidence that
// names nothing real resolves to nothing and counts as unfounded.
import Foundation
import Playbook
import Registry

public struct Finding: Codable, Sendable, Equatable {
    public var line: Int
    public var code: String
    public var evidence: String
    public var explanation: String
}

public struct ParsedFindings: Sendable {
    public var findings: [Finding]
    /// Malformed lines, as `line N: why`.
    public var problems: [String]
}

public enum Findings {
    /// The largest findings file read (1 MiB) and the most findings graded.
    public static let maxBytes = 1 << 20
    public static let maxFindings = 500

    public static func read(_ path: String) throws -> ParsedFindings {
        let parsed = parse(try text(at: path))
        guard parsed.findings.count <= maxFindings else {
            throw CritiqueError.findingsTooMany(path: path, count: parsed.findings.count)
        }
        return parsed
    }

    /// `critique check`: the number of findings in a well-formed file (practice folders only); answers stay sealed.
    public static func check(folder: String, findingsAt path: String) throws -> Int {
        guard try ScenarioFolder.info(in: folder).mode == .practice else {
            throw CritiqueError.practiceOnly(command: "check")
        }
        let parsed = try read(path)
        guard parsed.problems.isEmpty else { throw CritiqueError.badFindings(parsed.problems) }
        return parsed.findings.count
    }

    /// The file's text as people's editors write it: UTF-8 with or without a BOM, UTF-16 with a BOM, any line ends
    /// (CRLF, CR, LF). Anything else is refused by name, as is a file over 1 MiB (checked before it is read).
    public static func text(at path: String) throws -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        if let size, size > maxBytes { throw CritiqueError.findingsTooLarge(path: path, bytes: size) }
        guard let handle = FileHandle(forReadingAtPath: path),
            let data = try? handle.read(upToCount: maxBytes + 1)
        else { throw CritiqueError.findingsUnreadable(path: path) }
        try? handle.close()
        guard data.count <= maxBytes else { throw CritiqueError.findingsTooLarge(path: path, bytes: data.count) }
        let bytes = [UInt8](data.prefix(3))
        let text: String?
        if bytes.starts(with: [0xFF, 0xFE]) {
            text = String(data: data.dropFirst(2), encoding: .utf16LittleEndian)
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            text = String(data: data.dropFirst(2), encoding: .utf16BigEndian)
        } else if data.contains(0) {
            throw CritiqueError.findingsEncoding(path: path, reason: "it looks like UTF-16 without a byte-order mark")
        } else {
            text = String(data: bytes == [0xEF, 0xBB, 0xBF] ? data.dropFirst(3) : data, encoding: .utf8)
        }
        guard let text else {
            throw CritiqueError.findingsEncoding(path: path, reason: "it is not UTF-8 or UTF-16 text")
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Text from a findings file with every control and formatting character (escape sequences, bidirectional
    /// overrides) removed, so nothing a candidate writes can steer the interviewer's terminal or page.
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        // 0: text; 1: just after ESC; 2: in a CSI sequence (ends at a final byte); 3: in an OSC, DCS or other string
        // (ends at BEL or ESC \\).
        var state = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch state {
            case 1:
                state = value == 0x5B ? 2 : [0x5D, 0x50, 0x58, 0x5E, 0x5F].contains(value) ? 3 : 0
                continue
            case 2:
                if (0x40...0x7E).contains(value) { state = 0 }
                continue
            case 3:
                if value == 0x07 { state = 0 } else if value == 0x1B { state = 1 }
                continue
            default:
                break
            }
            if value == 0x1B {
                state = 1
                continue
            }
            if value == 0x9B {
                state = 2
                continue
            }
            if value == 0x9D {
                state = 3
                continue
            }
            if scalar == "\t" {
                out.append(" ")
                continue
            }
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator
            {
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// Blank lines and lines starting with `#` followed by a space (comments) are skipped. A malformed line is kept
    /// as a finding with what could be read, so grading counts it against precision instead of ignoring it.
    public static func parse(_ text: String) -> ParsedFindings {
        var result = ParsedFindings(findings: [], problems: [])
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for (index, raw) in lines.components(separatedBy: "\n").enumerated() {
            let line = clean(raw).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "#" || line.hasPrefix("# ") { continue }
            let parts = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let code = parts[0].uppercased()
            let evidence = parts.count > 1 ? parts[1] : ""
            let explanation = parts.count > 2 ? parts[2].trimmingCharacters(in: .whitespaces) : ""
            let number = index + 1
            if Taxonomy.kinds.first(where: { $0.code == code }) == nil {
                result.problems.append("line \(number): '\(parts[0])' is not a taxonomy code")
            } else if evidence.isEmpty {
                result.problems.append("line \(number): no evidence")
            } else if EvidenceShape.of(evidence) == nil {
                result.problems.append(
                    "line \(number): evidence '\(evidence)' is not #N, an id, event:N, a request id, INC-N or file:line"
                )
            } else if explanation.isEmpty {
                result.problems.append("line \(number): no explanation")
            }
            result.findings.append(Finding(line: number, code: code, evidence: evidence, explanation: explanation))
        }
        return result
    }
}

/// The syntactic kinds of evidence; checking the shape reveals nothing about the answers.
enum EvidenceShape: Equatable {
    case seq(Int)
    case versionPrefix(String)
    case event(Int)
    case request(String)
    case incident(String)
    case fileLine(String, Int)

    static func of(_ token: String) -> EvidenceShape? {
        if token.hasPrefix("#"), let number = Int(token.dropFirst()), number > 0 { return .seq(number) }
        if token.lowercased().hasPrefix("event:"), let number = Int(token.dropFirst(6)), number > 0 {
            return .event(number)
        }
        if token.hasPrefix("req-"), token.count > 4 { return .request(token) }
        if token.uppercased().hasPrefix("INC-") { return .incident(token.uppercased()) }
        if let colon = token.lastIndex(of: ":"), let number = Int(token[token.index(after: colon)...]), number > 0,
            colon > token.startIndex
        {
            return .fileLine(String(token[..<colon]), number)
        }
        let hex = token.lowercased()
        if hex.count >= 6, hex.count <= 64, hex.allSatisfy({ $0.isHexDigit }) { return .versionPrefix(hex) }
        return nil
    }
}

/// Resolves evidence tokens against what is really in the candidate folder.
struct EvidenceResolver {
    let folder: String
    let registry: Registry?
    let eventCount: Int
    let incidents: Set<String>
    let teamLogText: String

    /// A folder without a registry names no versions, events or incidents; a damaged one is an error.
    init(folder: String) throws {
        self.folder = folder
        let root = folder + "/.labrunner/registry"
        let registry = FileManager.default.fileExists(atPath: root) ? try Registry(root: root) : nil
        self.registry = registry
        let events = try registry?.events() ?? []
        eventCount = events.last?.seq ?? 0
        incidents = Set(try Incidents.all(events: events).map(\.id))
        var logs = ""
        let manager = FileManager.default
        // A folder without team logs has none to search.
        for name in (try? manager.contentsOfDirectory(atPath: folder + "/logs")) ?? [] {
            logs += String(decoding: manager.contents(atPath: folder + "/logs/" + name) ?? Data(), as: UTF8.self)
        }
        teamLogText = logs
    }

    /// The version a token names, or nil when the registry has none by that name.
    func version(_ ref: String) throws -> VersionRecord? {
        do {
            return try registry?.resolve(ref)
        } catch let error as RegistryError {
            switch error {
            case .unknownRef, .ambiguousRef, .tagNotFound, .tagHasNoHistory: return nil
            default: throw error
            }
        }
    }

    /// The canonical tokens the evidence names, or nil when it names nothing real.
    func resolve(_ token: String) throws -> String? {
        switch EvidenceShape.of(token) {
        case .seq(let number)?:
            return try version("#\(number)").map { "version:" + $0.id }
        case .versionPrefix(let prefix)?:
            return try version(prefix).map { "version:" + $0.id }
        case .event(let number)?:
            return number <= eventCount ? "event:\(number)" : nil
        case .incident(let id)?:
            return incidents.contains(id) ? "incident:" + id : nil
        case .request(let id)?:
            let logged = try registry.flatMap { try AttributionLog(registryRoot: $0.root).lookup(id) } != nil
            return logged || teamLogText.contains(id) ? "request:" + id : nil
        case .fileLine(let path, let number)?:
            let clean = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
            // A line of the event log is that event.
            if clean == ".labrunner/registry/events.jsonl" { return number <= eventCount ? "event:\(number)" : nil }
            guard !clean.hasPrefix("/"), !clean.split(separator: "/").contains(".."),
                let data = FileManager.default.contents(atPath: folder + "/" + clean)
            else { return nil }
            let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            let count = lines.last == "" ? lines.count - 1 : lines.count
            return number <= max(count, 1) ? "file:\(clean):\(number)" : nil
        case nil:
            return nil
        }
    }

    /// Whether resolved evidence `token` points at one of `flaw`'s evidence tokens (`file:P` means any line of P,
    /// `file:D/*` any line of any file below D).
    static func matches(_ token: String, _ flaw: PlantedFlaw) -> Bool {
        flaw.evidence.contains { target in
            if target == token { return true }
            if target.hasSuffix("/*") { return token.hasPrefix(String(target.dropLast())) }
            if target.hasPrefix("file:"), target.filter({ $0 == ":" }).count == 1 {
                return token.hasPrefix(target + ":")
            }
            return false
        }
    }
}
