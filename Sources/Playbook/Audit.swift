// Play 5, audit: request id → the version that served it → its full record (components, lineage, evals,
// promotion and approval trail) → an optional replay from the registry's blobs that must match exactly.
// Once retention has dropped a request's input text, the audit still proves the version (id, time, version
// and the input's SHA-256 are kept for ever); a replay then needs the original text, checked against that hash.
import Foundation
import Hashing
public import Registry
import ToyModel

public struct Replay: Encodable, Sendable {
    public var identical: Bool
    public var output: String
    public var diff: [String]
}

public struct AuditReport: Encodable, Sendable {
    public var request: RequestRecord
    public var version: VersionRecord
    public var tags: [String]
    public var evals: [EvalSummary]
    public var trail: [Event]
    /// Who approved each promotion in the trail, as the roster knows them, and whether it was signed.
    public var approvals: [TrailApproval] = []
    public var collected: Event?
    public var replay: Replay?
    /// Why a replay that was asked for could not run (the input text was dropped by retention), or nil.
    public var replayNeedsInput: String?

    enum CodingKeys: String, CodingKey {
        case request, version, tags, evals, trail, collected, replay, approvals
        case replayNeedsInput = "replay_needs_input"
    }
}

public enum AuditPlay {
    /// `input` is the request's original text for a replay after retention dropped it from the log; it must
    /// hash to the logged SHA-256.
    public static func run(requestID: String, replay: Bool, input: String? = nil, in context: PlayContext) throws
        -> AuditReport
    {
        let registry = context.registry
        guard let request = try AttributionLog(registryRoot: registry.root).lookup(requestID) else {
            throw PlaybookError.unknownRequest(requestID)
        }
        if let input, SHA256.hash(input).hex != request.inputSHA256 {
            throw PlaybookError.invalid(
                "The input given does not match the logged input of \(requestID) (SHA-256 \(request.inputSHA256.prefix(12))…); "
                    + "give the exact original text, byte for byte.")
        }
        let version = try registry.record(id: request.version)
        let events = try registry.events(aboutVersion: version.id)
        let trail = try events.payloads(TagMoved.self).filter {
            $0.payload.to == version.id || $0.payload.from == version.id
        }
        .map(\.event)
        var report = AuditReport(
            request: request, version: version,
            tags: registry.tags().filter { $0.value == version.id }.map(\.key).sorted(),
            evals: try EvalLedger.summaries(for: version, events: events), trail: trail,
            collected: try events.payloads(BlobsCollected.self).last { $0.payload.versionIDs.contains(version.id) }?
                .event, replay: nil)
        let roster = try registry.roster()
        report.approvals = try trail.compactMap { try TrailApproval(move: $0, roster: roster) }
        if replay, let project = try context.project() {
            report.replay = try context.projectReplay(request, version: version, project)
            return report
        }
        let text = request.hasInput ? request.input : input
        if replay, text == nil {
            report.replayNeedsInput =
                "the input text was dropped on \(request.inputDroppedAt.map(Timestamp.string(from:)) ?? "?") after the "
                + "\(context.settings.inputRetentionDays)-day retention; pass the original text with --input-file FILE "
                + "(checked against its SHA-256 \(request.inputSHA256.prefix(12))…) to replay"
        }
        if replay, let text {
            let system = try context.system(for: version)
            let answer = system.ask(text, seed: request.seed)
            let output = String(decoding: try CanonicalJSON.encode(answer), as: UTF8.self)
            report.replay = Replay(
                identical: output == request.output, output: output,
                diff: LineDiff.unified(
                    oldText: pretty(request.output), newText: pretty(output), oldName: "logged output",
                    newName: "replayed output"))
        }
        return report
    }

    /// One key per line, so a replay diff points at the field that differs.
    static func pretty(_ json: String) -> String {
        // Only for the diff's layout: text that is not JSON is compared as it is.
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One promotion's approval as people read it: the approver as the roster names them (and whether it knows them),
/// whether the approval was signed, and what a break-glass promotion overrode.
public struct TrailApproval: Encodable, Sendable, Equatable {
    public var event: Int
    public var approver: String
    /// Nil when the roster is empty (anyone may act); else whether the approver is on it now.
    public var onRoster: Bool?
    public var roles: [String]
    public var signed: Bool
    public var breakGlass: String?

    enum CodingKeys: String, CodingKey {
        case event, approver, roles, signed
        case onRoster = "on_roster"
        case breakGlass = "break_glass"
    }

    /// Nil for a move that records no approver.
    public init?(move: Event, roster: Roster) throws {
        guard move.is(TagMoved.self) else { return nil }
        let facts = try TagMoveFacts.of(move)
        guard let approver = facts.approver else { return nil }
        let person = roster.person(approver)
        self.event = move.seq
        self.approver = person?.name ?? approver
        self.onRoster = roster.isEmpty ? nil : person != nil
        self.roles = person?.roles ?? []
        self.signed = facts.approvalSigned
        self.breakGlass = facts.breakGlass
    }

    /// `approved by rita (on the roster: reviewer), signed approval; break-glass: failed-floor`
    public var sentence: String {
        var text = "approved by \(approver)"
        switch onRoster {
        case .some(true): text += " (on the roster" + (roles.isEmpty ? ")" : ": \(roles.joined(separator: ",")))")
        case .some(false): text += " (not on the roster now)"
        case nil: break
        }
        text += signed ? ", signed approval" : ", unsigned approval"
        if let breakGlass { text += "; break-glass: \(breakGlass)" }
        return text
    }
}
