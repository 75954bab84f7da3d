// The bad-canary fault: a partial rollout whose slice is worse. The slice is answered by the canary version and
// the rest by production (from the attribution log); the drill's alarm names the canary; stopping the canary
// is the right call, rolling back the healthy production or doing nothing is not.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Serving
import Testing

@Suite struct BadCanaryTests {
    @Test func theSliceIsServedByTheCanaryAndTheRestByProductionAndTheAlarmNamesTheCanary() throws {
        let drill = try SimulatedDrill("bad-canary")
        let registry = drill.context.registry
        try drill.simulation.run(seconds: 30)
        let production = try #require(registry.tag("production"))
        let fault = try drill.simulation.ship()
        // The shipped change moved the canary tag, by a recorded event; production stayed where it was.
        #expect(registry.tag(CanarySlice.tag) == fault.badVersion)
        #expect(registry.tag("production") == production)
        #expect(try registry.tagHistory(CanarySlice.tag).last?.by == FaultShipper.shipper)
        let incident = try #require(try drill.simulation.runUntilAlarm(limit: 90))
        var served: [String: Int] = [:]
        try AttributionLog(registryRoot: registry.root).forEach { request in
            if request.at >= fault.shippedAt { served[request.version, default: 0] += 1 }
            return true
        }
        let total = served.values.reduce(0, +)
        #expect(Set(served.keys) == [production, fault.badVersion], "only production and the canary answered")
        #expect(served[fault.badVersion] == total * CanarySlice.percent / 100, "the slice: \(served) of \(total)")
        let opened = try Incidents.find(incident, events: try registry.events())
        #expect(opened.badVersion == fault.badVersion)
        #expect(opened.symptom.contains("canary \(fault.badVersion.prefix(12))"), "\(opened.symptom)")
    }

    @Test func stoppingTheCanaryScoresFullMarksAndRollingBackProductionDoesNot() throws {
        let right = try ScoringTests.scripted(.badCanary)
        #expect(right.call?.right == true, "\(right.call?.finding ?? "")")
        #expect(right.call?.points == DrillScoring.callPoints, "harm from the slice rounds away")
        #expect(right.laps.first { $0.phase == .recovered }?.at != nil, "recovered once the canary stopped")
        // The cheapest wrong answer: roll production back at the alarm. Production was healthy: a needless move.
        let bot = try ScoringTests.alwaysRollBack(.badCanary)
        #expect(bot.call?.right == false)
        #expect(bot.call?.finding.contains("production was healthy") == true, "\(bot.call?.finding ?? "")")
        #expect(bot.score <= right.score - 50, "scripted \(right.score), rollback \(bot.score)")
    }

    @Test func doingNothingLeavesCustomersOnTheBadSliceAndClosingThenIsRed() throws {
        let drill = try SimulatedDrill("bad-canary")
        let incident = try #require(try drill.shipAndDetect())
        try drill.simulation.run(seconds: 5)
        // Closing while the canary still serves its slice: the live view shows it red, and the call failed.
        _ = try Incidents.close(incident, resolution: "production looks fine", by: "alice", in: drill.context)
        let state = DrillState(
            id: drill.simulation.drill, code: DrillSeal.sealedCode, room: drill.root, workspace: drill.root,
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), supervisor: 0)
        let view = try DrillLiveView.compute(state: state, in: drill.context)
        #expect(view.incident?.closedWhileServing == true)
        let record = try ScoringTests.record(drill)
        #expect(record.call?.right == false)
        #expect(record.call?.points == 0)
        #expect(record.call?.finding.contains("a failed call") == true, "\(record.call?.finding ?? "")")
        let harm = try #require(record.call?.harmShare)
        #expect(abs(harm - Double(CanarySlice.percent) / 100) < 0.01, "harm from the attribution log: \(harm)")
    }
}
