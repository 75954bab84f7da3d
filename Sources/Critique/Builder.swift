// Builds a scenario by running the kit's own plays on a fresh workspace under a fake clock, so every artifact is
// real and the history spans weeks; flaws are then done the way a careless team would do them (a tag moved by hand,
// files copied, a log without versions). The helpers here are the team's moves; Families.swift composes them.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

struct ScenarioBuilder {
    let workspace: Workspace
    let clock: ManualClock
    let context: PlayContext
    var random: ScenarioRandom
    var flaws: [PlantedFlaw] = []
    var herrings: [PlantedFlaw] = []
    var noteCounter = 0
    /// What the flaw steps leave for the artifacts every scenario ships (see Artifacts.swift).
    var stash = ArtifactStash()

    /// Lays down the bundled system and an empty registry in `root`, as `LabRunner init` does, with the history
    /// starting on a day drawn from the scenario's randomness (2025 to 2026).
    init(root: String, random: ScenarioRandom) throws {
        var random = random
        let day = Double(random.int(0...600)) * 86_400 + Double(random.int(7 * 60...10 * 60)) * 60
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_735_689_600 + day))
        let workspace = Workspace(root: root)
        try DefaultSystem.install(into: root) { SHA256.hash($0).hex }
        try FileManager.default.createDirectory(atPath: workspace.markerPath, withIntermediateDirectories: true)
        try Registry.create(root: workspace.registryPath, actor: "alice", now: clock.now)
        try Self.seedRoster(Registry(root: workspace.registryPath, now: clock.now))
        try Training.recordInstalled(in: workspace, seed: DefaultSystem.defaultSeed, by: "alice", now: clock.now)
        self.workspace = workspace
        self.clock = clock
        self.context = try PlayContext(workspace: workspace, now: clock.now)
        self.random = random
    }

    /// The roster `init` lays (the user and the kit's personas), then the rest of the team the history names, so
    /// every approver, owner and operator of the scenario is someone the registry knows.
    static func seedRoster(_ registry: Registry) throws {
        try People.seed(user: "alice", into: registry)
        let known = try registry.roster()
        for (name, roles) in team where known.person(name) == nil {
            try registry.addPerson(name, key: nil, roles: roles, by: "alice")
        }
    }

    /// The team beyond the kit's personas: owners of versions, and the operators and bots that act on the registry.
    static let team: [(name: String, roles: [Roster.Role])] =
        ["dave", "frank", "gina", "harry", "ivy", "jack", "kim", "lee", "infra"].map { ($0, [.owner]) }
        + ["ops", "oncall", "ci-bot", "cleanup-cron"].map { ($0, [.operator]) }

    var registry: Registry { context.registry }
    var root: String { workspace.root }

    // MARK: The team's moves

    func read(_ relative: String) -> String {
        String(decoding: FileManager.default.contents(atPath: root + "/" + relative) ?? Data(), as: UTF8.self)
    }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    /// Edits prompt.md's notes (a change that alters the id, not the behaviour); unique text each time.
    mutating func editNotes(_ text: String? = nil) throws {
        noteCounter += 1
        var prompt = read("system/prompt.md")
        prompt += "Change note \(noteCounter) (\(random.hex(6))): \(text ?? Neutral.reason(&random))\n"
        try write("system/prompt.md", prompt)
    }

    /// A reason from the neutral pool.
    mutating func reason() -> String { Neutral.reason(&random) }

    /// Replaces one prompt line; returns its 1-based line number.
    @discardableResult
    func replacePromptLine(startingWith prefix: String, with line: String) throws -> Int {
        var lines = read("system/prompt.md").components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else {
            throw CritiqueError.buildFailed("no prompt line starts with \(prefix)")
        }
        lines[index] = line
        try write("system/prompt.md", lines.joined(separator: "\n"))
        return index + 1
    }

    func setConfig(_ key: String, _ value: String) throws {
        var lines = read("system/config.json").components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.contains("\"\(key)\"") }) else {
            throw CritiqueError.buildFailed("no config key \(key)")
        }
        let comma = lines[index].hasSuffix(",") ? "," : ""
        lines[index] = "  \"\(key)\": \(value)\(comma)"
        try write("system/config.json", lines.joined(separator: "\n"))
    }

    /// Registers what system/ holds, with a reason from the neutral pool unless one is given. Content already
    /// registered comes back as the existing version: the builder never assumes a change makes a new one, and adds
    /// a notes line until it does.
    @discardableResult
    mutating func register(
        _ owner: String, _ reason: String? = nil, parent: String? = "production", root isRoot: Bool = false,
        unverifiedOK: Bool = false, experiment: String? = nil
    ) throws -> VersionRecord {
        clock.advance(days: Double(random.int(1...3)))
        for _ in 0..<3 {
            let request = RegisterRequest(
                owner: owner, reason: reason ?? self.reason(), parent: isRoot ? nil : parent, root: isRoot,
                lineageUnverifiedOK: unverifiedOK, experiment: experiment)
            let result = try RegisterPlay.run(request, in: context)
            if result.existing {
                try editNotes()
                continue
            }
            // ci-bot moves the convenience tag on every build (experiments aside), in every scenario; serving it is
            // the flaw.
            if experiment == nil {
                stash.latestMoves.append(
                    try moveByHand("latest-build", to: result.record.id, by: "ci-bot", reason: "build").seq)
            }
            return result.record
        }
        throw CritiqueError.buildFailed("three registrations in a row matched versions already registered")
    }

    /// Promotes through the play; nil when the gate refuses (a careful team stops there).
    @discardableResult
    mutating func promote(_ record: VersionRecord, approver: String, force: String? = nil) throws -> Event? {
        clock.advance(minutes: Double(random.int(30...240)))
        // Separation of duties holds in every scenario: the owner never approves their own version.
        let second =
            Roster.identity(approver) == Roster.identity(record.metadata.owner)
            ? (Roster.identity(approver) == "bob" ? "carol" : "bob") : approver
        let request = PromoteRequest(
            ref: record.id, approver: second, force: force != nil, reason: force)
        do {
            return try PromotePlay.run(request, in: context).event
        } catch PlaybookError.gateFailed {
            return nil
        } catch PlaybookError.breakGlassNeeded where force == nil {
            // A version an incident once named bad comes back only as break-glass, with a second person.
            var again = request
            again.force = true
            again.reason = "re-promoted after the incident review"
            return try PromotePlay.run(again, in: context).event
        }
    }

    /// A tag moved by hand (`LabRunner tag` or a script), outside every play.
    @discardableResult
    mutating func moveByHand(
        _ tag: String, to id: String, by actor: String, reason: String, facts: TagMoveFacts = TagMoveFacts()
    )
        throws -> Event
    {
        clock.advance(minutes: Double(random.int(5...90)))
        return try registry.moveTag(tag, to: id, by: actor, reason: reason, facts: facts)
    }

    /// Real traffic through whatever production (or `version`) is, in the attribution log.
    mutating func traffic(_ count: Int, version: String? = nil) throws -> [String] {
        clock.advance(minutes: 30)
        let route: ((Int) throws -> String)? = version.map { id in { _ in id } }
        _ = try Traffic.run(
            requests: count, rate: 0, seed: random.next(), source: "traffic", in: context, route: route)
        let served = try AttributionLog(registryRoot: registry.root).recent(limit: 100_000)
        return served.filter { version == nil || $0.version == version }.suffix(count).map(\.id)
    }

    func lastEvent() throws -> Int { try registry.events().last?.seq ?? 0 }

    func production() throws -> VersionRecord {
        guard let id = registry.tag("production") else { throw CritiqueError.buildFailed("no production") }
        return try registry.record(id: id)
    }

    /// Line number (1-based) of the first line of `text` containing `needle`.
    static func line(of needle: String, in text: String) -> Int {
        (text.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? 0) + 1
    }

    mutating func plant(
        _ code: String, _ location: String, _ evidence: [String], hints: (area: String, command: String)
    ) {
        let kind = Taxonomy.kind(code)
        let flaw = PlantedFlaw(
            code: code, severity: kind?.severity ?? .low, location: location, evidence: evidence,
            hints: [hints.area, hints.command, "It is \(code): \(kind?.title ?? code)."])
        if code.hasPrefix("HERRING-") { herrings.append(flaw) } else { flaws.append(flaw) }
    }
}
