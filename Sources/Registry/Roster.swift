// The people the registry knows: a roster folded from `person.added` / `person.removed` events. One identity
// function compares names (trimmed, Unicode compatibility form NFKC, case-folded), and one function says whether
// an approver is a second person. Where the roster has people, every actor and approver must be on it.
public import Foundation

/// `person.added`: a person joins the roster (or their entry is replaced: new key, new roles).
public struct PersonAdded: EventPayload {
    public static let kind = "person.added"
    /// The name as given.
    public var name: String
    /// The normalised identity every comparison uses (see `Roster.identity`).
    public var identity: String
    /// Their SSH public key line, when they sign approvals.
    public var key: String?
    /// Comma-separated roles (see `roleList`).
    public var roles: String

    public init(name: String, identity: String, key: String?, roles: [Roster.Role]) {
        self.name = name
        self.identity = identity
        self.key = key
        self.roles = roles.map(\.rawValue).joined(separator: ",")
    }

    public var roleList: [String] { roles.split(separator: ",").map(String.init) }
}

/// `person.removed`: a person leaves the roster; their past events keep their name.
public struct PersonRemoved: EventPayload {
    public static let kind = "person.removed"
    public var name: String
    public var identity: String
}

public struct Person: Codable, Sendable, Equatable {
    public var name: String
    public var identity: String
    public var key: String?
    public var roles: [String]
    public var addedBy: String
    public var addedAt: Date
    /// The event that added them.
    public var event: Int

    public var signs: Bool { key != nil }

    enum CodingKeys: String, CodingKey {
        case name, identity, key, roles, event
        case addedBy = "added_by"
        case addedAt = "added_at"
    }
}

public struct Roster: Sendable, Encodable {
    public enum Role: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
        case reviewer, owner, `operator`, learner
        public var description: String { rawValue }
    }

    /// Everyone on the roster now, by identity.
    public var people: [Person]

    public init(events: [Event]) throws {
        var byIdentity: [String: Person] = [:]
        for event in events {
            if event.is(PersonAdded.self) {
                let added = try event.payload(as: PersonAdded.self)
                byIdentity[added.identity] = Person(
                    name: added.name, identity: added.identity, key: added.key, roles: added.roleList,
                    addedBy: event.actor, addedAt: event.at, event: event.seq)
            } else if event.is(PersonRemoved.self) {
                byIdentity[try event.payload(as: PersonRemoved.self).identity] = nil
            }
        }
        people = byIdentity.values.sorted { $0.identity < $1.identity }
    }

    public var isEmpty: Bool { people.isEmpty }

    /// The one identity function: surrounding space trimmed, Unicode compatibility form (NFKC, so a fullwidth
    /// `Ａ` is `A`), case-folded. Two names are the same person exactly when their identities are equal.
    public static func identity(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCompatibilityMapping.lowercased()
            .precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Letters, digits, '.', '_', '-', '@' after normalisation: safe as an allowed-signers principal.
    public static func isValidIdentity(_ identity: String) -> Bool {
        !identity.isEmpty && identity.count <= 64
            && identity.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)
            } && !identity.hasPrefix("-")
    }

    public func person(_ name: String) -> Person? {
        let wanted = Self.identity(name)
        return people.first { $0.identity == wanted }
    }

    /// Where the roster has people, `name` (given as `option`, such as `--by`) must be on it.
    public func requireMember(_ name: String, as option: String) throws {
        guard !isEmpty, person(name) == nil else { return }
        throw RegistryError.notOnRoster(name: name, option: option)
    }

    /// The one rule for "a second person": `approver` is on the roster (where it has people) and is a different
    /// normalised identity from the version's `owner` and from the `actor` running the command (nil when the
    /// approver runs it). Every approval in the kit is checked here.
    /// `ownerRole` names the owner in the refusal (a suite pin's "owner" is the person pinning).
    public func secondPerson(
        approver: String, owner: String, actor: String?, ownerRole: String = "the version's owner"
    ) throws {
        try requireMember(approver, as: "--approver")
        if let actor { try requireMember(actor, as: "--by") }
        let identity = Self.identity(approver)
        if identity == Self.identity(owner) {
            throw RegistryError.notASecondPerson(approver: approver, other: owner, role: ownerRole)
        }
        if let actor, identity == Self.identity(actor) {
            throw RegistryError.notASecondPerson(approver: approver, other: actor, role: "the person running it")
        }
    }

    /// How a name is shown: the roster's own spelling of that identity, else the name as recorded.
    public func display(_ name: String) -> String { person(name)?.name ?? name }

    /// The allowed-signers lines for the people with keys: identity, the namespace, the key.
    public func allowedSigners(namespace: String, only identity: String? = nil) -> String {
        people.filter { $0.key != nil && (identity == nil || $0.identity == identity) }.map { person in
            "\(person.identity) namespaces=\"\(namespace)\" \(person.key ?? "")\n"
        }.joined()
    }
}

extension Registry {
    /// The roster as the log says now.
    public func roster() throws -> Roster { try Roster(events: try events()) }
}
