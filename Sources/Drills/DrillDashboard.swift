// The room's big screen during a drill: one self-contained HTML page (inline CSS and SVG, no scripts, fonts,
// links or url()) that reloads itself every two seconds with a meta refresh, rendered from a DrillLiveView, so
// it can show nothing the live view does not hold (in particular nothing about the hidden fault). Large type and
// high contrast, to be read from across a room; every text escaped, and well-formed enough for an XML parser.
import Foundation
import Reports

public enum DrillDashboard {
    /// Seconds between the page's own reloads.
    public static let refreshSeconds = 2

    /// The signals the page charts, with how each is shown.
    static let charted: [(label: String, percent: Bool, value: @Sendable (DrillLiveView.VersionLive) -> Double)] = [
        ("escalation rate", true, { $0.escalationRate }),
        ("clarify rate", true, { $0.clarifyRate }),
        ("refusal rate", true, { $0.refusalRate }),
        ("citation rate", true, { $0.citationRate }),
        ("mean confidence", false, { $0.meanConfidence }),
    ]

    static let style = """
        html { background: #000; }
        body { margin: 0; padding: 24px 36px; background: #000; color: #fff;
          font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 26px; line-height: 1.25; }
        h1 { font-size: 30px; margin: 0 0 16px 0; color: #ccc; font-weight: normal; }
        h1 strong { color: #fff; }
        h2 { font-size: 24px; margin: 0 0 10px 0; color: #bbb; text-transform: uppercase; letter-spacing: 0.08em; }
        .top { display: flex; gap: 36px; margin-bottom: 24px; }
        .panel { border: 3px solid #444; border-radius: 10px; padding: 16px 22px; }
        .prod { flex: 3; }
        .clock { flex: 2; }
        .big { font-size: 64px; font-weight: bold; font-family: "DejaVu Sans Mono", "Liberation Mono", monospace;
          line-height: 1.1; }
        .sub { font-size: 24px; color: #ddd; margin-top: 8px; }
        .open { color: #ff6b6b; }
        .closed { color: #5dff8f; }
        .quiet { color: #9fd3ff; }
        .bottom { display: flex; gap: 36px; }
        .main { flex: 3; }
        .side { flex: 2; }
        table { border-collapse: collapse; width: 100%; }
        th { text-align: left; color: #bbb; font-size: 20px; font-weight: normal; padding: 4px 10px; }
        td { padding: 6px 10px; border-top: 2px solid #333; font-size: 28px; }
        th.n { text-align: right; }
        td.n { text-align: right; font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
        .met { color: #5dff8f; font-weight: bold; }
        .missed { color: #ff6b6b; font-weight: bold; }
        .pending { color: #888; }
        .roles td { font-size: 26px; }
        .charts { display: flex; flex-wrap: wrap; gap: 10px 4%; margin-top: 12px; }
        .charts svg { width: 48%; height: auto; }
        svg text { fill: #fff; font-size: 21px; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        svg text.h { font-size: 22px; fill: #ccc; }
        svg rect.bar { fill: #9fd3ff; }
        svg rect.bar.prod { fill: #ffd166; }
        svg line.axis { stroke: #666; stroke-width: 2; }
        .series { display: flex; gap: 1%; margin-top: 8px; }
        .series svg { width: 19.2%; height: auto; }
        .series svg text.h { font-size: 17px; }
        svg polyline.series { fill: none; stroke: #9fd3ff; stroke-width: 3; }
        svg line.base { stroke: #ffd166; stroke-width: 2; stroke-dasharray: 8 6; }
        svg line.alarm { stroke: #ff6b6b; stroke-width: 3; }
        .note { font-size: 18px; color: #aaa; margin-top: 10px; }
        """

    /// The page for `view`.
    public static func render(_ view: DrillLiveView) -> String {
        let e = Markup.escape
        var out = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\"/>",
            "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\"/>",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
            "<title>\(e("Drill \(view.drill)"))</title>",
            "<style>\n\(style)\n</style>",
            "</head>",
            "<body>",
            "<h1><strong>Drill \(e(view.drill))</strong> · running \(e(duration(view.elapsedSeconds)))"
                + (view.endedAt == nil ? "" : " · <strong>ended</strong>")
                + " · updated \(e(clockTime(view.at))) UTC</h1>",
            "<div class=\"top\">",
        ]
        out.append(contentsOf: productionPanel(view))
        out.append(contentsOf: incidentPanel(view))
        out.append("</div>")
        out.append("<div class=\"bottom\">")
        out.append("<div class=\"main\">")
        out.append(contentsOf: lapsPanel(view))
        out.append(contentsOf: whyPanel(view))
        out.append(contentsOf: rolesPanel(view))
        out.append("</div>")
        out.append("<div class=\"side\">")
        out.append(contentsOf: signalsPanel(view))
        out.append("</div>")
        out.append("</div>")
        out.append(contentsOf: seriesPanel(view))
        out += ["</body>", "</html>", ""]
        return out.joined(separator: "\n")
    }

    static func productionPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = ["<div class=\"panel prod\">", "<h2>Production</h2>"]
        guard let production = view.production else {
            return lines + ["<div class=\"big pending\">none</div>", "</div>"]
        }
        let seq = production.seq.map { "#\($0) " } ?? ""
        lines.append("<div class=\"big\">\(e(seq + production.shortID))</div>")
        var since = "since " + (production.since.map { when($0, now: view.at) } ?? "before the drill")
        if let by = production.movedBy { since += " · by \(by)" }
        lines.append("<div class=\"sub\">\(e(since))</div>")
        if let reason = production.reason, !reason.isEmpty {
            lines.append("<div class=\"sub\">“\(e(reason))”</div>")
        }
        return lines + ["</div>"]
    }

    static func incidentPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = ["<div class=\"panel clock\">", "<h2>Incident clock</h2>"]
        guard let incident = view.incident else {
            return lines + [
                "<div class=\"big quiet\">no alarm</div>",
                "<div class=\"sub\">the monitor is watching live traffic</div>", "</div>",
            ]
        }
        let state = incident.settled ? "closed" : "open"
        let status = incident.closedWhileServing ? "closed while the version it names still serves" : incident.status
        lines.append("<div class=\"big \(state)\">\(e(stopwatch(incident.clockSeconds)))</div>")
        lines.append(
            "<div class=\"sub\">\(e(incident.id)) \(e(status)) · detected \(e(clockTime(incident.detectedAt))) UTC"
                + "</div>")
        return lines + ["</div>"]
    }

    static func lapsPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = [
            "<div class=\"panel\">", "<h2>Laps</h2>", "<table>",
            "<thead><tr><th>phase</th><th class=\"n\">took</th><th class=\"n\">target</th><th></th><th>by</th></tr></thead>",
            "<tbody>",
        ]
        for lap in view.laps {
            let took = lap.seconds.map(duration) ?? "—"
            let mark: (String, String) =
                lap.at == nil ? ("pending", "pending") : lap.met == true ? ("met", "✓ met") : ("missed", "✗ over")
            let by = [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            lines.append(
                "<tr><td class=\"\(lap.at == nil ? "pending" : "")\">\(e(lap.phase.rawValue))</td>"
                    + "<td class=\"n\">\(e(took))</td><td class=\"n\">\(e(duration(lap.targetSeconds)))</td>"
                    + "<td class=\"\(mark.0)\">\(e(mark.1))</td><td>\(e(by))</td></tr>")
        }
        return lines + ["</tbody>", "</table>", "</div>"]
    }

    static func signalsPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = [
            "<div class=\"panel\">",
            "<h2>Live signals · last \(Int(view.signalWindowSeconds))s</h2>",
        ]
        guard !view.signals.isEmpty else {
            return lines + ["<div class=\"sub pending\">no traffic answered in the window</div>", "</div>"]
        }
        let versions = Array(view.signals.prefix(3))
        lines.append("<table>")
        lines.append(
            "<thead><tr><th>version</th><th>requests</th></tr></thead><tbody>")
        for version in versions {
            let mark = version.production ? " (production)" : ""
            lines.append(
                "<tr><td>\(e(version.label + mark))</td><td class=\"n\">\(version.requests)</td></tr>")
        }
        lines.append("</tbody></table>")
        lines.append("<div class=\"charts\">")
        for (index, signal) in charted.enumerated() {
            lines.append(chart(signal.label, percent: signal.percent, index: index, versions, signal.value))
        }
        lines.append("</div>")
        lines.append("<div class=\"note\">yellow: production · blue: other versions that answered</div>")
        return lines + ["</div>"]
    }

    /// One signal as a small bar chart: a bar per version, the value written beside it.
    static func chart(
        _ label: String, percent: Bool, index: Int, _ versions: [DrillLiveView.VersionLive],
        _ value: (DrillLiveView.VersionLive) -> Double
    ) -> String {
        let e = Markup.escape
        let width = 320.0
        let rowHeight = 30.0
        let top = 32.0
        let height = top + Double(versions.count) * rowHeight + 4
        let left = 64.0
        let barMax = 170.0
        func text(_ v: Double) -> String { percent ? String(format: "%.1f%%", v * 100) : String(format: "%.2f", v) }
        var lines = [
            "<svg role=\"img\" aria-labelledby=\"signal-\(index)\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\">",
            "<title id=\"signal-\(index)\">\(e(label)) by version</title>",
            "<text class=\"h\" x=\"0\" y=\"22\">\(e(label))</text>",
            "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(height - 2))\"/>",
        ]
        for (row, version) in versions.enumerated() {
            let v = value(version)
            let y = top + Double(row) * rowHeight
            let w = max(2, min(1, max(0, v)) * barMax)
            let seq = version.seq.map { "#\($0)" } ?? String(version.shortID.prefix(6))
            lines.append("<text x=\"0\" y=\"\(n(y + 22))\">\(e(seq))</text>")
            lines.append(
                "<rect class=\"bar\(version.production ? " prod" : "")\" x=\"\(n(left))\" y=\"\(n(y + 4))\" "
                    + "width=\"\(n(w))\" height=\"22\"><title>\(e(version.label)): \(e(text(v)))</title></rect>")
            lines.append("<text x=\"\(n(left + w + 8))\" y=\"\(n(y + 22))\">\(e(text(v)))</text>")
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }

    static func rolesPanel(_ view: DrillLiveView) -> [String] {
        let e = Markup.escape
        var lines = [
            "<div class=\"panel\" style=\"margin-top: 24px\">", "<h2>Roles</h2>", "<table class=\"roles\">", "<tbody>",
        ]
        for role in DrillRole.allCases {
            let names = view.holders(of: role)
            let cell =
                names.isEmpty ? "<td class=\"pending\">nobody yet</td>" : "<td>\(e(names.joined(separator: ", ")))</td>"
            lines.append("<tr><td>\(e(role.title))</td>\(cell)</tr>")
        }
        return lines + ["</tbody>", "</table>", "</div>"]
    }

    // MARK: formatting

    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        if tenths == 0 { return "0" }
        if tenths.truncatingRemainder(dividingBy: 10) == 0 { return String(Int(tenths / 10)) }
        return String(format: "%.1f", tenths / 10)
    }

    /// "4m 05s", "37s": a lap or elapsed time.
    static func duration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm %02ds", total / 60, total % 60) }
        return String(format: "%dh %02dm", total / 3600, (total % 3600) / 60)
    }

    /// "04:05" or "1:04:05": the incident clock.
    static func stopwatch(_ seconds: Double) -> String {
        let total = Int(max(0, seconds))
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%02d:%02d", m, s)
    }

    /// "14:03:27 UTC" today, "2026-11-29 06:40 UTC" for an earlier day.
    static func when(_ date: Date, now: Date) -> String {
        guard now.timeIntervalSince(date) >= 12 * 3600 else { return clockTime(date) + " UTC" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// "14:03:27" in UTC.
    static func clockTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
