// The benchmarks' figures as the README quotes them.
import Foundation
public import Terminal

extension RegistryFigures: TextRendering {
    public func render(_ out: inout TextOutput) {
        func row(_ name: String, _ samples: Samples) -> [String] {
            [
                name, String(format: "%.2f", samples.medianMS), String(format: "%.2f", samples.p99MS),
                String(samples.count),
            ]
        }
        out.line(
            "SHA-256 (\(shaImplementation)): \(String(format: "%.0f", hashMBPerSecond)) MB/s over 256 MiB in memory")
        out.write(
            Table(
                headers: ["OPERATION", "MEDIAN MS", "P99 MS", "RUNS"],
                rows: [
                    row("register (5 components, fsync)", registerFiveComponents),
                    row("tag move (fsync)", tagMove),
                    row("versions (\(versions))", listVersions),
                    row("resolve tag", resolveTag),
                    row("resolve #N", resolveSequence),
                    row("resolve id prefix", resolvePrefix),
                ], alignRight: [1, 2, 3]
            ).render())
        if let keptWorkspace { out.line("Workspace kept in \(keptWorkspace)") }
    }
}

extension ModelFigures: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(String(format: "ask (in-process, temperature 0): %.0f answers/s on one core", asksPerSecond))
        out.line("eval run core × 30 repeats: \(seconds(evalCore30RepeatsMS))")
        out.line("train on the shipped data: \(seconds(trainMS))")
        if let alarms = falseAlarms, let detected = regressionDetected, let smaller = smallerRegressionDetected,
            let pairs = seedPairs
        {
            out.line("eval compare at temperature 0.7, 30 repeats, \(pairs) seed pairs (case-level sign-flip test):")
            out.line(
                "  shipped system vs itself (independent seeds): \(pairs - alarms) indistinguishable, \(alarms) false alarms"
            )
            out.line(
                "  vs the escalation regression (refund_over_500 and legal_threat dropped): worse in \(detected) of \(pairs)"
            )
            out.line("  vs a smaller regression (legal_threat dropped): worse in \(smaller) of \(pairs) (power)")
        }
    }
}

extension PlaybookFigures: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            String(
                format: "rollback without the confirmation eval: median %.2f ms, p99 %.2f ms",
                rollbackWithoutConfirm.medianMS, rollbackWithoutConfirm.p99MS))
        out.line(String(format: "traffic in-process (with the log append): %.0f requests/s", trafficRequestsPerSecond))
        out.line("gc over \(gcVersions) versions: \(seconds(gcMS)), collected \(gcCollected)")
        out.line(
            String(
                format: "audit lookup in a log of %d requests: median %.3f ms, p99 %.3f ms", auditRecords,
                auditLookup.medianMS, auditLookup.p99MS))
        if let keptWorkspace {
            out.line("Workspace kept in \(keptWorkspace); time 'LabRunner audit \(lastRequestID ?? "")' there.")
        }
    }
}

private func seconds(_ milliseconds: Double) -> String { String(format: "%.3f s", milliseconds / 1000) }
