// The game master's injects: only the drill's token injects (none, or another drill's, is refused and writes
// nothing); each inject is a recorded event in the participants' words, and the debrief's timeline shows it.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct InjectTests {
    @Test func onlyTheGameMastersTokenInjectsAndTheDebriefShowsEachInject() throws {
        let drill = try SimulatedDrill("prompt")
        let simulation = drill.simulation
        let context = drill.context
        _ = try #require(try drill.shipAndDetect())
        let before = try context.registry.events().count
        #expect(throws: DrillsError.injectNeedsToken) {
            try DrillLog.inject(.complaint, detail: nil, drill: simulation.drill, seal: nil, by: "gm", in: context)
        }
        // A well-formed token that is not this drill's opens nothing: the cheapest check (any token) fails here.
        #expect(throws: DrillsError.wrongToken(id: simulation.drill)) {
            try DrillLog.inject(
                .complaint, detail: nil, drill: simulation.drill, seal: try DrillSeal(), by: "gm", in: context)
        }
        #expect(throws: DrillsError.badNote(limit: DrillLog.noteLimit)) {
            try DrillLog.inject(
                .alarm, detail: "two\nlines", drill: simulation.drill, seal: simulation.seal, by: "gm", in: context)
        }
        #expect(throws: DrillsError.unknownInject("earthquake")) { try DrillLog.injectKind("earthquake") }
        #expect(try context.registry.events().count == before, "every refusal wrote nothing")

        let complaint = try DrillLog.inject(
            .complaint, detail: nil, drill: simulation.drill, seal: simulation.seal, by: "gm", in: context)
        #expect(try complaint.payload(as: DrillInjected.self).detail == InjectKind.complaint.standardDetail)
        try DrillLog.inject(
            try DrillLog.injectKind("missing-oncall"), detail: "bob's laptop died: he is out for the drill",
            drill: simulation.drill, seal: simulation.seal, by: "gm", in: context)

        try DrillLog.end(drill: simulation.drill, ending: .ended, by: "gm", in: context)
        try simulation.open()
        let record = try DrillRecorder.record(
            drill: simulation.drill, in: context, room: Workspace(root: drill.root), ending: .ended,
            optimal: OptimalRun(seconds: 10, steps: []))
        let debrief = try DrillDebrief.load(record, room: Workspace(root: drill.root))
        let whats = debrief.timeline.map(\.what)
        #expect(whats.contains("The game master injected a customer complaint: " + InjectKind.complaint.standardDetail))
        #expect(
            whats.contains("The game master injected a missing on-call: bob's laptop died: he is out for the drill"))
        #expect(debrief.markdown.contains("The game master injected a missing on-call"))
    }
}
