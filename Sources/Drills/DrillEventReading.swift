// Reading the lower modules' events the way drills need them: a tag move's play facts with the event named when
// one is damaged.
public import Playbook
public import Registry

extension TagMoved {
    /// What the play that made the move recorded on it; a damaged field is an error naming `event`.
    public func facts(of event: Event) throws -> TagMoveFacts {
        do {
            return try EventFields.decode(TagMoveFacts.self, from: details)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: event.seq, kind: event.kind, reason: error.reason)
        }
    }
}
