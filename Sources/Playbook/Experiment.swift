// Play 4, experiment: branch from a registered parent under an experiment tag with a retention window;
// versions registered meanwhile carry the experiment and its expiry, and are evaluated on production's suite.
public import Foundation
import Hashing
public import Registry

public struct Experiment: Codable, Sendable, Equatable {
    public var name: String
    public var from: String
    public var tag: String
    public var startedBy: String
    public var startedAt: Date
    public var expiresAt: Date
    public var endedAt: Date?

    public var active: Bool { endedAt == nil }

    enum CodingKeys: String, CodingKey {
        case name, from, tag
        case startedBy = "started_by"
        case startedAt = "started_at"
        case expiresAt = "expires_at"
        case endedAt = "ended_at"
    }
}

/// `experiment.started`: an experiment branching from a version, with its retention window.
public struct ExperimentStarted: EventPayload {
    public static let kind = "experiment.started"
    public var experiment: String
    public var from: String
    /// The retention window as given (`7d`, `12h`, …).
    public var ttl: String
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case experiment, from, ttl
        case expiresAt = "expires_at"
    }
}

/// `experiment.ended`: its retention window now runs out for collection.
public struct ExperimentEnded: EventPayload {
    public static let kind = "experiment.ended"
    public var experiment: String
}

public enum Experiments {
    public static let started = ExperimentStarted.kind
    public static let ended = ExperimentEnded.kind
    public static let defaultTTL = "7d"

    public static func tagName(_ name: String) -> String { "exp-" + name }

    /// Every experiment folded from the events, oldest first.
    public static func all(events: [Event]) throws -> [Experiment] {
        var list: [Experiment] = []
        for event in events {
            if event.is(ExperimentStarted.self) {
                let start = try event.payload(as: ExperimentStarted.self)
                list.append(
                    Experiment(
                        name: start.experiment, from: start.from, tag: tagName(start.experiment),
                        startedBy: event.actor, startedAt: event.at, expiresAt: start.expiresAt, endedAt: nil))
            } else if event.is(ExperimentEnded.self) {
                let end = try event.payload(as: ExperimentEnded.self)
                if let index = list.lastIndex(where: { $0.name == end.experiment && $0.active }) {
                    list[index].endedAt = event.at
                }
            }
        }
        return list
    }

    public static func start(name: String, from ref: String, ttl: String, by actor: String, in context: PlayContext)
        throws -> Experiment
    {
        try Registry.validateTagName(tagName(name))
        try context.requireOnRoster(actor)
        let seconds = try TimeParsing.duration(ttl)
        let base = try context.registry.resolve(ref)
        if try all(events: try context.registry.events()).contains(where: { $0.name == name && $0.active }) {
            throw PlaybookError.experimentExists(name)
        }
        let expires = context.now().addingTimeInterval(seconds)
        try context.registry.write { writer in
            try writer.append(
                ExperimentStarted(experiment: name, from: base.id, ttl: ttl, expiresAt: expires), actor: actor)
        }
        try context.registry.moveTag(
            tagName(name), to: base.id, by: actor, reason: "experiment \(name) branches from #\(base.seq)")
        guard let experiment = try all(events: try context.registry.events()).last(where: { $0.name == name }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        return experiment
    }

    public static func end(name: String, by actor: String, in context: PlayContext) throws -> Experiment {
        try context.requireOnRoster(actor)
        guard try all(events: try context.registry.events()).contains(where: { $0.name == name && $0.active }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        try context.registry.write { writer in try writer.append(ExperimentEnded(experiment: name), actor: actor) }
        guard let experiment = try all(events: try context.registry.events()).last(where: { $0.name == name }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        return experiment
    }

    /// The experiment a new version joins: the one named, else the only active one, else none.
    static func attach(_ explicit: String?, in context: PlayContext) throws -> Experiment? {
        let active = try all(events: try context.registry.events()).filter(\.active)
        if let explicit {
            guard let experiment = active.first(where: { $0.name == explicit }) else {
                throw PlaybookError.unknownExperiment(explicit)
            }
            return experiment
        }
        if active.count > 1 { throw PlaybookError.ambiguousExperiment(active.map(\.name)) }
        return active.first
    }

    /// Versions registered under `name`, oldest first.
    public static func versions(of name: String, in registry: Registry) throws -> [VersionRecord] {
        try registry.versions().filter { try RegisterFacts.of($0).experiment == name }
    }
}
