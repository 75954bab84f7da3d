// Roles that mean something: the drill's workspace has the roster a fresh workspace gets (its user and the kit's
// personas, beside the story's people), so only roster people act; the mitigation lap goes to whoever ran the
// command, not the approver named; one incident commander at a time, the role passed by a recorded handoff; the
// scribe's notes become the debrief's narrative.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct RolesTests {
    static func count(_ drill: SimulatedDrill) throws -> Int { try drill.context.registry.events().count }

    static func record(_ drill: SimulatedDrill) throws -> DrillRecord {
        try DrillLog.end(drill: drill.simulation.drill, ending: .ended, by: "alice", in: drill.context)
        try drill.simulation.open()
        return try DrillRecorder.record(
            drill: drill.simulation.drill, in: drill.context, room: Workspace(root: drill.root), ending: .ended,
            optimal: OptimalRun(seconds: 10, steps: []))
    }

    @Test func theDrillsRosterIsAFreshWorkspacesAndOnlyItsPeopleAct() throws {
        let drill = try SimulatedDrill("prompt", user: "gm")
        let roster = try drill.context.registry.roster()
        #expect(roster.people.first { $0.roles.contains("learner") }?.name == "gm", "the user heads the roster")
        for persona in People.personas { #expect(roster.person(persona.name) != nil, "\(persona.name)") }
        #expect(roster.person(FaultShipper.shipper) != nil && roster.person(FaultShipper.approver) != nil)

        let incident = try #require(try drill.shipAndDetect())
        let before = try Self.count(drill)
        // Someone the drill does not know is refused, writing nothing (an empty roster would let anyone act).
        #expect(throws: RegistryError.self) {
            try RollbackPlay.run(
                RollbackRequest(ref: nil, reason: "alarm", incident: incident, detectedAt: nil, by: "zed"),
                in: drill.context)
        }
        #expect(try Self.count(drill) == before)
        #expect(throws: RegistryError.self) {
            try PromotePlay.run(
                PromoteRequest(ref: drill.simulation.laid.lastKnownGood, approver: "nobody-known", actor: "gm"),
                in: drill.context)
        }
        #expect(try Self.count(drill) == before)
        // Joining puts a participant on the drill's roster; then they act.
        try DrillLog.join(drill: drill.simulation.drill, role: .operator, by: "zed", in: drill.context)
        #expect(try drill.context.registry.roster().person("zed") != nil)
        let rollback = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "alarm", incident: incident, detectedAt: nil, by: "zed"),
            in: drill.context)
        #expect(rollback.to == drill.simulation.laid.lastKnownGood)
        let record = try Self.record(drill)
        #expect(record.participants.map(\.name) == ["alice", "zed"], "the roster's bookkeeping is nobody's action")
    }

    @Test func theMitigationLapGoesToWhoeverRanTheCommandNotTheApprover() throws {
        let drill = try SimulatedDrill("prompt")
        let id = drill.simulation.drill
        try DrillLog.join(drill: id, role: .commander, by: "alice", in: drill.context)
        try DrillLog.join(drill: id, role: .operator, by: "bob", in: drill.context)
        _ = try #require(try drill.shipAndDetect())
        let promoted = try PromotePlay.run(
            PromoteRequest(ref: drill.simulation.laid.lastKnownGood, approver: "alice", actor: "bob"),
            in: drill.context)
        #expect(promoted.event.actor == "alice", "the move is recorded under its approver")
        let record = try Self.record(drill)
        let mitigated = try #require(record.laps.first { $0.phase == .mitigated })
        #expect(mitigated.by == "bob" && mitigated.role == "operator", "\(mitigated)")
        let debrief = try DrillDebrief.load(record, room: Workspace(root: drill.root))
        let move = try #require(debrief.timeline.first { $0.event == promoted.event.seq })
        #expect(move.who == "bob" && move.role == "operator")
    }

    @Test func oneCommanderAtATimeAHandoffPassesTheRoleAndTheScribesNotesAreTheNarrative() throws {
        let drill = try SimulatedDrill("prompt")
        let id = drill.simulation.drill
        let context = drill.context
        try DrillLog.join(drill: id, role: .commander, by: "alice", in: context)
        _ = try #require(try drill.shipAndDetect())
        var before = try Self.count(drill)
        #expect(throws: DrillsError.commanderHeld(holder: "alice")) {
            try DrillLog.join(drill: id, role: .commander, by: "bob", in: context)
        }
        #expect(throws: DrillsError.notCommander(actor: "bob", holder: "alice")) {
            try DrillLog.handoff(drill: id, to: "bob", by: "bob", in: context)
        }
        #expect(throws: DrillsError.handoffToSelf("alice")) {
            try DrillLog.handoff(drill: id, to: "alice", by: "alice", in: context)
        }
        #expect(throws: DrillsError.notScribe("alice")) {
            try DrillLog.note(drill: id, text: "alarm fired", by: "alice", in: context)
        }
        #expect(try Self.count(drill) == before, "every refusal wrote nothing")

        let handoff = try DrillLog.handoff(drill: id, to: "bob", by: "alice", in: context)
        #expect(handoff.kind == DrillHandedOff.kind && handoff.actor == "alice")
        #expect(try DrillLog.commander(drill: id, in: context) == "bob")
        // alice may take the role back only by a handoff from bob.
        #expect(throws: DrillsError.commanderHeld(holder: "bob")) {
            try DrillLog.join(drill: id, role: .commander, by: "alice", in: context)
        }
        drill.simulation.clock.advance(seconds: 5)
        try DrillLog.acknowledge(drill: id, by: "bob", in: context)

        try DrillLog.join(drill: id, role: .scribe, by: "carol", in: context)
        before = try Self.count(drill)
        for bad in ["", "   ", "two\nlines", String(repeating: "x", count: DrillLog.noteLimit + 1)] {
            #expect(throws: DrillsError.badNote(limit: DrillLog.noteLimit)) {
                try DrillLog.note(drill: id, text: bad, by: "carol", in: context)
            }
        }
        #expect(try Self.count(drill) == before)
        drill.simulation.clock.advance(seconds: 7)
        let first = try DrillLog.note(
            drill: id, text: "bob took command; diffing the shipped version", by: "carol", in: context)
        drill.simulation.clock.advance(seconds: 30)
        try DrillLog.note(drill: id, text: "rollback decided | waiting for recovery", by: "carol", in: context)

        let record = try Self.record(drill)
        let acknowledged = try #require(record.laps.first { $0.phase == .acknowledged })
        #expect(acknowledged.by == "bob" && acknowledged.role == "commander")
        #expect(record.participants.first { $0.name == "bob" }?.roles == [.commander])
        let debrief = try DrillDebrief.load(record, room: Workspace(root: drill.root))
        #expect(
            debrief.narrative.map(\.text) == [
                "bob took command; diffing the shipped version", "rollback decided | waiting for recovery",
            ])
        #expect(debrief.narrative.first?.at == first.at && debrief.narrative.first?.by == "carol")
        let markdown = debrief.markdown
        let narrative = try #require(markdown.range(of: "## Narrative"))
        let timeline = try #require(markdown.range(of: "## Timeline"))
        let section = String(markdown[narrative.upperBound..<timeline.lowerBound])
        #expect(section.contains("carol: bob took command; diffing the shipped version"), "\(section)")
        #expect(section.contains("rollback decided | waiting for recovery"))
        #expect(markdown.contains("Handed the incident commander's role to bob."))
        #expect(debrief.html.contains("<section id=\"narrative\">") && debrief.html.contains("rollback decided"))
    }
}
