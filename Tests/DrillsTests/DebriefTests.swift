// The drill debrief and history from one simulated drill (a team of two working a prompt fault), plus the
// pilot's numbers counting drill records and the drill_cadence_days setting.
import Drills
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Terminal
import Testing

/// One simulated drill worked by alice (commander) and bob (operator), recorded, its debrief loaded twice; the
/// folder is gone once this is built.
final class DebriefFixture: @unchecked Sendable {
    // Immutable after init.
    let record: DrillRecord
    let first: DrillDebrief
    let second: DrillDebrief
    /// The drill workspace's events, kept for the contributing factors.
    let events: [Event]

    static let shared = Result { try DebriefFixture() }

    init() throws {
        let drill = try SimulatedDrill("prompt")
        let simulation = drill.simulation
        let context = drill.context
        try DrillLog.join(drill: simulation.drill, role: .commander, by: "alice", in: context)
        try DrillLog.join(drill: simulation.drill, role: .operator, by: "bob", in: context)
        let incident = try #require(try drill.shipAndDetect())
        simulation.clock.advance(seconds: 20)
        try DrillLog.acknowledge(drill: simulation.drill, by: "alice", in: context)
        simulation.clock.advance(seconds: 40)
        _ = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "escalations dropped", incident: incident, detectedAt: nil, by: "bob"),
            in: context)
        _ = try simulation.runUntilRecovered(limit: 120)
        _ = try Incidents.close(incident, resolution: "rolled back", by: "alice", in: context)
        try DrillLog.end(drill: simulation.drill, ending: "ended", by: "alice", in: context)
        try simulation.open()
        let room = Workspace(root: drill.root)
        record = try DrillRecorder.record(
            drill: simulation.drill, in: context, room: room, ending: .ended, optimal: nil)
        try DrillRoom(room).save(record, now: simulation.clock.now)
        events = try context.registry.events()
        first = try DrillDebrief.load(record, room: room)
        second = try DrillDebrief.load(try DrillRoom(room).record(record.id), room: room)
    }
}

@Suite struct DebriefTests {
    static func fixture() throws -> DebriefFixture { try DebriefFixture.shared.get() }

    @Test func theReportHasThePostmortemSectionsAndTheRecordsNumbers() throws {
        let fixture = try Self.fixture()
        let record = fixture.record
        let markdown = fixture.first.markdown
        #expect(markdown.hasPrefix("# Drill \(record.id) — "))
        #expect(markdown.contains("prompt fault"))
        for section in [
            "## Summary", "## Roles", "## Timeline", "## Laps against targets",
            "## The team against the kit's scripted response", "## What went well", "## What went wrong",
            "## Action items",
        ] {
            #expect(markdown.contains("\n\(section)\n"), "missing \(section)")
        }
        #expect(markdown.contains("FAULT REVEALED: prompt shipped as"))
        #expect(markdown.contains("| incident commander | alice | alice: "))
        #expect(markdown.contains("| scribe | nobody | — |"))
        #expect(markdown.contains("Nobody held the scribe role."))
        #expect(markdown.contains("RIGHT call"))
        // The bad version's traffic, from the attribution log.
        let impact = try #require(fixture.first.impact)
        #expect(impact.requests > 0)
        #expect(markdown.contains("the bad version answered \(impact.requests) requests"))
        // Every lap's row carries the record's own numbers.
        for lap in record.laps {
            let took = lap.seconds.map { TimeParsing.describe($0) } ?? "—"
            let row = "| \(lap.phase.rawValue) | \(took) | \(TimeParsing.describe(lap.targetSeconds)) |"
            #expect(markdown.contains(row), "lap row \(row)")
        }
        let mitigated = try #require(record.laps.first { $0.phase == .mitigated })
        #expect(mitigated.by == "bob" && mitigated.role == "operator")
        #expect(markdown.contains("→ MITIGATED"))
        for item in fixture.second.record.actionItems { #expect(markdown.contains(item.text)) }
        // The scripted response names this drill's versions.
        let fault = try #require(record.fault)
        #expect(markdown.contains("LabRunner diff \(fault.parent.prefix(12)) \(fault.badVersion.prefix(12))"))
    }

    @Test func theHTMLPageParsesIsSelfContainedAndByteStable() throws {
        let fixture = try Self.fixture()
        let html = fixture.first.html
        #expect(html == fixture.second.html)
        #expect(fixture.first.markdown == fixture.second.markdown)
        for forbidden in ["<script", "src=", "url(", "http://", "https://", "@import", "<link", "@font-face"] {
            #expect(!html.lowercased().contains(forbidden), "the page contains \(forbidden)")
        }
        let parsed = try parse(html)
        #expect(parsed["svgs"] as? Int == 1)
        let sections = parsed["sections"] as? [String] ?? []
        #expect(
            sections == [
                "summary", "factors", "roles", "narrative", "timeline", "laps", "scripted", "well", "wrong", "actions",
            ])
        // The laps table shows the record's numbers.
        let laps = parsed["laps"] as? [[String]] ?? []
        #expect(laps.map { $0.first ?? "" } == Phase.allCases.map(\.rawValue))
        for (row, lap) in zip(laps, fixture.record.laps) {
            #expect(row[1] == (lap.seconds.map { TimeParsing.describe($0) } ?? "—"))
        }
    }

    /// Each item names a participant who owns it, a due date 14 days after the drill's end, an id the room gave
    /// it and an open status; the debrief's table shows all four.
    @Test func actionItemsHaveAnIdAnOwnerWhoTookPartADueDateAndAStatus() throws {
        let fixture = try Self.fixture()
        // As the room saved it: numbered.
        let record = fixture.second.record
        #expect(!record.actionItems.isEmpty)
        let names = Set(record.participants.map(\.name))
        for (index, item) in record.actionItems.enumerated() {
            #expect(item.id == String(format: "A-%04d", index + 1))
            #expect(item.owner.map(names.contains) == true, "\(item.owner ?? "none") took part")
            #expect(item.due == record.endedAt.addingTimeInterval(14 * 86_400))
            #expect(item.status == .open)
            let row =
                "| \(item.id ?? "") | \(item.owner ?? "") | \(Timestamp.string(from: try #require(item.due)).prefix(10)) | open | \(item.text) |"
            #expect(fixture.second.markdown.contains(row), "\(row)")
        }
        // Nobody held the scribe role: the commander owns the follow-up.
        let scribe = try #require(record.actionItems.first { $0.text.contains("scribe") })
        #expect(scribe.owner == "alice")
        // An older record's sentences still decode, and encode back byte for byte.
        let old = #"["Team: nobody held the scribe role."]"#
        let items = try JSONDecoder().decode([ActionItem].self, from: Data(old.utf8))
        #expect(items.first?.status == .untracked && items.first?.isLegacy == true)
        #expect(String(decoding: try JSONEncoder().encode(items), as: UTF8.self) == old)
    }

    /// The factors the registry shows hold in this drill (the prompt fault forced past its failed gate, no canary,
    /// the alarm's time); each one is gone from a drill where it does not hold.
    @Test func contributingFactorsAreReadFromTheRegistryAndOnlyThoseThatHoldAreListed() throws {
        let fixture = try Self.fixture()
        let record = fixture.record
        let factors = fixture.first.factors
        let detected = try #require(record.laps.first { $0.phase == .detected }?.seconds)
        #expect(factors.contains { $0.hasPrefix("The fault reached production forced past a failed gate") })
        #expect(factors.contains { $0.hasPrefix("The canary was skipped") })
        #expect(factors.contains { $0.hasPrefix("The alarm took \(Int(detected.rounded())) s") })
        #expect(fixture.first.markdown.contains("## Contributing factors\n\n- The fault reached production forced"))
        let fault = try #require(record.fault)
        let arrival = try #require(
            fixture.events.first { $0.kind == TagMoved.kind && $0.data["to"] == fault.badVersion })
        // Through its gate: not forced.
        let gated = fixture.events.map { event in
            var event = event
            if event.seq == arrival.seq { event.data["gate"] = "passed" }
            return event
        }
        let passed = try DrillDebrief.factors(record, events: gated)
        #expect(!passed.contains { $0.contains("forced past") } && passed.count == 2)
        // A canary ran on the shipped version before production moved to it: not skipped.
        var canaried = fixture.events
        let canary = Event(
            seq: arrival.seq - 1, at: arrival.at, kind: CanaryStarted.kind, actor: "dana",
            data: ["candidate": fault.badVersion, "production": fault.parent, "percent": "10", "requests": "200"],
            prev: "")
        canaried.insert(canary, at: try #require(canaried.firstIndex { $0.seq == arrival.seq }))
        #expect(!(try DrillDebrief.factors(record, events: canaried)).contains { $0.contains("canary") })
        // The alarm never fired: no alarm factor; no fault shipped: none at all.
        var quiet = record
        quiet.laps = record.laps.map { lap in
            var lap = lap
            if lap.phase == .detected { (lap.at, lap.seconds) = (nil, nil) }
            return lap
        }
        #expect(!(try DrillDebrief.factors(quiet, events: fixture.events)).contains { $0.contains("alarm") })
        var unshipped = record
        unshipped.fault = nil
        #expect(try DrillDebrief.factors(unshipped, events: fixture.events).isEmpty)
    }

    /// Parses with Python's xml.etree, as the report page's tests do; returns the SVG count, section ids and
    /// the laps table's rows.
    func parse(_ html: String) throws -> [String: Any] {
        let script = """
            import json, re, sys, xml.etree.ElementTree as ET
            text = open(sys.argv[1], encoding='utf-8').read()
            root = ET.fromstring(text)
            for chunk in re.findall(r'<svg\\b.*?</svg>', text, re.S):
                ET.fromstring(chunk)
            laps = [s for s in root.iter('section') if s.get('id') == 'laps'][0]
            rows = [[''.join(c.itertext()) for c in tr] for tr in laps.find('table').find('tbody')]
            print(json.dumps({'svgs': len(list(root.iter('svg'))), 'laps': rows,
                              'sections': [s.get('id') for s in root.iter('section')]}))
            """
        let data = try python(script, onPage: html)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// A participant as a record stores it (the type has no public initializer).
    static func participant(_ name: String, _ roles: [DrillRole]) throws -> Participant {
        let json =
            #"{"name": "\#(name)", "actions": 1, "roles": [\#(roles.map { "\"\($0.rawValue)\"" }.joined(separator: ","))]}"#
        return try JSONDecoder().decode(Participant.self, from: Data(json.utf8))
    }

    /// Four drills from the fixture's record: alice always commands, bob operates twice then scribes, carol
    /// joins for the last one.
    static func history(now: Date, cadenceDays: Int) throws -> (DrillHistory, [DrillRecord]) {
        let base = try fixture().record
        let day = 86_400.0
        var records: [DrillRecord] = []
        for (index, minutes) in [10.0, 8, 4, 2].enumerated() {
            var record = base
            record.id = String(format: "D-%04d", index + 1)
            record.startedAt = base.startedAt.addingTimeInterval(Double(index) * 30 * day)
            record.timeToMitigateSeconds = minutes * 60
            record.participants = [
                try participant("alice", [.commander]), try participant("bob", index < 2 ? [.operator] : [.scribe]),
            ]
            if index == 3 { record.participants.append(try participant("carol", [.operator])) }
            records.append(record)
        }
        let folder = try TemporaryFolder("room")
        try WorkspaceInit.lay(into: folder.path, actor: "ana", now: { now })
        let room = Workspace(root: folder.path)
        for record in records.reversed() { try DrillRoom(room).save(record, now: { now }) }
        return (try DrillHistory.load(DrillRoom(room), now: now, cadenceDays: cadenceDays), records)
    }

    @Test func historyListsRowsTrendRolesNotHeldAndCadence() throws {
        let last = try Self.fixture().record.startedAt.addingTimeInterval(90 * 86_400)
        let (history, records) = try Self.history(now: last.addingTimeInterval(10 * 86_400), cadenceDays: 90)
        #expect(history.rows.map(\.id) == ["D-0001", "D-0002", "D-0003", "D-0004"])
        #expect(history.rows[0].outcome == "right" && history.rows[0].score == records[0].score)
        #expect(history.rows[0].laps.map(\.seconds) == records[0].laps.map(\.seconds))
        #expect(history.rows[3].roles.map(\.name) == ["alice", "bob", "carol"])
        let trend = try #require(history.trend)
        #expect(trend.firstSeconds == 600 && trend.latestSeconds == 120)
        #expect(trend.recentMedianSeconds == 240 && trend.earlierMedianSeconds == 600)
        #expect(trend.sparkline == "█▆▃▁")
        #expect(trend.sentence.contains("faster than the earlier median"))
        let gaps = Dictionary(uniqueKeysWithValues: history.roleGaps.map { ($0.name, $0) })
        #expect(gaps["alice"]?.notLately == [.scribe, .operator])
        #expect(gaps["alice"]?.never == [.scribe, .operator])
        #expect(gaps["bob"]?.notLately == [.commander], "bob operated in D-0002, within his last three")
        #expect(gaps["bob"]?.never == [.commander])
        #expect(gaps["carol"]?.drills == ["D-0004"])
        #expect(gaps["carol"]?.notLately == [.commander, .scribe])
        #expect(history.cadence.daysSince == 10 && !history.cadence.overdue)

        // A team that rehearses weekly is overdue ten days on.
        let weekly = try Self.history(now: last.addingTimeInterval(10 * 86_400), cadenceDays: 7).0
        #expect(weekly.cadence.overdue)
        #expect(weekly.cadence.sentence.hasPrefix("Rollback drill OVERDUE: the last was 10 days ago (cadence 7 days)"))
        let json = try CanonicalJSON.prettyString(weekly)
        #expect(json.contains("\"role_gaps\"") && json.contains("\"recent_median_s\" : 240"))
    }

    @Test func incidentStatsCountDrillRecordsOnce() throws {
        var base = try Self.fixture().record
        base.id = "D-0001"
        let detected = try #require(base.laps.first { $0.phase == .detected }?.at)
        var other = base
        other.id = "D-0002"
        other.laps = base.laps.map { lap in
            var moved = lap
            moved.at = lap.at?.addingTimeInterval(200 * 86_400)  // the next quarter
            return moved
        }
        var unshipped = base
        unshipped.id = "D-0003"
        unshipped.fault = nil
        // The room's log also holds a drill-marked incident for D-0002 (counted once, as its record) and one for
        // a drill with no record.
        let lab = try LabWorkspace("drills")
        let context = try lab.context()
        for (incident, drill) in [("INC-0001", "D-0002"), ("INC-0002", "D-0099")] {
            try context.registry.write { writer in
                _ = try writer.append(
                    kind: Incidents.opened, actor: "monitor",
                    data: [
                        "incident": incident, "symptom": "drill", "source": "monitor",
                        "detected_at": Timestamp.string(from: lab.clock.now()), DrillMarking.key: drill,
                    ])
            }
        }
        let events = try context.registry.events()
        let report = try IncidentStats.report(events: events, drills: [base, other, unshipped])
        #expect(report.total.drills.incidents == 3)
        #expect(report.total.drills.ids.sorted() == ["D-0001", "D-0002", "INC-0002"])
        #expect(report.total.real.incidents == 0)
        let first = try #require(report.quarters.first { $0.drills.ids.contains("D-0001") })
        #expect(first.quarter == Quarter(containing: detected).description)
        #expect(first.drills.toRestored.medianSeconds == base.timeToMitigateSeconds)
        let recovered = try #require(base.laps.first { $0.phase == .recovered }?.at)
        #expect(first.drills.toConfirmed.medianSeconds == recovered.timeIntervalSince(detected))
        // Without records, the log's drill incidents count as before.
        #expect(try IncidentStats.report(events: events).total.drills.ids == ["INC-0001", "INC-0002"])
    }

    /// The pilot's figures count only completed drills in which a fault shipped and people responded at a
    /// person's pace; wrong calls count as wrong (no time to restored); the rest are listed apart. Only a
    /// completed drill satisfies the cadence.
    @Test func thePilotCountsCompletedHumanDrillsAndWrongCallsAsWrong() throws {
        let base = try Self.fixture().record
        #expect(base.notCountedBecause == nil && base.call?.right == true)
        let detected = try #require(base.laps.first { $0.phase == .detected }?.at)
        var wrong = base
        wrong.id = "D-0002"
        wrong.call?.right = false
        var interrupted = base
        interrupted.id = "D-0003"
        interrupted.ending = .interrupted
        var unshipped = base
        unshipped.id = "D-0004"
        unshipped.fault = nil
        // A bot: production moved 4 s after the alarm.
        var bot = base
        bot.id = "D-0005"
        bot.timeToMitigateSeconds = 4
        bot.laps = base.laps.map { lap in
            var lap = lap
            if lap.phase == .mitigated { lap.at = detected.addingTimeInterval(4) }
            return lap
        }
        var nobody = base
        nobody.id = "D-0006"
        nobody.participants = []
        let report = try IncidentStats.report(
            events: [], drills: [base, wrong, interrupted, unshipped, bot, nobody])
        #expect(report.total.drills.ids == [base.id, "D-0002"])
        #expect(report.total.drills.wrongCalls == 1)
        #expect(report.total.drills.toRestored.count == 1, "the wrong call restored nothing")
        #expect(report.total.drills.toRestored.medianSeconds == base.timeToMitigateSeconds)
        #expect(
            report.setApart == [
                SetApartDrill(drill: "D-0003", reason: "interrupted, not completed"),
                SetApartDrill(drill: "D-0004", reason: "no fault shipped"),
                SetApartDrill(drill: "D-0005", reason: "scripted: mitigated 4s after the alarm"),
                SetApartDrill(drill: "D-0006", reason: "nobody responded"),
            ])
        var text = TextOutput(colour: false)
        report.render(&text)
        #expect(text.text.contains("1 wrong call(s), counted as wrong"))
        #expect(text.text.contains("D-0005: scripted"))

        // The cadence: a later Ctrl-C'd drill with no fault does not satisfy it.
        let folder = try TemporaryFolder("room")
        try WorkspaceInit.lay(into: folder.path, actor: "ana", now: { base.endedAt })
        let room = DrillRoom(Workspace(root: folder.path))
        try room.save(base, now: { base.endedAt })
        var cut = unshipped
        cut.ending = .interrupted
        let later = base.startedAt.addingTimeInterval(100 * 86_400)
        cut.startedAt = later
        try room.save(cut, now: { later })
        let cadence = try room.cadence(now: later.addingTimeInterval(3600), cadenceDays: 90)
        #expect(cadence.lastDrill == base.startedAt)
        #expect(cadence.overdue)
    }

    @Test func drillCadenceDaysDefaultsTo90AndMustBeAtLeastOne() throws {
        let lab = try LabWorkspace("drills")
        let workspace = Workspace(root: lab.root)
        #expect(try PlaybookSettings.load(workspace).drillCadenceDays == 90)
        try #"{"drill_cadence_days": 14}"#.write(
            toFile: PlaybookSettings.path(in: workspace), atomically: true, encoding: .utf8)
        #expect(try PlaybookSettings.load(workspace).drillCadenceDays == 14)
        try #"{"drill_cadence_days": 0}"#.write(
            toFile: PlaybookSettings.path(in: workspace), atomically: true, encoding: .utf8)
        #expect(throws: PlaybookError.self) { try PlaybookSettings.load(workspace) }
        do {
            _ = try PlaybookSettings.load(workspace)
        } catch {
            #expect("\(error)".contains("drill_cadence_days must be at least 1"))
        }
    }
}
