// `LabRunner drill …`: the teams' rollback rehearsal. A thin table over the Drills module: start (the
// supervisor), join, ack, end and code for participants and the game master, and the two children drill start
// runs (traffic and monitor).
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Terminal

#if canImport(Glibc)
    import Glibc
#endif

enum DrillCommands {
    static let asOption = OptionSpec.value(
        "as", "name", help: "Who acts (default: $LABRUNNER_USER, else $USER); set LABRUNNER_USER once per terminal.")

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "drill", abstract: "Rehearse a rollback as a team: a seeded fault under live traffic, timed.",
            discussion: """
                Run 'drill start' in the team's workspace: it lays a fresh production history into drills/<id>/,
                runs the service, live traffic and the label-free monitor, and ships a bad change at a random
                moment. Participants work in drills/<id>/ with the usual commands (investigate, diff, rollback,
                promote, incident close); the laps are read from what they record. 'drill end' scores the call,
                the laps and the team's time against the kit's own scripted response.
                """,
            subcommands: [
                startSpec(env), joinSpec(env), ackSpec(env), DrillStatusCommand.spec(env), endSpec(env),
                DrillReportCommands.historySpec(env), DrillReportCommands.reportSpec(env), codeSpec(env),
                trafficSpec(env), monitorSpec(env),
            ])
    }

    /// The team's workspace and the drill these commands act on: the one whose workspace this is, else the
    /// room's running drill.
    static func locate(_ invocation: Invocation, _ console: Console) throws -> (room: Workspace, state: DrillState?) {
        let workspace = try Common.workspace(invocation, console)
        if let state = DrillState.load(in: workspace) { return (DrillState.room(of: workspace), state) }
        return (workspace, DrillRoom(workspace).active())
    }

    /// The running drill, or a refusal naming why there is none.
    static func running(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> (
        DrillState, PlayContext
    ) {
        let (room, state) = try locate(invocation, console)
        guard let state, DrillRoom(room).active()?.id == state.id else {
            if let state { throw DrillsError.drillOver(id: state.id) }
            throw DrillsError.noDrill
        }
        return (state, try PlayContext(workspace: Workspace(root: state.workspace), now: env.now))
    }

    /// While a drill runs, its participants do not see what the fault was: views leave its event out.
    static func hidingFault(_ events: [Event], in workspace: Workspace) -> [Event] {
        guard DrillState.running(in: workspace) != nil else { return events }
        return events.filter { !DrillEvent.hidden.contains($0.kind) }
    }

    static func actor(_ invocation: Invocation, _ console: Console) -> String {
        invocation.value("as") ?? Common.currentUser(console)
    }

    // MARK: start

    static func startSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "start", abstract: "Lay a drill, run service, traffic and monitor, and ship a fault (stays running).",
            discussion: """
                Fault kinds: prompt, config, weights, index (each a real regression), noise (a false alarm: the
                right call is to investigate and keep production), lkg-trap (the bad version's parent is bad
                too), fix-forward (the bad release also carries a required change: roll back one component, not
                the version), random (the default; the seed picks). The drill runs until 'LabRunner drill end'
                in another terminal or Ctrl-C here; its children stop with it.
                """,
            options: [
                .value("fault", "kind", help: "The fault to ship.", default: "random"),
                .value("seed", "n", help: "Seed for the fault, its moment and the history (default: random)."),
                .value("window", "duration", help: "The fault ships at a random moment within this.", default: "5m"),
                .value("code", "code", help: "Reproduce the drill a 'drill code' printed (instead of the above)."),
                .flag("gm", help: "Game master: print what is injected and the right response."),
                .value("rate", "r", help: "Live traffic in requests per second.", default: "20"),
                .value("port", "port", help: "The service's port (0 picks a free one).", default: "0"),
                .value(
                    "monitor-window", "s", help: "Seconds of live traffic each label-free comparison looks at.",
                    default: "20"),
                asOption, Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let room = try Common.workspace(invocation, console)
            let plan: DrillPlan
            if let code = invocation.value("code") {
                plan = try DrillPlan(code: code)
            } else {
                let seed = try invocation.value("seed").map { text -> UInt64 in
                    guard let seed = UInt64(text) else { throw UsageError("--seed must be a whole number, such as 7.") }
                    return seed
                }
                plan = try DrillPlan(
                    fault: invocation.value("fault") ?? "random", seed: seed ?? UInt64.random(in: 1...99_999),
                    window: try TimeParsing.duration(invocation.value("window") ?? "5m"))
            }
            guard let rate = try invocation.double("rate"), rate > 0, rate <= 500 else {
                throw UsageError("--rate must be from 1 to 500 requests per second.")
            }
            guard let port = UInt16(invocation.value("port") ?? "0") else {
                throw UsageError("--port must be a number from 0 to 65535.")
            }
            guard let window = try invocation.double("monitor-window"), window >= 5, window <= 600 else {
                throw UsageError("--monitor-window must be from 5 to 600 seconds.")
            }
            try DrillSupervisor.checkRoom(room)
            if port != 0 {
                // A port already taken is refused before anything is laid.
                let probe = try HTTPServer(host: "127.0.0.1", port: port, limits: HTTPLimits()) { _ in .error(503, "") }
                probe.stop(grace: .zero)
            }
            let gameMaster = invocation.flag("gm")
            let json = invocation.flag("json")
            let news = DrillNews(
                started: { state, laid in
                    if json { return }
                    printBanner(state, laid: laid, plan: plan, rate: rate, window: window, room: room, console: console)
                    if gameMaster { printGameMasterSheet(plan, laid: laid, console: console) }
                },
                shipped: { facts in
                    guard gameMaster, !json else { return }
                    console.out(
                        "[game master] Shipped at \(Timestamp.string(from: facts.shippedAt)): "
                            + "\(facts.kind.rawValue) as \(facts.badVersion.prefix(12)).")
                },
                scoring: {
                    if !json { console.out("Stopping the drill and scoring it against the kit's scripted response…") }
                },
                warning: { console.err("warning: \($0)") })
            let record = try DrillSupervisor.run(
                DrillLaunch(
                    plan: plan, room: room, executable: executablePath(console), actor: actor(invocation, console),
                    rate: rate, monitorWindow: window, port: port),
                now: env.now, news: news)
            if json {
                try Common.printJSON(record, console)
            } else {
                printSummary(record, console: console)
            }
            return 0
        }
    }

    /// This binary, so the children are the same kit (`$LABRUNNER` when set, as for lab scripts).
    static func executablePath(_ console: Console) -> String {
        if let named = console.environment["LABRUNNER"], !named.isEmpty { return named }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    }

    static func printBanner(
        _ state: DrillState, laid: LaidHistory, plan: DrillPlan, rate: Double, window: Double, room: Workspace,
        console: Console
    ) {
        let relative =
            state.workspace.hasPrefix(room.root + "/")
            ? String(state.workspace.dropFirst(room.root.count + 1)) : state.workspace
        let url = state.url ?? "?"
        console.out("Drill \(state.id) started.")
        console.out("  Workspace  \(relative)   participants: cd \(relative), or pass --workspace \(relative)")
        console.out("  Service    \(url)   dashboard \(url)/drill")
        console.out("  Traffic    \(Int(rate)) requests/s; the label-free monitor compares \(Int(window))s windows")
        console.out("  Production \(laid.recent.prefix(12)) (the laid history: 'LabRunner log', 'LabRunner tags')")
        console.out("")
        console.out("A change will ship within the next \(TimeParsing.describe(plan.window)). Each person:")
        console.out("  export LABRUNNER_USER=<name>; LabRunner drill join commander|scribe|operator")
        console.out("Acknowledge the alarm with 'LabRunner drill ack', work the incident with the usual commands,")
        console.out("and end with 'LabRunner drill end' (or Ctrl-C here). Watch: 'LabRunner drill status'.")
    }

    static func printGameMasterSheet(_ plan: DrillPlan, laid: LaidHistory, console: Console) {
        let parent = plan.fault == .lkgTrap ? laid.oldBad : laid.recent
        console.out("")
        console.out("[game master] Code \(plan.code): 'LabRunner drill start --code \(plan.code)' replays this drill.")
        console.out("[game master] Fault: \(plan.fault.rawValue) — \(plan.fault.gameMasterSummary).")
        console.out(
            "[game master] Ships \(Int(plan.shipAfter))s after the start. Right call: \(plan.fault.rightCall.rawValue)."
        )
        console.out(
            "[game master] Last known good \(laid.lastKnownGood.prefix(12)); the bad version's parent "
                + "\(parent.prefix(12)) is not it (old incident \(laid.oldIncident) named \(laid.oldBad.prefix(12))).")
        console.out("[game master] The scripted response:")
        for line in OptimalResponse.script(for: plan.fault, parent: parent, lastKnownGood: laid.lastKnownGood) {
            console.out("    \(line)")
        }
    }

    static func printSummary(_ record: DrillRecord, console: Console) {
        console.out("Drill \(record.id) \(record.ending): \(record.outcome), score \(record.score)/100.")
        if let fault = record.fault {
            console.out("  Fault: \(fault.kind.rawValue) — \(fault.kind.gameMasterSummary).")
        }
        if let call = record.call { console.out("  Call: \(call.finding)") }
        let rows = record.laps.map { lap -> [String] in
            [
                lap.phase.rawValue, lap.seconds.map { TimeParsing.describe($0) } ?? "—",
                TimeParsing.describe(lap.targetSeconds), lap.met.map { $0 ? "met" : "missed" } ?? "—",
                [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
            ]
        }
        console.out(Table(headers: ["Lap", "Took", "Target", "", "By"], rows: rows, alignRight: [1, 2]).render())
        if let optimal = record.optimalSeconds, let overhead = record.overheadSeconds {
            console.out(
                "  The kit's scripted response took \(TimeParsing.describe(optimal)); human overhead "
                    + "\(TimeParsing.describe(overhead)).")
        }
        for item in record.actionItems { console.out("  - \(item)") }
        console.out("Debrief: LabRunner drill report \(record.id)   History: LabRunner drill history")
    }

    // MARK: join, ack, end, code

    static func joinSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "join", abstract: "Take a role in the running drill (commander, scribe or operator).",
            arguments: [.required("role", help: "commander, scribe or operator.")],
            options: [asOption, Common.workspace]
        ) { invocation, console in
            let text = invocation.argument("role") ?? ""
            guard let role = DrillRole(rawValue: text) else {
                throw UsageError("There is no role '\(text)'; choose commander, scribe or operator.")
            }
            let (state, context) = try running(invocation, console, env)
            let name = actor(invocation, console)
            try DrillLog.join(drill: state.id, role: role, by: name, in: context)
            console.out("\(name) is \(role.title) in drill \(state.id).")
            return 0
        }
    }

    static func ackSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "ack", abstract: "Acknowledge the drill's alarm (the 'acknowledged' lap).",
            options: [asOption, Common.workspace]
        ) { invocation, console in
            let (state, context) = try running(invocation, console, env)
            let name = actor(invocation, console)
            let event = try DrillLog.acknowledge(drill: state.id, by: name, in: context)
            console.out(
                "\(name) acknowledged \(event.data["incident"] ?? "the alarm") at \(Timestamp.string(from: event.at)).")
            return 0
        }
    }

    static func endSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "end", abstract: "End the running drill: stop its processes and write its record.",
            options: [asOption, Common.workspace, Common.json]
        ) { invocation, console in
            let (room, state) = try locate(invocation, console)
            guard let state, DrillRoom(room).active()?.id == state.id else {
                if let state { throw DrillsError.drillOver(id: state.id) }
                throw DrillsError.noDrill
            }
            let name = actor(invocation, console)
            let context = try PlayContext(workspace: Workspace(root: state.workspace), now: env.now)
            let record: DrillRecord
            if state.isRunning {
                // The end is recorded here, by whoever ended it; the drill process sees it, stops its children
                // and writes the record.
                try DrillLog.end(drill: state.id, ending: "ended", by: name, in: context)
                kill(state.supervisor, SIGTERM)
                if !invocation.flag("json") { console.out("Ending drill \(state.id); scoring it…") }
                record = try waitForRecord(state, room: room, now: env.now)
            } else {
                record = try DrillSupervisor.finish(state, ending: "abandoned", by: name, now: env.now)
            }
            if invocation.flag("json") {
                try Common.printJSON(record, console)
            } else {
                printSummary(record, console: console)
            }
            return 0
        }
    }

    /// Waits for the drill process to write the record (it scores first); takes over if it dies meanwhile or
    /// has not finished within two minutes.
    static func waitForRecord(_ state: DrillState, room: Workspace, now: @escaping @Sendable () -> Date) throws
        -> DrillRecord
    {
        let rooms = DrillRoom(room)
        let deadline = Date().addingTimeInterval(120)
        while true {
            if rooms.active()?.id != state.id, let record = try? rooms.record(state.id) { return record }
            if !state.isRunning || Date() > deadline {
                if state.isRunning { kill(state.supervisor, SIGKILL) }
                if rooms.active()?.id != state.id, let record = try? rooms.record(state.id) { return record }
                return try DrillSupervisor.finish(state, ending: "ended", by: "drill", now: now)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    static func codeSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "code", abstract: "Print the running (or latest) drill's code, to reproduce it elsewhere.",
            discussion: """
                Run 'LabRunner drill start --code CODE' with the same kit to get the same drill. A code names its
                fault when one was chosen, so while a drill runs only the game master sees it (--gm).
                """,
            options: [.flag("gm", help: "Game master: show the running drill's code."), Common.workspace]
        ) { invocation, console in
            let (room, state) = try locate(invocation, console)
            if let state, DrillRoom(room).active()?.id == state.id, !invocation.flag("gm") {
                throw DrillsError.codeHidden(id: state.id)
            }
            let latest = try DrillRoom(room).records().last?.code
            guard let code = state?.code ?? latest else {
                throw DrillsError.noDrill
            }
            console.out(code)
            return 0
        }
    }

    // MARK: the children drill start runs

    static func trafficSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "traffic", abstract: "Live customer traffic for a drill (drill start runs it).",
            options: [
                .value("target", "url", help: "The drill's service.", default: "http://127.0.0.1:8088"),
                .value("rate", "r", help: "Requests per second.", default: "20"),
                .value("seed", "n", help: "Seed for choosing cases.", default: "1"),
                Common.workspace,
            ]
        ) { invocation, console in
            let context = try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
            DrillSupervisor.watchParent(environment: console.environment) { exit(0) }
            guard let seed = UInt64(invocation.value("seed") ?? "1") else {
                throw UsageError("--seed must be a whole number, such as 1.")
            }
            let campaign = CampaignWatch(context: context)
            _ = try LiveTraffic.run(
                url: invocation.value("target") ?? "", rate: try invocation.double("rate") ?? 20, duration: nil,
                count: nil, seed: seed, campaign: { campaign.intents() }, in: context
            ) { console.out($0) }
            return 0
        }
    }

    static func monitorSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "monitor", abstract: "The drill's label-free monitor (drill start runs it).",
            options: [
                .value("window", "s", help: "Seconds of traffic each comparison looks at.", default: "20"),
                Common.workspace,
            ]
        ) { invocation, console in
            let workspace = try Common.workspace(invocation, console)
            guard let state = DrillState.load(in: workspace) else { throw DrillsError.noDrill }
            let context = try PlayContext(workspace: workspace, now: env.now)
            DrillSupervisor.watchParent(environment: console.environment) { exit(0) }
            var watch = DrillWatch(
                drill: state.id, registryRoot: context.registry.root, since: state.startedAt,
                window: try invocation.double("window") ?? DrillWatch.defaultWindow)
            while true {
                switch try watch.step(in: context) {
                case .alarm(let incident): console.out("ALARM: incident \(incident) opened by the monitor.")
                case .recovered(let version):
                    console.out("Recovered: live signals back within bounds on \(version.prefix(12)).")
                case .quiet: break
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }
}

/// Whether the newsletter campaign (the noise fault) has started, read from the drill's log every few seconds.
final class CampaignWatch: @unchecked Sendable {
    // Used from the traffic loop's thread only.
    private let context: PlayContext
    private var checked = Date.distantPast
    private var active = false

    init(context: PlayContext) { self.context = context }

    func intents() -> Set<String>? {
        if !active, Date().timeIntervalSince(checked) >= 1 {
            checked = Date()
            active = ((try? context.registry.events()) ?? []).contains {
                $0.kind == DrillEvent.fault && $0.data["traffic"] == TrafficMix.campaign
            }
        }
        return active ? TrafficMix.campaignIntents : nil
    }
}
