// One pinning mechanism for what the gates judge by, an eval suite (SuitePin.swift) or the policy (Policy.swift):
// the content is stored as a blob and named by its own event with who pinned it, why, and the hash it replaced.
// Pinning the content already in force writes nothing; a pin that weakens a safety rule needs a second person.
import Foundation
public import Registry

public enum Pins {
    /// What a pin stores and records, prepared under the writer lock from the events.
    struct Draft<P: EventPayload> {
        var data: Data
        /// What the pin weakens, in words, when it does: such a pin needs a second person's approval.
        var weakens: String?
        /// The event, given the approver to record (only for a weakening pin).
        var payload: (_ approver: String?) -> P
    }

    /// The approver given, trimmed (nil when empty): someone on the roster (where it has people) other than the
    /// pinner, by the roster's one second-person rule.
    static func approver(_ given: String?, actor: String, in context: PlayContext) throws -> String? {
        let approver = given.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        if let approver {
            try context.registry.roster().secondPerson(
                approver: approver, owner: actor, actor: nil, ownerRole: "the person pinning")
        }
        return approver
    }

    /// Pins under the writer lock: `prepare` reads the events and returns nil when nothing is to be written (the
    /// content is already in force), else the draft. A weakening draft without `approver` is refused with
    /// `refusal`, before anything is stored. Returns the recorded payload and event, or nil when nothing was written.
    static func write<P: EventPayload>(
        by actor: String, approver given: String?, in context: PlayContext,
        refusal: (_ weakens: String) -> any Error, _ prepare: ([Event]) throws -> Draft<P>?
    ) throws -> (payload: P, event: Event)? {
        let approver = try approver(given, actor: actor, in: context)
        let registry = context.registry
        return try registry.write { writer -> (payload: P, event: Event)? in
            guard let draft = try prepare(try registry.events()) else { return nil }
            if let weakens = draft.weakens, approver == nil { throw refusal(weakens) }
            try registry.objects.put(draft.data)
            let payload = draft.payload(draft.weakens == nil ? nil : approver)
            return (payload, try writer.append(payload, actor: actor))
        }
    }
}
