// The dashboard's reading of its signals: why the alarm fired (the monitor's own recorded reason, and the
// baseline against now for every signal), and each signal drawn over the whole drill against the baseline, with
// the alarm marked. Drawn from the live view only, like the rest of the page.
import Foundation
import Reports

extension DrillDashboard {
    /// Fewest answers in a slice before its rates are drawn (a slice with two answers says nothing).
    static let fewestPerSlice = 5
    /// Most points a line holds; older slices are merged in pairs beyond it.
    static let mostPoints = 90

    static func whyPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = ["<div class=\"panel\" style=\"margin-top: 24px\">", "<h2>Why the alarm fired</h2>"]
        if let incident = view.incident {
            lines.append("<div class=\"sub\">\(e(incident.symptom))</div>")
        } else {
            lines.append("<div class=\"sub quiet\">no alarm yet: the signals are within bounds of the baseline</div>")
        }
        guard let baseline = view.baseline else { return lines + ["</div>"] }
        let now = view.signals.first { $0.production }
        lines.append("<table style=\"margin-top: 10px\">")
        lines.append(
            "<thead><tr><th>signal</th><th class=\"n\">baseline \(e(baseline.seq.map { "#\($0)" } ?? baseline.shortID))"
                + "</th><th class=\"n\">now \(e(now.map { $0.seq.map { "#\($0)" } ?? $0.shortID } ?? ""))</th></tr></thead>"
        )
        lines.append("<tbody>")
        for signal in charted {
            let shown = { (v: Double) in signal.percent ? String(format: "%.1f%%", v * 100) : String(format: "%.2f", v)
            }
            lines.append(
                "<tr><td>\(e(signal.label))</td><td class=\"n\">\(e(shown(signal.value(baseline))))</td>"
                    + "<td class=\"n\">\(e(now.map { shown(signal.value($0)) } ?? "—"))</td></tr>")
        }
        lines.append("</tbody></table>")
        lines.append(
            "<div class=\"note\">baseline: \(e(baseline.label)), in production when the drill began, over its "
                + "\(baseline.requests) answers · now: production over the last \(Int(view.signalWindowSeconds))s</div>"
        )
        return lines + ["</div>"]
    }

    static func seriesPanel(_ view: DrillLiveView) -> [String] {
        var slices = view.series
        var width = DrillSignalFeed.sliceSeconds
        while slices.count > mostPoints {
            width *= 2
            slices = stride(from: 0, to: slices.count, by: 2).map { index in
                var merged = slices[index]
                if index + 1 < slices.count { merged.signals = combined(merged.signals, slices[index + 1].signals) }
                return merged
            }
        }
        let points = slices.filter { $0.signals.requests >= fewestPerSlice }
        var lines = [
            "<div class=\"panel\" style=\"margin-top: 24px\">",
            "<h2>Signals over the drill · every answer, \(Int(width))s slices</h2>",
        ]
        guard points.count >= 2 else {
            return lines + ["<div class=\"sub pending\">not enough traffic yet to draw</div>", "</div>"]
        }
        let alarm = view.incident.map { $0.detectedAt.timeIntervalSince(view.startedAt) }
        lines.append("<div class=\"series\">")
        for (index, signal) in charted.enumerated() {
            lines.append(
                line(
                    signal.label, percent: signal.percent, index: index, points: points, width: width,
                    span: max(view.elapsedSeconds, width), baseline: view.baseline.map(signal.value), alarm: alarm,
                    signal.value))
        }
        lines.append("</div>")
        lines.append(
            "<div class=\"note\">blue: every answer in the slice · yellow dashes: the baseline · red: the alarm</div>")
        return lines + ["</div>"]
    }

    /// Two slices' rates as one, weighted by their answers.
    static func combined(_ a: DrillLiveView.VersionLive, _ b: DrillLiveView.VersionLive) -> DrillLiveView.VersionLive {
        let total = Double(max(1, a.requests + b.requests))
        func mean(_ x: Double, _ y: Double) -> Double { (x * Double(a.requests) + y * Double(b.requests)) / total }
        var result = a
        result.requests = a.requests + b.requests
        result.escalationRate = mean(a.escalationRate, b.escalationRate)
        result.refusalRate = mean(a.refusalRate, b.refusalRate)
        result.clarifyRate = mean(a.clarifyRate, b.clarifyRate)
        result.citationRate = mean(a.citationRate, b.citationRate)
        result.meanConfidence = mean(a.meanConfidence, b.meanConfidence)
        return result
    }

    /// One signal over the drill: a line through the slices, the baseline dashed across, the alarm as a red rule.
    static func line(
        _ label: String, percent: Bool, index: Int, points: [DrillLiveView.Slice], width sliceWidth: Double,
        span: Double, baseline: Double?, alarm: Double?, _ value: (DrillLiveView.VersionLive) -> Double
    ) -> String {
        let e = Markup.escape
        let (width, height, top, left, bottom) = (300.0, 170.0, 34.0, 8.0, 150.0)
        let values = points.map { value($0.signals) }
        let highest = max((values + [baseline ?? 0]).max() ?? 0, percent ? 0.05 : 0.1) * 1.15
        let ceiling = percent ? min(1, highest) : highest
        func x(_ seconds: Double) -> Double { left + (width - 2 * left) * min(1, max(0, seconds / span)) }
        func y(_ v: Double) -> Double { bottom - (bottom - top) * min(1, max(0, v / ceiling)) }
        func text(_ v: Double) -> String { percent ? String(format: "%.1f%%", v * 100) : String(format: "%.2f", v) }
        let path = zip(points, values).map { point, v in "\(n(x(point.seconds + sliceWidth / 2))),\(n(y(v)))" }
        var lines = [
            "<svg role=\"img\" aria-labelledby=\"series-\(index)\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\">",
            "<title id=\"series-\(index)\">\(e(label)) over the drill</title>",
            "<text class=\"h\" x=\"0\" y=\"22\">\(e(label)) · now \(e(text(values.last ?? 0)))</text>",
            "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(width - left))\" y2=\"\(n(bottom))\"/>",
        ]
        if let baseline {
            lines.append(
                "<line class=\"base\" x1=\"\(n(left))\" y1=\"\(n(y(baseline)))\" x2=\"\(n(width - left))\" "
                    + "y2=\"\(n(y(baseline)))\"><title>baseline \(e(text(baseline)))</title></line>")
        }
        if let alarm {
            lines.append(
                "<line class=\"alarm\" x1=\"\(n(x(alarm)))\" y1=\"\(n(top))\" x2=\"\(n(x(alarm)))\" "
                    + "y2=\"\(n(bottom))\"><title>the alarm</title></line>")
        }
        lines.append("<polyline class=\"series\" points=\"\(path.joined(separator: " "))\"/>")
        lines.append("<text x=\"0\" y=\"\(n(height - 2))\">0s</text>")
        lines.append(
            "<text x=\"\(n(width - left))\" y=\"\(n(height - 2))\" text-anchor=\"end\">\(e(duration(span)))</text>")
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }
}
