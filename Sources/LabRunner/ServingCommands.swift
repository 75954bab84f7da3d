// Serving as commands: `serve` (the deploy step, an HTTP service that always answers with production),
// simulated customers (in-process or over HTTP), the request log, and the monitor.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Terminal

enum ServingCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "serve", abstract: "Serve production over HTTP; tag moves take effect on the next request.",
                discussion: Serve.discussion,
                options: [hostOption, portOption, maxConnections, maxBody, maxTextOption, Common.workspace]
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let host = try invocation[hostOption]
                let port = try invocation[portOption]
                let (limits, maxText) = try HTTPLimits.checked(
                    connections: try invocation[maxConnections], body: try invocation[maxBody],
                    text: try invocation[maxTextOption])
                try Serve.run(
                    context: context, host: host, port: port, limits: limits, maxTextCharacters: maxText,
                    routes: DrillDashboard.routes(context: context),
                    // Started by a drill: stop, as on SIGTERM, once the drill process is gone.
                    stopAlso: { DrillSupervisor.watchParent(environment: console.environment, onOrphaned: $0) },
                    say: { console.out($0) }, warn: { console.err($0) })
                return 0
            },
            CommandSpec(
                name: "traffic",
                abstract: "Send simulated customer traffic through production, in-process or over HTTP.",
                discussion: LiveTraffic.discussion,
                options: [requestCount, rate, trafficSeed, trafficTarget, trafficDuration] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let seed = try invocation[trafficSeed]
                if let target = try invocation[trafficTarget] {
                    return try LiveTraffic.runPrinting(
                        url: target, rate: try invocation[rate], duration: try invocation[trafficDuration],
                        count: try invocation[requestCount], seed: seed, json: try invocation[Common.json],
                        in: context, console: console)
                }
                let requests = try invocation[requestCount] ?? 200
                let report = try console.withProgress("traffic") { update in
                    try Traffic.run(
                        requests: requests, rate: try invocation[rate] ?? 0, seed: seed, in: context,
                        progress: { update($0, requests) })
                }
                return try Common.emit(report, invocation, console)
            },
            CommandSpec(
                name: "requests", abstract: "List recent requests from the attribution log.",
                options: [requestLimit, requestVersion, applyRetention] + Common.io,
                subcommands: [
                    CommandSpec(
                        name: "import", abstract: "Import a service's own request log (JSON lines) for audits.",
                        discussion: RequestImport.discussion, arguments: [importFile], options: Common.io
                    ) { invocation, console in
                        let (context, file) = (try Common.context(invocation, console, env), try invocation[importFile])
                        let report = try RequestImport.run(file: Common.path(file, console), in: context)
                        return try Common.emit(report, invocation, console)
                    }
                ]
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let limit = try invocation[requestLimit]
                if try invocation[applyRetention] {
                    let dropped = try RequestListing.applyRetention(in: context)
                    console.err(
                        "Dropped the input text of \(dropped) requests older than \(context.settings.inputRetentionDays) days."
                    )
                }
                let records = try RequestListing.recent(
                    limit: limit, version: try invocation[requestVersion], in: context)
                return try Common.emit(records, invocation, console) { $0.write(RequestRecord.table(records)) }
            },
            CommandSpec(
                name: "monitor",
                abstract:
                    "Watch a running service and raise the alarm when its answers shift or users stop being satisfied.",
                discussion: Monitor.discussion,
                options: [watched, window, threshold, watchDuration, exitOnAlarm, watcher, Common.workspace]
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                return try Monitor.watch(
                    url: try invocation[watched], window: try invocation[window], threshold: try invocation[threshold],
                    duration: try invocation[watchDuration], exitOnAlarm: try invocation[exitOnAlarm],
                    by: try invocation[watcher], in: context, console: console)
            },
        ]
    }

    static let hostOption = Option<String>(
        "host", "address", help: "Address to listen on (loopback unless you mean it).", default: "127.0.0.1")
    static let portOption = Option<UInt16>(
        "port", "port", help: "Port to listen on (0 picks a free one).", default: "8088", parse: Common.port)
    static let maxConnections = Option<Int>(
        "max-connections", "n", help: "Connections served at once; more get 503 with Retry-After.", default: 256)
    static let maxBody = Option<Int>(
        "max-body", "bytes", help: "Largest request body accepted (413 beyond).", default: 65_536)
    static let maxTextOption = Option<Int>(
        "max-text", "chars", help: "Longest question text accepted (413 beyond).", default: 16_384)

    static let requestCount = Option<Int?>(
        "requests", "n", help: "How many requests (default: 200 in-process; unlimited with --duration).")
    static let rate = Option<Double?>(
        "rate", "r", help: "Requests per second (0: as fast as possible; over HTTP default 50).")
    static let trafficSeed = Option<UInt64>("seed", "n", help: "Seed for choosing cases and sampling.", default: 1)
    static let trafficTarget = Option<String?>(
        "target", "url", help: "Send over HTTP to a running service, e.g. http://127.0.0.1:8088.")
    static let trafficDuration = Option<Double?>("duration", "s", help: "Over HTTP: stop after this many seconds.")

    static let requestLimit = Option<Int>(
        "limit", "n", help: "How many of the most recent requests.", default: 20,
        check: { $0 > 0 ? nil : "--limit must be a positive number, not \($0)." })
    static let importFile = Argument<String>("file", help: "The log: one JSON object a line (Docs/own-system.md).")
    static let requestVersion = Option<String?>("version", "ref", help: "Only requests answered by this version.")
    static let applyRetention = Flag(
        "apply-retention", help: "First drop the input text of requests older than input_retention_days (SHA-256 kept)."
    )

    static let watched = Option<String>(
        "target", "url", help: "The service to watch.", default: "http://127.0.0.1:8088")
    static let window = Option<Double>("window", "s", help: "Rolling window in seconds.", default: 10)
    static let threshold = Option<Double>(
        "threshold", "share", help: "Alarm below this satisfied share.", default: 0.85)
    static let watchDuration = Option<Double?>(
        "duration", "s", help: "Stop after this many seconds (default: until Ctrl-C).")
    static let watcher = Common.by("Who is on watch (default: $USER).")
    static let exitOnAlarm = Flag("exit-on-alarm", help: "Stop as soon as the alarm fires (exit status 1).")
}
