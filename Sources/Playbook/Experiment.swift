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

public enum Experiments {
    public static let started = "experiment.started"
    public static let ended = "experiment.ended"
    public static let defaultTTL = "7d"

    public static func tagName(_ name: String) -> String { "exp-" + name }

    /// Every experiment folded from the events, oldest first.
    public static func all(events: [Event]) -> [Experiment] {
        var list: [Experiment] = []
        for event in events {
            guard let name = event.data["experiment"] else { continue }
            if event.kind == started, let from = event.data["from"],
                let expires = event.data["expires_at"].flatMap(Timestamp.date(from:))
            {
                list.append(
                    Experiment(
                        name: name, from: from, tag: tagName(name), startedBy: event.actor, startedAt: event.at,
                        expiresAt: expires, endedAt: nil))
            } else if event.kind == ended, let index = list.lastIndex(where: { $0.name == name && $0.active }) {
                list[index].endedAt = event.at
            }
        }
        return list
    }

    public static func start(name: String, from ref: String, ttl: String, by actor: String, in context: PlayContext)
        throws -> Experiment
    {
        try Registry.validateTagName(tagName(name))
        let seconds = try TimeParsing.duration(ttl)
        let base = try context.registry.resolve(ref)
        if all(events: try context.registry.events()).contains(where: { $0.name == name && $0.active }) {
            throw PlaybookError.experimentExists(name)
        }
        let expires = context.now().addingTimeInterval(seconds)
        try context.registry.write { writer in
            try writer.append(
                kind: started, actor: actor,
                data: [
                    "experiment": name, "from": base.id, "ttl": ttl, "expires_at": Timestamp.string(from: expires),
                ])
        }
        try context.registry.moveTag(
            tagName(name), to: base.id, by: actor, reason: "experiment \(name) branches from #\(base.seq)")
        guard let experiment = all(events: try context.registry.events()).last(where: { $0.name == name }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        return experiment
    }

    public static func end(name: String, by actor: String, in context: PlayContext) throws -> Experiment {
        guard all(events: try context.registry.events()).contains(where: { $0.name == name && $0.active }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        try context.registry.write { writer in
            try writer.append(kind: ended, actor: actor, data: ["experiment": name])
        }
        guard let experiment = all(events: try context.registry.events()).last(where: { $0.name == name }) else {
            throw PlaybookError.unknownExperiment(name)
        }
        return experiment
    }

    /// The experiment a new version joins: the one named, else the only active one, else none.
    static func attach(_ explicit: String?, in context: PlayContext) throws -> Experiment? {
        let active = all(events: try context.registry.events()).filter(\.active)
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
        try registry.versions().filter { $0.metadata.extra["experiment"] == name }
    }
}
