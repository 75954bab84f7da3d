// `incident confirm`: a rollback made without live evidence leaves its incident open for live confirmation; once
// production traffic has reached the restored version, this judges it with the one recovery rule
// (`Recovery.judge`) and records the confirmation, or refuses with the reason and writes nothing.
public import Foundation
import Hashing
public import Registry

/// What `incident confirm` established.
public struct IncidentConfirmation: Encodable, Sendable {
    public var incident: Incident
    public var verdict: RecoveryVerdict
    public var event: Int
}

extension Incidents {
    /// Confirms incident `id`'s rollback (without `id`: the latest incident awaiting live confirmation) when the
    /// restored version's live signals are back within bounds of its last healthy window.
    public static func confirm(_ id: String?, by actor: String, in context: PlayContext) throws
        -> IncidentConfirmation
    {
        let registry = context.registry
        let events = try registry.events()
        let incidents = try all(events: events)
        let incident: Incident
        if let id {
            incident = try find(id, events: events)
        } else {
            guard
                let awaiting = incidents.last(where: {
                    $0.status != .closed && $0.goodVersion != nil && $0.liveEvidence == nil
                })
            else {
                throw PlaybookError.invalid(
                    "No incident awaits live confirmation (an open incident with a rollback not yet confirmed live); "
                        + "see 'LabRunner incident list', or name one: 'LabRunner incident confirm INC-…'.")
            }
            incident = awaiting
        }
        guard incident.status != .closed else { throw PlaybookError.incidentClosed(incident.id) }
        guard let good = incident.goodVersion else {
            throw PlaybookError.invalid(
                "\(incident.id) has no rollback to confirm: roll back first with 'LabRunner rollback --reason TEXT'.")
        }
        if incident.liveEvidence != nil {
            throw PlaybookError.invalid(
                "\(incident.id) is already confirmed by live signals at "
                    + "\(incident.confirmedAt.map(Timestamp.string(from:)) ?? "-"); nothing was written.")
        }
        guard registry.tag("production") == good else {
            throw PlaybookError.invalid(
                "\(incident.id)'s rollback restored \(context.label(good)), but production has moved on since, so its "
                    + "live signals cannot confirm that rollback; nothing was written.")
        }
        let knownGood = try RollbackPlay.reasonsNotKnownGood(good, in: context).isEmpty
        let verdict = try RollbackPlay.liveVerdict(
            restored: good, knownGood: knownGood, bad: incident.badVersion, in: context)
        guard verdict.recovered else {
            let next =
                verdict.outcome == .outOfBounds
                ? "investigate before closing it"
                : "send production traffic (for example 'LabRunner traffic --requests 100') and run it again"
            throw PlaybookError.invalid(
                "\(incident.id) is not confirmed: \(verdict.finding); nothing was written, \(next).")
        }
        let update = IncidentUpdated(
            incident: incident.id, confirmed: true, confirmedAt: context.now(), liveEvidence: verdict.confirmation)
        let written = try write(by: actor, in: context) { events in
            guard try find(incident.id, events: events).status != .closed else {
                throw PlaybookError.incidentClosed(incident.id)
            }
            return (update, incident.id)
        }
        return IncidentConfirmation(incident: written.incident, verdict: verdict, event: written.event.seq)
    }
}
