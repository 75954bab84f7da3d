// `LabRunner serve`: the deploy step, an HTTP service that always answers with production.
import Dispatch
import Foundation
import Playbook
import Serving
import Terminal

#if canImport(Glibc)
    import Glibc
#endif

enum ServeCommand {
    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "serve", abstract: "Serve production over HTTP; tag moves take effect on the next request.",
            discussion: """
                Endpoints: POST /v1/ask {"text": "...", "seed": 1} (answer JSON with X-Model-Version and
                X-Request-Id headers; send X-Request-Id to choose the id, X-Case-Id to label a traffic case),
                GET /v1/version, GET /healthz, GET /metrics (Prometheus text). Every answer is recorded in the
                attribution log, so 'LabRunner audit ID --replay' works for HTTP requests. Stop with Ctrl-C.
                """,
            options: [
                .value(
                    "host", "address", help: "Address to listen on (loopback unless you mean it).", default: "127.0.0.1"
                ),
                .value("port", "port", help: "Port to listen on (0 picks a free one).", default: "8088"),
                Common.workspace,
            ]
        ) { invocation, console in
            let context = try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
            let host = invocation.value("host") ?? "127.0.0.1"
            guard let port = UInt16(invocation.value("port") ?? "8088") else {
                throw UsageError("--port must be a number from 0 to 65535.")
            }
            if host != "127.0.0.1", host != "localhost" {
                console.err("warning: serving on \(host), reachable beyond this machine.")
            }
            let service = try ModelService(context: context)
            let server = try HTTPServer(host: host == "localhost" ? "127.0.0.1" : host, port: port) {
                service.handle($0)
            }
            server.start()
            console.out("Serving production on http://\(host):\(server.port) (Ctrl-C to stop)")
            let stopped = DispatchSemaphore(value: 0)
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { @Sendable in stopped.signal() }
                source.resume()
                return source
            }
            stopped.wait()
            server.stop(grace: .seconds(5))
            service.flush()
            sources.forEach { $0.cancel() }
            console.out("Stopped; every answer is in the attribution log.")
            return 0
        }
    }
}
