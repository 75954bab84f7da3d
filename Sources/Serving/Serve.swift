// `serve` as one call: the model service behind the HTTP server, input retention at start and hourly off the
// request path, and a clean stop on Ctrl-C or SIGTERM (or when the caller says so), flushing the log.
import Dispatch
import Foundation
public import Playbook

#if canImport(Glibc)
    import Glibc
#endif

public enum Serve {
    /// Serves production on `host:port` until SIGINT or SIGTERM, or until the stop `stopAlso` is handed is
    /// called. `routes` answers any request it knows before the model service does; `say` and `warn` are the
    /// standard output and error lines.
    public static func run(
        context: PlayContext, host: String, port: UInt16, limits: HTTPLimits, maxTextCharacters: Int,
        routes: @escaping @Sendable (HTTPRequest) -> HTTPResponse?,
        stopAlso: (_ stop: @escaping @Sendable () -> Void) -> Void,
        say: @escaping @Sendable (String) -> Void, warn: @escaping @Sendable (String) -> Void
    ) throws {
        if host != "127.0.0.1", host != "localhost" {
            warn("warning: serving on \(host), reachable beyond this machine.")
        }
        let service = try ModelService(context: context, maxTextCharacters: maxTextCharacters)
        let server = try HTTPServer(host: host == "localhost" ? "127.0.0.1" : host, port: port, limits: limits) {
            routes($0) ?? service.handle($0)
        }
        server.start()
        let retention = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        retention.schedule(deadline: .now(), repeating: .seconds(3600))
        retention.setEventHandler { @Sendable in
            do {
                let dropped = try service.applyRetention()
                if dropped > 0 { warn("Retention: dropped the input text of \(dropped) old requests.") }
            } catch {
                warn("warning: input retention failed: \(error)")
            }
        }
        retention.resume()
        say("Serving production on http://\(host):\(server.port) (Ctrl-C to stop)")
        let stopped = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { @Sendable in stopped.signal() }
            source.resume()
            return source
        }
        stopAlso { stopped.signal() }
        stopped.wait()
        retention.cancel()
        server.stop(grace: .seconds(5))
        service.flush()
        sources.forEach { $0.cancel() }
        say("Stopped; every answer is in the attribution log.")
    }
}
