// The write-up: an SRE-style postmortem of the learner's own incident (summary, impact by version, times to
// detect/mitigate/confirm, per-category evals with the paired test, action items), every number read from the
// registry and footnoted with the event or attribution-log lines it came from, with marked sections only the
// learner can write. Byte-stable for the same registry.
import Evals
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
        let incidents = try Incidents.all(events: events)
        if let id {
            let incident = try Incidents.find(id, events: events)
            guard incident.goodVersion != nil else { throw WriteupError.notRolledBack(id) }
            return incident
        }
        let forced = Set(try moves.filter { try $0.facts().gate == .overridden }.map(\.to))
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

    /// The write-up of one incident. `provenance` says how the labs behind it were done (LabKit's grader knows;
    /// this module sits below it), and is shown as the "how this was done" banner when given.
    public static func render(context: PlayContext, incidentID: String? = nil, provenance: [LabProvenance]? = nil)
        throws -> String
    {
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
        let arrivalFacts = try badArrival?.facts()
        // The incident's own record: up to its close, so later work does not change this write-up.
        let end = incident.closedAt ?? incident.confirmedAt ?? .distantFuture
        let cited = try ReportPage.incident(of: incident, events: events)
        let (versions, recordedEvals) = try ReportPage.recorded(
            registry: registry, events: events, suite: context.settings.standardSuite)
        let phases = try ReportPage.phaseResults(context: context, moves: moves, evals: recordedEvals, incident: cited)
        let key = answerKey(file: Traffic.casesFile)
        let signals = try liveSignals(registryRoot: registry.root, versions: [badID, goodID], until: end, key: key)
        let badLive = signals[badID] ?? VersionLiveSignals(version: badID)
        let goodLive = signals[goodID] ?? VersionLiveSignals(version: goodID)
        var notes = Footnotes(events: events)
        let registeredEvent = versions.first { $0.id == badID }?.event

        var out: [String] = []
        out.append("# Postmortem: \(incident.symptom)")
        out.append("")
        out.append("\(incidentMarker)\(incident.id) -->")
        if let provenance {
            out.append(contentsOf: banner(provenance.filter { ($0.starts.first?.at ?? .distantFuture) <= end }, &notes))
            out.append("")
        }

        // Three lines a reader can stop after.
        out.append("**Summary**")
        out.append("")
        var what = "1. **What happened:** \(label(bad)) (\"\(Markdown.cell(bad.metadata.reason))\")"
        if let arrival = badArrival {
            what +=
                " reached production at \(time(arrival.at))\(notes.event(arrival.event))"
                + (arrivalFacts?.gate == .overridden ? " over a failing eval gate" : "")
        }
        what += " and answered \(badLive.requests) requests\(notes.lines(badLive.firstLine, badLive.lastLine))"
        what += " until production was rolled back to \(label(good))\(notes.event(cited.mitigatedEvent))."
        out.append(what)
        var impact = "2. **Impact:** "
        if let badShare = badLive.satisfiedShare {
            impact +=
                "\(PromotePlay.percent(badShare)) of its labelled requests satisfied the customer\(notes.lines(badLive.firstLine, badLive.lastLine))"
            if let goodShare = goodLive.satisfiedShare {
                impact +=
                    " against \(PromotePlay.percent(goodShare)) on \(label(good))\(notes.lines(goodLive.firstLine, goodLive.lastLine))"
            }
        } else {
            impact += "no request it answered carries a satisfaction label"
        }
        if key != nil {
            impact +=
                "; \(badLive.missedEscalationLines.count) of \(badLive.expectedEscalation) requests that needed a person were not handed to one\(notes.lines(badLive.missedEscalationLines.first ?? 0, badLive.missedEscalationLines.last ?? 0))\(key.map { notes.answerKey($0) } ?? "")"
        }
        out.append(impact + ".")
        let response = "3. **Response:** "
        var parts: [String] = []
        if let arrival = badArrival {
            parts.append(
                "detected \(duration(incident.detectedAt.timeIntervalSince(arrival.at))) after the bad version arrived\(notes.event(cited.detectedEvent))"
            )
        }
        if let mitigated = cited.secondsToMitigated {
            parts.append(
                "production restored \(duration(mitigated)) after detection\(notes.event(cited.mitigatedEvent))")
        }
        if let confirmed = cited.secondsToConfirmed {
            parts.append("confirmed by eval \(duration(confirmed)) after detection\(notes.event(cited.confirmedEvent))")
        }
        out.append(response + (parts.isEmpty ? "not recorded" : parts.joined(separator: "; ")) + ".")
        out.append("")
        out.append(
            "Incident **\(incident.id)** in a Rollback Lab registry. Every time, hash, count and rate below is read from the registry's hash-chained event log or its attribution log, and carries a footnote naming the event or log lines it came from; the sections marked *your words* are the author's."
        )
        out.append("")
        out.append("| fact | value |")
        out.append("|---|---|")
        out.append("| Status | \(incident.status)\(notes.event(cited.closedEvent ?? cited.detectedEvent)) |")
        out.append(
            "| Bad version | \(label(bad)) by \(bad.metadata.owner): \(Markdown.cell(bad.metadata.reason))\(notes.event(registeredEvent)) |"
        )
        out.append(
            "| Restored version | \(label(good)) by \(good.metadata.owner): \(Markdown.cell(good.metadata.reason))\(notes.event(versions.first { $0.id == goodID }?.event)) |"
        )
        out.append("| Detected | \(time(incident.detectedAt))\(notes.event(cited.detectedEvent)) |")
        if let moved = incident.tagMovedAt {
            out.append("| Production restored | \(time(moved))\(notes.event(cited.mitigatedEvent)) |")
        }
        if let confirmed = incident.confirmedAt, incident.confirmed == true {
            out.append("| Rollback confirmed by eval | \(time(confirmed))\(notes.event(cited.confirmedEvent)) |")
        }
        out.append("")

        out.append("## Impact")
        out.append("")
        out.append(
            "Requests in the attribution log answered by the two versions up to the incident's close. Satisfied share is over requests with a label; the other rates are label-free, over every answer."
        )
        out.append("")
        out.append(
            "| version | requests | satisfied share | escalated | refused | cited a source | asked to clarify | mean confidence | mean words |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (record, live) in [(bad, badLive), (good, goodLive)] {
            func rate(_ part: Int) -> String { live.share(part, of: live.answers).map(PromotePlay.percent) ?? "–" }
            out.append(
                "| \(label(record))\(record.id == badID ? " (bad)" : " (restored)") | \(live.requests)\(notes.lines(live.firstLine, live.lastLine)) | \(live.satisfiedShare.map(PromotePlay.percent) ?? "–") (\(live.satisfied) of \(live.labelled))\(notes.lines(live.firstLine, live.lastLine)) | \(rate(live.escalated)) | \(rate(live.refused)) | \(rate(live.cited)) | \(rate(live.clarified)) | \(live.meanConfidence.map { String(format: "%.3f", $0) } ?? "–") | \(live.meanWords.map { String(format: "%.1f", $0) } ?? "–") |"
            )
        }
        out.append("")
        if let key {
            var missed =
                "Escalations missed: \(label(bad)) answered \(badLive.expectedEscalation) requests whose traffic case expects a hand-off to a person\(notes.answerKey(key)), and did not escalate **\(badLive.missedEscalationLines.count)** of them"
            if let first = badLive.missedEscalationLines.first, let last = badLive.missedEscalationLines.last {
                missed += " (attribution log lines \(first) to \(last)\(notes.lines(first, last)))"
            }
            out.append(missed + ".")
        } else {
            out.append(
                "Escalations missed: unknown, because the workspace has no answer key (`\(Traffic.casesFile)`) to say which requests needed a person."
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
        for line in try timeline(incident: incident, cited: cited, bad: bad, events: events, moves: moves, label: label)
        {
            out.append(
                "| \(time(line.at))\(notes.event(line.event)) | \(Markdown.cell(line.what)) | \(Markdown.cell(line.who)) |"
            )
        }
        out.append("")

        out.append("## Time to detect, mitigate and confirm")
        out.append("")
        out.append("| interval | from | to | duration |")
        out.append("|---|---|---|---:|")
        if let arrival = badArrival {
            out.append(
                "| Time to detect | bad version in production \(time(arrival.at))\(notes.event(arrival.event)) | detected \(time(incident.detectedAt))\(notes.event(cited.detectedEvent)) | **\(duration(incident.detectedAt.timeIntervalSince(arrival.at)))** |"
            )
        }
        if let moved = incident.tagMovedAt, let seconds = cited.secondsToMitigated {
            out.append(
                "| Time to mitigate | detected | production tag moved \(time(moved))\(notes.event(cited.mitigatedEvent)) | **\(duration(seconds))** |"
            )
        }
        if let confirmed = incident.confirmedAt, let seconds = cited.secondsToConfirmed {
            out.append(
                "| Time to confirm | detected | confirming eval \(time(confirmed))\(notes.event(cited.confirmedEvent)) | **\(duration(seconds))** |"
            )
        }
        if let arrival = badArrival, let moved = incident.tagMovedAt {
            out.append(
                "| Bad version in production | \(time(arrival.at))\(notes.event(arrival.event)) | \(time(moved))\(notes.event(cited.mitigatedEvent)) | \(duration(moved.timeIntervalSince(arrival.at))) |"
            )
        }
        out.append("")

        out.append("## Evals before, during and after")
        out.append("")
        out.append(
            contentsOf: evalSection(
                phases, context: context, label: label, versions: [bad, good],
                sources: Dictionary(
                    recordedEvals.map { ($0.event, $0.source) }, uniquingKeysWith: { first, _ in first }),
                notes: &notes))

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
        out.append(contentsOf: try audit(bad: bad, good: good, context: context, label: label, notes: &notes))
        out.append("")

        out.append("## Trigger")
        out.append("")
        if let arrival = badArrival, let facts = arrivalFacts {
            let gate = facts.gate.map { $0 == .overridden ? "refused it and was overridden" : $0.rawValue } ?? "?"
            var sentence =
                "Version \(label(bad)) reached production at \(time(arrival.at))\(notes.event(arrival.event)), approved by \(facts.approver ?? arrival.by); the eval gate \(gate)"
            if let finding = facts.gateFinding { sentence += " (\(finding))" }
            if let reason = facts.overrideReason { sentence += " with the recorded reason \"\(reason)\"" }
            if let glass = facts.breakGlass {
                sentence +=
                    "; it was a break-glass promotion (overrode: \(glass.replacingOccurrences(of: ",", with: ", "))), "
                    + "recorded as promotion.break_glass"
            }
            if facts.approver != nil {
                sentence += facts.approvalSigned ? "; the approval was signed" : "; the approval was not signed"
            }
            out.append(sentence + ".")
        } else {
            out.append("The registry holds no production move to \(label(bad)).")
        }
        out.append("")
        out.append("## Detection")
        out.append("")
        out.append(
            "\(incident.openedBy) opened \(incident.id) (source: \(incident.source)) at \(time(incident.openedAt)), detected at \(time(incident.detectedAt))\(notes.event(cited.detectedEvent)): \"\(incident.symptom)\"."
        )
        out.append("")
        out.append("## Resolution")
        out.append("")
        var resolution =
            "Production moved back to \(label(good))\(incident.tagMovedAt.map { " at \(time($0))" } ?? "")\(notes.event(cited.mitigatedEvent))"
        if incident.confirmed == true {
            resolution += ", and an eval of the restored version confirmed it\(notes.event(cited.confirmedEvent))"
        }
        if let text = incident.resolution { resolution += ". Closed: \"\(text)\"\(notes.event(cited.closedEvent))" }
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

        out.append("## Action items")
        out.append("")
        out.append(
            contentsOf: actionItems(
                incident: incident, cited: cited, bad: bad, restoredOwner: good.metadata.owner, arrival: badArrival,
                arrivalFacts: arrivalFacts,
                missed: key == nil ? nil : badLive, settings: context.settings,
                phases: phases, label: label, notes: &notes))
        out.append("")
        out.append("---")
        out.append("")
        out.append(
            "Sources: each footnote names an event of the registry's hash-chained log (`LabRunner log` lists them) or lines of its attribution log (`LabRunner requests`)."
        )
        out.append("")
        out.append(contentsOf: notes.rendered())
        return out.joined(separator: "\n")
    }

    /// "How this was done": per lab behind the incident, by hand or laid down, attempts and hints, with events.
    static func banner(_ labs: [LabProvenance], _ notes: inout Footnotes) -> [String] {
        guard !labs.isEmpty else { return [] }
        let laidDown = labs.filter { $0.laidDown != nil }
        let attempts = labs.reduce(0) { $0 + $1.starts.count }
        let hints = labs.reduce(0) { $0 + $1.hints.count }
        let challenged = labs.filter { $0.seed != nil }
        // Guided labs only: the banner as it always read. Otherwise each challenge lab with its seed.
        let mode =
            challenged.isEmpty
            ? "guided lab\(labs.count == 1 ? "" : "s")"
            : "lab\(labs.count == 1 ? "" : "s") (\(labs.count - challenged.count) guided, \(challenged.count) in challenge mode: "
                + challenged.map { "\($0.lab) seed \($0.seed ?? 0)" }.joined(separator: ", ") + ")"
        var text =
            "> **How this was done.** The incident was manufactured and rolled back over \(labs.count) \(mode) of Rollback Lab: \(labs.count - laidDown.count) done by hand in this workspace (not witnessed)"
        if laidDown.isEmpty {
            text += ", none laid down by a reference solution"
        } else {
            text +=
                ", \(laidDown.count) laid down by the reference solution ("
                + laidDown.map { "\($0.lab)\(notes.event($0.laidDown?.seq))" }.joined(separator: ", ") + ")"
        }
        text += "; \(attempts) attempt\(attempts == 1 ? "" : "s")"
        let retried = labs.filter { $0.starts.count > 1 }
        if !retried.isEmpty {
            text +=
                " ("
                + retried.map { "\($0.lab) ×\($0.starts.count)\(notes.events($0.starts.map(\.seq)))" }
                .joined(separator: ", ") + ")"
        }
        text += "; \(hints) hint\(hints == 1 ? "" : "s")"
        let hinted = labs.filter { !$0.hints.isEmpty }
        if !hinted.isEmpty {
            text +=
                " ("
                + hinted.map { "\($0.lab) ×\($0.hints.count)\(notes.events($0.hints.map(\.seq)))" }
                .joined(separator: ", ") + ")"
        }
        return [text + "."]
    }

    /// The incident's three recorded evals, per category, and the paired case-level test of during against before.
    static func evalSection(
        _ phases: [(phase: PhaseEval, result: EvalResult)], context: PlayContext, label: (VersionRecord) -> String,
        versions: [VersionRecord], sources: [Int: String], notes: inout Footnotes
    ) -> [String] {
        guard !phases.isEmpty else {
            return ["No recorded eval of the standard suite covers this incident's versions.", ""]
        }
        func name(_ id: String) -> String { versions.first { $0.id == id }.map(label) ?? "`\(id.prefix(12))`" }
        var out: [String] = []
        out.append(
            "Suite `\(context.settings.standardSuite)`: the restored version's last eval before the bad one arrived, the bad version's while it served, and the restored version's first after the rollback. Pass rates with 95% case-level intervals, as recorded."
        )
        out.append("")
        out.append("| phase | when | version | source | pass rate | 95% CI | suite sha256 |")
        out.append("|---|---|---|---|---:|---|---|")
        for (phase, result) in phases {
            out.append(
                "| \(phase.phase)\(notes.event(phase.event)) | \(time(phase.at)) | \(name(phase.version)) | \(sources[phase.event] ?? "eval") | \(PromotePlay.percent(result.passRate)) | \(PromotePlay.percent(result.ciLow))–\(PromotePlay.percent(result.ciHigh)) | `\(result.suiteSHA256.prefix(12))` |"
            )
        }
        out.append("")
        let before = phases.first { $0.phase.phase == "before" }?.result
        let during = phases.first { $0.phase.phase == "during" }?.result
        func paired(_ category: String?) -> Comparison? {
            guard var a = before, var b = during else { return nil }
            if let category {
                a.cases = a.cases.filter { $0.category == category }
                b.cases = b.cases.filter { $0.category == category }
            }
            // Results on different suites, or a category they share no case of, have no paired comparison.
            return try? EvalComparer.compare(a, b, alpha: context.settings.alpha)
        }
        let names = Set(phases.flatMap(\.result.categories.keys)).sorted()
        let header = phases.map { "\($0.phase.phase)\(notes.event($0.phase.event))" }
        out.append(
            "| category | cases | " + header.joined(separator: " | ") + " | during − before | paired p |")
        out.append("|---|---:|" + String(repeating: "---:|", count: phases.count) + "---:|---:|")
        var unchanged: [String] = []
        for category in names {
            let all = phases.map { $0.result.categories[category]?.passRate }
            if all.allSatisfy({ $0 != nil && $0 == all.first ?? nil }) {
                unchanged.append(category)
                continue
            }
            let cases = phases.compactMap { $0.result.categories[category]?.cases }.max() ?? 0
            let rates = phases.map { $0.result.categories[category].map { PromotePlay.percent($0.passRate) } ?? "–" }
            let test = paired(category)
            let delta = test.map { String(format: "%+.1f pts", $0.delta * 100) } ?? "–"
            let p = test.map { pValue($0.pValue) } ?? "–"
            let marked = test?.verdict == .worse ? "**\(delta)**" : delta
            out.append("| \(category) | \(cases) | " + rates.joined(separator: " | ") + " | \(marked) | \(p) |")
        }
        if !unchanged.isEmpty {
            out.append("")
            out.append(
                "Passed at the same rate in all \(phases.count) runs (\(unchanged.count) categor\(unchanged.count == 1 ? "y" : "ies")): \(unchanged.joined(separator: ", "))."
            )
        }
        out.append("")
        if let test = paired(nil), let a = phases.first(where: { $0.phase.phase == "before" }),
            let b = phases.first(where: { $0.phase.phase == "during" })
        {
            out.append(
                "**Paired test, during\(notes.event(b.phase.event)) against before\(notes.event(a.phase.event)):** \(String(format: "%+.1f", test.delta * 100)) points (95% CI \(String(format: "%+.1f", test.deltaLow * 100)) to \(String(format: "%+.1f", test.deltaHigh * 100)), a t-interval over cases), \(test.casesAHigher) cases worse and \(test.casesBHigher) better out of \(test.cases), p \(pValue(test.pValue, equals: true)). Verdict at α = \(test.alpha): **\(test.verdict)**. The test, as `LabRunner eval compare` states it: \(test.test). Per-category p-values apply the same test to that category's cases alone."
            )
            out.append("")
        }
        return out
    }

    /// What the record says must change, each with an owner the registry names and the evidence behind it.
    static func actionItems(
        incident: Incident, cited: ReportIncident, bad: VersionRecord, restoredOwner: String, arrival: TagMove?,
        arrivalFacts: TagMoveFacts?, missed: VersionLiveSignals?, settings: PlaybookSettings,
        phases: [(phase: PhaseEval, result: EvalResult)], label: (VersionRecord) -> String, notes: inout Footnotes
    ) -> [String] {
        var items: [(action: String, owner: String, evidence: String)] = []
        var dropped: [String] = []
        var during: PhaseEval?
        if let before = phases.first(where: { $0.phase.phase == "before" }),
            let bad = phases.first(where: { $0.phase.phase == "during" })
        {
            during = bad.phase
            dropped = before.result.categories.keys.sorted().filter { name in
                let was: Double = before.result.categories[name]?.passRate ?? 0
                let now: Double = bad.result.categories[name]?.passRate ?? 1
                return now < was
            }
        }
        let floored = dropped.filter(settings.isFloored)
        let unfloored = dropped.filter { !settings.isFloored($0) }
        if let arrival, let facts = arrivalFacts, facts.gate == .overridden {
            let which = floored.isEmpty ? "" : " (\(floored.joined(separator: ", ")))"
            items.append(
                (
                    "Require a second approver and a canary before a gate refusal on a safety category\(which) can be overridden",
                    facts.approver ?? arrival.by,
                    "gate overridden at \(time(arrival.at))\(notes.event(arrival.event))"
                ))
        }
        if !unfloored.isEmpty {
            items.append(
                (
                    "Add a safety floor for \(unfloored.joined(separator: ", ")) so the gate refuses this drop",
                    bad.metadata.owner,
                    "\(unfloored.count) unfloored categor\(unfloored.count == 1 ? "y" : "ies") worse during\(notes.event(during?.event))"
                ))
        }
        if let missed, !missed.missedEscalationLines.isEmpty,
            let first = missed.missedEscalationLines.first, let last = missed.missedEscalationLines.last
        {
            items.append(
                (
                    "Page on a fall in the escalation rate by version, so the next missed hand-off is caught from live traffic",
                    restoredOwner,
                    "\(missed.missedEscalationLines.count) escalations missed\(notes.lines(first, last))"
                ))
        }
        if incident.closedAt == nil {
            items.append(
                (
                    "Close \(incident.id) with its resolution once the fix is measured", incident.openedBy,
                    "still \(incident.status)\(notes.event(cited.detectedEvent))"
                ))
        }
        guard !items.isEmpty else { return ["The record names nothing that must change; see *What I would change*."] }
        var out = [
            "Proposed from the record: each owner is the person the registry names for that decision (the approver of the override, the owner of the bad version, the owner of the restored production version). Your own proposals go in *What I would change*.",
            "", "| # | action | owner | evidence |", "|---:|---|---|---|",
        ]
        for (index, item) in items.enumerated() {
            out.append(
                "| \(index + 1) | \(Markdown.cell(item.action)) | \(Markdown.cell(item.owner)) | \(item.evidence) |")
        }
        return out
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
        var event: Int?
    }

}

/// Markdown that renders the same on GitHub and elsewhere.
public enum Markdown {
    /// Text safe inside one table cell: no pipes breaking the row, no newlines ending it.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
