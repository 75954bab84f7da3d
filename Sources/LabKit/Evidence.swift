// What grading may trust: the registry, its hash-chained events and the files in the workspace, read once.
public import Foundation
public import Playbook
public import Registry

public struct Evidence: Sendable {
    public static let labStarted = "lab.started"
    public static let hintShown = "lab.hint"

    public let context: PlayContext
    public let events: [Event]
    public let fsck: FsckReport
    public let versions: [VersionRecord]
    public let productionMoves: [TagMove]
    public let incidents: [Incident]

    public var workspace: Workspace { context.workspace }
    public var registry: Registry { context.registry }

    public init(workspace: Workspace, now: @escaping @Sendable () -> Date) throws {
        context = try PlayContext(workspace: workspace, now: now)
        fsck = context.registry.fsck()
        events = try context.registry.events()
        versions = try context.registry.versions()
        productionMoves = try context.registry.tagHistory("production")
        incidents = Incidents.all(events: events)
    }

    public func version(_ id: String) -> VersionRecord? { versions.first { $0.id == id } }

    /// The most recent `lab.started` event of a lab: evidence a lab asks for must come after it.
    public func start(of labID: String) -> Event? {
        events.last { $0.kind == Evidence.labStarted && $0.data["lab"] == labID }
    }

    /// The lab most recently started, from the events (progress.json is only a mirror of this).
    public var currentLabID: String? { events.last { $0.kind == Evidence.labStarted }?.data["lab"] }

    /// The first incident opened since the lab started: the one a lab with an alert is about.
    public func incident(openedSinceStartOf labID: String) -> Incident? {
        guard let since = start(of: labID)?.at else { return nil }
        return incidents.first { $0.openedAt >= since }
    }

    /// The lab as it was when started: its manifest read back from the registry, so editing lab.json
    /// afterwards changes nothing. A lab never started is taken as it is on disk.
    public func asStarted(_ lab: Lab) -> Lab {
        guard let hash = start(of: lab.id)?.data["manifest_sha256"], hash != lab.manifestSHA256,
            let data = try? registry.objects.get(hash),
            let manifest = try? JSONDecoder().decode(LabManifest.self, from: data), manifest.id == lab.id
        else { return lab }
        return Lab(manifest: manifest, folder: lab.folder, manifestSHA256: hash)
    }

    /// Whether a lab (as started, see `asStarted`) is the kit's own: its manifest's hash is the one built into
    /// LabRunner for that id. Anything else, such as a lab started from a doctored LABRUNNER_LABS, is custom.
    public func isKitLab(_ lab: Lab) -> Bool { LabCatalog.isKitManifest(lab: lab.id, sha256: lab.manifestSHA256) }

    public func hints(of labID: String) -> [Event] {
        events.filter { $0.kind == Evidence.hintShown && $0.data["lab"] == labID }
    }

    /// Production moves made by a play (promote, rollback) rather than by hand.
    public func moves(play: String) -> [TagMove] { productionMoves.filter { $0.details["play"] == play } }

    public func evals(of versionID: String) -> [EvalSummary] {
        guard let record = version(versionID) else { return [] }
        return EvalLedger.summaries(for: record, events: events)
    }

    /// The standard-suite pass rate recorded when the version was registered.
    public func registeredPassRate(_ versionID: String) -> Double? {
        evals(of: versionID).first { $0.source == "register" && $0.suite == context.settings.standardSuite }?.passRate
    }

    /// "#3 1a2b3c4d5e6f": how a version is named to people.
    public func label(_ id: String) -> String {
        guard let record = version(id) else { return String(id.prefix(12)) }
        return "#\(record.seq) \(record.shortID)"
    }

    /// Reads a workspace file by its path relative to the workspace root.
    public func file(_ relative: String) -> Data? {
        guard !relative.contains("..") else { return nil }
        return FileManager.default.contents(atPath: workspace.root + "/" + relative)
    }
}
