// Customers' complaints for the faults the label-free monitor cannot see (a slow drift): the drill records them
// at fixed times after the fault ships, as `drill.inject` complaints by the customers, so the team hears of the
// regression the way it would in production and opens the incident itself ('incident open').
public import Foundation
public import Playbook
public import Registry

public enum DrillComplaints {
    /// Who the complaints come from, in the log.
    public static let actor = "customers"
    /// Seconds after the fault ships at which each complaint arrives.
    public static let schedule: [Double] = [30, 75, 120]
    static let words = [
        "A customer writes in: the assistant said I only have 7 days to return my order, but your site says 30.",
        "A second customer: I was told my return window had closed after a week; is that right?",
        "Support lead: three tickets today about the return window the assistant quotes.",
    ]

    /// How many complaints are due `seconds` after the fault shipped.
    public static func due(after seconds: Double) -> Int { schedule.filter { $0 <= seconds }.count }

    /// Records complaints until `due` of them are in the drill's log (none for a fault the monitor sees);
    /// returns how many it recorded.
    @discardableResult
    public static func record(
        for fault: FaultFacts, drill: String, in context: PlayContext
    ) throws -> Int {
        guard fault.kind.detectedByComplaint else { return 0 }
        let due = due(after: context.now().timeIntervalSince(fault.shippedAt))
        let events = try context.registry.events()
        let recorded = try events.payloads(DrillInjected.self, where: DrillInjected.CodingKeys.drill, is: drill)
            .filter { $0.event.actor == actor }.count
        guard due > recorded else { return 0 }
        for index in recorded..<due {
            let complaint = DrillInjected(drill: drill, inject: .complaint, detail: words[index % words.count])
            _ = try DrillLog.append(complaint, by: actor, context)
        }
        return due - recorded
    }
}
