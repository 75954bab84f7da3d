// `tag` as one call: a tag moved by name to a version ref, with who moved it and why both required, and what
// the move prints.
import Foundation
public import Terminal

/// A recorded tag move and the version the tag now points to.
public struct MovedTag: Encodable, Sendable {
    public var name: String
    public var record: VersionRecord
    public var event: Event

    /// The move's event, as `tag --json` prints it.
    public func encode(to encoder: any Encoder) throws { try event.encode(to: encoder) }
}

extension Registry {
    /// Moves tag `name` to the version `ref` names; `actor` and `reason` must be given and not blank.
    public func moveTag(_ name: String, toRef ref: String, by actor: String?, reason: String?) throws -> MovedTag {
        try Registry.validateTagName(name)
        let actor = try Self.given(actor, "--by", hint: "every tag move records who made it, pass --by NAME")
        let reason = try Self.given(reason, "--reason", hint: "every change needs a reason, pass --reason TEXT")
        let record = try resolve(ref)
        return MovedTag(name: name, record: record, event: try moveTag(name, to: record.id, by: actor, reason: reason))
    }

    private static func given(_ value: String?, _ field: String, hint: String) throws -> String {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(field: field, hint: hint)
        }
        return value
    }
}

extension MovedTag: TextRendering {
    public func render(_ out: inout TextOutput) {
        let from = event.data["from"].map { String($0.prefix(12)) } ?? "(new tag)"
        out.line("Moved \(name): \(from) → #\(record.seq) \(record.shortID) (event #\(event.seq))")
    }
}
