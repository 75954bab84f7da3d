// The drill's own events, each one write under the registry's lock, so several people acting from several
// terminals at once lose nothing.
import Foundation
public import Playbook
public import Registry

public enum DrillLog {
    @discardableResult
    public static func start(drill: String, code: String, window: Double, by actor: String, in context: PlayContext)
        throws -> Event
    {
        try append(
            DrillEvent.started, by: actor,
            ["drill": drill, "code": code, "window_s": String(Int(window)), DrillMarking.key: drill], context)
    }

    /// `actor` takes `role` for the rest of the drill (several people may share one, one person may hold several).
    @discardableResult
    public static func join(drill: String, role: DrillRole, by actor: String, in context: PlayContext) throws -> Event {
        try append(
            DrillEvent.joined, by: actor, ["drill": drill, "role": role.rawValue, DrillMarking.key: drill], context)
    }

    /// Acknowledges the drill's open alarm; refused (writing nothing) when there is none yet.
    @discardableResult
    public static func acknowledge(drill: String, by actor: String, in context: PlayContext) throws -> Event {
        let events = try context.registry.events()
        let ids = DrillMarking.incidentIDs(events: events, drill: drill)
        guard let incident = try Incidents.all(events: events).last(where: { ids.contains($0.id) }) else {
            throw PlaybookError.invalid(
                "There is no alarm to acknowledge yet: the monitor has not opened an incident in drill \(drill). "
                    + "Watch 'LabRunner drill status' and acknowledge when it fires.")
        }
        return try append(
            DrillEvent.acknowledged, by: actor,
            ["drill": drill, "incident": incident.id, DrillMarking.key: drill], context)
    }

    /// A diff someone read during the drill: diff writes nothing else, and the diagnosis lap needs it.
    @discardableResult
    public static func looked(
        drill: String, from: String, to: String, components: [String], by actor: String, in context: PlayContext
    ) throws -> Event {
        try append(
            DrillEvent.looked, by: actor,
            [
                "drill": drill, "from": from, "to": to, "components": components.joined(separator: ","),
                DrillMarking.key: drill,
            ], context)
    }

    @discardableResult
    public static func end(drill: String, ending: String, by actor: String, in context: PlayContext) throws -> Event {
        try append(DrillEvent.ended, by: actor, ["drill": drill, "ending": ending, DrillMarking.key: drill], context)
    }

    static func append(_ kind: String, by actor: String, _ data: [String: String], _ context: PlayContext) throws
        -> Event
    {
        try context.registry.write { writer in try writer.append(kind: kind, actor: actor, data: data) }
    }
}
