// Lays the drill's production history into a fresh workspace with the kit's own plays under a manual clock, so
// the registry reads like weeks of a team's work: an initial release and one to three good ones, a bad one
// caught by an old incident and rolled back, and a recent harmless change pushed by hand. The seed varies the
// story (how many good releases, so which one is the last known good; the notes, so every id; how short the bad
// one cut answers; the order of the neutral reasons), so a drill cannot be memorised. The last known good is
// never simply the parent of what ships next.
public import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

/// What the laid history holds, by role.
public struct LaidHistory: Codable, Sendable, Equatable {
    public var first: String
    /// The last known good when the fault ships (held production through a passed gate, named by no incident).
    public var lastKnownGood: String
    /// The version the old incident named bad.
    public var oldBad: String
    public var oldIncident: String
    /// The recent harmless change, in production when the drill starts; it reached production by hand.
    public var recent: String

    enum CodingKeys: String, CodingKey {
        case first, recent
        case lastKnownGood = "last_known_good"
        case oldBad = "old_bad"
        case oldIncident = "old_incident"
    }
}

public enum HistoryLayer {
    /// The team in the story.
    static let owner = "ana"
    static let approver = "ben"
    static let onCall = "chen"
    /// Part of the catalog fingerprint: change the story and codes from older kits stop matching.
    static let fingerprintText =
        "history v2: release, 1-3 seeded notes releases, seeded max_words incident, hand-pushed note; neutral reasons"

    /// Registration reasons for every laid change and every shipped fault alike, so a reason says nothing about
    /// what a change does (the diff does).
    public static let neutralReasons = [
        "weekly sync of the support assistant", "changes from the support team's review",
        "small fixes from the backlog", "release candidate for this week", "tidy-up before the weekend",
        "follow-ups from the last retro", "batch of agreed support changes", "quality pass on the assistant",
    ]

    /// Notes the team adds to the prompt (no behaviour changes): the seed picks which, in which order.
    static let notes = [
        "Escalated conversations are answered within one business day, weekends included.",
        "Greeting reviewed by the support team; keep it short.", "Holiday opening hours are on the help page.",
        "Order numbers look like LL-12345; ask for one when it is missing.",
        "The returns portal moved to the account page in November.", "Say which guide an answer comes from.",
        "Gift cards cannot be refunded; say so kindly.", "Mention the 30-day return window when it applies.",
    ]

    /// A neutral reason for the change `index` of a drill seeded `seed` (the shipper's uses its own index).
    public static func neutralReason(seed: UInt64, index: Int) -> String {
        var random = SeededGenerator(seed: seed ^ 0x5EA5, stream: 2)
        let offset = random.int(0...(neutralReasons.count - 1))
        return neutralReasons[(offset + index) % neutralReasons.count]
    }

    /// The people of the story and the drill's own accounts, laid onto the roster beside the user and the kit's
    /// personas: the story's owner, approver and on-call, the drill's monitor (it opens the incident) and the
    /// reviewer who approves the shipper's change.
    static let storyPeople: [(name: String, roles: [Roster.Role])] = [
        (owner, [.owner, .operator]), (approver, [.reviewer]), (onCall, [.operator]), (monitorAccount, [.operator]),
        (FaultShipper.approver, [.reviewer]),
    ]
    /// The account the drill's monitor acts as.
    public static let monitorAccount = "monitor"

    /// Lays the roster a fresh workspace gets (`user` first, then the kit's personas) and the story's people, so
    /// every approver and actor in a drill is someone the registry knows.
    static func layRoster(user: String, into registry: Registry) throws {
        try People.seed(user: user, into: registry)
        let roster = try registry.roster()
        // The user heads the roster (People.seed lays them first, as its learner).
        let by = roster.people.first { $0.roles.contains(Roster.Role.learner.rawValue) }?.name ?? user
        for person in storyPeople where roster.person(person.name) == nil {
            try registry.addPerson(person.name, key: nil, roles: person.roles, by: by)
        }
    }

    /// Lays the history into `root` (an existing empty folder), ending days before `now`: the longest story (six
    /// registrations two days apart, seven traffic batches six hours apart) spans under 15 days, and the event log's
    /// times only go forward, so the drill's own events at `now` must come after all of it. `user` (who starts the
    /// drill) heads the roster.
    public static func lay(into root: String, seed: UInt64, now: Date, user: String) throws -> LaidHistory {
        let clock = ManualClock(start: now.addingTimeInterval(-20 * 86_400))
        try WorkspaceInit.lay(into: root, actor: owner, now: clock.now)
        let context = try PlayContext(workspace: Workspace(root: root), now: clock.now)
        try layRoster(user: user, into: context.registry)
        var random = SeededGenerator(seed: seed ^ 0x1A1D, stream: 1)
        let edits = SystemEdits(root: root)

        var story = SeededGenerator(seed: seed, stream: 2)
        var pool = notes
        for index in pool.indices.reversed() { pool.swapAt(index, story.int(0...index)) }
        var reasons = 0
        func reason() -> String {
            reasons += 1
            return neutralReason(seed: seed, index: reasons)
        }

        let first = try register("initial release of the support assistant", root: true, context, clock)
        try promote(first, context, clock)
        try traffic(200, &random, context, clock)

        var good = first
        for index in 0..<story.int(1...3) {
            try edits.appendNote(pool[index])
            good = try register(reason(), context, clock)
            try promote(good, context, clock)
            try traffic(200, &random, context, clock)
        }

        let words = [12, 15, 18][story.int(0...2)]
        try edits.replace("system/prompt.md", "max_words: 60", with: "max_words: \(words)")
        let bad = try register(reason(), context, clock)
        try promote(bad, context, clock, forceReason: "the eval is noisy on short answers; ship for the widget launch")
        try traffic(200, &random, context, clock)
        clock.advance(minutes: Double(random.int(20...60)))
        let incident = try Incidents.open(
            symptom: "answers cut off mid-sentence on refunds", detectedAt: nil, badVersion: bad, by: onCall,
            in: context)
        clock.advance(minutes: Double(random.int(4...12)))
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "answers cut off mid-sentence", incident: incident.id, detectedAt: nil, by: onCall),
            in: context)
        clock.advance(minutes: 30)
        _ = try Incidents.close(
            incident.id,
            resolution: "rolled back to the last known good; max_words \(words) is too short for refunds",
            by: onCall, in: context)
        try edits.replace("system/prompt.md", "max_words: \(words)", with: "max_words: 60")
        try traffic(200, &random, context, clock)

        try edits.appendNote(pool[pool.count - 1])
        let recent = try register(reason(), parent: good, context, clock)
        clock.advance(minutes: Double(random.int(30...90)))
        _ = try context.registry.moveTag(
            "production", to: recent, by: approver, reason: "pushed by hand before the weekend")
        try traffic(200, &random, context, clock)
        return LaidHistory(
            first: first, lastKnownGood: good, oldBad: bad, oldIncident: incident.id, recent: recent)
    }

    static func register(
        _ reason: String, root isRoot: Bool = false, parent: String? = "production", _ context: PlayContext,
        _ clock: ManualClock
    ) throws -> String {
        clock.advance(days: 2)
        let request = RegisterRequest(owner: owner, reason: reason, parent: isRoot ? nil : parent, root: isRoot)
        return try RegisterPlay.run(request, in: context).record.id
    }

    /// Through the gate; when it fails and `forceReason` is given, forced past it as the team in the story did.
    static func promote(
        _ id: String, _ context: PlayContext, _ clock: ManualClock, forceReason: String? = nil
    ) throws {
        clock.advance(minutes: 90)
        do {
            _ = try PromotePlay.run(PromoteRequest(ref: id, approver: approver), in: context)
        } catch PlaybookError.gateFailed where forceReason != nil {
            _ = try PromotePlay.run(
                PromoteRequest(ref: id, approver: approver, force: true, reason: forceReason), in: context)
        }
    }

    static func traffic(
        _ count: Int, _ random: inout SeededGenerator, _ context: PlayContext, _ clock: ManualClock
    ) throws {
        clock.advance(hours: 6)
        _ = try Traffic.run(requests: count, rate: 0, seed: random.next(), in: context)
    }
}

/// Small edits to a workspace's files, as the people in the story make them.
public struct SystemEdits {
    public let root: String

    public func read(_ relative: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: root + "/" + relative) else {
            throw DrillsError.buildFailed("\(relative) is missing")
        }
        return String(decoding: data, as: UTF8.self)
    }

    public func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + relative), options: .atomic)
    }

    public func replace(_ relative: String, _ old: String, with new: String) throws {
        let text = try read(relative)
        guard text.contains(old) else { throw DrillsError.buildFailed("\(relative) has no '\(old)'") }
        try write(relative, text.replacingOccurrences(of: old, with: new))
    }

    public func appendNote(_ line: String) throws {
        try write("system/prompt.md", try read("system/prompt.md") + line + "\n")
    }
}

extension ManualClock {
    func advance(hours: Double) { advance(seconds: hours * 3600) }
}
