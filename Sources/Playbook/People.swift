// The roster's plays: adding and removing people (a key read from a .pub file), the kit's personas laid into
// every fresh workspace, and the roster as people read it.
public import Foundation
import Hashing
public import Registry
public import Terminal

public enum People {
    /// The people the kit's labs, drills and scenarios already name, laid into every fresh workspace beside its
    /// user, so "a second person" is someone the registry knows.
    public static let personas: [(name: String, roles: [Roster.Role])] = [
        ("a-reviewer", [.reviewer]), ("bob", [.reviewer]), ("carol", [.reviewer, .operator]),
        ("dana-lead", [.reviewer]), ("pager", [.operator]), ("dana", [.owner]), ("erin", [.owner]),
    ]

    /// Lays the user (first, on the empty roster) and the personas into a new workspace's registry.
    public static func seed(user: String, into registry: Registry) throws {
        let user = Roster.identity(user).isEmpty ? "labrunner" : user
        guard try registry.roster().isEmpty else { return }
        try registry.addPerson(user, key: nil, roles: [.learner, .owner, .operator], by: user)
        for persona in personas where Roster.identity(persona.name) != Roster.identity(user) {
            try registry.addPerson(persona.name, key: nil, roles: persona.roles, by: user)
        }
    }

    /// Adds `name` with the public key in `keyFile` (if any), as `by`.
    public static func add(
        _ name: String, keyFile: String?, roles: [Roster.Role], by actor: String, in registry: Registry
    ) throws -> Person {
        var key: String?
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw RegistryError.rosterChange(
                    "Cannot read the public key \(keyFile); give the .pub file ssh-keygen wrote; nothing was changed.")
            }
            key = String(decoding: data, as: UTF8.self)
        }
        try registry.addPerson(name, key: key, roles: roles, by: actor)
        guard let person = try registry.roster().person(name) else {
            throw RegistryError.notOnRoster(name: name, option: "NAME")
        }
        return person
    }

    /// Roles as `--role` takes them: comma-separated words.
    @Sendable public static func roles(_ text: String) throws -> [Roster.Role] {
        try text.split(separator: ",").map { word in
            let word = word.trimmingCharacters(in: .whitespaces)
            guard let role = Roster.Role(rawValue: word) else {
                throw UsageError(
                    "--role must be one or more of \(Roster.Role.allCases.map(\.rawValue).joined(separator: ", ")) "
                        + "(comma-separated), not '\(word)'.")
            }
            return role
        }
    }
}

extension Roster: TextRendering {
    public func render(_ out: inout TextOutput) {
        guard !isEmpty else {
            out.line("The roster is empty: anyone may act. Add people with 'LabRunner people add NAME'.")
            return
        }
        out.write(
            Table(
                headers: ["NAME", "ROLES", "SIGNS", "ADDED BY", "EVENT"],
                rows: people.map { person in
                    [
                        person.name, person.roles.joined(separator: ","), person.key == nil ? "no" : "yes (ssh key)",
                        person.addedBy, "#\(person.event)",
                    ]
                }
            ).render())
    }
}

extension Person: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "\(name) is on the roster (identity '\(identity)', roles \(roles.joined(separator: ","))"
                + (key == nil ? ", no key" : ", signs approvals with an SSH key") + "), event #\(event).")
    }
}

extension SignedApproval: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "\(approval.approver) signed the promotion of \(approval.version.prefix(12)) over production "
                + "\(approval.production.prefix(12)) at \(approval.at).")
    }
}
