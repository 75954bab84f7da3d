// The canary as command output: its plan, said before its first request, and its report and decision after.
import Foundation
public import Terminal

extension CanaryPlan: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            String(
                format:
                    "Canary plan: %g%% of %d requests (%@), baked over at least %g s; each safety signal one-sided at alpha %g, power %g to detect a drop of %g",
                percent, sending, auto ? "auto: what the plan needs" : "the plan needs \(requests)", bakeSeconds,
                safetyAlpha, power, minEffect))
        for signal in signals {
            out.line(
                String(
                    format: "  %@ baseline %.1f%%, drop %.1f points: needs %d candidate and %d production requests",
                    signal.name.rawValue, signal.baseline * 100, signal.minEffect * 100, signal.candidateRequests,
                    signal.productionRequests))
        }
        if underpowered {
            out.line(
                out.styled(
                    "warning: \(sending) requests is fewer than the plan's \(requests): unless a signal is worse, this "
                        + "canary will be inconclusive and production will not move.", .yellow))
        }
    }
}

extension CanaryReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            String(
                format:
                    "Canary (%g%% of %d requests, %.3g s): candidate %.1f%% satisfied (%d requests), production %.1f%% satisfied (%d requests)",
                percent, requests, bakedSeconds, candidate.satisfiedRate * 100, candidate.requests,
                production.satisfiedRate * 100, production.requests))
        for signal in signals {
            out.line(
                String(
                    format: "  %@%@ candidate %.1f%% production %.1f%% p = %.3g (alpha %.3g)%@",
                    signal.name.rawValue, signal.safety ? " (safety)" : "", signal.candidate * 100,
                    signal.production * 100, signal.pValue, signal.threshold, signal.worse ? " worse" : ""))
        }
        let word: String
        switch decision {
        case .passed: word = out.styled("passed", .green)
        case .aborted: word = out.styled("stopped", .red)
        case .inconclusive: word = out.styled("inconclusive", .yellow)
        }
        out.line("Canary: \(word) — \(finding)")
    }
}
