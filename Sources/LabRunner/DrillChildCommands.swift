// The two processes `drill start` runs beside its service: live customer traffic and the drill's monitor. Each
// returns when the drill process is gone, so the runner returns a status rather than exiting under it.
import Drills
import Playbook
import Registry
import Serving
import Terminal

enum DrillChildCommands {
    static let target = Option<String>("target", "url", help: "The drill's service.", default: "http://127.0.0.1:8088")
    static let rate = Option<Double>("rate", "r", help: "Requests per second.", default: 20)
    static let seedOption = Option<UInt64>("seed", "n", help: "Seed for choosing cases.", default: "1") { text in
        guard let seed = UInt64(text) else { throw UsageError("--seed must be a whole number, such as 1.") }
        return seed
    }

    static func trafficSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "traffic", abstract: "Live customer traffic for a drill (drill start runs it).",
            options: [target, rate, seedOption, Common.workspace]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let seed = try invocation[seedOption]
            let (url, perSecond) = (try invocation[target], try invocation[rate])
            let campaign = CampaignWatch(context: context)
            try DrillChild.untilOrphaned(environment: console.environment) {
                _ = try LiveTraffic.run(
                    url: url, rate: perSecond, duration: nil, count: nil, seed: seed, campaign: { campaign.intents() },
                    in: context
                ) { console.out($0) }
            }
            return 0
        }
    }

    static let window = Option<Double>(
        "window", "s", help: "Seconds of traffic each comparison looks at.", default: DrillWatch.defaultWindow)

    static func monitorSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "monitor", abstract: "The drill's label-free monitor (drill start runs it).",
            options: [window, Common.workspace]
        ) { invocation, console in
            let workspace = try Common.workspace(invocation, console)
            guard let state = DrillState.load(in: workspace) else { throw DrillsError.noDrill }
            let context = try PlayContext(workspace: workspace, now: env.now)
            let orphaned = DrillChild.Orphaned(environment: console.environment)
            var watch = DrillWatch(
                drill: state.id, registryRoot: context.registry.root, since: state.startedAt,
                window: try invocation[window])
            try watch.run(in: context, until: orphaned, sleep: env.sleep) { outcome in
                switch outcome {
                case .alarm(let incident): console.out("ALARM: incident \(incident) opened by the monitor.")
                case .recovered(let version):
                    console.out("Recovered: live signals back within bounds on \(version.prefix(12)).")
                case .quiet: break
                }
            }
            return 0
        }
    }
}
