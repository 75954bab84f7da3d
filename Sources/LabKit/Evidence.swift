// What grading may trust: the registry, its hash-chained events and the files in the workspace, read once.
public import Foundation
public import Playbook
public import Registry
public import Reports

/// Reading the evidence decodes every event a check reads, so a damaged record is an error when the evidence is
/// read (naming the event), never a lab that looks unstarted or a move that looks ungated.
public struct Evidence: Sendable {
    public let context: PlayContext
    public let events: [Event]
    public let fsck: FsckReport
    /// The versions a check may count as work: in a lab's view, those registered (or registered again)
    /// outside its earlier attempts.
    public let versions: [VersionRecord]
    /// Every version, for looking one up by id (a parent may come from anywhere in the history).
    let allVersions: [VersionRecord]
    public let productionMoves: [TagMove]
    /// What the play recorded on each production move, by the move's event.
    let productionFacts: [Int: TagMoveFacts]
    public let incidents: [Incident]
    /// Every `lab.started`, those whose scripts never finished included (see `attempts(of:)`).
    let starts: [(event: Event, payload: LabStarted)]
    /// Every `lab.ready`: the start it names finished its scripts.
    let readies: [(event: Event, payload: LabReady)]
    /// Each started manifest read back from its blob, by hash.
    let startedManifests: [String: LabManifest]
    let hintEvents: [(event: Event, payload: LabHintShown)]
    let laidDowns: [(event: Event, payload: LabLaidDown)]
    /// Every registration of a version's content (new or again), oldest first.
    let registrations: [(event: Event, id: String)]

    public var workspace: Workspace { context.workspace }
    public var registry: Registry { context.registry }

    public init(workspace: Workspace, now: @escaping @Sendable () -> Date) throws {
        context = try PlayContext(workspace: workspace, now: now)
        fsck = context.registry.fsck()
        events = try context.registry.events()
        versions = try context.registry.versions()
        allVersions = versions
        productionMoves = try context.registry.tagHistory("production")
        productionFacts = Dictionary(
            uniqueKeysWithValues: try productionMoves.map { ($0.event, try $0.details(as: TagMoveFacts.self)) })
        incidents = try Incidents.all(events: events)
        starts = try events.payloads(LabStarted.self)
        readies = try events.payloads(LabReady.self)
        startedManifests = try Self.manifests(of: starts, in: context.registry)
        hintEvents = try events.payloads(LabHintShown.self)
        laidDowns = try events.payloads(LabLaidDown.self)
        registrations =
            try events.payloads(VersionRegistered.self).map { ($0.event, $0.payload.id) }
            + events.payloads(VersionReregistered.self).map { ($0.event, $0.payload.id) }
    }

    private init(_ full: Evidence, keeping keep: (Event) -> Bool) {
        context = full.context
        fsck = full.fsck
        events = full.events.filter(keep)
        let kept = Set(events.map(\.seq))
        registrations = full.registrations.filter { kept.contains($0.event.seq) }
        // A version from an earlier attempt counts again once this attempt registers the same content, as of then.
        var registeredAt: [String: Date] = [:]
        for (event, id) in registrations.sorted(by: { $0.event.seq < $1.event.seq }) where registeredAt[id] == nil {
            registeredAt[id] = event.at
        }
        versions = full.versions.compactMap { version in
            guard let at = registeredAt[version.id] else { return nil }
            var seen = version
            seen.metadata.createdAt = max(at, version.metadata.createdAt)
            return seen
        }
        allVersions = full.allVersions
        productionMoves = full.productionMoves.filter { kept.contains($0.event) }
        productionFacts = full.productionFacts
        starts = full.starts.filter { kept.contains($0.event.seq) }
        readies = full.readies.filter { kept.contains($0.event.seq) }
        startedManifests = full.startedManifests
        hintEvents = full.hintEvents.filter { kept.contains($0.event.seq) }
        laidDowns = full.laidDowns.filter { kept.contains($0.event.seq) }
        // Cannot fail: these events are a subset of those the full evidence has already read.
        incidents = (try? Incidents.all(events: events)) ?? full.incidents
    }

    /// A start's manifest blob is written before the start is recorded, so one missing or unreadable is damage.
    private static func manifests(of starts: [(event: Event, payload: LabStarted)], in registry: Registry) throws
        -> [String: LabManifest]
    {
        var manifests: [String: LabManifest] = [:]
        for (event, start) in starts where manifests[start.manifestSHA256] == nil {
            do {
                let data = try registry.objects.get(start.manifestSHA256)
                manifests[start.manifestSHA256] = try JSONDecoder().decode(LabManifest.self, from: data)
            } catch {
                throw RegistryError.corruptEvent(
                    seq: event.seq, kind: event.kind,
                    reason:
                        "the lab manifest it names (object \(start.manifestSHA256.prefix(12))) does not read: \(error)")
            }
        }
        return manifests
    }

    /// The evidence a lab's latest attempt is graded on. What happened during its earlier attempts (between
    /// its first start and its latest, lab events aside) is set aside, so each attempt earns only its own work;
    /// what came before the lab and the starting state a reset restores stay.
    public func scoped(to labID: String) -> Evidence {
        // Every start counts here, interrupted ones too: what an interrupted setup did is no work of the attempt
        // that began again after it.
        let starts = self.starts.filter { $0.payload.lab == labID }.map(\.event)
        guard starts.count > 1, let first = starts.first, let latest = starts.last else { return self }
        let earlier = first.seq..<latest.seq
        return Evidence(self) { !earlier.contains($0.seq) || $0.kind.hasPrefix("lab.") }
    }

    public func version(_ id: String) -> VersionRecord? { allVersions.first { $0.id == id } }

    /// The most recent `lab.started` event of a lab: evidence a lab asks for must come after it.
    public func start(of labID: String) -> Event? { started(labID)?.event }

    /// The latest start of a lab with what it recorded (the manifest it is graded against).
    public func started(_ labID: String) -> (event: Event, payload: LabStarted)? {
        starts.last { $0.payload.lab == labID }
    }

    /// Every start of a lab that counts as an attempt, oldest first: the first start and each reset, once the
    /// scripts it ran have finished (`LabStarted.attempts`).
    public func attempts(of labID: String) -> [Event] {
        let ready = Set(readies.map(\.payload.start))
        return starts.filter { $0.payload.lab == labID && $0.payload.counts(start: $0.event.seq, ready: ready) }
            .map(\.event)
    }

    /// The lab's latest start when its scripts did not finish (a kill, a failed setup): it is no attempt yet,
    /// and the next `lab start` sets it up again from the starting state.
    public func unfinishedStart(of labID: String) -> (event: Event, payload: LabStarted)? {
        guard let latest = started(labID) else { return nil }
        let ready = Set(readies.map(\.payload.start))
        return latest.payload.counts(start: latest.event.seq, ready: ready) ? nil : latest
    }

    /// The `lab.ready` that completed a start.
    public func ready(of start: Event) -> Event? { readies.first { $0.payload.start == start.seq }?.event }

    /// Each lab whose latest start did not finish its scripts, with that start.
    static func unfinishedStarts(in events: [Event]) throws -> [(lab: String, start: Event)] {
        let ready = Set(try events.payloads(LabReady.self).map(\.payload.start))
        var latest: [String: (event: Event, payload: LabStarted)] = [:]
        for start in try events.payloads(LabStarted.self) { latest[start.payload.lab] = start }
        return latest.values.filter { !$0.payload.counts(start: $0.event.seq, ready: ready) }
            .sorted { $0.event.seq < $1.event.seq }.map { ($0.payload.lab, $0.event) }
    }

    /// Every lab started, in the order first started.
    public var startedLabIDs: [String] {
        var labs: [String] = []
        for start in starts where !labs.contains(start.payload.lab) { labs.append(start.payload.lab) }
        return labs
    }

    /// The `lab.laid_down` event of the lab's latest attempt, if the reference solution did that attempt.
    public func laidDown(_ labID: String) -> Event? {
        guard let start = start(of: labID) else { return nil }
        return laidDowns.last { $0.payload.lab == labID && $0.event.seq > start.seq }?.event
    }

    /// The lab most recently started, from the events (progress.json is only a mirror of this).
    public var currentLabID: String? { starts.last?.payload.lab }

    /// The first incident opened since the lab started: the one a lab with an alert is about.
    public func incident(openedSinceStartOf labID: String) -> Incident? {
        guard let since = start(of: labID)?.at else { return nil }
        return incidents.first { $0.openedAt >= since }
    }

    /// The incident a timed lab's clock runs from: the first opened since the start, which for a lab whose setup
    /// pages is that page. None while the setup has not finished (the pager may not have fired), and never one a
    /// rollback opened for itself: its detection is the rollback's own moment, so it would time nothing.
    public func clockIncident(of labID: String) -> Incident? {
        guard let start = start(of: labID), unfinishedStart(of: labID) == nil else { return nil }
        return incidents.first { $0.openedAt >= start.at && $0.source != .rollback }
    }

    /// The lab as it was when started: its manifest read back from the registry, so editing lab.json
    /// afterwards changes nothing. A lab never started is taken as it is on disk.
    public func asStarted(_ lab: Lab) -> Lab {
        guard let hash = started(lab.id)?.payload.manifestSHA256, hash != lab.manifestSHA256,
            let manifest = startedManifests[hash], manifest.id == lab.id
        else { return lab }
        return Lab(manifest: manifest, folder: lab.folder, manifestSHA256: hash, contentSHA256: lab.contentSHA256)
    }

    /// Whether a lab (as started, see `asStarted`) is the kit's own: its manifest and all its files as they were
    /// started (as they are, for a start recorded before whole-lab hashes) are the ones built into LabRunner for
    /// that id. Anything else, such as a lab started from a doctored LABRUNNER_LABS, is custom.
    public func isKitLab(_ lab: Lab) -> Bool {
        LabCatalog.isKitLab(
            lab.id, manifestSHA256: lab.manifestSHA256,
            contentSHA256: started(lab.id)?.payload.labSHA256 ?? lab.contentSHA256)
    }

    public func hints(of labID: String) -> [Event] { hintsShown(of: labID).map(\.event) }

    /// The hints shown for a lab, with their levels.
    func hintsShown(of labID: String) -> [(event: Event, payload: LabHintShown)] {
        hintEvents.filter { $0.payload.lab == labID }
    }

    /// What the play recorded on a production move (nothing for a plain tag move).
    public func facts(of move: TagMove) -> TagMoveFacts { productionFacts[move.event] ?? TagMoveFacts() }

    /// Production moves made by a play (promote, rollback) rather than by hand.
    public func moves(play: TagMoveFacts.Play) -> [TagMove] { productionMoves.filter { facts(of: $0).play == play } }

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
