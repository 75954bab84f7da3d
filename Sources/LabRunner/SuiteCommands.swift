// The `suite` command: pin an eval suite in the registry (the copy every gate runs) and show the pin
// against the workspace file. Rendering of the per-category diff lives here.
import Foundation
import Playbook
import Terminal

enum SuiteCommands {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "suite", abstract: "Pin eval suites in the registry; gates run the pinned copy.",
            discussion: """
                Gates, rollback confirmation and investigate run the standard suite as pinned in the registry,
                never the workspace file: editing evals/ changes nothing until it is pinned. The first gate pins
                the file automatically (reason "first use"). A pin that removes or edits cases of a safety
                category (escalate:*, refuse:*, or a floored one) needs a second person's --approver.
                """,
            subcommands: [pinSpec(env), showSpec(env)])
    }

    static func pinSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "pin", abstract: "Pin evals/NAME.jsonl as the suite gates run, showing the change by category.",
            arguments: [.optional("name", help: "The suite (default: the standard suite, core).")],
            options: [
                .value("reason", "text", help: "Why the suite changes (required).", required: true),
                .value("approver", "name", help: "Second person approving removed or edited safety cases."),
                .value("by", "name", help: "Who pins (default: $USER)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try PlaybookCommands.context(invocation, console, env)
            let result = try SuitePins.pin(
                name: invocation.argument("name"), reason: invocation.value("reason") ?? "",
                by: invocation.value("by") ?? Common.currentUser(console), approver: invocation.value("approver"),
                in: context)
            if invocation.flag("json") {
                try Common.printJSON(result, console)
                return 0
            }
            if result.unchanged {
                console.out(
                    "Suite '\(result.pin.name)' is already pinned at \(result.pin.sha256.prefix(12)) (event #\(result.pin.event)); nothing was written."
                )
                return 0
            }
            printChanges(result.changes, console)
            console.out(
                "Pinned suite '\(result.pin.name)' \(console.styled(String(result.pin.sha256.prefix(12)), .yellow)): \(result.pin.cases) cases (event #\(result.pin.event))"
            )
            return 0
        }
    }

    static func showSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "show", abstract: "Show the pinned suite and what pinning the workspace file would change.",
            arguments: [.optional("name", help: "The suite (default: the standard suite, core).")],
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let context = try PlaybookCommands.context(invocation, console, env)
            let preview = try SuitePins.preview(name: invocation.argument("name"), in: context)
            if invocation.flag("json") {
                try Common.printJSON(preview, console)
                return 0
            }
            if let pinned = preview.previous {
                console.out(
                    "Pinned: '\(pinned.name)' \(pinned.sha256.prefix(12)), \(pinned.cases) cases, by \(pinned.by) (\(pinned.reason)), event #\(pinned.event)"
                )
            } else {
                console.out("Not pinned yet: the first gate pins the workspace file.")
            }
            if preview.unchanged {
                console.out("The workspace file is the pinned suite.")
            } else {
                console.out("The workspace file differs; 'LabRunner suite pin --reason TEXT' would change:")
                printChanges(preview.changes, console)
            }
            return 0
        }
    }

    static func printChanges(_ changes: [CategoryChange], _ console: Console) {
        let rows = changes.filter { $0.added + $0.removed + $0.changed > 0 }.map { change in
            [
                change.category + (change.safety ? " (safety)" : ""), String(change.before), String(change.after),
                "+\(change.added)", "-\(change.removed)", String(change.changed),
            ]
        }
        guard !rows.isEmpty else { return }
        console.writeOut(
            Table(
                headers: ["CATEGORY", "BEFORE", "AFTER", "ADDED", "REMOVED", "EDITED"], rows: rows,
                alignRight: [1, 2, 3, 4, 5]
            ).render())
    }
}
