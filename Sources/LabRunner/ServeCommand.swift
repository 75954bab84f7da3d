// `LabRunner serve`: the deploy step, an HTTP service that always answers with production.
import Drills
import Foundation
import Playbook
import Serving
import Terminal

enum ServeCommand {
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

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "serve", abstract: "Serve production over HTTP; tag moves take effect on the next request.",
            discussion: """
                Endpoints: POST /v1/ask {"text": "...", "seed": 1} (answer JSON with X-Model-Version and
                X-Request-Id headers; send X-Request-Id to choose a new id — one already logged gets 409 —,
                X-Case-Id to label a traffic case), POST /v1/feedback {"request_id": "...", "satisfied": true}
                (a late label, once per request), GET /v1/version, GET /healthz, GET /metrics (Prometheus text,
                label-free signals per version included); in a drill's workspace also GET /drill (the room's
                dashboard, reloading itself every 2 s) and GET /drill.json. Every answer is recorded in the attribution log, so
                'LabRunner audit ID --replay' works for HTTP requests; input text older than the workspace's
                input_retention_days is dropped at start and hourly (its SHA-256 stays). Stop with Ctrl-C.
                """,
            options: [hostOption, portOption, maxConnections, maxBody, maxTextOption, Common.workspace]
        ) { invocation, console in
            let context = try Common.context(invocation, console, env)
            let host = try invocation[hostOption]
            let port = try invocation[portOption]
            var limits = HTTPLimits()
            limits.maxConnections = try invocation[maxConnections]
            limits.maxBodyBytes = try invocation[maxBody]
            let maxText = try invocation[maxTextOption]
            guard limits.maxConnections >= 1, limits.maxBodyBytes >= 1, maxText >= 1 else {
                throw UsageError("--max-connections, --max-body and --max-text must be at least 1.")
            }
            // The dashboard's live window, kept between page loads so each reads only the newest requests.
            let feed = DrillSignalFeed()
            try Serve.run(
                context: context, host: host, port: port, limits: limits, maxTextCharacters: maxText,
                routes: { DrillDashboard.route($0, context: context, feed: feed) },
                // Started by a drill: stop, as on SIGTERM, once the drill process is gone.
                stopAlso: { DrillSupervisor.watchParent(environment: console.environment, onOrphaned: $0) },
                say: { console.out($0) }, warn: { console.err($0) })
            return 0
        }
    }
}
