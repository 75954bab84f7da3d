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
        do {
            return try CanonicalJSON.decoder().decode(Info.self, from: data)
        } catch {
            throw CritiqueError.scenarioDamaged(path: path, reason: "\(error)")
        }
    }
}
