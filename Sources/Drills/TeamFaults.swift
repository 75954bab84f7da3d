// A team's own fault catalogue (`drill start --faults FILE`): faults the team describes, each one change to one
// file of the system (which file, what change) and the right call, checked against the bundled system before
// anything is laid. A team fault plays as the kit's fault with the same right call (a regression, a false alarm
// under a newsletter's traffic, or a release that must keep a required change), so every lap, score and debrief
// works on it unchanged; it travels inside the drill's seal, so the debrief and the scripted replay need no file.
public import Foundation
import Hashing
import ToyModel

/// One change to one file under system/: a text replaced, a text appended, or (an index document) deleted.
public struct FileChange: Codable, Sendable, Equatable {
    /// Relative to system/: prompt.md, config.json or index/NAME.
    public var file: String
    public var replace: String?
    public var with: String?
    public var append: String?
    public var delete: Bool?

    /// The component the change belongs to, as a version's manifest names it.
    public var component: String { file.hasPrefix("index/") ? "index" : file }

    /// `text` with the change made; nil when the file is deleted.
    func applied(to text: String) -> String? {
        if delete == true { return nil }
        if let append { return text + append }
        return text.replacingOccurrences(of: replace ?? "", with: with ?? "")
    }

    /// Makes the change in the checkout `edits` works on.
    func make(_ edits: SystemEdits) throws {
        let relative = "system/" + file
        if delete == true { return try FileManager.default.removeItem(atPath: edits.root + "/" + relative) }
        guard let changed = applied(to: try edits.read(relative)) else { return }
        if let replace, !(try edits.read(relative)).contains(replace) {
            throw DrillsError.buildFailed("\(relative) has no '\(replace)'")
        }
        try edits.write(relative, changed)
    }
}

public struct TeamFault: Codable, Sendable, Equatable {
    public enum Call: String, Codable, Sendable, CaseIterable {
        case rollBack = "roll-back"
        case keep
        case fixForward = "fix-forward"
    }

    public var name: String
    /// What shipped, in the team's words: the game master's sheet and the debrief show it.
    public var summary: String
    public var change: FileChange
    public var rightCall: Call
    /// The change the release must keep (a fix-forward fault only), to another component.
    public var required: FileChange?

    /// The kit fault it plays as: the same right call, the same laps and the same scoring.
    public var playsAs: FaultKind {
        switch rightCall {
        case .rollBack: return .prompt
        case .keep: return .noise
        case .fixForward: return .fixForward
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, summary, change, required
        case rightCall = "right_call"
    }
}

/// A team's catalogue, read and checked whole: a file with one problem is refused before a drill starts.
public struct TeamCatalogue: Sendable, Equatable {
    public var faults: [TeamFault]

    public static let limitBytes = 1 << 20
    public static let limitFaults = 50
    static let files = ["prompt.md", "config.json"]
    static let faultKeys: Set<String> = ["name", "summary", "change", "right_call", "required"]
    static let changeKeys: Set<String> = ["file", "replace", "with", "append", "delete"]

    public init(faults: [TeamFault]) { self.faults = faults }

    /// Reads and checks the catalogue at `path` against the bundled system; messages name it as `shown`.
    public init(path: String, shown: String? = nil) throws {
        let fail = { (problem: String) in DrillsError.teamCatalogue(path: shown ?? path, problem: problem) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot be read; check the path")
        }
        guard data.count <= Self.limitBytes else { throw fail("is larger than 1 MiB") }
        guard let root = try? JSONReader.parse(data) else { throw fail("is not valid JSON") }
        guard case .object(let top) = root, top.count == 1, case .array(let entries)? = root["faults"] else {
            throw fail("must be one object with a \"faults\" list")
        }
        guard (1...Self.limitFaults).contains(entries.count) else {
            throw fail("must list from 1 to \(Self.limitFaults) faults")
        }
        var faults: [TeamFault] = []
        for (index, entry) in entries.enumerated() {
            let fault = try Self.fault(entry, at: "fault \(index + 1)", fail)
            guard !faults.contains(where: { $0.name == fault.name }) else {
                throw fail("names '\(fault.name)' twice; give each fault its own name")
            }
            faults.append(fault)
        }
        self.faults = faults
    }

    /// The fingerprint a drill code made from this catalogue carries: the kit's catalog and system, then the
    /// team's faults, so a code replays only with the file it was made from.
    public var fingerprint: String {
        let data = Data(DrillPlan.catalogFingerprint.utf8) + ((try? CanonicalJSON.encode(faults)) ?? Data())
        return String(SHA256.hash(data).hex.prefix(8))
    }

    public func fault(named name: String) -> TeamFault? { faults.first { $0.name == name } }

    static func fault(_ entry: JSONValue, at place: String, _ fail: (String) -> DrillsError) throws -> TeamFault {
        guard case .object(let members) = entry else { throw fail("has \(place) that is not an object") }
        if let unknown = members.map(\.0).first(where: { !faultKeys.contains($0) }) {
            throw fail(
                "has an unknown key '\(unknown)' in \(place); the keys are "
                    + faultKeys.sorted().joined(separator: ", "))
        }
        guard let name = entry["name"]?.string, !name.isEmpty, name.count <= 40,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }), name.first != "-"
        else { throw fail("needs a \"name\" in \(place): lowercase letters, digits and dashes, at most 40") }
        let at = "\(place) ('\(name)')"
        guard !DrillPlan.faultNames.contains(name) else {
            throw fail("reuses the kit's fault name '\(name)' in \(at); give the team's fault its own name")
        }
        guard let summary = entry["summary"]?.string, !summary.isEmpty, summary.count <= 200,
            !summary.contains("\n")
        else { throw fail("needs a \"summary\" in \(at): one line of at most 200 characters saying what shipped") }
        guard let callText = entry["right_call"]?.string, let call = TeamFault.Call(rawValue: callText) else {
            throw fail(
                "needs a \"right_call\" in \(at): one of "
                    + TeamFault.Call.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let changeValue = entry["change"] else { throw fail("needs a \"change\" in \(at)") }
        let change = try Self.change(changeValue, at: "the change of \(at)", fail)
        var required: FileChange?
        switch (call, entry["required"]) {
        case (.fixForward, nil):
            throw fail("needs a \"required\" change in \(at): a fix-forward release carries a change it must keep")
        case (.fixForward, let value?):
            let requiredChange = try Self.change(value, at: "the required change of \(at)", fail)
            guard requiredChange.component != change.component else {
                throw fail(
                    "has its required change and its bad change in the same component in \(at); a fix forward "
                        + "rolls back one component, so put them in different ones")
            }
            required = requiredChange
        case (_, nil): break
        case (_, .some):
            throw fail("has a \"required\" change in \(at), which only a fix-forward fault carries")
        }
        return TeamFault(name: name, summary: summary, change: change, rightCall: call, required: required)
    }

    static func change(_ value: JSONValue, at place: String, _ fail: (String) -> DrillsError) throws -> FileChange {
        guard case .object(let members) = value else { throw fail("has \(place) that is not an object") }
        if let unknown = members.map(\.0).first(where: { !changeKeys.contains($0) }) {
            throw fail(
                "has an unknown key '\(unknown)' in \(place); the keys are "
                    + changeKeys.sorted().joined(separator: ", "))
        }
        guard let file = value["file"]?.string else { throw fail("needs a \"file\" in \(place)") }
        let isIndex = file.hasPrefix("index/") && !file.dropFirst(6).contains("/") && !file.contains("..")
        guard Self.files.contains(file) || isIndex,
            let original = DefaultSystem.bundled.first(where: { $0.path == "system/" + file })?.data
        else {
            throw fail(
                "changes '\(file)' in \(place); change prompt.md, config.json or a document under index/ that the "
                    + "kit ships (weights need a training run, so a team fault cannot change them)")
        }
        var change = FileChange(file: file)
        if case .string(let text)? = value["replace"] { change.replace = text }
        if case .string(let text)? = value["with"] { change.with = text }
        if case .string(let text)? = value["append"] { change.append = text }
        if case .bool(let flag)? = value["delete"] { change.delete = flag }
        let ways = [change.replace != nil, change.append != nil, change.delete == true].filter { $0 }.count
        guard ways == 1, (change.replace == nil) == (change.with == nil),
            members.count == 1 + ways + (change.with == nil ? 0 : 1)
        else {
            throw fail(
                "must say one change in \(place): \"replace\" with \"with\", or \"append\", or \"delete\": true, as text"
            )
        }
        let text = String(decoding: original, as: UTF8.self)
        if let replace = change.replace, replace.isEmpty || !text.contains(replace) {
            throw fail("replaces text that system/\(file) does not contain in \(place); copy it from the file exactly")
        }
        guard change.delete != true || isIndex else {
            throw fail(
                "deletes \(file) in \(place); only an index document can be deleted, or the system would not start")
        }
        let changed = change.applied(to: text)
        guard changed != text else { throw fail("changes nothing in \(place)") }
        if file == "config.json", let changed {
            guard case .object? = try? JSONReader.parse(Data(changed.utf8)) else {
                throw fail(
                    "leaves config.json not valid JSON in \(place); the system would not start, it would not regress")
            }
        }
        return change
    }
}
