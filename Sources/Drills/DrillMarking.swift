// The one rule that tells a drill's incident from a real one, so stats, trends and the payback model agree.
import Playbook
public import Registry

public enum DrillMarking {
    /// The event field a drill writes: on the event that opens its incident, and on the tag moves it makes.
    public static let key = "drill_id"

    /// The mark alone, read from any event's fields: every kind that carries it stores it under the same key.
    struct Mark: Decodable {
        var drillID: String?
        enum CodingKeys: String, CodingKey { case drillID = "drill_id" }
    }

    /// A drill event is one that carries `drill_id`. An incident is a drill incident when the event that opened
    /// it does; every other incident is real.
    public static func isDrill(_ event: Event) throws -> Bool {
        let mark: Mark
        do {
            mark = try EventFields.decode(Mark.self, from: event.data)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: event.seq, kind: event.kind, reason: error.reason)
        }
        return !(mark.drillID ?? "").isEmpty
    }

    /// The ids of incidents opened by a drill (by `drill` only, when given).
    public static func incidentIDs(events: [Event], drill: String? = nil) throws -> Set<String> {
        var ids: Set<String> = []
        for (_, opened) in try events.payloads(IncidentOpened.self) {
            guard let mark = opened.drillID, !mark.isEmpty else { continue }
            if let drill, mark != drill { continue }
            ids.insert(opened.incident)
        }
        return ids
    }
}
