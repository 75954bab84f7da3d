// The one rule that tells a drill's incident from a real one, so stats, trends and the payback model agree.
import Playbook
public import Registry

public enum DrillMarking {
    /// The event field a drill writes: on the event that opens its incident, and on the tag moves it makes.
    public static let key = "drill_id"

    /// A drill event is one that carries `drill_id`. An incident is a drill incident when the event that opened
    /// it does; every other incident is real.
    public static func isDrill(_ event: Event) -> Bool {
        guard let id = event.data[key] else { return false }
        return !id.isEmpty
    }

    /// The ids of incidents opened by a drill (by `drill` only, when given).
    public static func incidentIDs(events: [Event], drill: String? = nil) -> Set<String> {
        var ids: Set<String> = []
        for event in events where event.kind == Incidents.opened && isDrill(event) {
            if let drill, event.data[key] != drill { continue }
            if let id = event.data["incident"] { ids.insert(id) }
        }
        return ids
    }
}
