// The kit's own scripted response: on a fresh copy of the same drill (same code), it does what a perfect team
// would do the moment the alarm fires — acknowledge, diff the shipped version, make the right call — and times
// the commands. The team's time beyond it is human overhead. The same script is what `--gm` prints.
public import Foundation
import Hashing
public import Playbook
public import Registry

/// One step of the scripted response and the machine time it took.
public struct OptimalStep: Codable, Sendable, Equatable {
    public var command: String
    public var seconds: Double
    /// This step moves production (or, for a false alarm, closes the incident): the response's clock stops.
    public var finishes: Bool
}

public struct OptimalRun: Codable, Sendable, Equatable {
    /// Detection → mitigated (resolved, for a false alarm): the machine time of the steps up to the one that
    /// finishes the response.
    public var seconds: Double
    public var steps: [OptimalStep]

    public init(seconds: Double, steps: [OptimalStep]) {
        self.seconds = seconds
        self.steps = steps
    }
}

public enum OptimalResponse {
    /// Who the kit's scripted response acts as, in its scratch replay (the replay's roster is headed by it).
    public static let actor = "kit"

    /// The right response as commands, for the game master's sheet.
    public static func script(
        for kind: FaultKind, component: String? = nil, badVersion: String = "<shipped>", parent: String = "<parent>",
        lastKnownGood: String = "<last known good>"
    ) -> [String] {
        let part = component ?? kind.badComponent ?? "config.json"
        let bad = String(badVersion.prefix(12))
        let lkg = String(lastKnownGood.prefix(12))
        // A fault customers report has no alarm: the team opens the incident on the first complaint.
        let opening = kind.detectedByComplaint ? ["LabRunner incident open --symptom \"<the complaint>\""] : []
        var lines = opening + ["LabRunner drill ack", "LabRunner diff \(String(parent.prefix(12))) \(bad)"]
        switch kind.rightCall {
        case .rollBackToLastKnownGood:
            lines += [
                "LabRunner rollback --dry-run            # target: the last known good \(lkg), not the parent",
                "LabRunner rollback --reason \"drill: <symptom>\"",
                "# wait for 'recovered' on the drill status",
                "LabRunner incident close INC-… --resolution \"rolled back to \(lkg)\"",
            ]
        case .stopCanary:
            lines += [
                "LabRunner tags                           # canary points at \(bad); production is healthy",
                "LabRunner tag canary production --by <you> --reason \"drill: stop the bad canary\"",
                "# wait for 'recovered' on the drill status; production is not moved",
                "LabRunner incident close INC-… --resolution \"stopped the canary\"",
            ]
        case .investigateAndKeep:
            lines += [
                "LabRunner investigate --onset <shipped time>   # notes-only change; signals moved with the traffic",
                "LabRunner incident close INC-… --resolution \"false alarm: traffic mix, no rollback\"",
            ]
        case .fixForward, .fixForwardWithoutKnownGood:
            // Without a known good version, the bad component comes back from the shipped version's parent.
            let source = kind.rightCall == .fixForward ? lkg : String(parent.prefix(12))
            lines += [
                "rm -rf system && LabRunner checkout \(bad) system",
                "LabRunner checkout \(source) /tmp/good && cp -R /tmp/good/\(part) system/",
                "LabRunner register --owner <you> --reason \"fix forward: restore \(part) from \(source)\"",
                "LabRunner promote <new> --approver <name>",
                "# wait for 'recovered' on the drill status",
                "LabRunner incident close INC-… --resolution \"fixed forward\"",
            ]
        }
        return lines
    }

    /// Runs the scripted response on a fresh simulation of `plan` in a temporary folder.
    public static func measure(_ plan: DrillPlan, start: Date = Date()) throws -> OptimalRun {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("labrunner-optimal-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // A scratch folder: a leftover in the temporary directory is no reason to fail the measurement.
        defer { try? FileManager.default.removeItem(atPath: root) }
        let simulation = try DrillSimulation(root: root, plan: plan, start: start)
        try simulation.run(seconds: 30)
        try simulation.ship()
        guard let incident = try simulation.runUntilDetected(limit: 300) else {
            throw DrillsError.buildFailed("the scripted response never saw the alarm nor a complaint")
        }
        let steps = try respond(simulation, incident: incident)
        guard let last = steps.firstIndex(where: \.finishes) else {
            throw DrillsError.buildFailed("the scripted response did not finish")
        }
        return OptimalRun(seconds: steps[...last].map(\.seconds).reduce(0, +), steps: steps)
    }

    /// The perfect team's moves, each timed on the machine and the simulation's clock advanced by that time.
    @discardableResult
    public static func respond(_ simulation: DrillSimulation, incident: String, by actor: String? = nil) throws
        -> [OptimalStep]
    {
        let context = simulation.context
        let actor = actor ?? simulation.user
        guard let fault = simulation.fault else { throw DrillsError.buildFailed("no fault was shipped") }
        var steps: [OptimalStep] = []
        func timed(_ command: String, finishes: Bool = false, _ body: () throws -> Void) throws {
            let clock = ContinuousClock()
            let start = clock.now
            try body()
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            simulation.clock.advance(seconds: seconds)
            steps.append(OptimalStep(command: command, seconds: seconds, finishes: finishes))
        }
        try timed("drill ack") { try DrillLog.acknowledge(drill: simulation.drill, by: actor, in: context) }
        try timed("diff") {
            let registry = context.registry
            let diff = try registry.diff(
                try registry.record(id: fault.parent), try registry.record(id: fault.badVersion))
            try DrillLog.looked(
                drill: simulation.drill, from: fault.parent, to: fault.badVersion, components: diff.changedComponents,
                by: actor, in: context)
        }
        switch fault.kind.rightCall {
        case .rollBackToLastKnownGood:
            try timed("rollback", finishes: true) {
                _ = try RollbackPlay.run(
                    RollbackRequest(
                        ref: nil, reason: "drill: scripted response", incident: incident, detectedAt: nil, by: actor),
                    in: context)
            }
            _ = try simulation.runUntilRecovered(limit: 300)
        case .stopCanary:
            try timed("tag canary production", finishes: true) {
                _ = try context.registry.moveTag(
                    CanarySlice.tag, toRef: "production", by: actor, reason: "drill: stop the bad canary")
            }
            _ = try simulation.runUntilRecovered(limit: 300)
        case .fixForward, .fixForwardWithoutKnownGood:
            try timed("fix forward", finishes: true) {
                let part = fault.badComponent ?? "config.json"
                let good = try context.registry.record(
                    id: fault.kind.rightCall == .fixForward ? fault.lastKnownGood : fault.parent)
                let fixed = try FaultShipper.registerOnCheckout(of: fault.badVersion, by: actor, in: context) { edits in
                    let path = edits.root + "/system/" + part
                    try FileManager.default.removeItem(atPath: path)
                    let scratch = edits.root + "/.labrunner/drill-good-" + UUID().uuidString
                    // Scratch inside the checkout, which is set aside afterwards anyway.
                    defer { try? FileManager.default.removeItem(atPath: scratch) }
                    try context.registry.checkout(good, into: scratch)
                    try FileManager.default.copyItem(atPath: scratch + "/" + part, toPath: path)
                    return "fix forward: restore \(part) from \(good.shortID)"
                }
                _ = try PromotePlay.run(PromoteRequest(ref: fixed, approver: HistoryLayer.approver), in: context)
            }
            _ = try simulation.runUntilRecovered(limit: 300)
        case .investigateAndKeep:
            try timed("investigate") {
                _ = try InvestigatePlay.run(onset: fault.shippedAt.addingTimeInterval(-60), by: actor, in: context)
            }
        }
        try timed("incident close", finishes: fault.kind.rightCall == .investigateAndKeep) {
            _ = try Incidents.close(incident, resolution: "drill: scripted response", by: actor, in: context)
        }
        return steps
    }
}

public enum DrillRecorder {
    /// The record of the drill in `context` (its own workspace): laps, call, roles, score and action items.
    public static func record(
        drill: String, in context: PlayContext, room: Workspace, ending: DrillEnding, optimal: OptimalRun?
    ) throws -> DrillRecord {
        guard let folding = try DrillTimeline.fold(events: try context.registry.events(), drill: drill) else {
            throw DrillsError.noSuchDrill(drill)
        }
        let call = try DrillScoring.judge(folding, in: context)
        let kind = folding.fault?.kind
        let detected = folding.laps.first { $0.phase == .detected }?.at
        let mitigated = folding.laps.first { $0.phase == .mitigated }?.at
        let resolved = folding.laps.first { $0.phase == .resolved }?.at
        let toMitigate = zip(detected, mitigated).map { $1.timeIntervalSince($0) }
        let teamSeconds = kind == .noise ? zip(detected, resolved).map { $1.timeIntervalSince($0) } : toMitigate
        let overhead = zip(teamSeconds, optimal?.seconds).map { max(0, $0 - $1) }
        let relative =
            context.workspace.root.hasPrefix(room.root + "/")
            ? String(context.workspace.root.dropFirst(room.root.count + 1)) : context.workspace.root
        return DrillRecord(
            id: drill, code: folding.code, startedAt: folding.startedAt, endedAt: folding.endedAt ?? context.now(),
            ending: folding.ending ?? ending, fault: folding.fault, incident: folding.incident?.id, laps: folding.laps,
            call: call, timeToMitigateSeconds: toMitigate, optimalSeconds: optimal?.seconds, overheadSeconds: overhead,
            participants: folding.participants,
            score: DrillScoring.score(call: call, laps: folding.laps, kind: kind, overhead: overhead),
            actionItems: DrillScoring.actionItems(
                call: call, laps: folding.laps, kind: kind, participants: folding.participants,
                commander: try DrillTimeline.roleClaims(try context.registry.events(), drill: drill)
                    .last { $0.role == .commander }?.actor, endedAt: folding.endedAt ?? context.now()),
            workspace: relative)
    }
}

/// Both values, when both are there.
func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
