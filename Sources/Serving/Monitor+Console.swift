// `monitor` at a terminal: each reading on one line (rewritten in place on a terminal), and the incident the
// alarm opened with the next step. The exit status is 1 when the alarm fired.
public import Foundation
import Hashing
public import Playbook
public import Terminal

extension Monitor {
    /// Runs the monitor, printing as it goes; 1 when an incident was opened, else 0.
    public static func watch(
        url: String, window: Double, threshold: Double, duration: Double?, exitOnAlarm: Bool, by: String,
        in context: PlayContext, console: Console
    ) throws -> Int32 {
        let outcome = try Monitor.run(
            url: url, window: window, threshold: threshold,
            duration: duration, exitOnAlarm: exitOnAlarm,
            by: by, in: context
        ) { reading, incident in
            let line = reading.line(TextOutput(for: console), incident: incident?.id)
            if console.stdoutIsTerminal {
                console.rewriteLine(line + (reading.alarm ? "\n" : ""))
            } else {
                console.out(line)
            }
        }
        if console.stdoutIsTerminal { console.writeOut("\n") }
        guard let incident = outcome.incident else { return 0 }
        console.out(
            "Incident \(incident.id) detected at \(Timestamp.string(from: incident.detectedAt)); next: LabRunner rollback --reason TEXT"
        )
        return 1
    }
}
