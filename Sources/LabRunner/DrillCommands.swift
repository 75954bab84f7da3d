// `LabRunner drill …`: the teams' rollback rehearsal, a thin table over the Drills module: start (the
// supervisor), join, ack, handoff, note, inject, end and code for participants and the game master; status, the
// live view (redrawn in place on a terminal, printed once piped or with --once); the two children drill start
// runs (traffic and the monitor), which return when the drill process is gone; and history, report and actions
// over the room's finished drills, whose specs live in the Drills module.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Terminal

enum DrillCommands {
    static let actor = Option<String>(
        "as", "name", help: "Who acts (default: $LABRUNNER_USER, else $USER); set LABRUNNER_USER once per terminal.",
        defaultFrom: Console.userName(in:))

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
                CommandSpec(
                    name: "start",
                    abstract: "Lay a drill, run service, traffic and monitor, and ship a fault (stays running).",
                    discussion: """
                        Fault kinds: prompt, config, weights, index (real regressions), noise (a false alarm: keep
                        production), lkg-trap (the parent is bad too), fix-forward (a required change too: roll back one
                        component), two-step (a harmless change, then the bad one), slow-drift (customers complain; the
                        monitor is quiet), no-clean-lkg (nothing is known good: fix forward), bad-canary (a canary tag
                        serves 20% with a bad version: stop it, keep production), random (the default; the seed picks).
                        It runs until 'LabRunner drill end' elsewhere or Ctrl-C here; its children stop with it.
                        """,
                    options: [
                        DrillOptions.fault, DrillOptions.faults, DrillOptions.seed, DrillOptions.shipWindow,
                        DrillOptions.code, DrillOptions.gameMasterFlag, DrillOptions.rate, portOption,
                        DrillOptions.monitorWindow, actor,
                    ] + Common.io
                ) { invocation, console in
                    let room = try Common.workspace(invocation, console)
                    let plan = try DrillOptions.plan(invocation, console)
                    let rate = try invocation[DrillOptions.rate]
                    let port = try invocation[portOption]
                    let window = try invocation[DrillOptions.monitorWindow]
                    try DrillSupervisor.checkRoom(room)
                    try DrillSupervisor.checkPort(port)
                    // This binary, so the children are the same kit.
                    let launch = try DrillLaunch(
                        plan: plan, room: room, executable: console.executablePath ?? CommandLine.arguments[0],
                        actor: try invocation[actor], rate: rate, monitorWindow: window, port: port)
                    let news = DrillNews.printed(
                        on: console, launch: launch, json: try invocation[Common.json],
                        gameMaster: try invocation[DrillOptions.gameMasterFlag])
                    let record = try DrillSupervisor.run(launch, now: env.now, news: news)
                    return try Common.emit(record, invocation, console)
                },
                CommandSpec(
                    name: "join", abstract: "Take a role in the running drill (commander, scribe or operator).",
                    arguments: [DrillOptions.role], options: [actor, Common.workspace]
                ) { invocation, console in
                    let text = try invocation[DrillOptions.role]
                    guard let role = DrillRole(rawValue: text) else {
                        throw UsageError("There is no role '\(text)'; choose commander, scribe or operator.")
                    }
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let name = try invocation[actor]
                    try DrillLog.join(drill: drill.state.id, role: role, by: name, in: try drill.context(now: env.now))
                    console.out("\(name) is \(role.title) in drill \(drill.state.id).")
                    return 0
                },
                CommandSpec(
                    name: "ack", abstract: "Acknowledge the drill's alarm (the 'acknowledged' lap).",
                    options: [actor, Common.workspace]
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let name = try invocation[actor]
                    let event = try DrillLog.acknowledge(
                        drill: drill.state.id, by: name, in: try drill.context(now: env.now))
                    console.out(
                        "\(name) acknowledged \(event.data["incident"] ?? "the alarm") at \(Timestamp.string(from: event.at))."
                    )
                    return 0
                },
                CommandSpec(
                    name: "handoff", abstract: "Pass the incident commander's role to NAME (the commander runs it).",
                    arguments: [DrillOptions.person], options: [actor, Common.workspace]
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let name = try invocation[DrillOptions.person]
                    try DrillLog.handoff(
                        drill: drill.state.id, to: name, by: try invocation[actor], in: try drill.context(now: env.now))
                    console.out("\(name) is now the incident commander in drill \(drill.state.id).")
                    return 0
                },
                CommandSpec(
                    name: "note", abstract: "The scribe's timestamped note: the debrief's narrative.",
                    arguments: [DrillOptions.note], options: [actor, Common.workspace]
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let event = try DrillLog.note(
                        drill: drill.state.id, text: try invocation[DrillOptions.note], by: try invocation[actor],
                        in: try drill.context(now: env.now))
                    console.out("Noted at \(Timestamp.string(from: event.at)).")
                    return 0
                },
                CommandSpec(
                    name: "inject",
                    abstract: "The game master injects complaint, alarm or missing-oncall (needs --gm).",
                    arguments: [DrillOptions.inject, DrillOptions.injectDetail],
                    options: [DrillOptions.gameMasterToken, actor, Common.workspace]
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let event = try DrillLog.inject(
                        try DrillLog.injectKind(try invocation[DrillOptions.inject]),
                        detail: try invocation[DrillOptions.injectDetail], drill: drill.state.id,
                        seal: try invocation[DrillOptions.gameMasterToken].map { try DrillSeal(token: $0) },
                        by: try invocation[actor], in: try drill.context(now: env.now))
                    console.out("Injected at \(Timestamp.string(from: event.at)); the debrief's timeline shows it.")
                    return 0
                },
                CommandSpec(
                    name: "status",
                    abstract: "Watch the running drill: production, incident clock, laps, live signals, roles.",
                    discussion: """
                        Works from the team's workspace and from the drill's own. On a terminal it redraws every second
                        until Ctrl-C; with --once, or when the output is not a terminal, it prints once. The same view is
                        on the service at /drill (a page for the room's big screen) and /drill.json.
                        """,
                    options: [DrillOptions.once] + Common.io
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let context = try drill.context(now: env.now)
                    if try invocation[Common.json] || !console.stdoutIsTerminal || invocation[DrillOptions.once] {
                        let view = try DrillLiveView.compute(state: drill.state, in: context)
                        return try Common.emit(view, invocation, console) { $0.line(view.text($0)) }
                    }
                    // Redraw in place until Ctrl-C (which ends the process) or the drill ends.
                    try drill.watch(now: env.now, sleep: env.sleep) { view, first in
                        console.redraw(view.text(TextOutput(for: console)), first: first)
                    }
                    console.out(
                        "Drill \(drill.state.id) has ended; its debrief is 'LabRunner drill report \(drill.state.id)'.")
                    return 0
                },
                CommandSpec(
                    name: "end", abstract: "End the running drill: stop its processes and write its record.",
                    discussion: """
                        The drill process opens the sealed fault and checks it against its commitment. When that process
                        is gone, the game master's token (--gm) opens it; without it the record says the fault stayed sealed.
                        """,
                    options: [actor, DrillOptions.gameMasterToken] + Common.io
                ) { invocation, console in
                    let drill = try DrillSession.running(from: try Common.workspace(invocation, console))
                    let json = try invocation[Common.json]
                    let record = try DrillSupervisor.end(
                        drill.state, room: drill.room, by: try invocation[actor], now: env.now, clock: env.clock,
                        sleep: env.sleep,
                        seal: try invocation[DrillOptions.gameMasterToken].map { try DrillSeal(token: $0) }
                    ) {
                        if !json { console.out("Ending drill \(drill.state.id); scoring it…") }
                    }
                    return try Common.emit(record, invocation, console)
                },
                CommandSpec(
                    name: "code", abstract: "Print the running (or latest) drill's code, to reproduce it elsewhere.",
                    discussion: """
                        Run 'LabRunner drill start --code CODE' with the same kit to get the same drill. A code reproduces
                        its fault, so while a drill runs it is sealed: only the game master's token (--gm TOKEN, printed
                        once by 'drill start --gm') opens it.
                        """,
                    options: [DrillOptions.gameMasterToken, Common.workspace]
                ) { invocation, console in
                    console.out(
                        try DrillSession.code(
                            from: try Common.workspace(invocation, console),
                            token: try invocation[DrillOptions.gameMasterToken]))
                    return 0
                },
                CommandSpec(
                    name: "traffic", abstract: "Live customer traffic for a drill (drill start runs it).",
                    options: [DrillOptions.target, DrillOptions.childRate, DrillOptions.childSeed, Common.workspace]
                ) { invocation, console in
                    try DrillChild.traffic(
                        url: try invocation[DrillOptions.target], rate: try invocation[DrillOptions.childRate],
                        seed: try invocation[DrillOptions.childSeed],
                        in: try Common.context(invocation, console, env), environment: console.environment,
                        say: { console.out($0) })
                    return 0
                },
                CommandSpec(
                    name: "monitor", abstract: "The drill's label-free monitor (drill start runs it).",
                    options: [DrillOptions.window, Common.workspace]
                ) { invocation, console in
                    // The window is read once the drill is known to be there: no drill is the first thing to say.
                    let workspace = try Common.workspace(invocation, console)
                    guard DrillState.load(in: workspace) != nil else { throw DrillsError.noDrill }
                    try DrillChild.monitor(
                        window: try invocation[DrillOptions.window], in: workspace, now: env.now,
                        environment: console.environment,
                        sleep: env.sleep, say: { console.out($0) })
                    return 0
                },
            ] + DrillReadCommands.all(now: env.now, room: room, actor: actor, io: Common.io, json: Common.json))
    }

    static let portOption = Option<UInt16>(
        "port", "port", help: "The service's port (0 picks a free one).", default: "0", parse: Common.port)

    /// The team's workspace, from itself or from inside one of its drills.
    @Sendable static func room(_ invocation: Invocation, _ console: Console) throws -> Workspace {
        DrillSession.locate(from: try Common.workspace(invocation, console)).room
    }
}
