// The scenario families and `critique new`: which flaws each family can plant, how the seed chooses and places
// them, and the candidate folder around the history (brief, deploy config, scripts, commitment).
import Foundation
import Hashing
import Playbook
import Registry

public struct Family: Sendable {
    public var name: String
    public var summary: String
    /// The flaw codes this family can plant; the seed picks `planted` of them.
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
    /// leaves neither behind.
    public static func create(
        family name: String, seed: UInt64, mode: CritiqueMode, folder: String, keyPath: String?
    ) throws -> NewScenario {
        try create(family: name, seed: seed, mode: mode, folder: folder, keyPath: keyPath, forcing: nil)
    }

    /// `forcing` plants exactly these flaws instead of the seed's choice (tests use it to cover every kind).
    static func create(
        family name: String, seed: UInt64, mode: CritiqueMode, folder: String, keyPath: String?,
        forcing: Set<String>?
    ) throws -> NewScenario {
        let family = try Families.family(name)
        let target = URL(fileURLWithPath: folder).standardizedFileURL.path
        let key = URL(fileURLWithPath: keyPath ?? defaultKeyPath(for: target)).standardizedFileURL.path
        guard !(key + "/").hasPrefix(target + "/") else {
            throw CritiqueError.keyInsideFolder(key: key, folder: target)
        }
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
        let parent = (target as NSString).deletingLastPathComponent
        let staging = parent + "/.critique-build-" + UUID().uuidString
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            var builder = try ScenarioBuilder(root: staging, seed: seed)
            let picked = Set(builder.random.pick(family.pool, count: family.planted))
            let chosen = forcing ?? picked
            try build(family.name, chosen: chosen, builder: &builder)
            let answer = AnswerKey(
                family: family.name, seed: seed, mode: mode, salt: AnswerKey.newSalt(),
                flaws: builder.flaws, herrings: builder.herrings)
            try builder.write("BRIEF.md", brief(family: family, mode: mode))
            try builder.write(
                ScenarioFolder.marker + "/scenario.json",
                try CanonicalJSON.prettyString(ScenarioFolder.Info(family: family.name, mode: mode)) + "\n")
            try builder.write(ScenarioFolder.marker + "/commitment", try answer.commitment() + "\n")
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: staging, toPath: target)
            do {
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
            if let error = error as? CritiqueError { throw error }
            throw CritiqueError.buildFailed(String(describing: error))
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
        var latest: [Int] = []
        func afterRegister(_ b: inout ScenarioBuilder) throws {
            guard chosen.contains("MUTABLE-LATEST"), let newest = try b.registry.versions().last else { return }
            latest.append(try b.moveByHand("latest-build", to: newest.id, by: "ci-bot", reason: "latest build").seq)
        }
        try afterRegister(&b)
        let herringFirst = b.random.bool()
        if herringFirst {
            try b.cosmeticHerring()
            try afterRegister(&b)
        }
        b.clock.advance(days: 5)
        let csv = FileManager.default.contents(atPath: b.workspace.trainingDataPath) ?? Data()
        _ = try Training.run(
            csv: csv, dataPath: b.workspace.trainingDataPath, outPath: b.root + "/system/weights.json",
            seed: UInt64(b.random.int(1...99)), by: "dave", in: b.workspace, now: b.clock.now)
        let retrained = try b.register("dave", "retrain the intent weights (seed recorded)")
        try b.promote(retrained, approver: "bob")
        try afterRegister(&b)
        if chosen.contains("UNRECORDED-TRAINING") {
            try b.unrecordedTraining()
            try afterRegister(&b)
        }
        if !herringFirst {
            try b.cosmeticHerring()
            try afterRegister(&b)
        }
        if chosen.contains("NO-LINEAGE") {
            try b.noLineage()
            try afterRegister(&b)
        } else {
            try b.routineChange("erin", "Q2 prompt refresh")
            try afterRegister(&b)
        }
        _ = try b.traffic(10)
        try b.expiredExperimentHerring()
        var serve = ["{"]
        serve.append(chosen.contains("MUTABLE-LATEST") ? "  \"tag\": \"latest-build\"," : "  \"tag\": \"production\",")
        if chosen.contains("PROMPT-STORE-LABEL") {
            serve.append("  \"prompt_source\": \"prompt-store/labels.json#prod\",")
            try b.promptStore()
        } else {
            serve.append("  \"prompt_source\": \"registry\",")
        }
        serve.append("  \"port\": 8080")
        serve.append("}")
        try b.write("deploy/serve.json", serve.joined(separator: "\n") + "\n")
        if chosen.contains("MUTABLE-LATEST") { b.mutableLatest(latest) }
        try serveScript(chosen, &b)
        if chosen.contains("PROMPT-EDITED-IN-PLACE") { try b.promptEditedInPlace() }
    }

    static func handDeploys(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        try b.opening()
        try b.cosmeticHerring()
        try b.routineChange("alice", "clearer order-status answers")
        let earlyRollback = try b.rehearseRollback()
        b.clock.advance(days: 20)
        if chosen.contains("GC-DELETED-SERVED") {
            try b.gcDeletedServed()
        } else {
            try b.routineChange("harry", "summer sale wording")
        }
        b.clock.advance(days: 20)
        if chosen.contains("APPROVER-IS-AUTHOR") {
            try b.approverIsAuthor()
        } else {
            try b.routineChange("frank", "refund wording for high-value orders")
        }
        try b.expiredExperimentHerring()
        b.clock.advance(days: 25)
        if chosen.contains("FORCED-AS-KNOWN-GOOD") { try b.forcedAsKnownGood() }
        var serve = "{\n  \"tag\": \"production\",\n  \"port\": 8080\n}\n"
        if chosen.contains("COPY-PROMOTION") {
            try b.copyPromotion()
            serve = "{\n  \"serve_from\": \"deploy/current\",\n  \"port\": 8080\n}\n"
        }
        try b.write("deploy/serve.json", serve)
        try serveScript(chosen, &b)
        b.clock.advance(days: 30)
        if chosen.contains("NO-ROLLBACK-REHEARSAL") {
            try b.routineChange("alice", "autumn catalogue wording")
            b.noRehearsal(lastRollback: earlyRollback)
        } else {
            _ = try b.rehearseRollback()
        }
    }

    static func evalTheatre(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        try b.opening(temperature: "0.3")
        try b.cosmeticHerring()
        if chosen.contains("SUITE-CHANGED") {
            try b.suiteChanged()
        } else {
            try b.routineChange("kim", "clearer delivery answers")
        }
        if chosen.contains("NOISE-REGRESSION") { try b.noiseRegression() }
        if chosen.contains("CONFIG-WITHOUT-EVAL") { try b.configWithoutEval() }
        try b.expiredExperimentHerring()
        if chosen.contains("DETECTION-BEFORE-DEPLOY") {
            try b.detectionBeforeDeploy()
        } else {
            try b.routineChange("jack", "new shipping times")
        }
        if chosen.contains("FORCED-AS-KNOWN-GOOD") { try b.forcedAsKnownGood() }
        if chosen.contains("UNRECORDED-TRAINING") { try b.unrecordedTraining() }
        try b.write("deploy/serve.json", "{\n  \"tag\": \"production\",\n  \"port\": 8080\n}\n")
        try serveScript(chosen, &b)
    }

    static func serveScript(_ chosen: Set<String>, _ b: inout ScenarioBuilder) throws {
        if chosen.contains("LOGS-WITHOUT-VERSION") {
            try b.write(
                "scripts/serve.sh",
                "#!/bin/sh\nexec assistant-wrapper --log logs/serving.log  # request id, intent, escalation\n",
                executable: true)
            try b.logsWithoutVersion()
        } else {
            try b.write(
                "scripts/serve.sh",
                "#!/bin/sh\nexec LabRunner serve --port 8080  # every request logged with its version\n",
                executable: true)
        }
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
            file:line. List the most severe findings first.

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
