// The drill's live view and the room's dashboard page, on a simulated drill: production, the incident and its
// clock, the laps reached, live signals and roles are there; the page is self-contained and parses as XML; and
// nothing about the hidden fault (its kind, the last known good, the bad version's parent, the bad component,
// the game master's line, the drill code naming the fault) reaches either.
import Drills
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct DashboardTests {
    /// A simulated lkg-trap drill after the alarm, with a commander who joined and acknowledged.
    static func acknowledgedDrill() throws -> (SimulatedDrill, FaultFacts, String, DrillState) {
        let drill = try SimulatedDrill("lkg-trap")
        let simulation = drill.simulation
        try simulation.run(seconds: 30)
        let fault = try simulation.ship()
        let incident = try #require(try simulation.runUntilAlarm(limit: 90))
        try DrillLog.join(drill: simulation.drill, role: .commander, by: "ana", in: drill.context)
        try DrillLog.join(drill: simulation.drill, role: .scribe, by: "sam", in: drill.context)
        try simulation.run(seconds: 5)
        try DrillLog.acknowledge(drill: simulation.drill, by: "ana", in: drill.context)
        try simulation.run(seconds: 3)
        let state = DrillState(
            id: simulation.drill, code: simulation.plan.code, room: drill.root, workspace: drill.root,
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), supervisor: 0)
        return (drill, fault, incident, state)
    }

    @Test func theLiveViewShowsProductionTheIncidentClockLapsSignalsAndRoles() throws {
        let (drill, fault, incident, state) = try Self.acknowledgedDrill()
        let view = try DrillLiveView.compute(state: state, in: drill.context)

        let production = try #require(view.production)
        #expect(production.id == fault.badVersion, "the shipped version serves until someone moves production")
        #expect(production.seq != nil)
        #expect(production.shortID == String(fault.badVersion.prefix(12)))
        #expect(production.movedBy == FaultShipper.approver)

        let live = try #require(view.incident)
        #expect(live.id == incident)
        #expect(live.status == "open")
        #expect(live.clockSeconds == view.at.timeIntervalSince(live.detectedAt))
        #expect(live.clockSeconds >= 8)

        #expect(view.lap(.detected) != nil)
        let acknowledged = try #require(view.lap(.acknowledged))
        #expect(acknowledged.by == "ana")
        #expect(acknowledged.role == "commander")
        #expect(view.lap(.mitigated) == nil)
        #expect(view.laps.map(\.phase) == Phase.allCases)

        let serving = try #require(view.signals.first)
        #expect(serving.production && serving.version == fault.badVersion)
        #expect(serving.requests > 0)
        // The same numbers Playbook's Signals.compute gives over the window's requests.
        var records: [RequestRecord] = []
        try AttributionLog(registryRoot: drill.context.registry.root).forEach {
            records.append($0)
            return true
        }
        let since = view.at.addingTimeInterval(-DrillLiveView.window)
        let expected = try #require(Signals.compute(records.filter { $0.at >= since })[serving.version])
        #expect(serving.requests == expected.requests)
        #expect(abs(serving.escalationRate - expected.escalationRate) < 1e-12)
        #expect(abs(serving.clarifyRate - expected.clarifyRate) < 1e-12)
        #expect(abs(serving.meanConfidence - expected.meanConfidence) < 1e-9)
        #expect(view.signals.allSatisfy { $0.requests <= Int(DrillLiveView.window + 1) * drill.simulation.rate })
        #expect(view.holders(of: .commander) == ["ana"])
        #expect(view.holders(of: .scribe) == ["sam"])
        #expect(view.holders(of: .operator).isEmpty)

        // A feed kept between looks (the service's, drill status's) gives what a fresh look gives.
        let feed = DrillSignalFeed()
        let first = try DrillLiveView.compute(state: state, in: drill.context, feed: feed)
        #expect(first.signals == (try DrillLiveView.compute(state: state, in: drill.context)).signals)
        // Past a whole window, so what the feed kept is both added to and dropped from.
        try drill.simulation.run(seconds: 62)
        let kept = try DrillLiveView.compute(state: state, in: drill.context, feed: feed)
        let fresh = try DrillLiveView.compute(state: state, in: drill.context)
        #expect(kept.signals == fresh.signals)
        #expect(kept.signals.map(\.version) != first.signals.map(\.version) || kept.signals != first.signals)
    }

    /// The baseline (production when the drill began) stays on the page, and every answer since the drill began
    /// is drawn over time, each counted once, whether the feed looked once or kept looking.
    @Test func theBaselineStaysAndEverySignalIsDrawnOverTheDrill() throws {
        let (drill, _, _, state) = try Self.acknowledgedDrill()
        let feed = DrillSignalFeed()
        _ = try DrillLiveView.compute(state: state, in: drill.context, feed: feed)
        try drill.simulation.run(seconds: 62)
        let kept = try DrillLiveView.compute(state: state, in: drill.context, feed: feed)
        let fresh = try DrillLiveView.compute(state: state, in: drill.context)

        var answers: [RequestRecord] = []
        try AttributionLog(registryRoot: drill.context.registry.root).forEach {
            if $0.at >= state.startedAt, Signals.answer(of: $0) != nil { answers.append($0) }
            return true
        }
        for view in [kept, fresh] {
            #expect(view.series.map(\.signals.requests).reduce(0, +) == answers.count, "each answer once")
            #expect(view.series.map(\.seconds) == view.series.map(\.seconds).sorted())
            #expect((view.series.last?.seconds ?? 0) >= view.elapsedSeconds - 2 * DrillSignalFeed.sliceSeconds)
        }
        #expect(kept.series == fresh.series)
        let atStart = drill.simulation.laid.recent
        let baseline = try #require(kept.baseline)
        #expect(baseline.version == atStart, "the version in production when the drill began")
        #expect(baseline.requests == answers.filter { $0.version == atStart }.count)
        #expect(kept.baseline == fresh.baseline)
        // Production has moved on to the shipped version; the baseline is still on the page.
        #expect(kept.production?.id != atStart)
        let html = DrillDashboard.render(kept)
        #expect(html.contains("baseline: \(baseline.label)"))
        #expect(html.contains("class=\"base\"") && html.contains("class=\"alarm\""))
    }

    @Test func theIncidentClockStopsWhenTheIncidentCloses() throws {
        let (drill, fault, incident, state) = try Self.acknowledgedDrill()
        drill.simulation.clock.advance(seconds: 4)
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: fault.lastKnownGood, reason: "signals shifted", incident: incident, detectedAt: nil, by: "ana"),
            in: drill.context)
        drill.simulation.clock.advance(seconds: 6)
        _ = try Incidents.close(incident, resolution: "rolled back", by: "ana", in: drill.context)
        let closed = try DrillLiveView.compute(state: state, in: drill.context)
        drill.simulation.clock.advance(seconds: 30)
        let later = try DrillLiveView.compute(state: state, in: drill.context)

        #expect(closed.production?.id == fault.lastKnownGood)
        #expect(later.incident?.status == "closed")
        #expect(later.incident?.clockSeconds == closed.incident?.clockSeconds, "a closed incident's clock is stopped")
        #expect(later.lap(.mitigated)?.by == "ana")
        #expect(later.lap(.resolved) != nil)
    }

    @Test func theDashboardIsOneSelfContainedPageAndNeitherItNorTheViewRevealsTheFault() throws {
        let (drill, fault, incident, state) = try Self.acknowledgedDrill()
        let view = try DrillLiveView.compute(state: state, in: drill.context)
        let html = DrillDashboard.render(view)
        let parsed = try Self.parse(html)

        #expect(parsed.refresh == "\(DrillDashboard.refreshSeconds)")
        #expect(parsed.svgs == 10, "per signal, a chart by version and one over the drill")
        #expect(parsed.text.contains("Why the alarm fired"))
        #expect(parsed.text.contains(try #require(view.incident?.symptom)), "the monitor's recorded reason")
        #expect(parsed.text.contains(incident))
        #expect(parsed.text.contains(try #require(view.production?.shortID)))
        #expect(parsed.text.contains("incident commander"))
        for forbidden in ["<script", "src=", "href=\"http", "href='http", "url(", "@import", "<link"] {
            #expect(!html.lowercased().contains(forbidden), "the page has \(forbidden)")
        }

        // The cheapest cheat would be rendering the fault: nothing of it is in the view or on the page.
        let json = try CanonicalJSON.prettyString(view)
        let secrets = [
            fault.kind.rawValue, fault.lastKnownGood, String(fault.lastKnownGood.prefix(12)), fault.parent,
            String(fault.parent.prefix(12)), fault.badComponent ?? "prompt.md", fault.kind.gameMasterSummary,
            "parent is bad", DrillEvent.fault, drill.simulation.plan.code,
        ]
        for secret in secrets {
            #expect(!json.contains(secret), "the live view's JSON reveals '\(secret)'")
            #expect(!html.contains(secret), "the dashboard reveals '\(secret)'")
        }
    }

    struct Parsed: Decodable {
        var refresh: String?
        var svgs: Int
        var text: String
    }

    /// Parses the page with Python's xml.etree, as the report page tests do; a parse error fails the test.
    static func parse(_ html: String) throws -> Parsed {
        let script = """
            import json, sys, xml.etree.ElementTree as ET
            root = ET.fromstring(open(sys.argv[1], encoding='utf-8').read())
            refresh = [m.get('content') for m in root.iter('meta') if m.get('http-equiv') == 'refresh']
            print(json.dumps({'refresh': refresh[0] if refresh else None, 'svgs': len(list(root.iter('svg'))),
                              'text': ' '.join(root.find('body').itertext())}))
            """
        let data = try python(script, onPage: html)
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
