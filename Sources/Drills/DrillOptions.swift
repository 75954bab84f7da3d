// The typed options of `drill start` and of the two children it runs, declared once beside the module that reads
// them, so the command file stays a thin table.
import Foundation
import Registry
public import Playbook
public import Terminal

public enum DrillOptions {
    // MARK: start

    public static let fault = Option<String>("fault", "kind", help: "The fault to ship.", default: "random")
    public static let seed = Option<UInt64?>(
        "seed", "n", help: "Seed for the fault, its moment and the history (default: random)."
    ) { text in
        guard let seed = UInt64(text) else { throw UsageError("--seed must be a whole number, such as 7.") }
        return seed
    }
    public static let shipWindow = Option<Double>(
        "window", "duration", help: "The fault ships at a random moment within this.", default: "5m",
        parse: TimeParsing.duration)
    public static let code = Option<String?>(
        "code", "code", help: "Reproduce the drill a 'drill code' printed (instead of the above).")
    public static let faults = Option<String?>(
        "faults", "file", help: "A team's own fault catalogue (see Docs/drills.md); random picks one of its faults.")
    public static let gameMasterFlag = Flag(
        "gm", help: "Game master: print the token (once), what is injected and the right response.")
    public static let rate = Option<Double>(
        "rate", "r", help: "Live traffic in requests per second.", default: 20,
        check: { $0 > 0 && $0 <= 500 ? nil : "--rate must be from 1 to 500 requests per second." })
    public static let monitorWindow = Option<Double>(
        "monitor-window", "s", help: "Seconds of live traffic each label-free comparison looks at.", default: 20,
        check: { (5...600).contains($0) ? nil : "--monitor-window must be from 5 to 600 seconds." })

    /// The plan `drill start` asked for: the drill a code names, or a fault and seed; from a team's catalogue when
    /// --faults names one, read and checked whole before anything is laid.
    public static func plan(_ invocation: Invocation, _ console: Console) throws -> DrillPlan {
        let catalogue = try invocation[faults].map {
            try TeamCatalogue(path: Workspace.absolute($0, from: console.currentDirectory), shown: $0)
        }
        if let code = try invocation[code] { return try DrillPlan(code: code, catalogue: catalogue) }
        return try DrillPlan(
            fault: try invocation[fault], seed: try invocation[seed] ?? UInt64.random(in: 1...UInt64.max),
            window: try invocation[shipWindow], catalogue: catalogue)
    }

    // MARK: join, status, end, code, handoff, note, inject

    public static let role = Argument<String>("role", help: "commander, scribe or operator.")
    public static let gameMasterToken = Option<String?>(
        "gm", "token", help: "The game master's token 'drill start --gm' printed: opens the sealed plan.")
    public static let once = Flag("once", help: "Print once instead of redrawing every second.")
    public static let inject = Argument<String>("kind", help: "complaint, alarm or missing-oncall.")
    public static let injectDetail = Argument<String?>(
        optional: "text", help: "What the participants read (default: the inject's standard words).")

    public static let person = Argument<String>("name", help: "Who takes over as incident commander.")
    public static let note = Argument<String>("text", help: "One line for the debrief's narrative (quote it).")

    // MARK: the children drill start runs

    public static let target = Option<String>(
        "target", "url", help: "The drill's service.", default: "http://127.0.0.1:8088")
    public static let childRate = Option<Double>("rate", "r", help: "Requests per second.", default: 20)
    public static let childSeed = Option<UInt64>("seed", "n", help: "Seed for choosing cases.", default: "1") { text in
        guard let seed = UInt64(text) else { throw UsageError("--seed must be a whole number, such as 1.") }
        return seed
    }
    public static let window = Option<Double>(
        "window", "s", help: "Seconds of traffic each comparison looks at.", default: DrillWatch.defaultWindow)
}
