// The report page: parsed as XML (with Python's xml.etree, as a reader's tools would), every SVG on its own,
// its numbers checked against the registry's events, byte-stable, self-contained, and sensible when empty.
import Evals
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Synchronization
import Testing
import ToyModel

@testable import Reports

/// A workspace with a production history: a good version, traffic, a forced bad promotion, traffic, an
/// incident rolled back, traffic again, on a clock the test moves.
final class ReportWorkspace: Sendable {
    let lab: LabWorkspace
    var root: String { lab.root }
    var now: @Sendable () -> Date { lab.clock.now }
    func advance(_ seconds: TimeInterval) { lab.clock.advance(seconds: seconds) }

    init(history: Bool = true) throws {
        lab = try LabWorkspace("report")
        guard history else { return }
        let good = try register("baseline", parent: nil)
        try promote(good.id, force: false)
        try traffic(chunks: 3)
        try lab.setEscalation("escalate: refund_over_500, account_takeover")
        let bad = try register("shorter escalation list", parent: good.id)
        try promote(bad.id, force: true)
        try traffic(chunks: 3)
        advance(20)
        // What 'LabRunner lab start 06' records: the rollback that follows is a rehearsal.
        try context().registry.write { writer in
            _ = try writer.append(
                LabStarted(lab: ReportPage.rehearsalLab, manifestSHA256: String(repeating: "0", count: 64), attempt: 1),
                actor: "carol")
        }
        advance(1)
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "legal threats are not escalated", incident: nil,
                detectedAt: now().addingTimeInterval(-15), by: "carol"), in: context())
        advance(5)
        try traffic(chunks: 2)
        // Customers reach the restored version: its live signals confirm the rollback.
        _ = try Incidents.confirm(nil, by: "carol", in: context())
    }

    func context() throws -> PlayContext { try lab.context() }

    func register(_ reason: String, parent: String?) throws -> VersionRecord {
        advance(7)
        // The bundled weights were not trained in this registry, so their lineage is recorded as unverified.
        return try RegisterPlay.run(
            RegisterRequest(
                owner: "alice", reason: reason, parent: parent, root: parent == nil),
            in: context()
        ).record
    }

    func promote(_ id: String, force: Bool) throws {
        advance(9)
        let context = try context()
        let request = PromoteRequest(
            ref: id, approver: "bob", force: force, reason: force ? "manufactured incident" : nil)
        _ = try PromotePlay.move(request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
    }

    func traffic(chunks: Int) throws {
        for chunk in 0..<chunks {
            advance(30)
            _ = try Traffic.run(requests: 25, rate: 0, seed: UInt64(chunk + 1), in: context())
        }
    }
}

/// What Python's xml.etree read from the page: every table's rows by caption, every SVG's accessible parts.
struct ParsedPage: Decodable {
    struct Chart: Decodable {
        var role: String?
        var viewBox: String?
        var title: String?
        var desc: String?
        var labelledby: String?
    }
    var svgs: [Chart]
    var standalone: Int
    var tables: [String: [[String]]]
    var empty: [String]
    var alternatives: [String]

    func table(_ prefix: String) -> [[String]] { tables.first { $0.key.hasPrefix(prefix) }?.value ?? [] }
}

@Suite struct ReportPageTests {
    static let parser = """
        import json, re, sys, xml.etree.ElementTree as ET
        text = open(sys.argv[1], encoding='utf-8').read()
        root = ET.fromstring(text)
        for br in root.iter('br'):
            br.tail = ' ' + (br.tail or '')
        # Every SVG must also stand on its own as XML, cut straight out of the file.
        standalone = 0
        for chunk in re.findall(r'<svg\\b.*?</svg>', text, re.S):
            ET.fromstring(chunk)
            standalone += 1
        svgs = [{'role': s.get('role'), 'viewBox': s.get('viewBox'), 'title': s.findtext('title'),
                 'desc': s.findtext('desc'), 'labelledby': s.get('aria-labelledby')} for s in root.iter('svg')]
        tables = {}
        for table in root.iter('table'):
            body = table.find('tbody')
            tables[''.join(table.find('caption').itertext())] = [[''.join(c.itertext()) for c in tr] for tr in body]
        empty = [''.join(p.itertext()) for p in root.iter('p') if p.get('class') == 'empty']
        alternatives = [''.join(f.itertext()) for f in root.iter('figcaption')]
        print(json.dumps({'svgs': svgs, 'standalone': standalone, 'tables': tables, 'empty': empty,
                          'alternatives': alternatives}))
        """

    /// Parses the page with Python's xml.etree: a failure to parse fails the test with Python's message.
    static func parse(_ html: String) throws -> ParsedPage {
        try JSONDecoder().decode(ParsedPage.self, from: try python(parser, onPage: html))
    }

    @Test func thePageParsesAndEveryNumberMatchesTheRegistry() throws {
        let workspace = try ReportWorkspace()
        let context = try workspace.context()
        let html = try ReportPage.render(context: context)
        let page = try Self.parse(html)

        #expect(page.svgs.count == 5)
        #expect(page.standalone == 5)
        #expect(page.empty.isEmpty, "\(page.empty)")
        for (svg, alternative) in zip(page.svgs, page.alternatives) {
            #expect(svg.role == "img")
            #expect(svg.viewBox?.hasPrefix("0 0 ") == true)
            #expect(svg.title?.isEmpty == false)
            #expect(svg.desc == alternative, "the text under a chart says what its <desc> says")
            #expect(svg.labelledby?.hasSuffix("-desc") == true)
        }

        let registry = context.registry
        let events = try registry.events()
        func event(_ seq: String) -> Event? {
            Int(seq.replacingOccurrences(of: "#", with: "")).flatMap { number in events.first { $0.seq == number } }
        }

        // Pass rates: exactly the recorded standard-suite evals, each citing an event of its version.
        let recorded = try registry.versions().flatMap { try EvalLedger.summaries(for: $0, events: events) }
            .filter { $0.suite == context.settings.standardSuite }.sorted { $0.at < $1.at }
        let evalRows = page.table("Standard-suite evals")
        #expect(evalRows.count == recorded.count && recorded.count == 3)
        for (row, summary) in zip(evalRows, recorded) {
            #expect(row[0] == Timestamp.string(from: summary.at))
            #expect(row[3] == PromotePlay.percent(summary.passRate))
            #expect(row[4] == "\(PromotePlay.percent(summary.ciLow))–\(PromotePlay.percent(summary.ciHigh))")
            let cited = event(row[7])
            #expect(cited?.data["version"] == summary.version || cited?.data["id"] == summary.version, "\(row)")
        }

        // Production periods are the production tag moves.
        let moves = try registry.tagHistory("production")
        let periodRows = page.table("Production periods")
        #expect(periodRows.map { $0[5] } == moves.map { "#\($0.event)" })
        #expect(periodRows.map { $0[0] } == moves.map { Timestamp.string(from: $0.at) })
        #expect(periodRows.last?[3] == "rollback")

        // The incident's times are its events' times.
        let incident = try #require(Incidents.all(events: events).first)
        let incidentRow = try #require(page.table("Incidents").first)
        let opened = try #require(events.first { $0.kind == Incidents.opened })
        let moved = try #require(events.first { $0.kind == EventKind.tagMoved && $0.data["play"] == "rollback" })
        #expect(incidentRow[0] == "\(incident.id) #2 → #1 mitigated")
        #expect(incidentRow[2] == "\(Timestamp.string(from: incident.detectedAt)) (event #\(opened.seq))")
        #expect(incidentRow[3].hasPrefix(String(Timestamp.string(from: moved.at).dropFirst(11))), "same day: time only")
        #expect(incidentRow[3].hasSuffix("(event #\(moved.seq))"))
        #expect(incidentRow[3].contains(" +15.0s "), "detected 15 s before the tag move")

        // Traffic: every logged request counted once, and each bucket's share is its own count.
        var logged: [RequestRecord] = []
        try AttributionLog(registryRoot: registry.root).forEach {
            logged.append($0)
            return true
        }
        let buckets = page.table("Requests per")
        #expect(buckets.compactMap { Int($0[1]) }.reduce(0, +) == logged.count)
        #expect(buckets.compactMap { Int($0[3]) }.reduce(0, +) == logged.filter { $0.satisfied == true }.count)
        for row in buckets {
            let parts = row[6].split(separator: "–").compactMap { Int($0) }
            let lines = logged[(parts[0] - 1)..<parts[1]]
            #expect(
                row[4] == PromotePlay.percent(Double(lines.filter { $0.satisfied == true }.count) / Double(lines.count))
            )
        }

        // Categories: the stored results of the evals before, during and after the incident.
        let comparison = try #require(try ReportPage.model(context: context).categories)
        #expect(comparison.phases.map(\.phase) == ["before", "during", "after"])
        for (index, phase) in comparison.phases.enumerated() {
            let summary = try #require(recorded.first { $0.result == phase.result })
            let result = try EvalLedger.load(summary, from: registry)
            let legal = page.table("Pass rate per category").first { $0[0] == "escalate:legal_threat" }
            #expect(
                legal?[index + 1] == result.categories["escalate:legal_threat"].map { PromotePlay.percent($0.passRate) }
            )
        }
        let legal = try #require(comparison.rows.first { $0.category == "escalate:legal_threat" })
        #expect((legal.rates[1] ?? 1) < (legal.rates[0] ?? 0), "the bad version fails legal threats")

        // The rehearsal: the lab attempt and the incident its rollback closed, timed from the incident's events.
        let rehearsal = try #require(page.table("Attempts at").first)
        let started = try #require(events.first { $0.kind == "lab.started" })
        #expect(rehearsal[1] == "\(Timestamp.string(from: started.at)) (event #\(started.seq))")
        #expect(rehearsal[2] == "\(incident.id) (event #\(opened.seq))")
        #expect(rehearsal[3] == "15.0s (event #\(moved.seq))")
    }

    @Test func thePageIsByteStableAndSelfContained() throws {
        let workspace = try ReportWorkspace()
        let first = try ReportPage.render(context: try workspace.context())
        let second = try ReportPage.render(context: try workspace.context())
        #expect(first == second)
        for forbidden in [
            "<script", "http://", "https://", "@font-face", "url(", "@import", "<link", "<img", "<iframe",
        ] {
            #expect(!first.lowercased().contains(forbidden), "the page contains \(forbidden)")
        }
        #expect(first.contains("@media print"))
    }

    @Test func anEmptyRegistryGetsSentencesNotBrokenCharts() throws {
        let workspace = try ReportWorkspace(history: false)
        let page = try Self.parse(try ReportPage.render(context: try workspace.context()))
        #expect(page.svgs.isEmpty)
        #expect(page.empty.count == 5)
        #expect(page.empty.contains { $0.hasPrefix("No incident has been opened yet") })
        #expect(page.empty.contains { $0.hasPrefix("No request is in the attribution log yet") })
    }

    @Test func markupEscapesTextAndFormatsNumbersTheSameEverywhere() {
        #expect(
            Markup.escape("<a href=\"x\">Tom & Jerry's</a>")
                == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(Markup.escape("bell\u{7}") == "bell ")
        #expect(Markup.number(-0.04) == "0")
        #expect(Markup.number(12) == "12")
        #expect(Markup.number(12.345) == "12.3")
        #expect(Markup.number(.nan) == "0")
        #expect(ReportPage.bucketWidth(span: 0) == 1)
        #expect(ReportPage.bucketWidth(span: 600) == 15)
    }
}
