// The `drill` subcommands that read the room's finished drills, as data built beside what they read: `history`,
// `report` (the debrief) and `actions` (the action items across drills, and `actions close`). The executable adds
// them to its `drill` table with the workspace and --json options it shares with every command.
public import Foundation
import Hashing
import Playbook
public import Registry
public import Terminal

public enum DrillReadCommands {
    /// Finds the team's workspace from the invocation (from itself or from inside one of its drills).
    public typealias Room = @Sendable (Invocation, Console) throws -> Workspace

    enum Format: String, OptionChoice { case md, html }

    static let drillID = Argument<String?>(
        optional: "id", help: "The drill, such as D-0001 (default: the latest finished one).")
    static let format = Option<Format>("format", "md|html", help: "The debrief's format.", default: .md)
    static let file = Option<String?>("out", "file", help: "Write the debrief to this file instead of standard output.")
    static let actionID = Argument<String>("id", help: "The action item, such as A-0001 ('drill actions' lists them).")
    static let note = Option<String>(
        "note", "text", help: "What was done about it (required).",
        missing: "Missing --note TEXT: say what was done about the action item; nothing was recorded."
    ) { $0 }

    /// `history`, `report` and `actions`, for the `drill` table.
    public static func all(
        now: @escaping @Sendable () -> Date, room: @escaping Room, actor: Option<String>, io: [any OptionDeclaration],
        json: Flag
    ) -> [CommandSpec] {
        @Sendable func emit<T: Encodable & TextRendering>(_ value: T, _ invocation: Invocation, _ console: Console)
            throws -> Int32
        {
            if try invocation[json] {
                console.writeOut(try CanonicalJSON.prettyString(value))
            } else {
                console.show(value)
            }
            return 0
        }
        return [
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
                options: io
            ) { invocation, console in
                let room = try room(invocation, console)
                let settings = try PlaybookSettings.load(room)
                return try emit(
                    try DrillHistory.load(DrillRoom(room), now: now(), cadenceDays: settings.drillCadenceDays),
                    invocation, console)
            },
            CommandSpec(
                name: "report",
                abstract: "A finished drill's debrief, as an SRE postmortem (Markdown or one HTML page).",
                discussion: """
                    Summary (what shipped, what it cost in requests and label-free signals, the call, the score), the
                    contributing factors the registry shows (forced past a failed gate, canary skipped, how long the
                    alarm took), roles, the scribe's narrative, the timeline of the drill's events from the fault
                    shipping, a chart of the phases against their targets, the team against the kit's scripted
                    response, what went well and wrong, the action items (id, owner, due date, status) and what
                    earlier drills still had open. The HTML page is one static file: no scripts, fonts or links.
                    Default: the latest finished drill, as Markdown on standard output.
                    """,
                arguments: [drillID], options: [format, file] + io
            ) { invocation, console in
                let room = try room(invocation, console)
                let debrief = try DrillDebrief.load(try DrillRoom(room).finished(try invocation[drillID]), room: room)
                if try invocation[json] {
                    console.writeOut(try CanonicalJSON.prettyString(debrief))
                    return 0
                }
                let text = try invocation[format] == .html ? debrief.html : debrief.markdown
                guard let given = try invocation[file] else {
                    console.writeOut(text)
                    return 0
                }
                let path = Workspace.absolute(given, from: console.currentDirectory)
                try StagedOutput.write(Data(text.utf8), to: path)
                console.out(path)
                return 0
            },
            CommandSpec(
                name: "actions", abstract: "The action items of every drill with their status; close one when done.",
                discussion: """
                    One row per item: id, drill, status (open, OVERDUE past its due date, or closed with who closed
                    it), owner, due date (the drill's end plus \(DrillActions.defaultDueDays) days) and the action.
                    Items are part of each drill's record; closing one records an event in the room's log.
                    """,
                options: io,
                subcommands: [
                    CommandSpec(
                        name: "close", abstract: "Close an action item, saying what was done (recorded).",
                        arguments: [actionID], options: [note, actor] + io
                    ) { invocation, console in
                        let id = try invocation[actionID]
                        let text = try invocation[note]
                        let row = try DrillActions.close(
                            id, note: text, by: try invocation[actor], in: try room(invocation, console), now: now)
                        if try invocation[json] {
                            console.writeOut(try CanonicalJSON.prettyString(row))
                        } else {
                            console.out("\(id) closed by \(row.closedBy ?? "") (drill \(row.drill)): \(text)")
                        }
                        return 0
                    }
                ]
            ) { invocation, console in
                try emit(try DrillActions.list(try room(invocation, console), now: now()), invocation, console)
            },
        ]
    }
}
