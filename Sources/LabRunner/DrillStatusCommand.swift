// `LabRunner drill status`: the running drill's live view in the terminal — production, the incident clock, the
// laps, live signals and roles. On a terminal it redraws in place every second until Ctrl-C; piped, or with
// --once, it prints once; --json prints the DrillLiveView.
import Drills
import Registry
import Terminal

enum DrillStatusCommand {
    static let once = Flag("once", help: "Print once instead of redrawing every second.")

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "status", abstract: "Watch the running drill: production, incident clock, laps, live signals, roles.",
            discussion: """
                Works from the team's workspace and from the drill's own. On a terminal it redraws every second
                until Ctrl-C; with --once, or when the output is not a terminal, it prints once. The same view is
                on the service at /drill (a page for the room's big screen) and /drill.json.
                """,
            options: [once, Common.workspace, Common.json]
        ) { invocation, console in
            let drill = try DrillCommands.running(invocation, console)
            let context = try drill.context(now: env.now)
            if try invocation[Common.json] {
                try Common.printJSON(try DrillLiveView.compute(state: drill.state, in: context), console)
                return 0
            }
            guard console.stdoutIsTerminal, !(try invocation[once]) else {
                console.out(try DrillLiveView.compute(state: drill.state, in: context).text(TextOutput(for: console)))
                return 0
            }
            // Redraw in place until Ctrl-C (which ends the process) or the drill ends.
            let feed = DrillSignalFeed()
            var first = true
            while true {
                let view = try DrillLiveView.compute(state: drill.state, in: context, feed: feed)
                console.redraw(view.text(TextOutput(for: console)), first: first)
                first = false
                if view.endedAt != nil || DrillRoom(Workspace(root: drill.state.room)).active()?.id != drill.state.id {
                    console.out(
                        "Drill \(drill.state.id) has ended; its debrief is 'LabRunner drill report \(drill.state.id)'.")
                    return 0
                }
                env.sleep(.seconds(1))
            }
        }
    }
}
