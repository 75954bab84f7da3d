// Changing the roster: each change is one event, checked under the writer lock. Once the roster has people,
// a change needs `by` someone already on it (a first person may add themselves), and a removal leaves at least
// one person. A refused change writes nothing.
import Foundation

extension Registry {
    /// Adds `name` (or replaces their entry: a new key, new roles), as `by`.
    @discardableResult
    public func addPerson(_ name: String, key: String?, roles: [Roster.Role], by actor: String) throws -> Event {
        let identity = Roster.identity(name)
        guard Roster.isValidIdentity(identity) else {
            throw RegistryError.rosterChange(
                "'\(name)' is not a usable name: use letters, digits, '.', '_', '-' or '@' (up to 64), "
                    + "not starting with '-'; nothing was changed.")
        }
        let keyLine = key?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let keyLine, !SSHKeygen.looksLikePublicKey(keyLine) || keyLine.contains("\n") {
            throw RegistryError.rosterChange(
                "The key given for '\(name)' is not one SSH public key line (such as the .pub file ssh-keygen "
                    + "writes); nothing was changed.")
        }
        return try write { writer in
            let roster = try roster()
            try requireChanger(actor, roster: roster, changing: identity)
            return try writer.append(
                PersonAdded(
                    name: name.trimmingCharacters(in: .whitespacesAndNewlines), identity: identity, key: keyLine,
                    roles: roles), actor: actor)
        }
    }

    /// Removes `name`, as `by`: someone on the roster other than them, and never the last person.
    @discardableResult
    public func removePerson(_ name: String, by actor: String) throws -> Event {
        try write { writer in
            let roster = try roster()
            guard let person = roster.person(name) else {
                throw RegistryError.rosterChange(
                    "'\(name)' is not on the roster; nothing was changed (see 'LabRunner people list').")
            }
            guard roster.people.count > 1 else {
                throw RegistryError.rosterChange(
                    "'\(person.name)' is the last person on the roster, and the roster decides who may act; add "
                        + "someone else first; nothing was changed.")
            }
            try requireChanger(actor, roster: roster, changing: person.identity)
            return try writer.append(PersonRemoved(name: person.name, identity: person.identity), actor: actor)
        }
    }

    /// Who may change the roster: anyone while it is empty, then only someone on it, and a person with a key
    /// is never re-keyed or removed by themselves alone.
    private func requireChanger(_ actor: String, roster: Roster, changing identity: String) throws {
        guard !roster.isEmpty else { return }
        try roster.requireMember(actor, as: "--by")
        if let existing = roster.people.first(where: { $0.identity == identity }), existing.key != nil,
            Roster.identity(actor) == identity
        {
            throw RegistryError.rosterChange(
                "'\(existing.name)' signs approvals with a key, so a change to their entry needs someone else on "
                    + "the roster: pass --by THEIR_NAME; nothing was changed.")
        }
    }
}
