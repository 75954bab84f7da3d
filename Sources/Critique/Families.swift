// The scenario families and `critique new`: which flaws each family can plant, how the seed chooses and places
// them, and the candidate folder around the history (brief, deploy config, scripts, commitment).
import Foundation
import Hashing
import Playbook
import Registry
public import Terminal

public struct Family: Sendable {
    public var name: String
    public var summary: String
    /// The flaw codes this family can plant; a mid-level scenario picks `planted` of them (see `CritiqueLevel`).
    public var pool: [String]
    public var planted: Int
}

public enum Families {
    public static let all: [Family] = [
        Family(
            name: "weights-only", summary: "Versioned weights but not prompts: the prompt lives elsewhere.",
            pool: [
                "PROMPT-EDITED-IN-PLACE", "PROMPT-STORE-LABEL", "UNRECORDED-TRAINING", "NO-LINEAGE",
                "LOGS-WITHOUT-VERSION", "MUTABLE-LATEST",
            ], planted: 4),
        Family(
            name: "hand-deploys", summary: "Shipping by hand: copied files, self-approval, scripts that clean up.",
            pool: [
                "COPY-PROMOTION", "APPROVER-IS-AUTHOR", "GC-DELETED-SERVED", "NO-ROLLBACK-REHEARSAL",
                "FORCED-AS-KNOWN-GOOD", "LOGS-WITHOUT-VERSION",
            ], planted: 4),
        Family(
            name: "eval-theatre",
            summary: "Evals run for show: moving suites, noise called regression, unevaluated config.",
            pool: [
                "SUITE-CHANGED", "NOISE-REGRESSION", "CONFIG-WITHOUT-EVAL", "DETECTION-BEFORE-DEPLOY",
                "FORCED-AS-KNOWN-GOOD", "UNRECORDED-TRAINING",
            ], planted: 4),
    ]

    public static func family(_ name: String) throws -> Family {
        guard let family = all.first(where: { $0.name == name }) else { throw CritiqueError.unknownFamily(name) }
        return family
    }
}

/// How hard a scenario is: a junior one plants three flaws that leave visible traces, a mid one four from the whole
/// pool, a senior one five, so the subtle ones are nearly all there and sit beside one another.
public enum CritiqueLevel: String, Codable, Sendable, OptionChoice {
    case junior, mid, senior

    public var planted: Int {
        switch self {
        case .junior: return 3
        case .mid: return 4
        case .senior: return 5
        }
    }

    /// Flaws that only show through a comparison or a second look (a hash, a timeline, a gate's history), never
    /// planted at junior level.
    static let subtle: Set<String> = [
        "PROMPT-STORE-LABEL", "GC-DELETED-SERVED", "NOISE-REGRESSION", "FORCED-AS-KNOWN-GOOD", "SUITE-CHANGED",
    ]

    /// The flaws of `family` this level plants, drawn from the scenario's randomness.
    func pick(_ family: Family, _ random: inout ScenarioRandom) -> Set<String> {
        switch self {
        case .junior: return Set(random.pick(family.pool.filter { !Self.subtle.contains($0) }, count: planted))
        case .mid, .senior: return Set(random.pick(family.pool, count: planted))
        }
    }
}

public enum CritiqueMode: String, Codable, Sendable {
    case interview, practice

    public init(parsing text: String) throws {
        guard let mode = CritiqueMode(rawValue: text) else { throw CritiqueError.badMode(text) }
        self = mode
    }
}

public struct NewScenario: Sendable {
    public var key: AnswerKey
    public var folder: String
    public var keyPath: String
}

public enum Scenarios {
    /// Where the key goes when `--key` is not given: beside the folder, never inside it.
    public static func defaultKeyPath(for folder: String) -> String {
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".key.json").path
    }

    /// Builds the candidate folder in a hidden sibling and renames it into place, then writes the key: a failure
    /// leaves neither behind. A fresh 256-bit secret from the operating system drives everything that varies; the
    /// seed alone reproduces nothing.
    public static func create(
        family name: String, seed: UInt64, mode: CritiqueMode, level: CritiqueLevel = .mid, folder: String,
        keyPath: String?
    ) throws -> NewScenario {
        try create(family: name, seed: seed, mode: mode, level: level, folder: folder, keyPath: keyPath, forcing: nil)
    }

    /// `critique new`: without `--seed`, the label is drawn from the system (it reproduces nothing without the key).
    public static func create(
        family name: String, seed: UInt64?, mode: CritiqueMode, level: CritiqueLevel, folder: String, keyPath: String?
    ) throws -> NewScenario {
        var generator = SystemRandomNumberGenerator()
        return try create(
            family: name, seed: seed ?? generator.next() % 1_000_000_000, mode: mode, level: level, folder: folder,
            keyPath: keyPath)
    }

    /// Rebuilds the scenario a key describes (its secret and seed) into a new folder, with a new key beside it.
    public static func rebuild(from key: AnswerKey, folder: String, keyPath: String?) throws -> NewScenario {
        try create(
            family: key.family, seed: key.seed, mode: key.mode, level: key.level ?? .mid, folder: folder,
            keyPath: keyPath, forcing: nil, secret: key.secret)
    }

    /// `forcing` plants exactly these flaws instead of the draw (tests use it to cover every kind); `secret` is a
    /// key's, to rebuild its scenario.
    static func create(
        family name: String, seed: UInt64, mode: CritiqueMode, level: CritiqueLevel = .mid, folder: String,
        keyPath: String?, forcing: Set<String>?, secret given: String? = nil
    ) throws -> NewScenario {
        let family = try Families.family(name)
        let target = URL(fileURLWithPath: folder).standardizedFileURL.path
        let key = URL(fileURLWithPath: keyPath ?? defaultKeyPath(for: target)).standardizedFileURL.path
        try refuseKeyInside(key: key, folder: target)
        let manager = FileManager.default
        // A folder that cannot be listed is not known to be empty: refused like a full one.
        if manager.fileExists(atPath: target), (try? manager.contentsOfDirectory(atPath: target))?.isEmpty != true {
            throw CritiqueError.folderNotEmpty(target)
        }
        // A link (even a dangling one) is refused too: it could lead the key into the candidate's folder.
        if manager.fileExists(atPath: key) || (try? manager.destinationOfSymbolicLink(atPath: key)) != nil {
            throw CritiqueError.writeFailed(
                path: key, reason: "a file or link is already there; choose another --key path")
        }
        let secret = given ?? ScenarioRandom.newSecret()
        let parent = (target as NSString).deletingLastPathComponent
        let staging = parent + "/.critique-build-" + UUID().uuidString
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            var builder = try ScenarioBuilder(root: staging, random: ScenarioRandom(secret: secret, seed: seed))
            let picked = level.pick(family, &builder.random)
            let chosen = forcing ?? picked
            try build(family.name, chosen: chosen, builder: &builder)
            try builder.shipArtifacts(chosen)
            let answer = AnswerKey(
                family: family.name, seed: seed, secret: secret, mode: mode, level: level, salt: AnswerKey.newSalt(),
                flaws: builder.flaws, herrings: builder.herrings)
            try builder.write("BRIEF.md", brief(family: family, mode: mode))
            let info = try CanonicalJSON.prettyString(ScenarioFolder.Info(family: family.name, mode: mode)) + "\n"
            try builder.write(ScenarioFolder.marker + "/scenario.json", info)
            try Manifest.record(Data(info.utf8), as: "scenario.json", in: staging, creating: true)
            try builder.write(ScenarioFolder.marker + "/commitment", try answer.commitment() + "\n")
            builder.stampTimes()
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: staging, toPath: target)
            do {
                // Now the folder exists, a link in the key's path that leads into it resolves: checked again.
                try refuseKeyInside(key: key, folder: target)
                try writePrivately(Data((try CanonicalJSON.prettyString(answer) + "\n").utf8), to: key)
            } catch {
                // Undoing a half-made scenario: the write error is the one to report.
                try? manager.removeItem(atPath: target)
                throw error
            }
            return NewScenario(key: answer, folder: target, keyPath: key)
        } catch {
            // Undoing a half-made scenario: the build error is the one to report.
            try? manager.removeItem(atPath: staging)
            if let error = error as? CritiqueError, case .buildFailed(let reason) = error {
                throw CritiqueError.buildFailed(
                    "\(reason); family \(name), level \(level.rawValue), seed \(seed), secret \(secret)")
            }
            if let error = error as? CritiqueError { throw error }
            throw CritiqueError.buildFailed(
                "\(error); family \(name), level \(level.rawValue), seed \(seed), secret \(secret)")
        }
    }

    /// The key must not land in the candidate folder, even through a link: both paths are resolved first.
    static func refuseKeyInside(key: String, folder: String) throws {
        let resolvedFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        let keyParent = URL(fileURLWithPath: (key as NSString).deletingLastPathComponent).resolvingSymlinksInPath()
        let resolvedKey = keyParent.appendingPathComponent((key as NSString).lastPathComponent).path
        for (candidate, inside) in [(key, folder), (resolvedKey, resolvedFolder), (resolvedKey, folder)]
        where (candidate + "/").hasPrefix(inside + "/") {
            throw CritiqueError.keyInsideFolder(key: key, folder: folder)
        }
    }

    static func build(_ family: String, chosen: Set<String>, builder b: inout ScenarioBuilder) throws {
        switch family {
        case "weights-only": try weightsOnly(chosen, &b)
        case "hand-deploys": try handDeploys(chosen, &b)
        default: try evalTheatre(chosen, &b)
        }
    }

    static func weightsOnly(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        try b.opening()
        let herringFirst = b.random.bool()
        if herringFirst { try b.cosmeticHerring() }
        b.clock.advance(days: Double(b.random.int(3...8)))
        let csv = FileManager.default.contents(atPath: b.workspace.trainingDataPath) ?? Data()
        _ = try Training.run(
            csv: csv, dataPath: b.workspace.trainingDataPath, outPath: b.root + "/system/weights.json",
            seed: UInt64(b.random.int(1...99)), by: "dave", in: b.workspace, now: b.clock.now)
        let retrained = try b.register("dave")
        try b.promote(retrained, approver: "bob")
        if chosen.contains("UNRECORDED-TRAINING") { try b.unrecordedTraining() }
        if !herringFirst { try b.cosmeticHerring() }
        if chosen.contains("NO-LINEAGE") { try b.noLineage() } else { try b.routineChange("erin") }
        try b.baseChanges()
        _ = try b.traffic(10)
        try b.expiredExperimentHerring()
    }

    static func handDeploys(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        try b.opening()
        try b.cosmeticHerring()
        try b.routineChange("alice")
        let earlyRollback = try b.rehearseRollback()
        try b.closeIncident(of: earlyRollback)
        b.clock.advance(days: 20)
        if chosen.contains("GC-DELETED-SERVED") { try b.gcDeletedServed() } else { try b.routineChange("harry") }
        b.clock.advance(days: 20)
        if chosen.contains("APPROVER-IS-AUTHOR") { try b.approverIsAuthor() } else { try b.routineChange("frank") }
        try b.expiredExperimentHerring()
        b.clock.advance(days: 25)
        if chosen.contains("FORCED-AS-KNOWN-GOOD") { try b.forcedAsKnownGood() }
        if chosen.contains("COPY-PROMOTION") { try b.copyPromotion() }
        b.clock.advance(days: 30)
        try b.baseChanges()
        if chosen.contains("NO-ROLLBACK-REHEARSAL") {
            try b.routineChange("alice")
            b.noRehearsal(lastRollback: earlyRollback)
        } else {
            try b.closeIncident(of: try b.rehearseRollback())
        }
    }

    static func evalTheatre(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        try b.opening(temperature: "0.3")
        try b.cosmeticHerring()
        if chosen.contains("SUITE-CHANGED") { try b.suiteChanged() } else { try b.routineChange("kim") }
        if chosen.contains("NOISE-REGRESSION") { try b.noiseRegression() }
        if chosen.contains("CONFIG-WITHOUT-EVAL") { try b.configWithoutEval() }
        try b.expiredExperimentHerring()
        try b.baseChanges()
        if chosen.contains("DETECTION-BEFORE-DEPLOY") {
            try b.detectionBeforeDeploy()
        } else {
            try b.routineChange("jack")
        }
        if chosen.contains("FORCED-AS-KNOWN-GOOD") { try b.forcedAsKnownGood() }
        if chosen.contains("UNRECORDED-TRAINING") { try b.unrecordedTraining() }
    }

    static func brief(family: Family, mode: CritiqueMode) -> String {
        var text = """
            # Brief

            You have joined this team; review how they version and ship their assistant.

            This folder is their workspace: the registry (.labrunner/), their eval suites, the deploy folder, their
            scripts, logs and reports. Use LabRunner here as you would on your own workspace (it finds the
            registry from this folder) and any ordinary tool.

            Write one finding a line in a text file:

                CODE  EVIDENCE  explanation

            CODE comes from the published taxonomy (Docs/critique.md, or 'LabRunner critique codes'). EVIDENCE must be
            checkable: a version (#N or an id prefix), an event (event:N), a request id, an incident id, or
            file:line. The explanation says, in at least a sentence, what goes wrong because of it. List the most
            severe findings first.

            """
        if mode == .practice {
            text += """

                Practice mode: 'LabRunner critique check . --findings FILE' checks your file's format, and
                'LabRunner critique hint . --key KEY' gives tiered hints (recorded).

                """
        }
        return text
    }
}

/// Writes the answer key readable by its owner only (0600), refusing to replace any file or follow a link:
/// the key is the one secret of a scenario, and a shared machine's other users must not read it.
func writePrivately(_ data: Data, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw CritiqueError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    let written = data.withUnsafeBytes { bytes in write(descriptor, bytes.baseAddress, bytes.count) }
    guard written == data.count, fsync(descriptor) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(path)
        throw CritiqueError.writeFailed(path: path, reason: reason)
    }
}
