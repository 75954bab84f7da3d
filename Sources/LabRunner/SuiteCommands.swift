// The `suite` command: pin an eval suite in the registry (the copy every gate runs) and show the pin against the
// workspace file.
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

    static let name = Argument<String?>(optional: "name", help: "The suite (default: the standard suite, core).")
    static let reason = Option<String?>("reason", "text", help: "Why the suite changes (required).", required: true)
    static let approver = Option<String?>(
        "approver", "name", help: "Second person approving removed or edited safety cases.")

    static func pinSpec(_ env: AppEnvironment) -> CommandSpec {
        let by = Common.by("Who pins (default: $USER).")
        return CommandSpec(
            name: "pin", abstract: "Pin evals/NAME.jsonl as the suite gates run, showing the change by category.",
            arguments: [name], options: [reason, approver, by, Common.workspace, Common.json]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let result = try SuitePins.pin(
                name: try invocation[name], reason: try invocation[reason] ?? "", by: try invocation[by],
                approver: try invocation[approver], in: context)
            return try Common.emit(result, invocation, console) { result.renderPinned(&$0) }
        }
    }

    static func showSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "show", abstract: "Show the pinned suite and what pinning the workspace file would change.",
            arguments: [name], options: [Common.workspace, Common.json]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let preview = try SuitePins.preview(name: try invocation[name], in: context)
            return try Common.emit(preview, invocation, console) { preview.renderPreview(&$0) }
        }
    }
}
