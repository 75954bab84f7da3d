// The write-up's timeline and audit sections, each line citing the event it comes from.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

extension Writeup {
    static func timeline(
        incident: Incident, cited: ReportIncident, bad: VersionRecord, events: [Event], moves: [TagMove],
        label: (VersionRecord) -> String
    ) throws -> [TimelineLine] {
        var lines: [TimelineLine] = []
        if let registered = try events.payloads(VersionRegistered.self).first(where: { $0.payload.id == bad.id })?.event
        {
            lines.append(
                TimelineLine(
                    at: registered.at, what: "\(label(bad)) registered: \(bad.metadata.reason)", who: registered.actor,
                    event: registered.seq))
        }
        for move in moves where move.to == bad.id || move.from == bad.id {
            let facts = try move.facts()
            let play = facts.play?.rawValue ?? "tag move"
            let gate = facts.gate.map { ", gate \($0)" } ?? ""
            lines.append(
                TimelineLine(
                    at: move.at, what: "production → `\(move.to.prefix(12))` (\(play)\(gate))", who: move.by,
                    event: move.event))
        }
        lines.append(
            TimelineLine(
                at: incident.detectedAt, what: "problem detected: \(incident.symptom)", who: incident.openedBy,
                event: cited.detectedEvent))
        if incident.openedAt != incident.detectedAt {
            lines.append(
                TimelineLine(
                    at: incident.openedAt, what: "\(incident.id) opened", who: incident.openedBy,
                    event: cited.detectedEvent))
        }
        if let confirmed = incident.confirmedAt, incident.confirmed == true {
            lines.append(
                TimelineLine(
                    at: confirmed, what: "rollback confirmed by eval", who: "eval", event: cited.confirmedEvent))
        }
        if let closed = incident.closedAt {
            lines.append(
                TimelineLine(
                    at: closed, what: "\(incident.id) closed: \(incident.resolution ?? "")", who: "-",
                    event: cited.closedEvent))
        }
        return lines.sorted { $0.at < $1.at }
    }

    /// The first request the bad version answered differently from the good one, traced and replayed.
    static func audit(
        bad: VersionRecord, good: VersionRecord, context: PlayContext, label: (VersionRecord) -> String,
        notes: inout Footnotes
    ) throws -> [String] {
        let goodSystem = try context.system(for: good)
        var affected: (RequestRecord, Int)?
        var fallback: (RequestRecord, Int)?
        var line = 0
        try AttributionLog(registryRoot: context.registry.root).forEach { record in
            line += 1
            guard record.version == bad.id else { return true }
            if fallback == nil { fallback = (record, line) }
            let goodAnswer = goodSystem.ask(record.input, seed: record.seed)
            if String(decoding: try CanonicalJSON.encode(goodAnswer), as: UTF8.self)
                != record.output
                .replacingOccurrences(of: bad.id, with: good.id)
            {
                affected = (record, line)
                return false
            }
            return true
        }
        affected = affected ?? fallback
        guard let (request, requestLine) = affected else {
            return ["No request answered by \(label(bad)) is in the attribution log."]
        }
        let answer = try context.system(for: bad).ask(request.input, seed: request.seed)
        let replayed = String(decoding: try CanonicalJSON.encode(answer), as: UTF8.self)
        return [
            "| fact | value |", "|---|---|",
            "| Request | `\(request.id)` at \(time(request.at)) (\(request.source))\(notes.lines(requestLine, requestLine)) |",
            "| Customer wrote | \(Markdown.cell(request.input)) |",
            "| Answered by | \(label(bad)) |",
            "| Answer | \(describe(answer)) |",
            "| What \(label(good)) answers | \(describe(goodSystem.ask(request.input, seed: request.seed))) |",
            "| Customer satisfied | \(request.satisfied.map { $0 ? "yes" : "no" } ?? "unknown") |",
            "| Replay from the registry's blobs | \(replayed == request.output ? "identical to the logged output" : "DIFFERS from the logged output") (output sha256 `\(request.outputSHA256.prefix(12))`) |",
        ]
    }
}
