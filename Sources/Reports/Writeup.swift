// The write-up: an SRE-style postmortem of the learner's own incident, every number read from the registry,
// with marked sections only the learner can write. Byte-stable for the same registry.
import Foundation
import Hashing
public import Playbook
public import Registry
import ToyModel

public enum WriteupError: Error, CustomStringConvertible, Equatable, Sendable {
    case noRolledBackIncident
    case notRolledBack(String)

    public var description: String {
        switch self {
        case .noRolledBackIncident:
            return
                "No incident has been rolled back yet, so there is nothing to write up; work through labs 05 and 06 first ('LabRunner lab start 05')."
        case .notRolledBack(let id):
            return "\(id) has no rollback recorded yet; roll it back first or name another with --incident."
        }
    }
}

public enum Writeup {
    /// The sections the learner writes, in the order they appear.
    public static let learnerSectionTitles = [
        "Root cause", "What went well", "What went wrong", "Where we got lucky", "Decisions and trade-offs",
        "What I would change",
    ]
    static let openMarker = "<!-- your words: "
    static let closeMarker = "<!-- end of your words -->"
    static let incidentMarker = "<!-- incident: "
    static let maximumDiffLines = 80

    /// The incident a write-up is about: the one named, else the first rolled back after a forced promotion.
    public static func incident(_ id: String?, events: [Event], moves: [TagMove]) throws -> Incident {
        let incidents = Incidents.all(events: events)
        if let id {
            let incident = try Incidents.find(id, events: events)
            guard incident.goodVersion != nil else { throw WriteupError.notRolledBack(id) }
            return incident
        }
        let forced = Set(moves.filter { $0.details["gate"] == "overridden" }.map(\.to))
        let rolledBack = incidents.filter { $0.goodVersion != nil }
        guard let chosen = rolledBack.first(where: { $0.badVersion.map(forced.contains) == true }) ?? rolledBack.first
        else { throw WriteupError.noRolledBackIncident }
        return chosen
    }

    /// The incident a saved write-up names, so a check can regenerate exactly that one.
    public static func incidentID(in text: String) -> String? {
        guard let start = text.range(of: incidentMarker) else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.range(of: " -->") else { return nil }
        return String(rest[..<end.lowerBound])
    }

    public static func render(context: PlayContext, incidentID: String? = nil) throws -> String {
        let registry = context.registry
        let events = try registry.events()
        let moves = try registry.tagHistory("production")
        let incident = try incident(incidentID, events: events, moves: moves)
        guard let badID = incident.badVersion, let goodID = incident.goodVersion else {
            throw WriteupError.notRolledBack(incident.id)
        }
        let bad = try registry.record(id: badID)
        let good = try registry.record(id: goodID)
        func label(_ record: VersionRecord) -> String { "#\(record.seq) `\(record.shortID)`" }
        let badArrival = moves.last { $0.to == badID && $0.at <= incident.detectedAt } ?? moves.first { $0.to == badID }

        var out: [String] = []
        out.append("# Postmortem: \(incident.symptom)")
        out.append("")
        out.append("\(incidentMarker)\(incident.id) -->")
        out.append(
            "Incident **\(incident.id)** in a Rollback Lab registry: production served \(label(bad)) until it was rolled back to \(label(good)). Every time, hash and rate below is read from the registry's hash-chained event log; the sections marked *your words* are the author's."
        )
        out.append("")
        out.append("| fact | value |")
        out.append("|---|---|")
        out.append("| Status | \(incident.status) |")
        out.append("| Bad version | \(label(bad)) by \(bad.metadata.owner): \(Markdown.cell(bad.metadata.reason)) |")
        out.append(
            "| Restored version | \(label(good)) by \(good.metadata.owner): \(Markdown.cell(good.metadata.reason)) |")
        out.append("| Detected | \(time(incident.detectedAt)) |")
        if let moved = incident.tagMovedAt {
            out.append(
                "| Production restored | \(time(moved)) (\(duration(moved.timeIntervalSince(incident.detectedAt))) after detection) |"
            )
        }
        if let confirmed = incident.confirmedAt, incident.confirmed == true {
            out.append(
                "| Rollback confirmed by eval | \(time(confirmed)) (\(duration(confirmed.timeIntervalSince(incident.detectedAt))) after detection) |"
            )
        }
        out.append("")

        out.append("## What a version is in this system")
        out.append("")
        out.append(
            "A version is the composite of every component that changes behaviour, plus the lineage of the data that made the weights. Its id is the SHA-256 of that manifest. The restored version \(label(good)):"
        )
        out.append("")
        out.append("| component | kind | sha256 | bytes |")
        out.append("|---|---|---|---:|")
        for (name, entry) in good.manifest.components.sorted(by: { $0.key < $1.key }) {
            out.append("| \(name) | \(entry.kind.rawValue) | `\(entry.sha256.prefix(16))` | \(good.sizes[name] ?? 0) |")
        }
        if let lineage = good.manifest.lineage {
            out.append("| lineage: \(lineage.dataset) | dataset | `\(lineage.sha256.prefix(16))` | |")
        }
        if good.metadata.extra["lineage_unverified"] != nil {
            out.append("")
            out.append("Lineage unverified: no training run the registry recorded produced these weights.")
        }
        out.append("")
        out.append("Version id: `\(good.id)`")
        out.append("")

        out.append("## Timeline (UTC)")
        out.append("")
        out.append("| time | what happened | who |")
        out.append("|---|---|---|")
        for line in timeline(incident: incident, bad: bad, events: events, moves: moves, label: label) {
            out.append("| \(time(line.at)) | \(Markdown.cell(line.what)) | \(Markdown.cell(line.who)) |")
        }
        out.append("")

        out.append("## Time to rollback")
        out.append("")
        if let moved = incident.tagMovedAt {
            out.append(
                "- Detection to production restored: **\(duration(moved.timeIntervalSince(incident.detectedAt)))**")
        }
        if let confirmed = incident.confirmedAt, incident.confirmed == true {
            out.append(
                "- Detection to rollback confirmed by eval: **\(duration(confirmed.timeIntervalSince(incident.detectedAt)))**"
            )
        }
        if let arrival = badArrival, let moved = incident.tagMovedAt {
            out.append("- Bad version in production: \(duration(moved.timeIntervalSince(arrival.at)))")
        }
        out.append("")

        out.append("## Evals before, during and after")
        out.append("")
        out.append("Suite `\(context.settings.standardSuite)`; pass rates with 95% case-level intervals, as recorded.")
        out.append("")
        out.append("| when | version | source | pass rate | 95% CI | suite sha256 |")
        out.append("|---|---|---|---:|---|---|")
        // The incident's own evals: up to its close, so later work does not change this write-up.
        let end = incident.closedAt ?? incident.confirmedAt ?? .distantFuture
        let evals = (EvalLedger.summaries(for: good, events: events) + EvalLedger.summaries(for: bad, events: events))
            .filter { $0.suite == context.settings.standardSuite && $0.at <= end }.sorted { $0.at < $1.at }
        for eval in evals {
            let phase: String
            if let arrival = badArrival, eval.at < arrival.at {
                phase = "before"
            } else if eval.at < incident.tagMovedAt ?? .distantFuture {
                phase = "during"
            } else {
                phase = "after"
            }
            let record = eval.version == badID ? bad : good
            out.append(
                "| \(phase) (\(time(eval.at))) | \(label(record)) | \(eval.source) | \(PromotePlay.percent(eval.passRate)) | \(PromotePlay.percent(eval.ciLow))–\(PromotePlay.percent(eval.ciHigh)) | `\(eval.suiteSHA256.prefix(12))` |"
            )
        }
        out.append("")

        out.append("## The change that caused it")
        out.append("")
        let parent = try bad.metadata.parent.map { try registry.record(id: $0) } ?? good
        let diff = try registry.diff(parent, bad)
        out.append(
            "Version \(label(bad)) against its parent \(label(parent)): changed \(diff.changedComponents.isEmpty ? "nothing" : diff.changedComponents.joined(separator: ", "))\(diff.lineageChanged ? ", and the dataset lineage" : "")."
        )
        out.append("")
        for change in diff.components where !change.diff.isEmpty {
            out.append("```diff")
            out.append(contentsOf: change.diff.prefix(maximumDiffLines))
            if change.diff.count > maximumDiffLines {
                out.append("… \(change.diff.count - maximumDiffLines) more lines (LabRunner diff shows them all)")
            }
            out.append("```")
            out.append("")
        }

        out.append("## Audit of one affected request")
        out.append("")
        out.append(contentsOf: try audit(bad: bad, good: good, context: context, label: label))
        out.append("")

        out.append("## Trigger")
        out.append("")
        if let arrival = badArrival {
            let gate = arrival.details["gate"] ?? "?"
            var sentence =
                "Version \(label(bad)) reached production at \(time(arrival.at)), approved by \(arrival.details["approver"] ?? arrival.by); the eval gate \(gate == "overridden" ? "refused it and was overridden" : gate)"
            if let finding = arrival.details["gate_finding"] { sentence += " (\(finding))" }
            if let reason = arrival.details["override_reason"] { sentence += " with the recorded reason \"\(reason)\"" }
            out.append(sentence + ".")
        } else {
            out.append("The registry holds no production move to \(label(bad)).")
        }
        out.append("")
        out.append("## Detection")
        out.append("")
        out.append(
            "\(incident.openedBy) opened \(incident.id) (source: \(incident.source)) at \(time(incident.openedAt)), detected at \(time(incident.detectedAt)): \"\(incident.symptom)\"."
        )
        out.append("")
        out.append("## Resolution")
        out.append("")
        var resolution =
            "Production moved back to \(label(good))\(incident.tagMovedAt.map { " at \(time($0))" } ?? "")"
        if incident.confirmed == true { resolution += ", and an eval of the restored version confirmed it" }
        if let text = incident.resolution { resolution += ". Closed: \"\(text)\"" }
        out.append(resolution + ".")
        out.append("")
        for title in learnerSectionTitles {
            out.append("## \(title)")
            out.append("")
            out.append("\(openMarker)\(title) -->")
            out.append("_\(prompts[title] ?? "Write this section.")_")
            out.append(closeMarker)
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static let prompts = [
        "Root cause": "Which component changed, what it did to behaviour, and why the change was made.",
        "What went well": "What made detection and rollback fast: name the evidence you used.",
        "What went wrong": "What let a worse version reach production, and what slowed you down.",
        "Where we got lucky": "What could have made this much worse, and did not.",
        "Decisions and trade-offs":
            "Why roll back rather than fix forward; what the override cost; what you chose not to do.",
        "What I would change": "The process or tooling change that would stop this class of incident.",
    ]

    struct TimelineLine {
        var at: Date
        var what: String
        var who: String
    }

    static func timeline(
        incident: Incident, bad: VersionRecord, events: [Event], moves: [TagMove], label: (VersionRecord) -> String
    ) -> [TimelineLine] {
        var lines: [TimelineLine] = []
        if let registered = events.first(where: { $0.kind == EventKind.versionRegistered && $0.data["id"] == bad.id }) {
            lines.append(
                TimelineLine(
                    at: registered.at, what: "\(label(bad)) registered: \(bad.metadata.reason)", who: registered.actor))
        }
        for move in moves where move.to == bad.id || move.from == bad.id {
            let play = move.details["play"] ?? "tag move"
            let gate = move.details["gate"].map { ", gate \($0)" } ?? ""
            lines.append(
                TimelineLine(at: move.at, what: "production → `\(move.to.prefix(12))` (\(play)\(gate))", who: move.by))
        }
        lines.append(
            TimelineLine(at: incident.detectedAt, what: "problem detected: \(incident.symptom)", who: incident.openedBy)
        )
        if incident.openedAt != incident.detectedAt {
            lines.append(TimelineLine(at: incident.openedAt, what: "\(incident.id) opened", who: incident.openedBy))
        }
        if let confirmed = incident.confirmedAt, incident.confirmed == true {
            lines.append(TimelineLine(at: confirmed, what: "rollback confirmed by eval", who: "eval"))
        }
        if let closed = incident.closedAt {
            lines.append(
                TimelineLine(at: closed, what: "\(incident.id) closed: \(incident.resolution ?? "")", who: "-"))
        }
        return lines.sorted { $0.at < $1.at }
    }

    /// The first request the bad version answered differently from the good one, traced and replayed.
    static func audit(bad: VersionRecord, good: VersionRecord, context: PlayContext, label: (VersionRecord) -> String)
        throws -> [String]
    {
        let goodSystem = try context.system(for: good)
        var affected: RequestRecord?
        var fallback: RequestRecord?
        try AttributionLog(registryRoot: context.registry.root).forEach { record in
            guard record.version == bad.id else { return true }
            if fallback == nil { fallback = record }
            let goodAnswer = goodSystem.ask(record.input, seed: record.seed)
            if String(decoding: (try? CanonicalJSON.encode(goodAnswer)) ?? Data(), as: UTF8.self)
                != record.output
                .replacingOccurrences(of: bad.id, with: good.id)
            {
                affected = record
                return false
            }
            return true
        }
        affected = affected ?? fallback
        guard let request = affected else {
            return ["No request answered by \(label(bad)) is in the attribution log."]
        }
        let answer = try context.system(for: bad).ask(request.input, seed: request.seed)
        let replayed = String(decoding: try CanonicalJSON.encode(answer), as: UTF8.self)
        return [
            "| fact | value |", "|---|---|",
            "| Request | `\(request.id)` at \(time(request.at)) (\(request.source)) |",
            "| Customer wrote | \(Markdown.cell(request.input)) |",
            "| Answered by | \(label(bad)) |",
            "| Answer | \(describe(answer)) |",
            "| What \(label(good)) answers | \(describe(goodSystem.ask(request.input, seed: request.seed))) |",
            "| Customer satisfied | \(request.satisfied.map { $0 ? "yes" : "no" } ?? "unknown") |",
            "| Replay from the registry's blobs | \(replayed == request.output ? "identical to the logged output" : "DIFFERS from the logged output") (output sha256 `\(request.outputSHA256.prefix(12))`) |",
        ]
    }

    // MARK: Reading a saved write-up

    /// The write-up with the learner's words taken out: what must match a fresh render.
    public static func generatedParts(of text: String) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                inside = true
                kept.append(line)
            } else if line.hasPrefix(closeMarker) {
                inside = false
                kept.append(line)
            } else if !inside {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Section title → what the learner wrote in it (placeholder prompts excluded).
    public static func learnerSections(of text: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                current = String(line.dropFirst(openMarker.count)).replacingOccurrences(of: " -->", with: "")
                sections[current ?? ""] = ""
            } else if line.hasPrefix(closeMarker) {
                current = nil
            } else if let title = current {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("_"), trimmed.hasSuffix("_"), trimmed == "_\(prompts[title] ?? "")_" { continue }
                sections[title, default: ""] += line + "\n"
            }
        }
        return sections
    }

    /// A fresh render with the learner's sections carried over from an earlier file.
    public static func keepingLearnerSections(of previous: String, in fresh: String) -> String {
        let kept = learnerSections(of: previous).filter { wordCount($0.value) > 0 }
        guard !kept.isEmpty else { return fresh }
        var out: [String] = []
        var skipping = false
        for line in fresh.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(openMarker) {
                out.append(String(line))
                let title = String(line.dropFirst(openMarker.count)).replacingOccurrences(of: " -->", with: "")
                if let words = kept[title] {
                    out.append(words.trimmingCharacters(in: .newlines))
                    skipping = true
                }
            } else if line.hasPrefix(closeMarker) {
                skipping = false
                out.append(String(line))
            } else if !skipping {
                out.append(String(line))
            }
        }
        return out.joined(separator: "\n")
    }

    public static func wordCount(_ text: String) -> Int {
        text.split { $0.isWhitespace }.filter { $0.contains { $0.isLetter } }.count
    }

    static func describe(_ answer: Answer) -> String {
        "intent \(answer.intent), escalated \(answer.escalated ? "yes" : "no"), cited \(answer.citedDocument ?? "nothing")"
    }

    static func time(_ date: Date) -> String { Timestamp.string(from: date) }
    static func duration(_ seconds: TimeInterval) -> String { TimeParsing.describe(max(0, seconds)) }
}

/// Markdown that renders the same on GitHub and elsewhere.
public enum Markdown {
    /// Text safe inside one table cell: no pipes breaking the row, no newlines ending it.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
