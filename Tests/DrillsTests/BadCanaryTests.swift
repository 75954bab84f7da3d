// The bad-canary fault: a partial rollout whose slice is worse. The slice is answered by the canary version and
// the rest by production (from the attribution log); stopping the canary is the right call, rolling back the
// healthy production is not.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Serving
import Testing

@Suite struct BadCanaryTests {
    @Test func debugVerdict() throws {
        let drill = try SimulatedDrill("bad-canary")
        try drill.simulation.run(seconds: 30)
        let fault = try drill.simulation.ship()
        print("tag", drill.context.registry.tag("canary") ?? "nil", fault.badVersion)
        try drill.simulation.run(seconds: 60)
        var counts: [String: Int] = [:]
        try AttributionLog(registryRoot: drill.context.registry.root).forEach { counts[String($0.version.prefix(8)), default: 0] += 1; return true }
        print("counts", counts)
        var watch = SignalWatch(log: AttributionLog(registryRoot: drill.context.registry.root))
        try watch.refresh()
        var started = try #require(try drill.context.registry.tagHistory("canary").last)
        started.from = drill.context.registry.tag("production")
        let v = watch.verdict(current: fault.badVersion, history: [started], window: 60, now: drill.context.now(), alpha: drill.context.settings.alpha)
        print("verdict", v.map { "\($0.alarm) \($0.comparison.enoughData) \($0.comparison.baseline) \($0.comparison.current) \($0.comparison.shifts)" } ?? "nil")
    }
}
