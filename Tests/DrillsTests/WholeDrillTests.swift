// Whole drills under a manual clock, from the laid history to the record: the calls the grader must get right
// (a rollback on a false alarm, a whole-version rollback of a release carrying a required change, a rollback to
// the parent), laps that equal the recorded events' times, and the kit's scripted response.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct WholeDrillTests {
    /// A team of three acting on the simulated drill.
    struct Team {
        let drill: SimulatedDrill
        var simulation: DrillSimulation { drill.simulation }
        var context: PlayContext { drill.context }

        func joinAll() throws {
            try DrillLog.join(drill: simulation.drill, role: .commander, by: "alice", in: context)
            try DrillLog.join(drill: simulation.drill, role: .operator, by: "bob", in: context)
            try DrillLog.join(drill: simulation.drill, role: .scribe, by: "carol", in: context)
        }

        func wait(_ seconds: Double) { simulation.clock.advance(seconds: seconds) }

        func record() throws -> DrillRecord {
            try DrillLog.end(drill: simulation.drill, ending: .ended, by: "alice", in: context)
            try simulation.open()
            return try DrillRecorder.record(
                drill: simulation.drill, in: context, room: Workspace(root: drill.root), ending: .ended,
                optimal: OptimalRun(seconds: 10, steps: []))
        }
    }

    @Test func aRightRollbackDrillFromStartToReport() throws {
        let team = Team(drill: try SimulatedDrill("prompt"))
        try team.joinAll()
        let incident = try #require(try team.drill.shipAndDetect())
        team.wait(20)
        try DrillLog.acknowledge(drill: team.simulation.drill, by: "alice", in: team.context)
        team.wait(40)
        let fault = try #require(team.simulation.fault)
        let diff = try team.context.registry.diff(
            try team.context.registry.record(id: fault.parent), try team.context.registry.record(id: fault.badVersion))
        try DrillLog.looked(
            drill: team.simulation.drill, from: fault.parent, to: fault.badVersion, components: diff.changedComponents,
            by: "bob", in: team.context)
        team.wait(30)
        let rollback = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "escalations dropped", incident: incident, detectedAt: nil, by: "bob"),
            in: team.context)
        #expect(rollback.to == fault.lastKnownGood)
        #expect(try team.simulation.runUntilRecovered(limit: 90) == fault.lastKnownGood)
        team.wait(15)
        _ = try Incidents.close(incident, resolution: "rolled back", by: "alice", in: team.context)
        let record = try team.record()
        #expect(record.call?.right == true)
        #expect(record.participants.map(\.name) == ["alice", "bob", "carol"])
        #expect(record.laps.allSatisfy { $0.at != nil }, "every phase reached")

        // Laps equal the recorded events' times: each lap runs from the previous phase's event to its own.
        let events = try team.context.registry.events()
        func at(_ seq: Int?) throws -> Date { try #require(events.first { $0.seq == seq }).at }
        let laps = Dictionary(uniqueKeysWithValues: record.laps.map { ($0.phase, $0) })
        let detected = try #require(Incidents.all(events: events).first { $0.id == incident }).detectedAt
        #expect(laps[.detected]?.seconds == detected.timeIntervalSince(fault.shippedAt))
        #expect(laps[.acknowledged]?.seconds == (try at(laps[.acknowledged]?.event)).timeIntervalSince(detected))
        #expect(laps[.acknowledged]?.by == "alice" && laps[.acknowledged]?.role == "commander")
        #expect(
            laps[.diagnosed]?.seconds
                == (try at(laps[.diagnosed]?.event)).timeIntervalSince(try at(laps[.acknowledged]?.event)))
        #expect(laps[.mitigated]?.seconds == rollback.event.at.timeIntervalSince(try at(laps[.diagnosed]?.event)))
        #expect(laps[.mitigated]?.by == "bob" && laps[.mitigated]?.role == "operator")
        #expect(record.timeToMitigateSeconds == rollback.event.at.timeIntervalSince(detected))
        #expect(record.overheadSeconds == max(0, rollback.event.at.timeIntervalSince(detected) - 10))

        // ... to the report: the debrief reveals the fault and carries the record's call and roles.
        let debrief = try DrillDebrief.load(record, room: Workspace(root: team.drill.root))
        #expect(debrief.markdown.contains(fault.kind.rawValue))
        #expect(debrief.markdown.contains("alice") && debrief.markdown.contains("commander"))
        #expect(debrief.markdown.contains(String(fault.lastKnownGood.prefix(12))))
        #expect(debrief.html.hasPrefix("<!DOCTYPE html>") && !debrief.html.contains("<script"))
    }

    @Test func aRollbackOnTheFalseAlarmIsWrongAndKeepingProductionIsRight() throws {
        let wrong = Team(drill: try SimulatedDrill("noise"))
        let incident = try #require(try wrong.drill.shipAndDetect())
        _ = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "alarm", incident: incident, detectedAt: nil, by: "bob"),
            in: wrong.context)
        let graded = try wrong.record()
        #expect(graded.call?.right == false)
        #expect(graded.call?.finding.contains("false alarm") == true)

        let right = Team(drill: try SimulatedDrill("noise"))
        let second = try #require(try right.drill.shipAndDetect())
        right.wait(60)
        // Investigating names the shipped version and finds no regression on the suite: the alarm is the traffic.
        let shipped = try #require(right.simulation.fault)
        let investigation = try InvestigatePlay.run(
            onset: shipped.shippedAt.addingTimeInterval(-60), by: "bob", in: right.context)
        #expect(investigation.suspects.map(\.version).contains(shipped.badVersion))
        #expect(!investigation.regressionConfirmed)
        right.wait(30)
        _ = try Incidents.close(second, resolution: "false alarm: newsletter traffic", by: "alice", in: right.context)
        let record = try right.record()
        #expect(record.call?.right == true)
        #expect(record.laps.first { $0.phase == .diagnosed }?.by == "bob")
        #expect(record.laps.first { $0.phase == .mitigated }?.at == nil)
    }

    @Test func aWholeVersionRollbackOfAReleaseWithARequiredChangeIsWrong() throws {
        let team = Team(drill: try SimulatedDrill("fix-forward"))
        let incident = try #require(try team.drill.shipAndDetect())
        _ = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "alarm", incident: incident, detectedAt: nil, by: "bob"),
            in: team.context)
        let record = try team.record()
        #expect(record.call?.right == false)
        #expect(record.call?.finding.contains("undoes the required change in index") == true)
    }

    @Test func theScriptedResponseGetsEveryCallRight() throws {
        for kind in [FaultKind.fixForward, .lkgTrap, .noise] {
            let team = Team(drill: try SimulatedDrill(kind.rawValue))
            let incident = try #require(try team.drill.shipAndDetect())
            let steps = try OptimalResponse.respond(team.simulation, incident: incident)
            #expect(steps.allSatisfy { $0.seconds >= 0 } && !steps.isEmpty)
            let record = try team.record()
            #expect(record.call?.right == true, "\(kind.rawValue): \(record.call?.finding ?? "")")
        }
    }

    @Test func rollingBackToTheParentInTheTrapIsWrong() throws {
        let team = Team(drill: try SimulatedDrill("lkg-trap"))
        let incident = try #require(try team.drill.shipAndDetect())
        let fault = try #require(team.simulation.fault)
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: fault.parent, reason: "back to the parent", incident: incident, detectedAt: nil, by: "bob"),
            in: team.context)
        let record = try team.record()
        #expect(record.call?.right == false)
        #expect(record.call?.finding.contains("the bad version's parent") == true)
        #expect(record.call?.finding.contains("named bad by incident") == true)
    }
}
