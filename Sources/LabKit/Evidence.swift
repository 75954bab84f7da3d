// What grading may trust: the registry, its hash-chained events and the files in the workspace, read once.
public import Foundation
public import Playbook
public import Registry

public struct Evidence: Sendable {
    public static let labStarted = "lab.started"
    public static let hintShown = "lab.hint"
    /// A lab put in place by running its reference solution for the learner: it earns no points.
    public static let labLaidDown = "lab.laid_down"
    /// The `play` of a tag move a lab reset makes to put a tag back where it stood at the lab's start.
    public static let resetPlay = "lab-reset"

    public let context: PlayContext
    public let events: [Event]
    public let fsck: FsckReport
    /// The versions a check may count as work: in a lab's view, those registered (or registered again)
    /// outside its earlier attempts.
    public let versions: [VersionRecord]
    /// Every version, for looking one up by id (a parent may come from anywhere in the history).
    let allVersions: [VersionRecord]
    public let productionMoves: [TagMove]
    public let incidents: [Incident]

    public var workspace: Workspace { context.workspace }
    public var registry: Registry { context.registry }

    public init(workspace: Workspace, now: @escaping @Sendable () -> Date) throws {
        context = try PlayContext(workspace: workspace, now: now)
        fsck = context.registry.fsck()
        events = try context.registry.events()
        versions = try context.registry.versions()
        allVersions = versions
        productionMoves = try context.registry.tagHistory("production")
        incidents = try Incidents.all(events: events)
    }

    private init(_ full: Evidence, keeping keep: (Event) -> Bool) {
        context = full.context
        fsck = full.fsck
        events = full.events.filter(keep)
        // A version from an earlier attempt counts again once this attempt registers the same content, as of then.
        var registeredAt: [String: Date] = [:]
        for event in events where [EventKind.versionRegistered, RegisterPlay.reregisteredEvent].contains(event.kind) {
            if let id = event.data["id"], registeredAt[id] == nil { registeredAt[id] = event.at }
        }
        versions = full.versions.compactMap { version in
            guard let at = registeredAt[version.id] else { return nil }
            var seen = version
            seen.metadata.createdAt = max(at, version.metadata.createdAt)
            return seen
        }
        allVersions = full.allVersions
        let kept = Set(events.map(\.seq))
        productionMoves = full.productionMoves.filter { kept.contains($0.event) }
        // Cannot fail: these events are a subset of those the full evidence has already read.
        incidents = (try? Incidents.all(events: events)) ?? full.incidents
    }

    /// The evidence a lab's latest attempt is graded on. What happened during its earlier attempts (between
    /// its first start and its latest, lab events aside) is set aside, so each attempt earns only its own work;
    /// what came before the lab and the starting state a reset restores stay.
    public func scoped(to labID: String) -> Evidence {
        let starts = attempts(of: labID)
        guard starts.count > 1, let first = starts.first, let latest = starts.last else { return self }
        let earlier = first.seq..<latest.seq
        return Evidence(self) { !earlier.contains($0.seq) || $0.kind.hasPrefix("lab.") }
    }

    public func version(_ id: String) -> VersionRecord? { allVersions.first { $0.id == id } }

    /// The most recent `lab.started` event of a lab: evidence a lab asks for must come after it.
    public func start(of labID: String) -> Event? {
        events.last { $0.kind == Evidence.labStarted && $0.data["lab"] == labID }
    }

    /// Every start of a lab, oldest first: the first start and each reset is one attempt.
    public func attempts(of labID: String) -> [Event] {
        events.filter { $0.kind == Evidence.labStarted && $0.data["lab"] == labID }
    }

    /// The `lab.laid_down` event of the lab's latest attempt, if the reference solution did that attempt.
    public func laidDown(_ labID: String) -> Event? {
        guard let start = start(of: labID) else { return nil }
        return events.last { $0.kind == Evidence.labLaidDown && $0.data["lab"] == labID && $0.seq > start.seq }
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

    public func evals(of versionID: String) throws -> [EvalSummary] {
        guard let record = version(versionID) else { return [] }
        return try EvalLedger.summaries(for: record, events: events)
    }

    /// The standard-suite pass rate recorded when the version was registered.
    public func registeredPassRate(_ versionID: String) throws -> Double? {
        try evals(of: versionID).first { $0.source == .register && $0.suite == context.settings.standardSuite }?
            .passRate
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
