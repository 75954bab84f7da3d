// Each fault kind, shipped into a laid history under simulated live traffic, is caught by the label-free monitor;
// the laid history makes the last known good something other than the bad version's parent.
import Drills
import Foundation
import Playbook
import Registry
import Testing

/// A temporary folder for one simulated drill, removed afterwards.
final class SimulatedDrill {
    let root: String
    let simulation: DrillSimulation

    init(_ fault: String, seed: UInt64 = 7) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let plan = try DrillPlan(fault: fault, seed: seed, window: 300)
        simulation = try DrillSimulation(
            root: root, plan: plan, start: Date(timeIntervalSince1970: 1_795_000_000))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var context: PlayContext { simulation.context }

    /// Warm-up traffic, the fault shipped, traffic until the alarm.
    func shipAndDetect() throws -> String? {
        try simulation.run(seconds: 30)
        try simulation.ship()
        return try simulation.runUntilAlarm(limit: 90)
    }
}

@Suite struct FaultCatalogTests {
    @Test(arguments: FaultKind.allCases)
    func eachFaultIsCaughtByTheLabelFreeMonitor(kind: FaultKind) throws {
        let drill = try SimulatedDrill(kind.rawValue)
        #expect(try drill.simulation.run(seconds: 30).isEmpty, "no alarm before the fault ships")
        let fault = try drill.simulation.ship()
        let incident = try drill.simulation.runUntilAlarm(limit: 90)
        #expect(incident != nil, "\(kind.rawValue): the monitor raised the alarm")
        let opened = try Incidents.find(try #require(incident), events: try drill.context.registry.events())
        #expect(opened.badVersion == fault.badVersion)
        #expect(opened.source == "monitor")
        // The last known good is not the bad version's parent.
        #expect(fault.lastKnownGood != fault.parent)
        #expect(try RollbackPlay.lastKnownGood(in: drill.context)?.id == fault.lastKnownGood)
    }
}
