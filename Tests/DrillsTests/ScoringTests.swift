// Scoring rewards judgment: across the whole catalog a response that always rolls back at the alarm scores far
// below the kit's scripted right response; doing nothing on a false alarm is not full marks; closing the
// incident while the regression is live is a failed call; a wrong call is graded by what it broke.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Terminal
import Testing

@Suite struct ScoringTests {
    /// Ends the simulated drill, records its token and scores it against a scripted response of 10 s.
    static func record(_ drill: SimulatedDrill) throws -> DrillRecord {
        let simulation = drill.simulation
        try DrillLog.end(drill: simulation.drill, ending: .ended, by: "alice", in: drill.context)
        try simulation.open()
        return try DrillRecorder.record(
            drill: simulation.drill, in: drill.context, room: Workspace(root: drill.root), ending: .ended,
            optimal: OptimalRun(seconds: 10, steps: []))
    }

    /// The bot: rolls back the moment the alarm fires, and nothing else.
    static func alwaysRollBack(_ kind: FaultKind) throws -> DrillRecord {
        let drill = try SimulatedDrill(kind.rawValue)
        let incident = try #require(try drill.shipAndDetect())
        try DrillLog.join(drill: drill.simulation.drill, role: .operator, by: "bot", in: drill.context)
        // A rollback the play refuses (no version known good) leaves the bot doing nothing.
        _ = try? RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "alarm", incident: incident, detectedAt: nil, by: "bot"),
            in: drill.context)
        _ = try drill.simulation.runUntilRecovered(limit: 60)
        return try record(drill)
    }

    static func scripted(_ kind: FaultKind) throws -> DrillRecord {
        let drill = try SimulatedDrill(kind.rawValue)
        let incident = try #require(try drill.shipAndDetect())
        try OptimalResponse.respond(drill.simulation, incident: incident)
        return try record(drill)
    }

    @Test func alwaysRollingBackAtTheAlarmAveragesAtLeast25PointsBelowTheScriptedResponse() throws {
        var bot: [Int] = []
        var right: [Int] = []
        for kind in FaultKind.allCases {
            let scripted = try Self.scripted(kind)
            #expect(scripted.call?.right == true, "\(kind.rawValue): \(scripted.call?.finding ?? "")")
            right.append(scripted.score)
            bot.append(try Self.alwaysRollBack(kind).score)
        }
        let botAverage = Double(bot.reduce(0, +)) / Double(bot.count)
        let rightAverage = Double(right.reduce(0, +)) / Double(right.count)
        print(
            "scoring: scripted right response averages \(rightAverage) \(right); always-rollback \(botAverage) \(bot)")
        #expect(rightAverage - botAverage >= 25, "scripted \(right), always-rollback \(bot)")
        #expect(right.allSatisfy { $0 >= 85 }, "the scripted response is near full marks: \(right)")
        // The new faults, each on its own: full marks for the right response, well below for the bot.
        for kind in [FaultKind.slowDrift, .noCleanLKG] {
            let index = try #require(FaultKind.allCases.firstIndex(of: kind))
            #expect(right[index] == 100, "\(kind.rawValue): scripted \(right[index])")
            #expect(right[index] - bot[index] >= 20, "\(kind.rawValue): scripted \(right[index]), bot \(bot[index])")
        }
    }

    @Test func doingNothingOnAFalseAlarmIsNotFullMarks() throws {
        let drill = try SimulatedDrill("noise")
        _ = try #require(try drill.shipAndDetect())
        drill.simulation.clock.advance(seconds: 120)
        let record = try Self.record(drill)
        #expect(record.call?.right == false)
        #expect(record.call?.finding.contains("a guess, not a call") == true)
        #expect(record.score <= 50, "\(record.score)")
    }

    @Test func closingTheIncidentWhileTheRegressionIsLiveIsAFailedCall() throws {
        let drill = try SimulatedDrill("prompt")
        let incident = try #require(try drill.shipAndDetect())
        _ = try Incidents.close(incident, resolution: "false alarm", by: "alice", in: drill.context)
        let state = DrillState(
            id: drill.simulation.drill, code: DrillSeal.sealedCode, room: drill.root, workspace: drill.root,
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), supervisor: 0)
        let view = try DrillLiveView.compute(state: state, in: drill.context)
        #expect(view.incident?.closedWhileServing == true && view.incident?.settled == false)
        #expect(view.text(TextOutput(colour: false)).contains("closed, but the version it names still serves"))
        let page = DrillDashboard.render(view)
        #expect(page.contains("<div class=\"big open\">"))
        #expect(page.contains("closed while the version it names still serves"))
        // Rolling back afterwards does not rescue the call.
        _ = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "oops", incident: nil, detectedAt: drill.context.now(), by: "bob"),
            in: drill.context)
        // Before that rollback, the room's screen showed the closed incident red: the version it names still served.
        let record = try Self.record(drill)
        #expect(record.call?.right == false)
        #expect(record.call?.points == 0)
        #expect(record.call?.finding.contains("a failed call, whatever came later") == true)
    }

    @Test func aWrongCallIsGradedByWhatItBroke() throws {
        // Rolling back to the healthy parent restores customers, to a version never vetted: part of the call.
        let parent = try SimulatedDrill("config")
        let incident = try #require(try parent.shipAndDetect())
        let fault = try #require(parent.simulation.fault)
        _ = try RollbackPlay.run(
            RollbackRequest(ref: fault.parent, reason: "parent", incident: incident, detectedAt: nil, by: "bob"),
            in: parent.context)
        let toParent = try Self.record(parent)
        #expect(toParent.call?.right == false && toParent.call?.points == DrillScoring.callPoints / 2)
        // Undoing a legally required notice: nothing.
        let legal = try SimulatedDrill("fix-forward")
        let second = try #require(try legal.shipAndDetect())
        _ = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "alarm", incident: second, detectedAt: nil, by: "bob"),
            in: legal.context)
        let undone = try Self.record(legal)
        #expect(undone.call?.points == 0)
        #expect(toParent.score > undone.score)
    }
}
