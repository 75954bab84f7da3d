// `LabRunner drill history` and `drill report`: the room's finished drills, their cadence and trend, and one
// drill's debrief. Thin: the Drills module builds DrillHistory and DrillDebrief; this file parses and prints.
import Drills
import Foundation
import Playbook
import Registry
import Terminal

enum DrillReportCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "history",
                abstract: "Every finished drill, the cadence, the time-to-mitigate trend and role rotation.",
                discussion: """
                    One row per drill: date, id, code, fault, right or wrong call, score, each lap in seconds
                    (detected, acknowledged, diagnosed, mitigated, recovered, resolved; '-' not reached), time to
                    mitigate, and who held which role. Below: the cadence (overdue after drill_cadence_days in
                    .labrunner/settings.json, default 90), the trend of time to mitigate (first against latest, the
                    median of the last 3 against the earlier ones), and for each person the roles they have not held in
                    their last 3 drills, so the team rotates. Works in the team's workspace or inside a drill's own.
                    """,
                options: Common.io
            ) { invocation, console in
                let room = try room(invocation, console)
                let settings = try PlaybookSettings.load(room)
                try Common.emit(
                    try DrillHistory.load(DrillRoom(room), now: env.now(), cadenceDays: settings.drillCadenceDays),
                    invocation, console)
                return 0
            },
            CommandSpec(
                name: "report",
                abstract: "A finished drill's debrief, as an SRE postmortem (Markdown or one HTML page).",
                discussion: """
                    Summary (what shipped, what it cost in requests and label-free signals, the call, the score),
                    roles, the timeline of the drill's events from the fault shipping (the fault revealed), a chart of
                    the phases against their targets, the team against the kit's scripted response, what went well and
                    wrong, and the action items with owners. The HTML page is one static file: no scripts, fonts or
                    links. Default: the latest finished drill, as Markdown on standard output.
                    """,
                arguments: [drillID], options: [format, file] + Common.io
            ) { invocation, console in
                let html = try invocation[format] == .html
                let room = try room(invocation, console)
                let debrief = try DrillDebrief.load(try DrillRoom(room).finished(try invocation[drillID]), room: room)
                if try invocation[Common.json] {
                    try Common.printJSON(debrief, console)
                    return 0
                }
                let text = html ? debrief.html : debrief.markdown
                guard let given = try invocation[file] else {
                    console.writeOut(text)
                    return 0
                }
                let path = Common.path(given, console)
                try Common.write(Data(text.utf8), to: path)
                console.out(path)
                return 0
            },
        ]
    }

    /// The team's workspace, from itself or from inside one of its drills.
    static func room(_ invocation: Invocation, _ console: Console) throws -> Workspace {
        DrillSession.locate(from: try Common.workspace(invocation, console)).room
    }

    static let drillID = Argument<String?>(
        optional: "id", help: "The drill, such as D-0001 (default: the latest finished one).")
    static let format = Option<PageFormat>("format", "md|html", help: "The debrief's format.", default: .md)
    static let file = Option<String?>("out", "file", help: "Write the debrief to this file instead of standard output.")
}
