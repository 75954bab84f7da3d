// Command-line pieces of serving kept beside what they run: the service's limits as options give them, and
// live traffic printed as it goes. The command table calls one function each.
public import Foundation
import Hashing
public import Playbook
public import Terminal

extension HTTPLimits {
    /// Limits from `serve`'s options, each at least 1, and the longest question text accepted.
    public static func checked(connections: Int, body: Int, text: Int) throws -> (HTTPLimits, Int) {
        guard connections >= 1, body >= 1, text >= 1 else {
            throw UsageError("--max-connections, --max-body and --max-text must be at least 1.")
        }
        var limits = HTTPLimits()
        limits.maxConnections = connections
        limits.maxBodyBytes = body
        return (limits, text)
    }
}

extension LiveTraffic {
    /// `traffic --target URL`: sends, shows progress on a terminal, prints the report (JSON with `json`); the
    /// status is 1 when requests failed, except with `json`, where a script judges the failures itself.
    public static func runPrinting(
        url: String, rate: Double?, duration: Double?, count: Int?, seed: UInt64, json: Bool,
        in context: PlayContext, console: Console
    ) throws -> Int32 {
        if duration == nil, count == nil {
            throw UsageError("Over HTTP give --requests N or --duration S, so the traffic stops by itself.")
        }
        let report = try run(
            url: url, rate: rate ?? 50, duration: duration, count: count, seed: seed, in: context
        ) { if console.stdoutIsTerminal { console.rewriteLine($0) } }
        if console.stdoutIsTerminal { console.rewriteLine("") }
        if json {
            console.writeOut(try CanonicalJSON.prettyString(report))
        } else {
            console.show { report.render(&$0, target: url) }
        }
        return json || report.failed == 0 ? 0 : 1
    }
}
