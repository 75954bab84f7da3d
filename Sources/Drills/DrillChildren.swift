// The processes `drill start` runs beside its service (live traffic and the monitor), which stop by returning
// when the drill process is gone, and `drill end`, which asks the drill process to stop and waits for its record.
public import Foundation
public import Playbook
public import Registry
import Serving
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process's work and the drill process above it.
public enum DrillChild {
    /// Runs `body` until it returns, or until the drill process that started this one is gone, whichever is first,
    /// and then returns (rethrowing what `body` threw), so the command returns its status instead of exiting.
    /// Work left running when the parent is gone ends with the process. Outside a drill it simply runs `body`.
    public static func untilOrphaned(
        environment: [String: String], _ body: @escaping @Sendable () throws -> Void
    ) throws {
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let worker = Thread {
            do { try body() } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        worker.stackSize = 8 << 20
        worker.start()
        DrillSupervisor.watchParent(environment: environment) { finished.signal() }
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Whether the drill process that started this one is gone: set once, read by a loop between looks.
    public final class Orphaned: Sendable {
        private let gone = Mutex(false)

        public init(environment: [String: String]) {
            DrillSupervisor.watchParent(environment: environment) { [self] in gone.withLock { $0 = true } }
        }

        public var isGone: Bool { gone.withLock { $0 } }
    }
}

extension DrillWatch {
    /// Looks every half second until the drill process is gone, passing each alarm and recovery to `report`.
    public mutating func run(
        in context: PlayContext, until orphaned: DrillChild.Orphaned, sleep: (Duration) -> Void,
        report: (WatchOutcome) -> Void
    ) throws {
        while !orphaned.isGone {
            let outcome = try step(in: context)
            if outcome != .quiet { report(outcome) }
            sleep(.milliseconds(500))
        }
    }
}

/// Whether the newsletter campaign (the noise fault) has started: the drill process says so on this process's
/// standard input (a line `campaign`), since the log holds the fault sealed and no file may name it.
public final class CampaignWatch: Sendable {
    private let active = Mutex(false)

    /// Listens on `input` (standard input by default) until it closes.
    public init(input: FileHandle = .standardInput) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = input.availableData
                if chunk.isEmpty { return }
                pending += chunk
                let text = String(decoding: pending, as: UTF8.self)
                if text.split(separator: "\n").contains(where: { $0 == TrafficMix.campaign }) {
                    self.active.withLock { $0 = true }
                    return
                }
            }
        }
        thread.start()
    }

    public func intents() -> Set<String>? { active.withLock { $0 } ? TrafficMix.campaignIntents : nil }
}

extension DrillSupervisor {
    /// `drill end`: records the end by `actor`, asks the drill process to stop its children and score the drill,
    /// and waits for the record it writes (`announce` runs once it has been asked). A drill whose process is gone
    /// is finished here as interrupted.
    /// `seal` (the game master's token) opens the fault when the drill process, which holds it, is gone.
    public static func end(
        _ state: DrillState, room: Workspace, by actor: String, now: @escaping @Sendable () -> Date,
        clock: any Clock<Duration>, sleep: (Duration) -> Void, seal: DrillSeal? = nil, announce: () -> Void
    ) throws -> DrillRecord {
        let context = try PlayContext(workspace: Workspace(root: state.workspace), now: now)
        if let seal { _ = try seal.plan(events: try context.registry.events(), drill: state.id) }
        // The drill process died (kill -9, a closed terminal): the drill was interrupted, and is recorded so.
        guard state.isRunning else {
            return try finish(state, ending: "interrupted", by: actor, now: now, seal: seal)
        }
        // The end is recorded here, by whoever ended it; the drill process sees it, stops its children and writes
        // the record.
        try DrillLog.end(drill: state.id, ending: "ended", by: actor, in: context)
        kill(state.supervisor, SIGTERM)
        announce()
        return try awaitRecord(state, room: room, now: now, clock: clock, sleep: sleep, seal: seal)
    }

    /// Waits for the drill process to write the record (it scores first); takes over if it dies meanwhile or has
    /// not finished within two minutes.
    static func awaitRecord(
        _ state: DrillState, room: Workspace, now: @escaping @Sendable () -> Date, clock: some Clock<Duration>,
        sleep: (Duration) -> Void, seal: DrillSeal?
    ) throws -> DrillRecord {
        let rooms = DrillRoom(room)
        let deadline = clock.now.advanced(by: .seconds(120))
        while true {
            // A record not yet readable is one still being written: look again.
            if rooms.active()?.id != state.id, let record = try? rooms.record(state.id) { return record }
            if !state.isRunning || clock.now > deadline {
                if state.isRunning { kill(state.supervisor, SIGKILL) }
                if rooms.active()?.id != state.id, let record = try? rooms.record(state.id) { return record }
                return try finish(state, ending: "ended", by: "drill", now: now, seal: seal)
            }
            sleep(.milliseconds(200))
        }
    }
}

extension DrillSupervisor {
    /// Refuses a port already taken before anything is laid (0 picks a free one later).
    public static func checkPort(_ port: UInt16) throws {
        guard port != 0 else { return }
        let probe = try HTTPServer(host: "127.0.0.1", port: port, limits: HTTPLimits()) { _ in .error(503, "") }
        probe.stop(grace: .zero)
    }
}

extension DrillChild {
    /// `drill traffic`: live customer traffic to the drill's service at `url`, with the campaign the noise fault
    /// starts, until the drill process is gone. `say` prints the traffic's status lines.
    public static func traffic(
        url: String, rate: Double, seed: UInt64, in context: PlayContext, environment: [String: String],
        say: @escaping @Sendable (String) -> Void
    ) throws {
        let campaign = CampaignWatch()
        try untilOrphaned(environment: environment) {
            _ = try LiveTraffic.run(
                url: url, rate: rate, duration: nil, count: nil, seed: seed, campaign: { campaign.intents() },
                in: context, status: say)
        }
    }

    /// `drill monitor`: the drill's label-free monitor over `window` seconds of traffic in the drill's own
    /// `workspace`, until the drill process is gone; `say` prints each alarm and recovery.
    public static func monitor(
        window: Double, in workspace: Workspace, now: @escaping @Sendable () -> Date, environment: [String: String],
        sleep: (Duration) -> Void, say: (String) -> Void
    ) throws {
        guard let state = DrillState.load(in: workspace) else { throw DrillsError.noDrill }
        let context = try PlayContext(workspace: workspace, now: now)
        let orphaned = Orphaned(environment: environment)
        var watch = DrillWatch(
            drill: state.id, registryRoot: context.registry.root, since: state.startedAt, window: window)
        try watch.run(in: context, until: orphaned, sleep: sleep) { outcome in
            switch outcome {
            case .alarm(let incident): say("ALARM: incident \(incident) opened by the monitor.")
            case .recovered(let version): say("Recovered: live signals back within bounds on \(version.prefix(12)).")
            case .quiet: break
            }
        }
    }
}
