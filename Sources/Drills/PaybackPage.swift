// The payback model as one page: Markdown, or one static HTML file with an inline SVG tornado chart (no
// scripts, fonts or links). Both are byte-stable: the same inputs give the same bytes.
import Foundation
import Reports

public enum PaybackPage {
    static func months(_ value: Double?) -> String {
        value.map { String(format: "%.2f", $0) } ?? "never"
    }

    static func paybackText(_ value: Double?) -> String {
        value.map { String(format: "%.2f months", $0) } ?? "never"
    }

    static func source(_ input: PaybackInput) -> String {
        if PaybackInputs.key(input.key)?.context == true {
            switch input.source {
            case .defaulted: return "not measured and not given: no figure is assumed"
            case .flag, .file: return "your estimate (\(input.source.rawValue))"
            case .measured: break
            }
        }
        return input.source.rawValue + (input.note.map { " (\($0))" } ?? "")
    }

    /// The headline: the seeds' payback and the cash break-even, each labelled.
    static func figures(_ r: PaybackResult) -> String {
        "Payback: \(paybackText(r.paybackMonths)); cash break-even: \(paybackText(r.breakEvenMonths))"
            + (r.breakEvenMonth.map { " (month \($0))" } ?? "")
    }

    /// A context input's value: none when neither measured nor given, so no default poses as a measurement.
    static func contextValue(_ input: PaybackInput) -> String {
        input.source == .defaulted ? "-" : PaybackInputs.plain(input.value)
    }

    /// The page's sections as rows, shared by both formats so they cannot disagree.
    struct Sections {
        var inputs: [[String]]
        var cost: [[String]]
        var avoided: [[String]]
        var monthly: [[String]]
        var sensitivity: [[String]]
        var context: [[String]]
    }

    static func sections(_ r: PaybackResult) -> Sections {
        let value = Dictionary(uniqueKeysWithValues: r.inputs.map { ($0.key, $0.value) })
        func v(_ key: String) -> String { PaybackInputs.plain(value[key] ?? 0) }
        let rate = Money.format(value["loaded_rate"] ?? 0)
        let formulaInputs = r.inputs.filter { input in PaybackInputs.key(input.key)?.context == false }
        let contextInputs = r.inputs.filter { input in PaybackInputs.key(input.key)?.context == true }
        return Sections(
            inputs: formulaInputs.map { [$0.label, PaybackInputs.plain($0.value), $0.unit, source($0)] },
            cost: [
                ["Tooling", "tooling cost", Money.format(r.toolingCost)],
                [
                    "Setup and maintenance", "(\(v("setup_hours")) + 12 × \(v("maintenance_hours"))) h × \(rate)",
                    Money.format(r.labourCost),
                ],
                [
                    "Process tax", "\(v("minutes_per_deploy")) min ÷ 60 × \(v("deploys_per_year")) deploys × \(rate)",
                    Money.format(r.processTax),
                ],
                ["Annual cost", "", Money.format(r.annualCost)],
            ],
            avoided: [
                [
                    "Prevented incidents",
                    "\(v("incidents_per_year")) × \(Money.format(value["cost_per_incident"] ?? 0)) × \(v("preventable_share"))",
                    Money.format(r.preventedLoss),
                ],
                [
                    "Reproduction hours saved", "\(v("reproduction_hours_saved")) h × \(rate)",
                    Money.format(r.reproductionSavings),
                ],
                ["Avoided loss per year", "", Money.format(r.avoidedLoss)],
            ],
            monthly: [
                ["Monthly avoided loss", "avoided loss ÷ 12", Money.format(r.monthlyBenefit)],
                ["Payback", "annual cost ÷ monthly avoided loss", paybackText(r.paybackMonths)],
                ["One-time setup", "\(v("setup_hours")) h × \(rate)", Money.format(r.setupCost)],
                [
                    "Monthly running cost", "(tooling + 12 × maintenance h × rate + process tax) ÷ 12",
                    Money.format(r.monthlyRunningCost),
                ],
                ["Monthly net cash flow", "avoided loss ÷ 12 − running cost", Money.format(r.monthlyNetBenefit)],
                [
                    "Cash break-even", "setup ÷ monthly net cash flow",
                    paybackText(r.breakEvenMonths) + (r.breakEvenMonth.map { " (month \($0))" } ?? ""),
                ],
            ],
            sensitivity: r.sensitivity.enumerated().map { index, row in
                [
                    String(index + 1), row.label,
                    "\(PaybackInputs.plain(row.low)) → \(months(row.paybackAtLow))",
                    "\(PaybackInputs.plain(row.high)) → \(months(row.paybackAtHigh))",
                    row.swingMonths.map { String(format: "%.2f", $0) } ?? "unbounded",
                ]
            },
            context: contextInputs.map { [$0.label, contextValue($0), $0.unit, source($0)] })
    }

    static let headline = "Payback model: AI model version control"

    // MARK: Markdown

    public static func markdown(_ r: PaybackResult) -> String {
        let s = sections(r)
        func table(_ headers: [String], _ rows: [[String]], bold: Bool = false) -> String {
            var lines = ["| " + headers.joined(separator: " | ") + " |"]
            lines.append("|" + headers.map { _ in " --- |" }.joined())
            for (index, row) in rows.enumerated() {
                let cells = row.map { $0.replacingOccurrences(of: "|", with: "\\|") }
                let last = bold && index == rows.count - 1
                lines.append(
                    "| " + cells.map { last && !$0.isEmpty ? "**\($0)**" : $0 }.joined(separator: " | ") + " |")
            }
            return lines.joined(separator: "\n")
        }
        var out = ["# \(headline)", "", "**\(figures(r)).** \(r.verdict)", ""]
        out += ["## Inputs", "", table(["input", "value", "unit", "source"], s.inputs), ""]
        out += ["## Annual cost", "", table(["item", "formula", "amount"], s.cost, bold: true), ""]
        out += ["## Avoided loss per year", "", table(["item", "formula", "amount"], s.avoided, bold: true), ""]
        out += ["## Payback", "", table(["item", "formula", "amount"], s.monthly), ""]
        out += [
            "## Sensitivity",
            "",
            "Each input moved \(Int(PaybackModel.swing * 100))% down and up (a share at most 1), the others held; "
                + "ranked by how far payback moves.",
            "",
            table(
                ["rank", "input", "low → payback (months)", "high → payback (months)", "swing (months)"], s.sensitivity),
            "",
        ]
        out += [
            "## Pilot evidence",
            "",
            "Context from `LabRunner incident stats`; not part of the formula.",
            "",
            table(["measure", "value", "unit", "source"], s.context),
            "",
        ]
        return out.joined(separator: "\n")
    }

    // MARK: HTML

    static func escape(_ text: String) -> String { Markup.escape(text) }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:820px;margin:2em auto;padding:0 1em;color:#1d1d1f}
        table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em}
        th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.total td{font-weight:600;border-top:2px solid #888}
        .verdict{font-size:1.1em;padding:.6em .8em;border-left:4px solid #2a7;background:#f3faf6}
        .verdict.premature{border-color:#c60;background:#fff6ee}
        svg text{font:12px system-ui,sans-serif;fill:#1d1d1f}
        .low{fill:#6a9fd4}.high{fill:#e08a3c}.base{stroke:#1d1d1f;stroke-width:1.5}.axis{stroke:#999}
        @media print{body{margin:0}}
        """

    public static func html(_ r: PaybackResult) -> String {
        let s = sections(r)
        func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int>, total: Bool = false) -> String {
            var lines = ["<table>", "<tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"]
            for (index, row) in rows.enumerated() {
                let cls = total && index == rows.count - 1 ? " class=\"total\"" : ""
                let cells = row.enumerated().map { column, cell in
                    numeric.contains(column) ? "<td class=\"n\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>"
                }
                lines.append("<tr\(cls)>" + cells.joined() + "</tr>")
            }
            lines.append("</table>")
            return lines.joined(separator: "\n")
        }
        let out = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<title>\(escape(headline))</title>",
            "<style>\n\(style)\n</style>",
            "</head>",
            "<body>",
            "<h1>\(escape(headline))</h1>",
            "<p class=\"verdict\(r.premature ? " premature" : "")\"><strong>\(escape(figures(r)))."
                + "</strong> \(escape(r.verdict))</p>",
            "<h2>Inputs</h2>", table(["input", "value", "unit", "source"], s.inputs, numeric: [1]),
            "<h2>Annual cost</h2>", table(["item", "formula", "amount"], s.cost, numeric: [2], total: true),
            "<h2>Avoided loss per year</h2>",
            table(["item", "formula", "amount"], s.avoided, numeric: [2], total: true),
            "<h2>Payback</h2>", table(["item", "formula", "amount"], s.monthly, numeric: [2], total: true),
            "<h2>Sensitivity</h2>",
            "<p>Each input moved \(Int(PaybackModel.swing * 100))% down (blue) and up (orange), a share at most 1, "
                + "the others held; ranked by how far payback moves.</p>",
            tornado(r),
            table(
                ["rank", "input", "low → payback (months)", "high → payback (months)", "swing (months)"],
                s.sensitivity, numeric: [2, 3, 4]),
            "<h2>Pilot evidence</h2>",
            "<p>Context from <code>LabRunner incident stats</code>; not part of the formula.</p>",
            table(["measure", "value", "unit", "source"], s.context, numeric: [1]),
            "</body>",
            "</html>",
            "",
        ]
        return out.joined(separator: "\n")
    }

    static func n(_ value: Double) -> String { Markup.number(value) }

    /// A tornado chart: one bar per input from payback at its low value to payback at its high value, around a
    /// line at today's payback. An end that never pays back runs to the right edge, marked "never".
    static func tornado(_ r: PaybackResult) -> String {
        let rows = r.sensitivity
        let left = 190.0
        let right = 740.0
        let rowHeight = 26.0
        let top = 30.0
        let height = top + Double(rows.count) * rowHeight + 30
        let finite =
            rows.flatMap { [$0.paybackAtLow, $0.paybackAtHigh] }.compactMap { $0 }
            + [r.paybackMonths]
            .compactMap { $0 }
        let maxValue = max(1, (finite.max() ?? 12) * 1.05)
        func x(_ months: Double?) -> Double {
            guard let months else { return right }
            return left + min(1, months / maxValue) * (right - left)
        }
        let base = x(r.paybackMonths)
        var lines = [
            "<svg role=\"img\" aria-labelledby=\"tornado-title\" viewBox=\"0 0 760 \(n(height))\" width=\"760\" "
                + "height=\"\(n(height))\">",
            "<title id=\"tornado-title\">Payback sensitivity: months of payback as each input moves "
                + "\(Int(PaybackModel.swing * 100))% down and up</title>",
            "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(height - 24))\" x2=\"\(n(right))\" y2=\"\(n(height - 24))\"/>",
            "<text x=\"\(n(left))\" y=\"\(n(height - 8))\" text-anchor=\"start\">0 months</text>",
            "<text x=\"\(n(right))\" y=\"\(n(height - 8))\" text-anchor=\"end\">\(escape(PaybackInputs.plain((maxValue * 100).rounded() / 100))) months</text>",
        ]
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            lines.append(
                "<text x=\"\(n(left - 8))\" y=\"\(n(y + 15))\" text-anchor=\"end\">\(escape(row.label))</text>")
            for (value, style, label) in [
                (row.paybackAtLow, "low", "low \(PaybackInputs.plain(row.low))"),
                (row.paybackAtHigh, "high", "high \(PaybackInputs.plain(row.high))"),
            ] {
                let end = x(value)
                let from = min(base, end)
                let width = max(1, abs(end - base))
                lines.append(
                    "<rect class=\"\(style)\" x=\"\(n(from))\" y=\"\(n(y + 4))\" width=\"\(n(width))\" height=\"16\">"
                        + "<title>\(escape(row.label)) at \(escape(label)): payback \(months(value)) months</title></rect>"
                )
            }
        }
        lines.append(
            "<line class=\"base\" x1=\"\(n(base))\" y1=\"\(n(top - 6))\" x2=\"\(n(base))\" y2=\"\(n(height - 24))\"/>")
        lines.append(
            "<text x=\"\(n(base))\" y=\"\(n(top - 10))\" text-anchor=\"middle\">today: \(months(r.paybackMonths))</text>"
        )
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }
}
