// Play 1, register: the deploy gate. Mandatory metadata, lineage checked against the training runs the
// registry witnessed, the pinned standard suite run on exactly the components being registered, and the eval
// recorded with the version in one event.
import Evals
public import Foundation
import Hashing
public import Registry
import ToyModel

public struct RegisterRequest: Sendable {
    public var owner: String
    public var reason: String
    /// A ref to the parent; nil with `root`.
    public var parent: String?
    public var root: Bool
    public var lineageBrokenOK: Bool
    /// Register weights that no recorded training run produced (recorded on the version).
    public var lineageUnverifiedOK: Bool
    public var experiment: String?

    public init(
        owner: String, reason: String, parent: String?, root: Bool, lineageBrokenOK: Bool = false,
        lineageUnverifiedOK: Bool = false, experiment: String? = nil
    ) {
        self.owner = owner
        self.reason = reason
        self.parent = parent
        self.root = root
        self.lineageBrokenOK = lineageBrokenOK
        self.lineageUnverifiedOK = lineageUnverifiedOK
        self.experiment = experiment
    }
}

public struct RegisterResult: Encodable, Sendable {
    public var record: VersionRecord
    public var existing: Bool
    public var eval: EvalSummary?
    public var lineageBroken: Bool
    public var lineageUnverified: Bool
    public var experiment: String?
    public var warnings: [String]
    /// Blobs of an already registered version that the store lacked (gc collected them) and this registration
    /// of the same content put back.
    public var restoredBlobs = 0

    enum CodingKeys: String, CodingKey {
        case record, existing, eval, experiment, warnings
        case restoredBlobs = "restored_blobs"
        case lineageBroken = "lineage_broken"
        case lineageUnverified = "lineage_unverified"
    }
}

/// `version.reregistered`: identical content registered again; no new version, but who did it and why is recorded.
public struct VersionReregistered: EventPayload {
    public static let kind = "version.reregistered"
    public var id: String
    public var owner: String
    public var parent: String?
    public var reason: String
    /// How many of the version's blobs this registration put back (gc had collected them); absent when none.
    public var restoredBlobs: Int?

    enum CodingKeys: String, CodingKey {
        case id, owner, parent, reason
        case restoredBlobs = "restored_blobs"
    }
}

/// What register records in a version's metadata beside its eval (`VersionMetadata.extra`): how its lineage was
/// checked, and the experiment it joined.
public struct RegisterFacts: Codable, Sendable, Equatable {
    /// The `training.recorded` event that produced its weights.
    public var lineageTrainingEvent: Int?
    public var lineageUnverified: String?
    public var lineageBroken: String?
    public var experiment: String?
    /// When the experiment's retention window ends.
    public var expiresAt: Date?

    public init(
        lineageTrainingEvent: Int? = nil, lineageUnverified: String? = nil, lineageBroken: String? = nil,
        experiment: String? = nil, expiresAt: Date? = nil
    ) {
        self.lineageTrainingEvent = lineageTrainingEvent
        self.lineageUnverified = lineageUnverified
        self.lineageBroken = lineageBroken
        self.experiment = experiment
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case experiment
        case lineageTrainingEvent = "lineage_training_event"
        case lineageUnverified = "lineage_unverified"
        case lineageBroken = "lineage_broken"
        case expiresAt = "expires_at"
    }

    /// A version's facts; a damaged field is an error naming its file.
    public static func of(_ version: VersionRecord) throws -> RegisterFacts {
        do {
            return try EventFields.decode(RegisterFacts.self, from: version.metadata.extra)
        } catch {
            throw RegistryError.corruptFile(
                path: "versions/\(version.id).json", reason: "its metadata does not read: \(error)")
        }
    }
}

public enum RegisterPlay {
    /// Identical content registered again: no new version, but who did it and why is recorded.
    public static let reregisteredEvent = VersionReregistered.kind

    /// When the experiment a version joined lets go of it (nil: it is not an experiment's).
    static func experimentExpiry(of version: VersionRecord) throws -> Date? { try RegisterFacts.of(version).expiresAt }

    public static func run(
        _ request: RegisterRequest, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> RegisterResult {
        try requireText(request.owner, field: "--owner", hint: "every version needs an owner, pass --owner NAME")
        try requireText(request.reason, field: "--reason", hint: "every change needs a reason, pass --reason TEXT")
        let registry = context.registry
        let parentRecord: VersionRecord?
        switch (request.parent, request.root) {
        case (let ref?, false): parentRecord = try registry.resolve(ref)
        case (nil, true): parentRecord = nil
        case (.some, true): throw PlaybookError.invalid("Give either --parent REF or --root, not both.")
        case (nil, false):
            throw RegistryError.missingMetadata(
                field: "parent",
                hint: "every version names its parent, pass --parent REF (or --root for a first version)")
        }
        let parent = parentRecord?.id
        let workspace = context.workspace
        if let project = try ProjectSettings.load(workspace) {
            return try AdoptRegister.run(
                request, project: project, parent: parentRecord, in: context, progress: progress)
        }
        let components = try ComponentScanner.scan(
            folder: workspace.systemPath, workspaceRoot: workspace.root,
            limits: ComponentScanner.Limits(
                files: InputLimits.files, folderFiles: InputLimits.folderFiles, folders: InputLimits.folders))
        var lineage: DatasetLineage?
        var lineageData: Data?
        // No data/train.csv: the version has no dataset lineage. One that is there (even a dangling link or a
        // FIFO) must be a readable regular file within its limit, or registration stops naming it.
        var info = stat()
        if lstat(workspace.trainingDataPath, &info) == 0 {
            let data = try InputLimits.read(
                workspace.trainingDataPath, shown: "data/train.csv", limit: InputLimits.trainingData)
            lineage = DatasetLineage(dataset: "data/train.csv", sha256: SHA256.hash(data).hex)
            lineageData = data
        }
        let prepared = try Registry.prepare(components: components, lineage: lineage, lineageData: lineageData)
        if registry.isRegistered(prepared.id) {
            // Reported, not duplicated; but recorded, so who registered it again and why is in the history.
            // Blobs gc collected are stored again first, under the same lock: the same content is the same
            // version, so this is how a collected version gets its artifacts back.
            return try reregister(prepared, request, parent: parent, in: context)
        }
        var warnings: [String] = []
        if let parentRecord, let warning = manyChanges(prepared.manifest, parent: parentRecord) {
            warnings.append(warning)
        }
        let system = try ToySystem(components: components, version: prepared.id)
        var facts = RegisterFacts()
        var lineageBroken = false
        var lineageUnverified = false
        // The weights' own provenance is only a claim; what counts is a training run the registry recorded.
        var trainedOn = system.trainingDataSHA256
        if let weights = prepared.manifest.components["weights.json"]?.sha256 {
            switch try Training.verify(weights: weights, dataset: lineage?.sha256, events: try registry.events()) {
            case .verified(let run):
                trainedOn = run.dataSHA256
                facts.lineageTrainingEvent = run.event
            case .broken(let data):
                trainedOn = data
            case .unverified:
                guard request.lineageUnverifiedOK else { throw PlaybookError.lineageUnverified(weights: weights) }
                lineageUnverified = true
                facts.lineageUnverified = "weights \(weights) were produced by no training run the registry recorded"
            }
        }
        if let trained = trainedOn, let dataset = lineage?.sha256, trained != dataset {
            guard request.lineageBrokenOK else { throw PlaybookError.lineageBroken(weights: trained, dataset: dataset) }
            lineageBroken = true
            facts.lineageBroken = "weights trained on \(trained), dataset is \(dataset)"
        }
        let experiment = try Experiments.attach(request.experiment, in: context)
        if let experiment {
            facts.experiment = experiment.name
            facts.expiresAt = experiment.expiresAt
        }
        let suite = try context.pinnedStandardSuite(for: system, by: request.owner)
        let result = try EvalRunner.run(
            suite: suite, system: system, seed: context.settings.evalSeed, repeats: context.gateRepeats(for: system),
            progress: progress)
        let (outcome, summary) = try record(
            request, parent: parent, facts: facts, eval: result, experiment: experiment, in: context
        ) { metadata, attachments in
            try registry.register(prepared, metadata: metadata, attachments: attachments)
        }
        return RegisterResult(
            record: outcome.record, existing: outcome.existing, eval: outcome.existing ? nil : summary,
            lineageBroken: lineageBroken, lineageUnverified: lineageUnverified, experiment: experiment?.name,
            warnings: warnings + system.warnings)
    }

    /// A warning when system/ differs from the parent in more than one component: often a leftover edit from
    /// earlier work rides along, and the version then changes more than its reason says. Gates still decide.
    /// Content already registered: `version.reregistered` (who asked, why), restoring blobs gc collected; `stored`
    /// counts blobs the caller already put back.
    static func reregister(
        _ prepared: Registry.PreparedVersion, _ request: RegisterRequest, parent: String?, stored: Int = 0,
        in context: PlayContext
    ) throws -> RegisterResult {
        let registry = context.registry
        var again = VersionReregistered(id: prepared.id, owner: request.owner, parent: parent, reason: request.reason)
        let restored = try registry.write { writer in
            let restored = try writer.restoreBlobs(of: prepared) + stored
            again.restoredBlobs = restored > 0 ? restored : nil
            try writer.append(again, actor: request.owner)
            return restored
        }
        var result = RegisterResult(
            record: try registry.record(id: prepared.id), existing: true, eval: nil, lineageBroken: false,
            lineageUnverified: false, experiment: nil, warnings: [])
        result.restoredBlobs = restored
        return result
    }

    /// Records an evaluated version with its eval beside it, and moves its experiment's tag to it (the tag follows
    /// the experiment's newest version, so `eval compare production exp-NAME` means what it says): the part of play 1
    /// the toy's and an adopted project's registrations share. `store` records the version with this metadata.
    static func record(
        _ request: RegisterRequest, parent: String?, facts: RegisterFacts, eval result: EvalResult,
        experiment: Experiment?, in context: PlayContext,
        store: (VersionMetadata, [Data]) throws -> RegisterOutcome
    ) throws -> (outcome: RegisterOutcome, summary: EvalSummary) {
        let resultData = try EvalLedger.encode(result)
        let summary = EvalSummary(result, blob: SHA256.hash(resultData).hex, source: .register, at: context.now())
        let extra = try EventFields.encode(facts).merging(try EvalLedger.metadataFields(summary)) { _, eval in eval }
        let metadata = VersionMetadata(
            owner: request.owner, parent: parent, reason: request.reason, createdAt: context.now(), extra: extra)
        let outcome = try store(metadata, [resultData])
        if let experiment, !outcome.existing {
            do {
                try context.registry.moveTag(
                    experiment.tag, to: outcome.record.id, by: request.owner,
                    reason: "#\(outcome.record.seq) registered in experiment \(experiment.name)",
                    facts: TagMoveFacts(play: .experiment))
            } catch {
                throw RegistryError.failedAfter(
                    "Version #\(outcome.record.seq) \(outcome.record.shortID) was registered", error)
            }
        }
        return (outcome, summary)
    }

    static func manyChanges(_ manifest: VersionManifest, parent: VersionRecord) -> String? {
        let names = Set(manifest.components.keys).union(parent.manifest.components.keys)
        let changed = names.filter { manifest.components[$0] != parent.manifest.components[$0] }.sorted()
        guard changed.count > 1 else { return nil }
        return
            "system/ differs from its parent #\(parent.seq) in \(changed.count) components (\(changed.joined(separator: ", "))); if you meant to change one, put the others back ('LabRunner checkout REF DIR' writes a version's components) before registering."
    }

    static func requireText(_ text: String, field: String, hint: String) throws {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(field: field, hint: hint)
        }
    }
}
