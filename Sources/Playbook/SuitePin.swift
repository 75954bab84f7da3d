// Eval suites as versioned artifacts: a suite is pinned in the registry (stored as a blob, with a
// `suite.pinned` event naming who, why, its hash, cases and categories), and every gate, confirmation and
// investigation runs the pinned standard suite, never the workspace file. Editing evals/ changes nothing until
// it is pinned; a pin that removes or changes cases of a safety category needs a second person.
public import Evals
public import Foundation
import Hashing
public import Registry
public import ToyModel

public struct PinnedSuite: Encodable, Sendable, Equatable {
    public var name: String
    public var sha256: String
    public var by: String
    public var reason: String
    public var approver: String?
    public var cases: Int
    public var categories: [String: Int]
    public var at: Date
    public var event: Int

    init(name: String, sha256: String, cases: Int, categories: [String: Int], at: Date) {
        self.name = name
        self.sha256 = sha256
        by = ""
        reason = ""
        approver = nil
        self.cases = cases
        self.categories = categories
        self.at = at
        event = 0
    }

    init(_ pinned: SuitePinned, event: Event) throws {
        name = pinned.name
        sha256 = pinned.sha256
        by = event.actor
        reason = pinned.reason
        approver = pinned.approver
        cases = pinned.cases
        categories = try pinned.categoryCounts(event: event)
        at = event.at
        self.event = event.seq
    }
}

/// `suite.pinned`: a suite's content stored as a blob and named the one gates run.
public struct SuitePinned: EventPayload {
    public static let kind = "suite.pinned"
    public var name: String
    public var sha256: String
    public var reason: String
    public var cases: Int
    /// `category=count` pairs joined by commas, in category order (see `categoryCounts`).
    public var categories: String
    /// The workspace file it was pinned from.
    public var file: String
    /// The second person who allowed a pin that weakens a safety category.
    public var approver: String?
    /// The hash of the pin it replaced.
    public var previous: String?

    /// The case count of each category; a pair that does not read is an error naming the event.
    public func categoryCounts(event: Event) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for item in categories.split(separator: ",") {
            guard let equals = item.lastIndex(of: "="), let count = Int(item[item.index(after: equals)...]) else {
                throw RegistryError.corruptEvent(
                    seq: event.seq, kind: event.kind, reason: "its field 'categories' has '\(item)', not NAME=COUNT")
            }
            counts[String(item[..<equals])] = count
        }
        return counts
    }
}

/// How one category differs between the pinned suite and the one being pinned (cases by id).
public struct CategoryChange: Encodable, Sendable, Equatable {
    public var category: String
    public var before: Int
    public var after: Int
    public var added: Int
    public var removed: Int
    /// Cases kept under the same id whose input or expectations were edited.
    public var changed: Int
    public var safety: Bool
}

public struct SuitePinResult: Encodable, Sendable {
    public var pin: PinnedSuite
    public var previous: PinnedSuite?
    public var changes: [CategoryChange]
    /// The workspace file was already the pinned suite: nothing was written.
    public var unchanged: Bool
}

public enum SuitePins {
    public static let pinnedEvent = SuitePinned.kind
    public static let firstUseReason = "first use"
    /// Categories whose cases nobody removes alone, whatever the floors say.
    public static let safetyPrefixes = ["escalate:", "refuse:"]

    /// Every pin of every suite, oldest first.
    public static func all(events: [Event]) throws -> [PinnedSuite] {
        try events.payloads(SuitePinned.self).map { try PinnedSuite($0.payload, event: $0.event) }
    }

    /// The pin in force for suite `name`, if it was ever pinned.
    public static func current(_ name: String, events: [Event]) throws -> PinnedSuite? {
        try all(events: events).last { $0.name == name }
    }

    static func isSafety(_ category: String, settings: PlaybookSettings) -> Bool {
        safetyPrefixes.contains { category.hasPrefix($0) } || settings.isFloored(category)
    }

    /// The per-category difference from `old` to `new`, by case id.
    public static func diff(from old: EvalSuite?, to new: EvalSuite, settings: PlaybookSettings) -> [CategoryChange] {
        func category(_ item: EvalCase) -> String { item.category ?? "uncategorised" }
        let before = Dictionary((old?.cases ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.cases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [String: CategoryChange] = [:]
        func entry(_ name: String) -> CategoryChange {
            changes[name]
                ?? CategoryChange(
                    category: name, before: 0, after: 0, added: 0, removed: 0, changed: 0,
                    safety: isSafety(name, settings: settings))
        }
        for item in old?.cases ?? [] {
            var change = entry(category(item))
            change.before += 1
            if let kept = after[item.id], category(kept) == category(item) {
                if kept != item { change.changed += 1 }
            } else {
                change.removed += 1
            }
            changes[change.category] = change
        }
        for item in new.cases {
            var change = entry(category(item))
            change.after += 1
            if before[item.id].map(category) != category(item) { change.added += 1 }
            changes[change.category] = change
        }
        return changes.values.sorted { $0.category < $1.category }
    }

    /// What pinning the workspace file of suite `name` would change; writes nothing.
    public static func preview(name: String?, in context: PlayContext) throws -> SuitePinResult {
        let name = name ?? context.settings.standardSuite
        let (data, suite) = try workspaceSuite(name, in: context)
        let events = try context.registry.events()
        let previous = try current(name, events: events)
        let old = try previous.map { try load($0, in: context, knownIntents: nil) }
        var pin = PinnedSuite(
            name: name, sha256: suite.sha256, cases: suite.cases.count, categories: counts(suite), at: context.now())
        if let previous, previous.sha256 == SHA256.hash(data).hex { pin = previous }
        return SuitePinResult(
            pin: pin, previous: previous, changes: diff(from: old, to: suite, settings: context.settings),
            unchanged: previous?.sha256 == suite.sha256)
    }

    /// Pins the workspace file of suite `name` (default: the standard suite). A pin that removes or edits cases of
    /// a safety category needs `approver`, who is not `actor`. Pinning the pinned content again writes nothing.
    public static func pin(
        name: String?, reason: String, by actor: String, approver: String?, in context: PlayContext
    ) throws -> SuitePinResult {
        try RegisterPlay.requireText(reason, field: "--reason", hint: "every pin records why, pass --reason TEXT")
        try RegisterPlay.requireText(actor, field: "--by", hint: "every pin records who made it, pass --by NAME")
        try context.requireOnRoster(actor)
        return try pin(name: name, reason: reason, by: actor, approver: approver, onlyIfNone: false, in: context)
    }

    static func pin(
        name: String?, reason: String, by actor: String, approver: String?, onlyIfNone: Bool, in context: PlayContext
    ) throws -> SuitePinResult {
        let name = name ?? context.settings.standardSuite
        let (data, suite) = try workspaceSuite(name, in: context)
        var kept: PinnedSuite?
        var previous: PinnedSuite?
        var changes: [CategoryChange] = []
        let written = try Pins.write(
            by: actor, approver: approver, in: context, refusal: PlaybookError.safetyCasesRemoved(removed:)
        ) { events -> Pins.Draft<SuitePinned>? in
            previous = try current(name, events: events)
            if let previous, onlyIfNone || previous.sha256 == suite.sha256 {
                kept = previous
                return nil
            }
            let old = try previous.map { try load($0, in: context, knownIntents: nil) }
            changes = diff(from: old, to: suite, settings: context.settings)
            let weakened = changes.filter { $0.safety && ($0.removed > 0 || $0.changed > 0) }
            let weakens = weakened.map { change in
                [
                    change.removed > 0 ? "\(change.category) −\(change.removed)" : nil,
                    change.changed > 0 ? "\(change.category) \(change.changed) edited" : nil,
                ].compactMap { $0 }.joined(separator: ", ")
            }.joined(separator: ", ")
            return Pins.Draft(data: data, weakens: weakened.isEmpty ? nil : weakens) { approver in
                SuitePinned(
                    name: name, sha256: suite.sha256, reason: reason, cases: suite.cases.count,
                    categories: counts(suite).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        .joined(separator: ","),
                    file: "evals/\(name).jsonl", approver: approver, previous: previous?.sha256)
            }
        }
        if let kept { return SuitePinResult(pin: kept, previous: kept, changes: [], unchanged: true) }
        guard let (pinned, event) = written else {
            throw PlaybookError.invalid("The suite '\(name)' was not pinned; run 'LabRunner suite pin' again.")
        }
        return SuitePinResult(
            pin: try PinnedSuite(pinned, event: event), previous: previous, changes: changes, unchanged: false)
    }

    /// The pinned suite's cases, read back from its blob (checking intents against `knownIntents` when given).
    public static func load(_ pin: PinnedSuite, in context: PlayContext, knownIntents: [String]?) throws -> EvalSuite {
        let data = try context.registry.objects.get(pin.sha256)
        return try EvalSuite(
            name: pin.name, data: data, sha256: pin.sha256,
            fileName: "the pinned suite '\(pin.name)' (\(pin.sha256.prefix(12)))", knownIntents: knownIntents)
    }

    static func workspaceSuite(_ name: String, in context: PlayContext) throws -> (Data, EvalSuite) {
        let data = try context.suiteData(name)
        let suite = try EvalSuite(
            name: name, data: data, sha256: SHA256.hash(data).hex, fileName: "evals/\(name).jsonl",
            knownIntents: nil)
        return (data, suite)
    }

    static func counts(_ suite: EvalSuite) -> [String: Int] {
        var counts: [String: Int] = [:]
        for item in suite.cases { counts[item.category ?? "uncategorised", default: 0] += 1 }
        return counts
    }
}

extension PlayContext {
    /// The standard suite as pinned in the registry: what every gate, confirmation, investigation and lab check
    /// runs. With no pin yet, the workspace file is pinned on this first use (recorded as `suite.pinned`, reason
    /// "first use"), so a fresh workspace works; later edits to the file count only once pinned.
    public func pinnedStandardSuite(for system: ToySystem, by actor: String) throws -> EvalSuite {
        let name = settings.standardSuite
        let pin =
            try SuitePins.current(name, events: try registry.events())
            ?? SuitePins.pin(
                name: name, reason: SuitePins.firstUseReason, by: actor, approver: nil, onlyIfNone: true, in: self
            ).pin
        return try SuitePins.load(pin, in: self, knownIntents: system.intents)
    }

    /// The hash of the pinned standard suite, or nil before its first use.
    public func pinnedStandardSuiteSHA256() throws -> String? {
        if let project = try ProjectSettings.load(workspace) { return ProjectEval.suiteSHA256(project) }
        return try SuitePins.current(settings.standardSuite, events: try registry.events())?.sha256
    }
}
