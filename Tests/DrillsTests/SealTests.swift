// The fault stays sealed in the drill's own log until the end: the raw log names neither the fault nor the last
// known good after it ships; the token opens it; an altered seal or a wrong token is refused.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct SealTests {
    @Test func theRawLogNamesNoFaultUntilTheTokenIsRecorded() throws {
        let drill = try SimulatedDrill("lkg-trap")
        let simulation = drill.simulation
        _ = try #require(try drill.shipAndDetect())
        let facts = try #require(simulation.fault)
        let raw = String(
            decoding: FileManager.default.contents(atPath: drill.context.registry.root + "/events.jsonl") ?? Data(),
            as: UTF8.self)
        for secret in [
            // (`last_known_good` itself is a rollback's recorded judgment on every tag move now, not the plan's.)
            "lkg-trap", FaultKind.lkgTrap.gameMasterSummary, "\"drill.fault\"",
            simulation.plan.code, simulation.seal.token,
        ] {
            #expect(!raw.contains(secret), "the raw log holds \(secret)")
        }
        #expect(raw.contains("\"code\":\"sealed\""))
        #expect(try simulation.folding()?.fault == nil, "nobody reads the fault before the token is recorded")

        // A wrong token opens nothing and writes nothing.
        let events = try drill.context.registry.events()
        let other = try DrillSeal()
        #expect(throws: DrillsError.wrongToken(id: simulation.drill)) {
            try other.open(drill: simulation.drill, by: "mallory", in: drill.context)
        }
        #expect(try drill.context.registry.events().count == events.count)

        // The token opens both seals, checked against their commitments.
        let revealed = try simulation.open()
        #expect(revealed.facts == facts)
        #expect(revealed.plan?.code == simulation.plan.code && revealed.plan?.fault == .lkgTrap)
        #expect(revealed.plan?.rightCall == .rollBackToLastKnownGood)
        #expect(try simulation.folding()?.fault == facts)
        #expect(try simulation.folding()?.code == simulation.plan.code)

        // A seal that does not match its commitment is refused by every reader.
        var forged = try drill.context.registry.events()
        let index = try #require(forged.firstIndex { $0.kind == DrillFaultSealed.kind })
        forged[index].data["commitment"] = String(repeating: "0", count: 64)
        #expect(throws: DrillsError.sealBroken(id: simulation.drill)) {
            try DrillSeal.revealed(events: forged, drill: simulation.drill)
        }
    }

    @Test func aTokenIs32HexDigits() throws {
        #expect(try DrillSeal().token.count == 32)
        #expect(try DrillSeal().token != (try DrillSeal().token))
        #expect(throws: DrillsError.badToken) { try DrillSeal(token: "1234") }
        #expect(throws: DrillsError.badToken) { try DrillSeal(token: String(repeating: "z", count: 32)) }
    }

    @Test func theTrafficHearsOfTheCampaignOnItsInputNotFromAFile() throws {
        let pipe = Pipe()
        let watch = CampaignWatch(input: pipe.fileHandleForReading)
        #expect(watch.intents() == nil)
        try pipe.fileHandleForWriting.write(contentsOf: Data("campaign\n".utf8))
        let deadline = Date().addingTimeInterval(5)
        while watch.intents() == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(watch.intents() == TrafficMix.campaignIntents)
    }
}
