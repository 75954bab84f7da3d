// The write-up's learner sections (kept apart from generated text, counted, carried over on regeneration), and
// its numbers read back against the registry, the attribution log and the stored eval results they cite.
import Evals
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@testable import Reports

@Suite struct WriteupTests {
    static func document(rootCause: String) -> String {
        """
        # Postmortem: escalations stopped
        <!-- incident: INC-0001 -->
        | Detected | 2026-01-01T00:00:00.000Z |

        ## Root cause

        <!-- your words: Root cause -->
        \(rootCause)
        <!-- end of your words -->

        ## What went well

        <!-- your words: What went well -->
        _\(Writeup.prompts["What went well"] ?? "")_
        <!-- end of your words -->
        """
    }

    @Test func learnerWordsAreSeparateFromGeneratedText() {
        let written = Self.document(
            rootCause: "The escalation directive lost two intents, so legal threats went unanswered.")
        let sections = Writeup.learnerSections(of: written)
        #expect(Writeup.wordCount(sections["Root cause"] ?? "") == 11)
        #expect(Writeup.wordCount(sections["What went well"] ?? "") == 0, "the prompt placeholder is not the learner's")
        #expect(Writeup.generatedParts(of: written) == Writeup.generatedParts(of: Self.document(rootCause: "other")))
        #expect(Writeup.incidentID(in: written) == "INC-0001")
        let edited = written.replacingOccurrences(of: "2026-01-01", with: "2025-01-01")
        #expect(Writeup.generatedParts(of: edited) != Writeup.generatedParts(of: written), "edited numbers are caught")
    }

    @Test func regeneratingKeepsWhatTheLearnerWrote() {
        let previous = Self.document(rootCause: "A shorter escalation list.")
        let fresh = Self.document(rootCause: "_" + (Writeup.prompts["Root cause"] ?? "") + "_")
            .replacingOccurrences(of: "2026-01-01", with: "2026-02-02")
        let merged = Writeup.keepingLearnerSections(of: previous, in: fresh)
        #expect(merged.contains("A shorter escalation list."))
        #expect(merged.contains("2026-02-02"))
        #expect(!merged.contains(Writeup.prompts["Root cause"] ?? "-"))
        #expect(merged.contains("_\(Writeup.prompts["What went well"] ?? "")_"))
    }
}

/// The write-up's numbers, read back against the registry they claim to come from.
@Suite struct WriteupNumbersTests {
    static func footnotes(_ text: String) -> [String: String] {
        var notes: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("[^") {
            guard let close = line.range(of: "]: ") else { continue }
            notes[String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])] = String(
                line[close.upperBound...])
        }
        return notes
    }

    /// The footnote labels cited in a line, in order.
    static func cited(_ line: Substring) -> [String] {
        line.components(separatedBy: "[^").dropFirst().compactMap { $0.split(separator: "]").first.map(String.init) }
    }

    static func line(_ text: String, startingWith prefix: String) -> Substring? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }
    }

    @Test func impactCountsAreTheAttributionLogs() throws {
        let workspace = try ReportWorkspace()
        let context = try workspace.context()
        let text = try Writeup.render(context: context)
        let events = try context.registry.events()
        let moves = try context.registry.tagHistory("production")
        let incident = try Writeup.incident(nil, events: events, moves: moves)
        let bad = try context.registry.record(id: try #require(incident.badVersion))
        let end = try #require(incident.confirmedAt)

        var served: [(line: Int, record: RequestRecord)] = []
        var line = 0
        try AttributionLog(registryRoot: context.registry.root).forEach { record in
            line += 1
            if record.version == bad.id, record.at <= end { served.append((line, record)) }
            return true
        }
        #expect(served.count == 75, "three chunks of 25 requests reached the bad version")
        let first = try #require(served.first?.line)
        let last = try #require(served.last?.line)
        let row = try #require(Self.line(text, startingWith: "| #\(bad.seq) `\(bad.shortID)` (bad) |"))
        #expect(row.hasPrefix("| #\(bad.seq) `\(bad.shortID)` (bad) | 75[^log-\(first)-\(last)] |"))
        let satisfied = served.filter { $0.record.satisfied == true }.count
        #expect(row.contains("(\(satisfied) of \(served.count))"))
        #expect(Self.footnotes(text)["log-\(first)-\(last)"]?.hasSuffix("lines \(first)–\(last)") == true)

        // Escalations missed: requests whose traffic case expects a person, answered without one.
        let key = try String(contentsOfFile: workspace.root + "/data/traffic.jsonl", encoding: .utf8)
        var needsPerson: Set<String> = []
        for case let object as [String: Any] in key.split(separator: "\n").compactMap({
            try? JSONSerialization.jsonObject(with: Data($0.utf8))
        }) {
            if (object["expect"] as? [String: Any])?["must_escalate"] as? Bool == true, let id = object["id"] as? String
            {
                needsPerson.insert(id)
            }
        }
        let expected = served.filter { needsPerson.contains($0.record.caseID ?? "") }
        let missed = expected.filter { !$0.record.output.contains("\"escalated\":true") }
        #expect(!missed.isEmpty, "the bad version drops legal threats")
        #expect(
            text.contains(
                "answered \(expected.count) requests whose traffic case expects a hand-off to a person[^key], and did not escalate **\(missed.count)** of them"
            ))
        #expect(
            text.contains("\(missed.count) of \(expected.count) requests that needed a person were not handed to one"))
        #expect(Self.footnotes(text)["key"]?.contains("as built into LabRunner") == true)

        // The workspace's copy of the key is the learner's to edit; the impact is counted against the kit's.
        let emptied = key.replacingOccurrences(of: "\"must_escalate\": true", with: "\"must_escalate\": false")
            .replacingOccurrences(of: "\"must_escalate\":true", with: "\"must_escalate\":false")
        #expect(emptied != key)
        try emptied.write(toFile: workspace.root + "/data/traffic.jsonl", atomically: true, encoding: .utf8)
        #expect(try Writeup.render(context: context) == text)
    }

    @Test func everyFootnoteNamesAnEventOfTheRightKind() throws {
        let workspace = try ReportWorkspace()
        let context = try workspace.context()
        let text = try Writeup.render(context: context)
        let events = Dictionary(try context.registry.events().map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        let notes = Self.footnotes(text)
        let used = Set(text.split(separator: "\n").filter { !$0.hasPrefix("[^") }.flatMap(Self.cited))
        #expect(used == Set(notes.keys), "every reference has its footnote and every footnote is used")
        for (label, note) in notes where label.hasPrefix("e") {
            let event = try #require(events[Int(label.dropFirst()) ?? -1], "\(label) names an event that exists")
            #expect(note == "event #\(event.seq) (`\(event.kind)`, \(Timestamp.string(from: event.at)))")
        }
        func kinds(_ prefix: String) throws -> [String] {
            try Self.cited(#require(Self.line(text, startingWith: prefix))).compactMap {
                events[Int($0.dropFirst()) ?? -1]?.kind
            }
        }
        #expect(try kinds("| Time to detect |") == [EventKind.tagMoved, "incident.opened"])
        #expect(try kinds("| Time to mitigate |") == [EventKind.tagMoved])
        #expect(try kinds("| Time to confirm |") == ["incident.updated"])
        for phase in ["before", "during", "after"] {
            let kind = try #require(try kinds("| \(phase)[^").first)
            #expect([EvalLedger.eventKind, EventKind.versionRegistered].contains(kind))
        }
        let incident = try Writeup.incident(nil, events: Array(events.values).sorted { $0.seq < $1.seq }, moves: [])
        let detected = try #require(incident.tagMovedAt)
        #expect(
            try #require(Self.line(text, startingWith: "| Time to mitigate |")).hasSuffix(
                "| **\(TimeParsing.describe(detected.timeIntervalSince(incident.detectedAt)))** |"))
    }

    @Test func theEvalSectionIsTheIncidentsAndItsPairedTestIsEvalCompares() throws {
        let workspace = try ReportWorkspace()
        let context = try workspace.context()
        // Evals of both versions long after the incident are not the incident's.
        workspace.advance(600)
        var later: [Int] = []
        for record in try context.registry.versions() {
            let system = try context.system(for: record)
            let suite = try context.pinnedStandardSuite(for: system, by: "dave")
            let result = try EvalRunner.run(suite: suite, system: system, seed: context.settings.evalSeed, repeats: 1)
            _ = try EvalLedger.record(result, source: .evalRun, actor: "dave", in: context)
            later.append(try #require(try context.registry.events().last?.seq))
        }
        let text = try Writeup.render(context: context)
        for seq in later { #expect(!text.contains("[^e\(seq)]"), "event #\(seq) is not the incident's") }
        let rows = text.split(separator: "\n").filter {
            $0.hasPrefix("| before[^") || $0.hasPrefix("| during[^") || $0.hasPrefix("| after[^")
        }
        #expect(rows.count == 3)
        let events = try context.registry.events()
        let resultOf = { (row: Substring) throws -> EvalResult in
            let seq = try #require(Int(Self.cited(row).first?.dropFirst() ?? ""))
            let event = try #require(events.first { $0.seq == seq })
            let records = try context.registry.versions()
            let summaries = try records.flatMap { try EvalLedger.summaries(for: $0, events: events) }
            let version = try #require(
                event.data["version"] ?? event.data["id"], "an eval or registration names its version")
            let summary = try #require(
                summaries.first { $0.version == version && ($0.at == event.at || event.kind != EvalLedger.eventKind) })
            return try EvalLedger.load(summary, from: context.registry)
        }
        let before = try resultOf(rows[0])
        let during = try resultOf(rows[1])
        let comparison = try EvalComparer.compare(before, during, alpha: context.settings.alpha)
        #expect(comparison.verdict == .worse)
        let paired = try #require(Self.line(text, startingWith: "**Paired test, during"))
        #expect(paired.contains(String(format: "%+.1f points", comparison.delta * 100)))
        #expect(paired.contains("\(comparison.casesAHigher) cases worse and \(comparison.casesBHigher) better"))
        #expect(paired.contains("**worse**"))
        let legal = try #require(Self.line(text, startingWith: "| escalate:legal_threat |"))
        #expect(legal.contains("| 100.0% | 0.0% | 100.0% |"))
    }

    @Test func theBannerSaysHowTheLabsWereDone() throws {
        let workspace = try ReportWorkspace()
        let context = try workspace.context()
        let started = try #require(try context.registry.events().first { $0.kind == "lab.started" })
        var hint: Event?
        var laid: Event?
        try context.registry.write { writer in
            hint = try writer.append(kind: "lab.hint", actor: "carol", data: ["lab": ReportPage.rehearsalLab])
            laid = try writer.append(kind: "lab.laid_down", actor: "carol", data: ["lab": "05-manufacture"])
        }
        let provenance = [
            LabProvenance(lab: "05-manufacture", starts: [started], hints: [], laidDown: laid),
            LabProvenance(
                lab: ReportPage.rehearsalLab, starts: [started, started], hints: [try #require(hint)], laidDown: nil),
        ]
        let text = try Writeup.render(context: context, provenance: provenance)
        let banner = try #require(Self.line(text, startingWith: "> **How this was done.**"))
        let laidSeq = try #require(laid?.seq)
        let hintSeq = try #require(hint?.seq)
        #expect(
            banner.contains(
                "over 2 guided labs of Rollback Lab: 1 done by hand in this workspace (not witnessed), 1 laid down by the reference solution (05-manufacture[^e\(laidSeq)])"
            ))
        #expect(banner.contains("3 attempts (\(ReportPage.rehearsalLab) ×2[^e\(started.seq)][^e\(started.seq)])"))
        #expect(banner.contains("1 hint (\(ReportPage.rehearsalLab) ×1[^e\(hintSeq)])"))
        #expect(Self.footnotes(text)["e\(laidSeq)"]?.contains("`lab.laid_down`") == true)
        #expect(!(try Writeup.render(context: context)).contains("How this was done"), "no provenance, no banner")
        #expect(try Writeup.render(context: context, provenance: provenance) == text, "byte-stable")
    }
}
