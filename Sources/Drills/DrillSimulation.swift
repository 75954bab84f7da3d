// A whole drill in one process under a manual clock: the history laid, simulated live traffic second by second,
// the drill's monitor looking after each second, and the fault shipped when told. Tests drive drills with it,
// and the kit runs its own scripted response on it to measure what a perfect team would take.
public import Foundation
import Hashing
public import Playbook
import Registry

public final class DrillSimulation: @unchecked Sendable {
    // Used from one thread at a time: the test or the scoring step that owns it.
    public let clock: ManualClock
    public let context: PlayContext
    public let laid: LaidHistory
    public let plan: DrillPlan
    /// The game master's token for this drill (see `DrillSeal`).
    public let seal: DrillSeal
    public let drill: String
    /// Who heads the drill's roster (and acts for the kit's scripted response).
    public let user: String
    public private(set) var fault: FaultFacts?
    public private(set) var outcomes: [WatchOutcome] = []
    private var watch: DrillWatch
    private var seconds: UInt64 = 0
    /// Requests per simulated second.
    public let rate: Int

    /// Lays the drill into `root` (an existing empty folder) and starts it at `start`; `user` heads its roster.
    public init(
        root: String, plan: DrillPlan, drill: String = "D-SIM", start: Date, rate: Int = 20,
        user: String = OptimalResponse.actor
    ) throws {
        laid = try HistoryLayer.lay(into: root, seed: plan.seed, now: start, user: user)
        clock = ManualClock(start: start)
        context = try PlayContext(workspace: Workspace(root: root), now: clock.now)
        self.plan = plan
        self.drill = drill
        self.user = user
        self.rate = rate
        seal = try DrillSeal()
        watch = DrillWatch(drill: drill, registryRoot: context.registry.root, since: start)
        try DrillLog.start(drill: drill, plan: plan, seal: seal, by: "drill", in: context)
    }

    /// Records the game master's token, as the drill's end does, so its seals open for every reader.
    @discardableResult
    public func open() throws -> DrillRevealed { try seal.open(drill: drill, by: "drill", in: context) }

    /// Ships the fault now.
    @discardableResult
    public func ship() throws -> FaultFacts {
        let facts = try FaultShipper.ship(plan, laid: laid, drill: drill, seal: seal, in: context)
        fault = facts
        return facts
    }

    /// `count` seconds of live traffic, the monitor looking after each; returns what it recorded.
    @discardableResult
    public func run(seconds count: Int) throws -> [WatchOutcome] {
        var recorded: [WatchOutcome] = []
        for _ in 0..<count {
            seconds += 1
            // A live canary answers its slice, counted by request as the service counts by id; else production.
            let registry = context.registry
            let production = registry.tag("production")
            let route = CanarySlice.live(canary: registry.tag(CanarySlice.tag), production: production).map {
                canary in { (index: Int) in CanarySlice.takes(index: index) ? canary : production ?? canary }
            }
            _ = try Traffic.run(
                requests: rate, rate: 0, seed: Traffic.mix(plan.seed, seconds), source: "http",
                campaign: fault?.kind == .noise ? TrafficMix.campaignIntents : nil, in: context, route: route)
            clock.advance(seconds: 1)
            let outcome = try watch.step(in: context)
            if outcome != .quiet { recorded.append(outcome) }
            if let fault { try DrillComplaints.record(for: fault, drill: drill, in: context) }
        }
        outcomes += recorded
        return recorded
    }

    /// Runs traffic until the monitor raises the alarm (at most `limit` seconds); the incident id, or nil.
    public func runUntilAlarm(limit: Int = 120) throws -> String? {
        for _ in 0..<limit {
            for case .alarm(let incident) in try run(seconds: 1) { return incident }
        }
        return nil
    }

    /// Runs traffic until the alarm, or for a fault customers report, until the first complaint, when `user`
    /// opens the drill's incident as a participant would ('incident open'); the incident id, or nil.
    public func runUntilDetected(limit: Int = 120) throws -> String? {
        guard let fault, fault.kind.detectedByComplaint else { return try runUntilAlarm(limit: limit) }
        for _ in 0..<limit {
            try run(seconds: 1)
            let complaints = try context.registry.events().payloads(
                DrillInjected.self, where: DrillInjected.CodingKeys.drill, is: drill)
            guard let first = complaints.first else { continue }
            return try Incidents.open(
                symptom: first.payload.detail, detectedAt: nil, badVersion: nil, by: user, drillID: drill,
                in: context
            ).id
        }
        return nil
    }

    /// Runs traffic until the monitor records recovery (at most `limit` seconds).
    public func runUntilRecovered(limit: Int = 120) throws -> String? {
        for _ in 0..<limit {
            for case .recovered(let version) in try run(seconds: 1) { return version }
        }
        return nil
    }

    public func folding() throws -> DrillFolding? {
        try DrillTimeline.fold(events: try context.registry.events(), drill: drill)
    }
}
