// The monitor: watches a running service's metrics, computes the satisfied share over a rolling window,
// and raises the alarm — opening an incident whose detection time starts the rollback clock.
import Foundation
public import Playbook

public struct MonitorReading: Sendable {
    public var requestsPerSecond: Double
    public var satisfiedShare: Double?
    public var labelled: Int
    public var version: String
    public var alarm: Bool
}

public struct MonitorOutcome: Sendable {
    public var incident: Incident?
    public var readings: Int
}

public enum Monitor {
    /// Fewest labelled requests in the window before a share is judged.
    public static let minimumLabelled = 20

    public static func run(
        url: String, window: Double, threshold: Double, duration: Double?, exitOnAlarm: Bool, by actor: String,
        in context: PlayContext, report: (MonitorReading, Incident?) -> Void
    ) throws -> MonitorOutcome {
        guard window > 0 else { throw PlaybookError.invalid("--window must be more than 0 seconds.") }
        guard (0...1).contains(threshold) else {
            throw PlaybookError.invalid("--threshold must be a share from 0 to 1, such as 0.85.")
        }
        let client = try HTTPClient(url: url)
        let clock = ContinuousClock()
        let start = clock.now
        var history: [(at: ContinuousClock.Instant, requests: Int, labelled: Int, satisfied: Int)] = []
        var incident: Incident?
        var readings = 0
        while true {
            if let duration, clock.now - start >= .milliseconds(Int64(duration * 1000)) { break }
            let metrics = try client.send("GET", "/metrics")
            let version =
                (try? client.send("GET", "/v1/version")).flatMap {
                    (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["version"] as? String
                } ?? "none"
            let text = String(decoding: metrics.body, as: UTF8.self)
            let now = clock.now
            history.append(
                (
                    now, total("labrunner_requests_total", text), total("labrunner_labelled_total", text),
                    total("labrunner_satisfied_total", text)
                ))
            history.removeAll { now - $0.at > .milliseconds(Int64(window * 1000)) && $0.at != now }
            let first = history[0]
            let last = history[history.count - 1]
            let span = now - first.at
            let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
            let labelled = last.labelled - first.labelled
            let share = labelled > 0 ? Double(last.satisfied - first.satisfied) / Double(labelled) : nil
            let alarm = labelled >= minimumLabelled && (share ?? 1) < threshold
            if alarm, incident == nil {
                incident = try Incidents.open(
                    symptom: String(
                        format: "satisfied share %.1f%% below %.1f%% over %gs (monitor)", (share ?? 0) * 100,
                        threshold * 100, window),
                    detectedAt: context.now(), badVersion: nil, by: actor, source: "monitor", in: context)
            }
            readings += 1
            report(
                MonitorReading(
                    requestsPerSecond: seconds > 0 ? Double(last.requests - first.requests) / seconds : 0,
                    satisfiedShare: share, labelled: labelled, version: version, alarm: alarm), alarm ? incident : nil)
            if alarm, exitOnAlarm { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return MonitorOutcome(incident: incident, readings: readings)
    }

    /// The sum of a counter over all its label sets in Prometheus text.
    static func total(_ name: String, _ text: String) -> Int {
        text.split(separator: "\n").reduce(0) { sum, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), let value = line.split(separator: " ").last,
                let number = Int(value)
            else { return sum }
            return sum + number
        }
    }
}
