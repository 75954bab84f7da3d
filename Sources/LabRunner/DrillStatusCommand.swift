// `LabRunner drill status`: the running drill's live view in the terminal — production, the incident clock, the
// laps, live signals and roles. On a terminal it redraws in place every second until Ctrl-C; piped, or with
// --once, it prints once; --json prints the DrillLiveView.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Terminal

enum DrillStatusCommand {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "status", abstract: "Watch the running drill: production, incident clock, laps, live signals, roles.",
            discussion: """
                Works from the team's workspace and from the drill's own. On a terminal it redraws every second
                until Ctrl-C; with --once, or when the output is not a terminal, it prints once. The same view is
                on the service at /drill (a page for the room's big screen) and /drill.json.
                """,
            options: [
                .flag("once", help: "Print once instead of redrawing every second."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let (state, context) = try DrillCommands.running(invocation, console, env)
            if invocation.flag("json") {
                try Common.printJSON(try DrillLiveView.compute(state: state, in: context), console)
                return 0
            }
            guard console.stdoutIsTerminal, !invocation.flag("once") else {
                console.out(render(try DrillLiveView.compute(state: state, in: context), console: console))
                return 0
            }
            // Redraw in place until Ctrl-C (which ends the process) or the drill ends.
            let feed = DrillSignalFeed()
            var first = true
            while true {
                let view = try DrillLiveView.compute(state: state, in: context, feed: feed)
                // Home, each line over the last frame's (cleared to its end), then clear below: no flicker.
                let frame = render(view, console: console).split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0 + "\u{1B}[K" }.joined(separator: "\n")
                console.writeOut((first ? "\u{1B}[2J" : "") + "\u{1B}[H" + frame + "\n\u{1B}[J")
                first = false
                if view.endedAt != nil || DrillRoom(Workspace(root: state.room)).active()?.id != state.id {
                    console.out("Drill \(state.id) has ended; its debrief is 'LabRunner drill report \(state.id)'.")
                    return 0
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// The view as lines for a terminal.
    static func render(_ view: DrillLiveView, console: Console) -> String {
        var lines: [String] = []
        lines.append(
            console.styled("Drill \(view.drill)", .bold) + "   running \(TimeParsing.describe(view.elapsedSeconds))"
                + "   \(Timestamp.string(from: view.at))")
        if let production = view.production {
            let seq = production.seq.map { "#\($0) " } ?? ""
            var line = "Production  \(seq)\(production.shortID)"
            if let since = production.since { line += "  since \(Timestamp.string(from: since))" }
            if let by = production.movedBy { line += " by \(by)" }
            lines.append(line)
            if let reason = production.reason, !reason.isEmpty { lines.append("            \"\(reason)\"") }
        } else {
            lines.append("Production  none")
        }
        if let incident = view.incident {
            let clock = TimeParsing.describe(incident.clockSeconds)
            let status =
                incident.status == "closed"
                ? console.styled(incident.status, .green)
                : console.styled(incident.status, .red)
            lines.append(
                "Incident    \(incident.id) \(status), clock \(clock) (detected \(Timestamp.string(from: incident.detectedAt)))"
            )
        } else {
            lines.append("Incident    no alarm yet; the monitor is watching live traffic")
        }
        lines.append("")
        let lapRows = view.laps.map { lap -> [String] in
            let mark = lap.at == nil ? "pending" : lap.met == true ? "met" : "over"
            return [
                lap.phase.rawValue, lap.seconds.map { TimeParsing.describe($0) } ?? "—",
                TimeParsing.describe(lap.targetSeconds), mark,
                [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
            ]
        }
        lines.append(
            Table(headers: ["Lap", "Took", "Target", "", "By"], rows: lapRows, alignRight: [1, 2]).render()
                .trimmingCharacters(in: .newlines))
        lines.append("")
        if view.signals.isEmpty {
            lines.append("Live signals (last \(Int(view.signalWindowSeconds))s): no traffic answered")
        } else {
            let rows = view.signals.map { v -> [String] in
                [
                    v.label + (v.production ? " (production)" : ""), String(v.requests), percent(v.escalationRate),
                    percent(v.clarifyRate), percent(v.refusalRate), percent(v.citationRate),
                    String(format: "%.2f", v.meanConfidence),
                ]
            }
            lines.append("Live signals, last \(Int(view.signalWindowSeconds))s:")
            lines.append(
                Table(
                    headers: ["Version", "Requests", "Escalated", "Clarified", "Refused", "Cited", "Confidence"],
                    rows: rows, alignRight: [1, 2, 3, 4, 5, 6]
                ).render().trimmingCharacters(in: .newlines))
        }
        lines.append("")
        let roles = DrillRole.allCases.map { role in
            let names = view.holders(of: role)
            return "\(role.title): " + (names.isEmpty ? "nobody yet" : names.joined(separator: ", "))
        }
        lines.append("Roles       " + roles.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
}
