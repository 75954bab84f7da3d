// The interviewer's answer key and the commitment sealed into the candidate folder: SHA-256 of a random salt
// followed by the key's canonical JSON. The candidate folder holds only the digest, so it reveals nothing, and a key
// changed afterwards no longer matches it.
import Foundation
import Hashing

/// One planted flaw (or red herring) and the evidence that points at it.
public struct PlantedFlaw: Codable, Sendable, Equatable {
    public var code: String
    public var severity: Severity
    /// Where it is, in words, for the debrief.
    public var location: String
    /// Evidence tokens a finding may cite: `version:ID`, `event:N`, `request:ID`, `incident:ID`, `file:PATH:LINE`,
    /// or `file:PATH` (any line of that file).
    public var evidence: [String]
    /// Three tiers of hint for practice mode: where to look, which command, what it is.
    public var hints: [String]

    public init(code: String, severity: Severity, location: String, evidence: [String], hints: [String]) {
        self.code = code
        self.severity = severity
        self.location = location
        self.evidence = evidence
        self.hints = hints
    }
}

public struct AnswerKey: Codable, Sendable, Equatable {
    public var family: String
    public var seed: UInt64
    /// 256 bits from the operating system that, with the seed, drive everything that varies in the scenario.
    public var secret: String
    public var mode: CritiqueMode
    /// junior, mid or senior (absent in keys made before levels: mid).
    public var level: CritiqueLevel?
    public var salt: String
    public var flaws: [PlantedFlaw]
    public var herrings: [PlantedFlaw]

    /// The digest stored in the candidate folder.
    public func commitment() throws -> String {
        var hasher = SHA256()
        hasher.update(Data(salt.utf8))
        hasher.update(try CanonicalJSON.encode(self))
        return hasher.finalize().hex
    }

    public static func load(_ path: String) throws -> AnswerKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CritiqueError.keyUnreadable(path: path, reason: "no such file")
        }
        // A member given twice would let an edited key read one way here and another way elsewhere.
        if let duplicate = JSONReader.duplicateKey(in: data) {
            throw CritiqueError.keyUnreadable(path: path, reason: "the member '\(duplicate)' appears twice")
        }
        do {
            return try CanonicalJSON.decoder().decode(AnswerKey.self, from: data)
        } catch {
            throw CritiqueError.keyUnreadable(path: path, reason: "it is not an answer key")
        }
    }

    /// Loads the key and checks it against the folder's commitment before anything is graded or revealed.
    public static func verified(_ path: String, folder: String) throws -> AnswerKey {
        let key = try load(path)
        let stored = try ScenarioFolder.commitment(in: folder)
        guard try key.commitment() == stored else { throw CritiqueError.commitmentMismatch(key: path) }
        return key
    }

    static func newSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }
}

/// What the candidate folder says about itself: `.critique/commitment` and `.critique/scenario.json` (family and
/// mode only: never the seed, which would let anyone rebuild the scenario and read its flaws).
public enum ScenarioFolder {
    public static let marker = ".critique"

    public struct Info: Codable, Sendable, Equatable {
        public var family: String
        public var mode: CritiqueMode
    }

    public static func commitment(in folder: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: "\(folder)/\(marker)/commitment") else {
            throw CritiqueError.notAScenario(folder)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func info(in folder: String) throws -> Info {
        let path = "\(folder)/\(marker)/scenario.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw CritiqueError.notAScenario(folder) }
        try Manifest.check(data, as: "scenario.json", in: folder)
        do {
            return try CanonicalJSON.decoder().decode(Info.self, from: data)
        } catch {
            throw CritiqueError.scenarioDamaged(path: path, reason: "\(error)")
        }
    }
}

/// `.critique/manifest.json`: the SHA-256 of the files the kit keeps in `.critique/` (scenario.json, and the hints
/// record once a hint is shown), so an edited or deleted record is detected.
enum Manifest {
    static func path(_ folder: String) -> String { "\(folder)/\(ScenarioFolder.marker)/manifest.json" }

    static func read(_ folder: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path(folder)) else {
            throw CritiqueError.scenarioDamaged(path: path(folder), reason: "the folder's manifest is missing")
        }
        guard JSONReader.duplicateKey(in: data) == nil,
            let entries = try? CanonicalJSON.decoder().decode([String: String].self, from: data)
        else { throw CritiqueError.scenarioDamaged(path: path(folder), reason: "the folder's manifest does not read") }
        return entries
    }

    /// Checks `data` (nil: the file is absent) against the manifest's entry for `name`.
    static func check(_ data: Data?, as name: String, in folder: String) throws {
        let expected = try read(folder)[name]
        switch (data, expected) {
        case (nil, nil): return
        case (let data?, let expected?) where SHA256.hash(data).hex == expected: return
        case (nil, _?):
            throw CritiqueError.scenarioDamaged(
                path: "\(folder)/\(ScenarioFolder.marker)/\(name)", reason: "it was removed")
        default:
            throw CritiqueError.scenarioDamaged(
                path: "\(folder)/\(ScenarioFolder.marker)/\(name)", reason: "it no longer matches the folder's manifest"
            )
        }
    }

    static func record(_ data: Data, as name: String, in folder: String, creating: Bool = false) throws {
        var entries = creating ? [:] : try read(folder)
        entries[name] = SHA256.hash(data).hex
        try (try CanonicalJSON.prettyString(entries) + "\n").write(
            toFile: path(folder), atomically: true, encoding: .utf8)
    }
}
