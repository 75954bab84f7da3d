// Live traffic and the monitor as command output: the summary of traffic sent over HTTP and the monitor's
// reading line.
import Foundation
import Playbook
public import Terminal

extension LiveTrafficReport {
    /// The summary of traffic sent to `target`.
    public func render(_ out: inout TextOutput, target: String) {
        out.line(
            String(
                format: "Sent %d requests in %.1fs to %@: %.1f%% satisfied, %d failed", requests, seconds, target,
                100 * Double(satisfied) / Double(max(requests, 1)), failed))
        for (version, count) in byVersion.sorted(by: { $0.key < $1.key }) {
            out.line("  version \(String(version.prefix(12))): \(count) requests")
        }
    }
}

extension MonitorReading {
    /// One reading as the monitor prints it, with the incident the alarm opened.
    public func line(_ out: TextOutput, incident: String?) -> String {
        let share = satisfiedShare.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"
        var line = String(
            format: "%6.1f req/s  satisfied %@ (%d labelled)  serving %@", requestsPerSecond, share, labelled,
            String(version.prefix(12)))
        if let labelFree {
            line +=
                labelFree.comparison.enoughData
                ? "  signals vs \(labelFree.baseline.prefix(12)): "
                    + (labelFree.alarm ? labelFree.comparison.summary : "no shift")
                : "  signals: gathering (\(labelFree.comparison.current.requests) requests)"
        }
        if alarm { line += "  " + out.styled("ALARM", .red) + (incident.map { " — opened \($0)" } ?? "") }
        return line
    }
}
