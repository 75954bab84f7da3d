// Each fault kind, shipped into a laid history under simulated live traffic, is caught by the label-free monitor;
// the laid history makes the last known good something other than the bad version's parent.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

/// A temporary folder for one simulated drill, removed afterwards.
final class SimulatedDrill {
    let root: String
    let simulation: DrillSimulation
    private let folder: TemporaryFolder

    /// `user` heads the drill's roster, as the person running 'drill start' does.
    init(_ fault: String, seed: UInt64 = 7, user: String = "alice", catalogue: TeamCatalogue? = nil) throws {
        folder = try TemporaryFolder("drill")
        root = folder.path
        let plan = try DrillPlan(fault: fault, seed: seed, window: 300, catalogue: catalogue)
        simulation = try DrillSimulation(
            root: root, plan: plan, start: Date(timeIntervalSince1970: 1_795_000_000), user: user)
    }

    var context: PlayContext { simulation.context }

    /// Warm-up traffic, the fault shipped, traffic until the alarm (for a fault customers report, until the
    /// first complaint, when the user opens the incident).
    func shipAndDetect() throws -> String? {
        try simulation.run(seconds: 30)
        try simulation.ship()
        return try simulation.runUntilDetected(limit: 90)
    }
}

@Suite struct FaultCatalogTests {
    @Test(arguments: FaultKind.allCases.filter { !$0.detectedByComplaint })
    func eachFaultIsCaughtByTheLabelFreeMonitor(kind: FaultKind) throws {
        let drill = try SimulatedDrill(kind.rawValue)
        #expect(try drill.simulation.run(seconds: 30).isEmpty, "no alarm before the fault ships")
        let fault = try drill.simulation.ship()
        let incident = try drill.simulation.runUntilAlarm(limit: 90)
        #expect(incident != nil, "\(kind.rawValue): the monitor raised the alarm")
        let opened = try Incidents.find(try #require(incident), events: try drill.context.registry.events())
        #expect(opened.badVersion == fault.badVersion)
        #expect(opened.source == .monitor)
        // The last known good is not the bad version's parent (in the two-step fault, a harmless step that passed
        // its gate but never ran in production).
        #expect(fault.lastKnownGood != fault.parent)
        // Without a clean last known good, the rollback play finds none: every older release is disqualified.
        let lastKnownGood = try RollbackPlay.lastKnownGood(in: drill.context)?.id
        #expect(lastKnownGood == (kind == .noCleanLKG ? nil : fault.lastKnownGood))
    }

    @Test func aSlowDriftIsReportedByCustomersWhileTheMonitorStaysQuiet() throws {
        let drill = try SimulatedDrill("slow-drift")
        try drill.simulation.run(seconds: 30)
        let fault = try drill.simulation.ship()
        #expect(fault.badComponent == "index")
        let outcomes = try drill.simulation.run(seconds: 150)
        #expect(outcomes.isEmpty, "the label-free monitor stays quiet: \(outcomes)")
        let events = try drill.context.registry.events()
        let complaints = try events.payloads(DrillInjected.self).filter { $0.event.actor == DrillComplaints.actor }
        #expect(complaints.count == DrillComplaints.schedule.count)
        #expect(complaints.allSatisfy { $0.payload.inject == .complaint })
        #expect(try Incidents.all(events: events).allSatisfy { $0.source != .monitor })
        // The answers did change: the returns guide customers are quoted now says 7 days.
        let shipped = try drill.context.registry.record(id: fault.badVersion)
        let parent = try drill.context.registry.record(id: fault.parent)
        #expect(shipped.manifest.components["index"]?.sha256 != parent.manifest.components["index"]?.sha256)
    }

    @Test func withoutACleanLastKnownGoodEveryOlderReleaseIsDisqualified() throws {
        let drill = try SimulatedDrill("no-clean-lkg")
        try drill.simulation.run(seconds: 30)
        let fault = try drill.simulation.ship()
        let registry = drill.context.registry
        for move in try registry.tagHistory("production") where move.to != fault.badVersion {
            let reasons = try RollbackPlay.reasonsNotKnownGood(move.to, in: drill.context)
            #expect(!reasons.isEmpty, "\(move.to.prefix(12)) is disqualified")
        }
        #expect(throws: (any Error).self) { try RollbackPlay.choose(ref: nil, in: drill.context) }
    }
}

@Suite struct DrillCodeTests {
    @Test func theSameCodeLaysTheSameDrillElsewhere() throws {
        let plan = try DrillPlan(fault: "random", seed: 11, window: 300)
        let again = try DrillPlan(code: plan.code)
        #expect(again == plan)
        #expect(plan.shipAfter >= DrillPlan.warmUp && plan.shipAfter <= 300)
        let first = try SimulatedDrill("random", seed: 11)
        let second = try SimulatedDrill("random", seed: 11)
        #expect(first.simulation.laid == second.simulation.laid)
        let a = try first.simulation.ship()
        let b = try second.simulation.ship()
        #expect(a.kind == b.kind && a.badVersion == b.badVersion && a.lastKnownGood == b.lastKnownGood)
        // Another seed is another drill; a code from another kit is refused.
        #expect(try DrillPlan(fault: "random", seed: 12, window: 300).code != plan.code)
        #expect(throws: DrillsError.self) { try DrillPlan(code: "random-11-300-00000000") }
        #expect(throws: DrillsError.self) { try DrillPlan(code: "nonsense") }
    }
}

@Suite struct LaidHistoryTests {
    /// The sequence numbers of the laid versions, and the last known good's.
    static func shape(_ drill: SimulatedDrill) throws -> (count: Int, lastKnownGood: Int, reasons: [String]) {
        let summaries = try drill.context.registry.versionSummaries()
        let lkg = try #require(summaries.first { $0.id == drill.simulation.laid.lastKnownGood })
        let reasons = try drill.context.registry.events().payloads(VersionRegistered.self).map(\.payload.reason)
        return (summaries.count, lkg.seq, reasons)
    }

    @Test func twoSeedsLayDifferentHistories() throws {
        let a = try SimulatedDrill("prompt", seed: 7)
        let b = try SimulatedDrill("prompt", seed: 12)
        let (laidA, laidB) = (a.simulation.laid, b.simulation.laid)
        #expect(laidA.lastKnownGood != laidB.lastKnownGood, "a different last known good")
        #expect(Set([laidA.first, laidA.oldBad, laidA.recent]).isDisjoint(with: [laidB.oldBad, laidB.recent]))
        let (shapeA, shapeB) = (try Self.shape(a), try Self.shape(b))
        print(
            "laid: seed 7 \(shapeA.count) versions, lkg #\(shapeA.lastKnownGood); seed 12 \(shapeB.count), #\(shapeB.lastKnownGood)"
        )
        #expect(shapeA.lastKnownGood != shapeB.lastKnownGood, "the last known good sits elsewhere in the story")
        // The shipped change's reason comes from the pool the harmless ones use: it names no component.
        let shipped = try a.simulation.ship()
        let reason = try a.context.registry.record(id: shipped.badVersion).metadata.reason
        #expect(HistoryLayer.neutralReasons.contains(reason), "\(reason)")
        #expect(shapeA.reasons.dropFirst().allSatisfy { HistoryLayer.neutralReasons.contains($0) })
    }
}
