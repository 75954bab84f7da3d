// `drill start`'s process: lays the drill's workspace, runs the service, live traffic and the monitor as its own
// children, ships the fault at the planned moment, and on `drill end`, Ctrl-C or a child's death stops them all
// and writes the record. Children watch their parent: when the drill process dies, they stop too.
public import Foundation
import Hashing
public import Playbook
public import Registry

#if canImport(Glibc)
    import Glibc
#endif

public struct DrillLaunch: Sendable {
    public var plan: DrillPlan
    public var room: Workspace
    /// The LabRunner binary the children run.
    public var executable: String
    public var actor: String
    public var rate: Double
    public var monitorWindow: Double
    public var port: UInt16
    /// The game master's token: held here and on the game master's terminal only, recorded at the end.
    public var seal: DrillSeal

    public init(
        plan: DrillPlan, room: Workspace, executable: String, actor: String, rate: Double = 20,
        monitorWindow: Double = DrillWatch.defaultWindow, port: UInt16 = 0, seal: DrillSeal? = nil
    ) throws {
        self.seal = try seal ?? DrillSeal()
        self.plan = plan
        self.room = room
        self.executable = executable
        self.actor = actor
        self.rate = rate
        self.monitorWindow = monitorWindow
        self.port = port
    }
}

/// What the supervisor tells the person at its terminal as the drill goes.
public struct DrillNews: Sendable {
    public var started: @Sendable (DrillState, LaidHistory) -> Void
    public var shipped: @Sendable (FaultFacts) -> Void
    public var scoring: @Sendable () -> Void
    public var warning: @Sendable (String) -> Void

    public init(
        started: @escaping @Sendable (DrillState, LaidHistory) -> Void,
        shipped: @escaping @Sendable (FaultFacts) -> Void, scoring: @escaping @Sendable () -> Void,
        warning: @escaping @Sendable (String) -> Void
    ) {
        self.started = started
        self.shipped = shipped
        self.scoring = scoring
        self.warning = warning
    }
}

public enum DrillSupervisor {
    /// The environment variable naming a child's drill process; a child whose parent changes stops.
    public static let parentVariable = "LABRUNNER_DRILL_PARENT"

    /// Refuses, writing nothing, when this is a drill's own workspace or another drill is running. A drill whose
    /// process died without ending is recorded as abandoned first.
    public static func checkRoom(_ room: Workspace) throws {
        if let state = DrillState.load(in: room) { throw DrillsError.insideDrill(id: state.id) }
        if let active = DrillRoom(room).active(), active.isRunning {
            throw DrillsError.drillRunning(id: active.id, pid: active.supervisor)
        }
    }

    /// Runs a whole drill in this process until it is ended; returns its record. `now` is wall time; `clock`
    /// times the fault's shipping and the supervisor's ticks.
    public static func run(
        _ launch: DrillLaunch, now: @escaping @Sendable () -> Date, clock: any LoopClock = ContinuousClock(),
        news: DrillNews
    ) throws -> DrillRecord {
        let room = DrillRoom(launch.room)
        try checkRoom(launch.room)
        if let abandoned = room.active() {
            _ = try finish(abandoned, ending: .abandoned, by: launch.actor, now: now)
        }
        let id = room.nextID()
        let root = room.drillRoot(id)
        let laid = try layStaged(at: root, seed: launch.plan.seed, now: now(), user: launch.actor)
        let workspace = Workspace(root: root)
        let context = try PlayContext(workspace: workspace, now: now)
        // No participant file holds the code, nor the seed it carries: both are sealed in the log.
        var state = DrillState(
            id: id, code: DrillSeal.sealedCode, room: launch.room.root, workspace: root, startedAt: now(),
            supervisor: getpid())
        try DrillLog.start(drill: id, plan: launch.plan, seal: launch.seal, by: launch.actor, in: context)
        let stop = StopFlag()
        let signals = stop.catchSignals()
        defer { signals.forEach { $0.cancel() } }
        let children = Children(root: root, executable: launch.executable, clock: clock)
        defer { children.stopAll() }
        do {
            let url = try children.startService(port: launch.port)
            state.url = url
            state.children = children.pids
            try DrillRoom.write(state, to: DrillState.path(in: workspace))
            try room.setActive(state)
            // The traffic's seed is derived from the drill's, so its command line does not give the seed away; the
            // campaign the noise fault brings is told on its standard input, not in a file.
            try children.start(
                "traffic",
                [
                    "drill", "traffic", "--workspace", root, "--target", url, "--rate", String(launch.rate), "--seed",
                    String(trafficSeed(launch.plan.seed)),
                ], input: true)
            try children.start(
                "monitor", ["drill", "monitor", "--workspace", root, "--window", String(launch.monitorWindow)])
            state.children = children.pids
            try DrillRoom.write(state, to: DrillState.path(in: workspace))
            try room.setActive(state)
        } catch {
            // Nothing of this drill is left behind: no folder, no active pointer, no record.
            children.stopAll()
            // Best effort on the way out: the error that brought us here is the one to report.
            try? room.setActive(nil)
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        news.started(state, laid)
        let begun = clock.stopwatch()
        var shipped = false
        var shippedFault: FaultFacts?
        var ending = DrillEnding.ended
        while true {
            if let reason = stop.reason {
                ending = reason
                break
            }
            if try DrillTimeline.hasEnded(drill: id, in: context) { break }
            if let dead = children.firstExited() {
                news.warning(
                    "The drill's \(dead) stopped unexpectedly (see .labrunner/drill-logs/\(dead).log); ending the drill."
                )
                ending = .abandoned
                break
            }
            if let fault = shippedFault {
                // A fault the monitor cannot see reaches the team as customers' complaints.
                try DrillComplaints.record(for: fault, drill: id, in: context)
            }
            if !shipped, Double(begun.elapsed.components.seconds) >= launch.plan.shipAfter {
                shipped = true
                do {
                    let facts = try FaultShipper.ship(
                        launch.plan, laid: laid, drill: id, seal: launch.seal, in: context)
                    if facts.kind == .noise { children.tell("traffic", TrafficMix.campaign) }
                    shippedFault = facts
                    news.shipped(facts)
                } catch {
                    news.warning("The fault could not be shipped (\(error)); ending the drill.")
                    ending = .abandoned
                    break
                }
            }
            clock.pause(for: .milliseconds(200))
        }
        children.stopAll()
        news.scoring()
        return try finish(state, ending: ending, by: launch.actor, now: now, seal: launch.seal)
    }

    /// The live traffic's seed: derived from the drill's, which it does not reveal.
    static func trafficSeed(_ seed: UInt64) -> UInt64 {
        SHA256.hash("labrunner drill traffic\n\(seed)").bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Ends the drill `state` names (if its end is not recorded yet), opens its seals with `seal` (the game
    /// master's token) and writes its record into the room. Used by the supervisor, and by `drill end` when the
    /// supervisor is gone; without the token the record says the fault stayed sealed.
    public static func finish(
        _ state: DrillState, ending: DrillEnding, by actor: String, now: @escaping @Sendable () -> Date,
        seal: DrillSeal? = nil
    )
        throws -> DrillRecord
    {
        // Only processes still running this drill's workspace: a pid freed since may now be someone else's.
        for pid in state.children where pid > 0 && Self.isChild(pid, of: state) { kill(pid, SIGKILL) }
        let workspace = Workspace(root: state.workspace)
        let context = try PlayContext(workspace: workspace, now: now)
        if !(try DrillTimeline.hasEnded(drill: state.id, in: context)) {
            try DrillLog.end(drill: state.id, ending: ending, by: actor, in: context)
        }
        if let seal { try seal.open(drill: state.id, by: actor, in: context) }
        let folding = try DrillTimeline.fold(events: try context.registry.events(), drill: state.id)
        let plan =
            folding?.plan.flatMap { try? DrillPlan(opened: $0) } ?? folding.flatMap { try? DrillPlan(code: $0.code) }
        // The kit's scripted replay is a comparison, not the record: when it cannot run, the debrief says "not
        // measured" rather than the drill losing its record.
        let optimal = folding?.fault != nil ? plan.flatMap { try? OptimalResponse.measure($0) } : nil
        let room = DrillRoom(Workspace(root: state.room))
        let record = try DrillRecorder.record(
            drill: state.id, in: context, room: room.workspace, ending: ending, optimal: optimal)
        try room.save(record, by: actor, now: now)
        if room.active()?.id == state.id { try room.setActive(nil) }
        return record
    }

    /// `finish` with the ending as its on-disk word, for callers that still pass it as text.
    public static func finish(
        _ state: DrillState, ending: String, by actor: String, now: @escaping @Sendable () -> Date,
        seal: DrillSeal? = nil
    ) throws -> DrillRecord {
        try finish(state, ending: try DrillEnding(word: ending), by: actor, now: now, seal: seal)
    }

    /// Whether `pid` is one of the drill's children: its command line names the drill's workspace.
    static func isChild(_ pid: Int32, of state: DrillState) -> Bool {
        #if os(Linux)
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return data.split(separator: 0).contains { Data($0) == Data(state.workspace.utf8) }
        #else
            // No /proc: ps prints the command line, its arguments joined by spaces.
            let ps = Process()
            ps.executableURL = URL(fileURLWithPath: "/bin/ps")
            ps.arguments = ["-o", "args=", "-p", String(pid)]
            let output = Pipe()
            ps.standardOutput = output
            ps.standardError = FileHandle.nullDevice
            do { try ps.run() } catch { return false }  // no ps to ask: not known to be ours, so left alone
            let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            ps.waitUntilExit()
            let arguments = " " + line.trimmingCharacters(in: .whitespacesAndNewlines) + " "
            return arguments.contains(" " + state.workspace + " ")
        #endif
    }

    /// Lays the history in a hidden sibling and renames it into place, so a failed start leaves no drill folder.
    static func layStaged(at root: String, seed: UInt64, now: Date, user: String) throws -> LaidHistory {
        let manager = FileManager.default
        let parent = (root as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = parent + "/.staging-" + UUID().uuidString
        try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
        do {
            // Version ids are content hashes and the registry stores no absolute paths, so the rename keeps all.
            let laid = try HistoryLayer.lay(into: staging, seed: seed, now: now, user: user)
            try manager.moveItem(atPath: staging, toPath: root)
            return laid
        } catch {
            // Best effort: the failed lay is the error to report, not its cleanup.
            try? manager.removeItem(atPath: staging)
            throw error
        }
    }

    /// In a child: stops the process (through `onOrphaned`) once its drill process is gone.
    public static func watchParent(
        environment: [String: String], clock: any LoopClock = ContinuousClock(),
        onOrphaned: @escaping @Sendable () -> Void
    ) {
        guard let text = environment[parentVariable], let parent = Int32(text) else { return }
        let thread = Thread {
            while getppid() == parent { clock.pause(for: .milliseconds(200)) }
            onOrphaned()
        }
        thread.start()
    }
}

/// Why the supervisor should stop, set from a signal handler.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: DrillEnding?

    var reason: DrillEnding? { lock.withLock { value } }

    func set(_ reason: DrillEnding) { lock.withLock { if value == nil { value = reason } } }

    func catchSignals() -> [any DispatchSourceSignal] {
        [(SIGINT, DrillEnding.interrupted), (SIGTERM, .ended), (SIGHUP, .interrupted)].map { number, reason in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in set(reason) }
            source.resume()
            return source
        }
    }
}

/// The drill's child processes, each logging to .labrunner/drill-logs/<name>.log.
final class Children: @unchecked Sendable {
    // Used from the supervisor's thread only.
    private var running: [(name: String, process: Process)] = []
    let root: String
    let executable: String
    let clock: any LoopClock

    init(root: String, executable: String, clock: any LoopClock) {
        self.root = root
        self.executable = executable
        self.clock = clock
    }

    var logFolder: String { root + "/.labrunner/drill-logs" }
    var pids: [Int32] { running.map { $0.process.processIdentifier } }

    /// Standard input of the children started with `input`, for `tell`.
    private var inputs: [String: Pipe] = [:]

    /// One line on the standard input of child `name` (best effort: a child gone has nothing to hear).
    func tell(_ name: String, _ line: String) {
        signal(SIGPIPE, SIG_IGN)
        try? inputs[name]?.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    func start(_ name: String, _ arguments: [String], input: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
        let log = logFolder + "/\(name).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[DrillSupervisor.parentVariable] = String(getpid())
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        if input {
            let pipe = Pipe()
            inputs[name] = pipe
            process.standardInput = pipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        running.append((name, process))
    }

    /// Starts `serve` on `port` (0: any free one) and waits for it to say where it listens.
    func startService(port: UInt16) throws -> String {
        try start("service", ["serve", "--workspace", root, "--port", String(port)])
        let log = logFolder + "/service.log"
        for _ in 0..<150 {
            let text = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
            if let range = text.range(of: "http://127.0.0.1:") {
                let port = text[range.upperBound...].prefix { $0.isNumber }
                if !port.isEmpty { return "http://127.0.0.1:\(port)" }
            }
            if let dead = firstExited() { throw DrillsError.childFailed(name: dead, log: log) }
            clock.pause(for: .milliseconds(100))
        }
        throw DrillsError.childFailed(name: "service", log: log)
    }

    func firstExited() -> String? { running.first { !$0.process.isRunning }?.name }

    /// SIGTERM to each, SIGKILL to any still running after three seconds; waits for all.
    func stopAll() {
        for child in running where child.process.isRunning { child.process.terminate() }
        let waited = clock.stopwatch()
        while running.contains(where: { $0.process.isRunning }), waited.elapsed < .seconds(3) {
            clock.pause(for: .milliseconds(50))
        }
        for child in running where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        for child in running { child.process.waitUntilExit() }
        running.removeAll()
    }
}
