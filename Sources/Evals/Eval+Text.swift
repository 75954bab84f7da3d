// Eval results and comparisons as command output: the pass-rate line, the per-category table and the verdict.
import Foundation
public import Terminal

extension EvalResult: TextRendering {
    /// "pass rate 93.3% (95% CI …), 30 cases × 1 repeats, temperature 0", as compare and run print it.
    public var rateLine: String {
        String(
            format: "pass rate %.1f%% (95%% CI %.1f–%.1f%%, case-level), %d cases × %d repeats, temperature %g",
            passRate * 100, ciLow * 100, ciHigh * 100, cases.count, repeats, temperature)
    }

    public func render(_ out: inout TextOutput) {
        out.line(
            "Suite \(suite) (sha256 \(suiteSHA256.prefix(12))) on \(version == "workspace" ? "the live workspace" : "version " + version.prefix(12))"
        )
        out.line(rateLine)
        if let ciMethod { out.line(out.styled("Interval: \(ciMethod).", .dim)) }
        let rows = categories.sorted(by: { $0.key < $1.key }).map { name, category in
            [name, String(format: "%.1f%%", category.passRate * 100), String(category.cases)]
        }
        if !rows.isEmpty {
            out.write(Table(headers: ["CATEGORY", "PASS", "CASES"], rows: rows, alignRight: [1, 2]).render())
        }
    }
}

extension Comparison: TextRendering {
    public func render(_ out: inout TextOutput) {
        let style: Style = verdict == .worse ? .red : verdict == .better ? .green : .bold
        out.line("Verdict: \(out.styled(verdict.rawValue, style))")
        out.line(
            String(
                format: "Δ pass rate (B − A, mean per case) %+.1f points, 95%% CI [%+.1f, %+.1f]; p = %.4g at alpha %g",
                delta * 100, deltaLow * 100, deltaHigh * 100, pValue, alpha))
        let tied = cases - casesAHigher - casesBHigher
        out.line(
            "Cases: \(cases) paired; A higher in \(casesAHigher), B higher in \(casesBHigher), tied in \(tied)")
        out.line("Test: \(test)")
        out.line("Interval: \(interval)")
    }
}
