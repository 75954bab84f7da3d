// The game master's mid-drill injects: a customer complaint, a second alarm, an on-call who goes missing. Only
// the game master's token (the one that opens the drill's sealed plan) may inject; each inject is one recorded
// event that participants see (it is what they must handle) and the debrief's timeline shows.
public import Foundation
public import Playbook
public import Registry

/// What the game master injects.
public enum InjectKind: String, Codable, Sendable, CaseIterable {
    case complaint, alarm
    case missingOncall = "missing-oncall"

    /// What the inject says when the game master gives no words of their own.
    public var standardDetail: String {
        switch self {
        case .complaint: return "A customer writes in: the assistant's answers have been wrong since this morning."
        case .alarm: return "A second alarm: checkout errors are up on the payments dashboard."
        case .missingOncall: return "The on-call operator stops answering for the rest of the drill."
        }
    }

    public var title: String {
        switch self {
        case .complaint: return "a customer complaint"
        case .alarm: return "a second alarm"
        case .missingOncall: return "a missing on-call"
        }
    }
}

/// `drill.inject`: the game master's inject, in the words the participants read.
public struct DrillInjected: EventPayload {
    public static let kind = "drill.inject"
    public var drill: String
    public var inject: InjectKind
    public var detail: String
    public var drillID: String

    public init(drill: String, inject: InjectKind, detail: String) {
        self.drill = drill
        self.inject = inject
        self.detail = detail
        drillID = drill
    }

    enum CodingKeys: String, CodingKey {
        case drill, inject, detail
        case drillID = "drill_id"
    }
}

extension DrillLog {
    /// The game master injects `kind` (with `detail`, or its standard words); refused, writing nothing, unless
    /// `seal` opens the drill's sealed plan, or when the words are not one line of up to `noteLimit` characters.
    @discardableResult
    public static func inject(
        _ kind: InjectKind, detail: String?, drill: String, seal: DrillSeal?, by actor: String,
        in context: PlayContext
    ) throws -> Event {
        guard let seal else { throw DrillsError.injectNeedsToken }
        _ = try seal.plan(events: try context.registry.events(), drill: drill)
        let words = detail?.trimmingCharacters(in: .whitespacesAndNewlines) ?? kind.standardDetail
        guard !words.isEmpty, !words.contains(where: \.isNewline), words.count <= noteLimit else {
            throw DrillsError.badNote(limit: noteLimit)
        }
        return try append(DrillInjected(drill: drill, inject: kind, detail: words), by: actor, context)
    }

    /// `drill inject`'s KIND, as typed.
    public static func injectKind(_ text: String) throws -> InjectKind {
        guard let kind = InjectKind(rawValue: text) else { throw DrillsError.unknownInject(text) }
        return kind
    }
}
