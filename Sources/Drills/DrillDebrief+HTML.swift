// The debrief as one static HTML page: the laps, the phase chart and the timeline, escaped and byte-stable.
import Foundation
import Hashing
import Playbook
import Registry
import Reports

// MARK: HTML

extension DrillDebrief {
    static func escape(_ text: String) -> String { Markup.escape(text) }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#1d1d1f}
        h1{font-size:1.6em;margin-bottom:.2em}
        table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em}
        caption{text-align:left;font-weight:600;padding:.2em 0}
        th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        td.t{font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.phase td{background:#f3f6fb}
        tr.fault td{background:#fff1ef}
        .verdict{font-size:1.05em;padding:.6em .8em;border-left:4px solid #2a7;background:#f3faf6}
        .verdict.wrong{border-color:#c33;background:#fff3f1}
        pre{background:#f6f6f6;padding:.6em .8em;overflow-x:auto;font-size:.9em}
        svg{max-width:100%;height:auto}
        svg text{font:12px system-ui,sans-serif;fill:#1d1d1f}
        .lane{fill:#fafafa}.target{fill:none;stroke:#888;stroke-dasharray:4 3}
        .met{fill:#3a9a6a}.missed{fill:#d0623a}.grid{stroke:#e3e3e3}.axis{stroke:#999}
        .ship{stroke:#c33;stroke-width:1.5}.ship-label{fill:#c33}.unreached{fill:#888;font-style:italic}
        @media print{body{margin:0;max-width:none}tr,figure{break-inside:avoid}}
        """

    public var html: String {
        let e = Self.escape
        var out: [String] = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\"/>",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>", "<title>\(e(title))</title>",
            "<style>\n\(Self.style)\n</style>", "</head>", "<body>", "<h1>\(e(title))</h1>",
        ]
        func table(
            _ caption: String, _ headers: [String], _ rows: [[String]], numeric: Set<Int> = [],
            classes: [String?] = []
        ) {
            out.append("<table>")
            out.append("<caption>\(e(caption))</caption>")
            out.append("<thead><tr>" + headers.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead>")
            out.append("<tbody>")
            for (index, row) in rows.enumerated() {
                let cls = index < classes.count ? classes[index].map { " class=\"\($0)\"" } ?? "" : ""
                let cells = row.enumerated().map { column, cell in
                    numeric.contains(column) ? "<td class=\"n\">\(e(cell))</td>" : "<td>\(e(cell))</td>"
                }
                out.append("<tr\(cls)>" + cells.joined() + "</tr>")
            }
            out.append("</tbody>")
            out.append("</table>")
        }
        func list(_ lines: [String], empty: String) {
            if lines.isEmpty {
                out.append("<p>\(e(empty))</p>")
                return
            }
            out.append("<ul>")
            out += lines.map { "<li>\(e($0))</li>" }
            out.append("</ul>")
        }
        out.append("<section id=\"summary\">")
        out.append("<h2>Summary</h2>")
        if let call = record.call {
            out.append(
                "<p class=\"verdict\(call.right ? "" : " wrong")\"><strong>\(call.right ? "Right" : "Wrong") call, "
                    + "score \(record.score)/100.</strong> \(e(call.finding))</p>")
        }
        // The verdict above already says the outcome.
        list(record.call == nil ? summary : summary.filter { !$0.hasPrefix("Outcome:") }, empty: "")
        out.append("</section>")
        out.append("<section id=\"factors\">")
        out.append("<h2>Contributing factors</h2>")
        list(factors, empty: "None the registry shows.")
        out.append("</section>")
        out.append("<section id=\"roles\">")
        out.append("<h2>Roles</h2>")
        table("Who held which role, and how many events each wrote", ["Role", "Held by", "Actions"], roleRows)
        if !unroled.isEmpty {
            out.append(
                "<p>Acted without a role: "
                    + e(unroled.map { "\($0.name) (\($0.actions))" }.joined(separator: ", ")) + ".</p>")
        }
        out.append("</section>")
        out.append("<section id=\"narrative\">")
        out.append("<h2>Narrative</h2>")
        if narrativeLines.isEmpty {
            out.append("<p>The scribe took no notes ('LabRunner drill note TEXT' during the drill).</p>")
        } else {
            out.append("<ul>" + narrativeLines.map { "<li>" + e($0) + "</li>" }.joined() + "</ul>")
        }
        out.append("</section>")
        out.append("<section id=\"timeline\">")
        out.append("<h2>Timeline</h2>")
        out.append("<figure>")
        out.append(chart)
        out.append(
            "<figcaption>Each phase's lap as a bar (green: within target, orange: over it) from the phase before; the "
                + "dashed box is the lap's target. Time runs from the fault shipping.</figcaption>")
        out.append("</figure>")
        if timeline.isEmpty {
            out.append("<p>The drill's event log is not available; the laps below come from its record.</p>")
        } else {
            table(
                "The drill's events, relative to the fault shipping (T+0:00)", ["T", "UTC", "Who", "What"],
                timelineRows, numeric: [0],
                classes: timeline.map { entry in
                    entry.what.hasPrefix("FAULT REVEALED") ? "fault" : entry.phase == nil ? nil : "phase"
                })
        }
        out.append("</section>")
        out.append("<section id=\"laps\">")
        out.append("<h2>Laps against targets</h2>")
        table(
            "Each lap from the previous phase reached", ["Phase", "Took", "Target", "Result", "By"], lapRows,
            numeric: [1, 2])
        out.append("</section>")
        out.append("<section id=\"scripted\">")
        out.append("<h2>The team against the kit's scripted response</h2>")
        table("Time beyond the scripted response is human overhead", ["Measure", "Time"], responseRows, numeric: [1])
        if !script.isEmpty {
            out.append("<p>The scripted response (what a perfect team runs the moment the alarm fires):</p>")
            out.append("<pre>" + script.map(e).joined(separator: "\n") + "</pre>")
        }
        out.append("</section>")
        out.append("<section id=\"well\">")
        out.append("<h2>What went well</h2>")
        list(wentWell, empty: "Nothing this time: see below.")
        out.append("</section>")
        out.append("<section id=\"wrong\">")
        out.append("<h2>What went wrong</h2>")
        list(wentWrong, empty: "Nothing: every expected lap within target and the right call.")
        out.append("</section>")
        out.append("<section id=\"actions\">")
        out.append("<h2>Action items</h2>")
        if actionRows.isEmpty {
            out.append("<p>None.</p>")
        } else {
            table(
                "Each item's owner took part in the drill; 'LabRunner drill actions close ID --note TEXT' closes it",
                ["ID", "Owner", "Due", "Status", "Action"], actionRows)
        }
        if !stillOpenLines.isEmpty { list(stillOpenLines, empty: "") }
        out.append("</section>")
        out.append(
            "<p>Drill code <code>\(e(record.code))</code>: <code>LabRunner drill start --code \(e(record.code))</code> "
                + "replays the same drill.</p>")
        out += ["</body>", "</html>", ""]
        return out.joined(separator: "\n")
    }

    static func n(_ value: Double) -> String { Markup.number(value) }

    /// The phases as lanes on a time axis from the fault shipping: each lap a bar from where it started to where
    /// the phase was reached, its target a dashed box from the same start.
    var chart: String {
        let e = Self.escape
        let n = Self.n
        let anchor = record.fault?.shippedAt ?? record.startedAt
        struct Bar {
            var phase: Phase
            var from: Double
            var to: Double?
            var target: Double
            var met: Bool?
        }
        var bars: [Bar] = []
        var cursor = 0.0
        for lap in record.laps {
            guard let at = lap.at, let seconds = lap.seconds else {
                bars.append(Bar(phase: lap.phase, from: cursor, to: nil, target: lap.targetSeconds, met: nil))
                continue
            }
            let to = at.timeIntervalSince(anchor)
            bars.append(Bar(phase: lap.phase, from: to - seconds, to: to, target: lap.targetSeconds, met: lap.met))
            cursor = max(cursor, to)
        }
        let ended = record.endedAt.timeIntervalSince(anchor)
        let reach = bars.map { max($0.to ?? 0, $0.to == nil ? 0 : $0.from + $0.target) }.max() ?? 0
        let high = max(60, reach, min(ended, reach * 1.5 + 60))
        let steps: [Double] = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
        let step = steps.first { high / $0 <= 8 } ?? 7200
        let top = 30.0
        let laneHeight = 30.0
        let left = 110.0
        let width = 760.0
        let right = width - 20
        let bottom = top + laneHeight * Double(bars.count)
        let height = bottom + 44
        func x(_ seconds: Double) -> Double { left + max(0, min(seconds, high)) / high * (right - left) }
        let description =
            bars.map { bar in
                bar.to.map {
                    "\(bar.phase.rawValue) at \(Self.offset($0)), lap \(Self.duration($0 - bar.from)) against "
                        + Self.duration(bar.target)
                } ?? "\(bar.phase.rawValue) not reached"
            }.joined(separator: "; ") + "."
        var lines = [
            "<svg role=\"img\" aria-labelledby=\"phases-title phases-desc\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\">",
            "<title id=\"phases-title\">Drill \(e(record.id)): phases on a time axis from the fault shipping</title>",
            "<desc id=\"phases-desc\">\(e(description))</desc>",
        ]
        for index in bars.indices {
            lines.append(
                "<rect class=\"lane\" x=\"\(n(left))\" y=\"\(n(top + laneHeight * Double(index) + 2))\" "
                    + "width=\"\(n(right - left))\" height=\"\(n(laneHeight - 4))\"/>")
        }
        var tick = 0.0
        while tick <= high + 1e-9 {
            lines.append(
                "<line class=\"grid\" x1=\"\(n(x(tick)))\" y1=\"\(n(top))\" x2=\"\(n(x(tick)))\" y2=\"\(n(bottom))\"/>")
            lines.append(
                "<text x=\"\(n(x(tick)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">\(e(Self.offset(tick)))</text>"
            )
            tick += step
        }
        for (index, bar) in bars.enumerated() {
            let y = top + laneHeight * Double(index)
            lines.append(
                "<text x=\"\(n(left - 8))\" y=\"\(n(y + laneHeight / 2 + 4))\" text-anchor=\"end\">"
                    + "\(e(bar.phase.rawValue))</text>")
            guard let to = bar.to else {
                lines.append(
                    "<text class=\"unreached\" x=\"\(n(x(bar.from) + 4))\" y=\"\(n(y + laneHeight / 2 + 4))\">"
                        + "not reached</text>")
                continue
            }
            let x0 = x(bar.from)
            lines.append(
                "<rect class=\"\(bar.met == false ? "missed" : "met")\" x=\"\(n(x0))\" y=\"\(n(y + 7))\" "
                    + "width=\"\(n(max(1.5, x(to) - x0)))\" height=\"\(n(laneHeight - 14))\"><title>"
                    + "\(e("\(bar.phase.rawValue): \(Self.duration(to - bar.from)) (target \(Self.duration(bar.target)))"))"
                    + "</title></rect>")
            lines.append(
                "<rect class=\"target\" x=\"\(n(x0))\" y=\"\(n(y + 4))\" width=\"\(n(max(1, x(bar.from + bar.target) - x0)))\" "
                    + "height=\"\(n(laneHeight - 8))\"/>")
            let label = Self.duration(to - bar.from)
            let labelX = max(x(to), x(bar.from + bar.target)) + 4
            let anchorEnd = labelX > right - Double(label.count) * 7
            lines.append(
                "<text x=\"\(n(anchorEnd ? x0 - 4 : labelX))\" y=\"\(n(y + laneHeight / 2 + 4))\" "
                    + "text-anchor=\"\(anchorEnd ? "end" : "start")\">\(e(label))</text>")
        }
        lines.append(
            "<line class=\"ship\" x1=\"\(n(x(0)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(0)))\" y2=\"\(n(bottom))\"/>")
        lines.append(
            "<text class=\"ship-label\" x=\"\(n(x(0)))\" y=\"\(n(top - 10))\">"
                + "\(record.fault == nil ? "drill started" : "fault shipped")</text>")
        lines.append(
            "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\"/>")
        lines.append(
            "<text x=\"\(n((left + right) / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">"
                + "minutes:seconds after the fault shipped</text>")
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }
}
