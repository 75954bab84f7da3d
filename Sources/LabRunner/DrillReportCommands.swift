// `LabRunner drill history` and `drill report`: the room's finished drills, their cadence and trend, and one
// drill's debrief. Thin: the Drills module builds DrillHistory and DrillDebrief; this file parses and prints.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Terminal

enum DrillReportCommands {
    static func historySpec(_ env: AppEnvironment) -> CommandSpec {
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
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let room = try room(invocation, console)
            let settings = try PlaybookSettings.load(room)
            let history = try DrillHistory.load(DrillRoom(room), now: env.now(), cadenceDays: settings.drillCadenceDays)
            if invocation.flag("json") {
                try Common.printJSON(history, console)
                return 0
            }
            guard !history.rows.isEmpty else {
                console.out("No drills recorded in this workspace yet.")
                console.out(history.cadence.sentence)
                return 0
            }
            console.writeOut(render(history))
            return 0
        }
    }

    /// The team's workspace, from itself or from inside one of its drills.
    static func room(_ invocation: Invocation, _ console: Console) throws -> Workspace {
        try DrillCommands.locate(invocation, console).room
    }

    static func render(_ history: DrillHistory) -> String {
        func seconds(_ value: Double?) -> String { value.map { String(Int($0.rounded())) } ?? "-" }
        let rows = history.rows.map { row -> [String] in
            [
                row.date, row.id, row.code, row.fault ?? "-", row.outcome, String(row.score),
                row.laps.map { seconds($0.seconds) }.joined(separator: "/"), seconds(row.timeToMitigateSeconds),
                row.roles.map { person in
                    person.name + "="
                        + (person.roles.isEmpty ? "-" : person.roles.map(\.rawValue).joined(separator: "+"))
                }.joined(separator: " "),
            ]
        }
        var lines = [
            Table(
                headers: ["DATE", "DRILL", "CODE", "FAULT", "CALL", "SCORE", "LAPS (S)", "TO MITIGATE (S)", "ROLES"],
                rows: rows, alignRight: [5, 7]
            ).render(),
            "Laps: detected/acknowledged/diagnosed/mitigated/recovered/resolved, each from the phase before.",
            "",
            history.cadence.sentence,
        ]
        if let trend = history.trend { lines.append(trend.sentence) }
        if !history.roleGaps.isEmpty {
            lines.append("Not held lately (rotate):")
            lines += history.roleGaps.map { "  " + $0.sentence }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func reportSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "report", abstract: "A finished drill's debrief, as an SRE postmortem (Markdown or one HTML page).",
            discussion: """
                Summary (what shipped, what it cost in requests and label-free signals, the call, the score),
                roles, the timeline of the drill's events from the fault shipping (the fault revealed), a chart of
                the phases against their targets, the team against the kit's scripted response, what went well and
                wrong, and the action items with owners. The HTML page is one static file: no scripts, fonts or
                links. Default: the latest finished drill, as Markdown on standard output.
                """,
            arguments: [.optional("id", help: "The drill, such as D-0001 (default: the latest finished one).")],
            options: [
                .value("format", "md|html", help: "The debrief's format.", default: "md"),
                .value("out", "file", help: "Write the debrief to this file instead of standard output."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let format = invocation.value("format") ?? "md"
            guard format == "md" || format == "html" else {
                throw UsageError("--format must be md or html, not '\(format)'.")
            }
            let room = try room(invocation, console)
            let drills = DrillRoom(room)
            let record: DrillRecord
            if let id = invocation.argument("id") {
                if let active = drills.active(), active.id == id {
                    throw DrillsError.debriefWhileRunning(id: id)
                }
                record = try drills.record(id)
            } else {
                guard let latest = try drills.records().last else {
                    if let active = drills.active() { throw DrillsError.debriefWhileRunning(id: active.id) }
                    throw DrillsError.noDrillsYet
                }
                record = latest
            }
            let debrief = try DrillDebrief.load(record, room: room)
            if invocation.flag("json") {
                try Common.printJSON(debrief, console)
                return 0
            }
            let text = format == "html" ? debrief.html : debrief.markdown
            guard let given = invocation.value("out") else {
                console.writeOut(text)
                return 0
            }
            let path = Workspace.absolute(given, from: console.currentDirectory)
            try Common.write(Data(text.utf8), to: path)
            console.out(path)
            return 0
        }
    }
}
