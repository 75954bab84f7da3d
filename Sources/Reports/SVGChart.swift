// A small SVG chart toolkit for the report page: scales, axes, bands, markers, points with interval whiskers
// and bars. Output is byte-stable (fixed number formatting, no ids from randomness) and accessible
// (role="img", <title>, <desc>); styling comes from the page's CSS classes so print rules apply.
import Foundation

/// Text and numbers as they go into markup (shared by every page the kit renders).
public enum Markup {
    /// Escapes text for element content and attribute values alike.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters are not allowed in XML 1.0 at all.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}": out += " "
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal, without a trailing ".0" and never "-0".
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        if tenths == 0 { return "0" }
        if tenths.truncatingRemainder(dividingBy: 10) == 0 { return String(Int(tenths / 10)) }
        return String(format: "%.1f", tenths / 10)
    }

    /// A rate as a percentage with one decimal: "87.5%".
    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
}

/// Maps a domain linearly onto a pixel range.
struct LinearScale {
    var domain: (low: Double, high: Double)
    var range: (low: Double, high: Double)

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.high - domain.low
        guard span != 0 else { return (range.low + range.high) / 2 }
        return range.low + (value - domain.low) / span * (range.high - range.low)
    }

    /// Round tick values (1, 2 or 5 × a power of ten) covering the domain, about `count` of them.
    func ticks(_ count: Int) -> [Double] {
        let span = domain.high - domain.low
        guard span > 0, count > 0 else { return [domain.low] }
        let raw = span / Double(count)
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = (domain.low / step).rounded(.up) * step
        while value <= domain.high + step * 1e-9 {
            ticks.append(value)
            value += step
        }
        return ticks
    }
}

struct Tick {
    var value: Double
    var label: String
}

/// One chart: a plot area inside margins, drawn in layers (bands under grid under marks).
struct SVGChart {
    let id: String
    let title: String
    let summary: String
    var width: Double = 760
    var height: Double = 280
    var left: Double = 56
    var right: Double = 20
    var top: Double = 28
    var bottom: Double = 44
    private var under: [String] = []
    private var marks: [String] = []
    private var over: [String] = []

    init(id: String, title: String, summary: String, height: Double = 280, left: Double = 56, right: Double = 20) {
        self.id = id
        self.title = title
        self.summary = summary
        self.height = height
        self.left = left
        self.right = right
    }

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    func xScale(_ low: Double, _ high: Double) -> LinearScale {
        LinearScale(domain: (low, high), range: (plotLeft, plotRight))
    }

    func yScale(_ low: Double, _ high: Double) -> LinearScale {
        LinearScale(domain: (low, high), range: (plotBottom, plotTop))
    }

    private static func n(_ value: Double) -> String { Markup.number(value) }

    /// Gridlines and labels on both axes, with axis titles.
    mutating func axes(x: [Tick], y: [Tick], xScale: LinearScale, yScale: LinearScale, xTitle: String, yTitle: String) {
        for tick in y {
            let at = Self.n(yScale(tick.value))
            under.append(
                "<line class=\"grid\" x1=\"\(Self.n(plotLeft))\" y1=\"\(at)\" x2=\"\(Self.n(plotRight))\" y2=\"\(at)\"/>"
            )
            over.append(
                "<text class=\"tick\" x=\"\(Self.n(plotLeft - 6))\" y=\"\(at)\" text-anchor=\"end\" dy=\"0.32em\">\(Markup.escape(tick.label))</text>"
            )
        }
        for tick in x {
            let at = Self.n(xScale(tick.value))
            // A label centred on a tick at the right edge would be cut off by the viewBox.
            let anchor = xScale(tick.value) > plotRight - Double(tick.label.count) * 3.5 ? "end" : "middle"
            over.append(
                "<text class=\"tick\" x=\"\(at)\" y=\"\(Self.n(plotBottom + 16))\" text-anchor=\"\(anchor)\">\(Markup.escape(tick.label))</text>"
            )
            under.append(
                "<line class=\"tickmark\" x1=\"\(at)\" y1=\"\(Self.n(plotBottom))\" x2=\"\(at)\" y2=\"\(Self.n(plotBottom + 4))\"/>"
            )
        }
        over.append(
            "<line class=\"axis\" x1=\"\(Self.n(plotLeft))\" y1=\"\(Self.n(plotBottom))\" x2=\"\(Self.n(plotRight))\" y2=\"\(Self.n(plotBottom))\"/>"
        )
        over.append(
            "<text class=\"axis-title\" x=\"\(Self.n((plotLeft + plotRight) / 2))\" y=\"\(Self.n(height - 6))\" text-anchor=\"middle\">\(Markup.escape(xTitle))</text>"
        )
        over.append(
            "<text class=\"axis-title\" x=\"\(Self.n(plotLeft))\" y=\"\(Self.n(plotTop - 12))\" text-anchor=\"start\">\(Markup.escape(yTitle))</text>"
        )
    }

    /// A shaded vertical band from x0 to x1 (pixels), with a label along its top edge if it fits.
    mutating func band(x0: Double, x1: Double, label: String, style: String) {
        let width = max(0.5, x1 - x0)
        under.append(
            "<rect class=\"\(style)\" x=\"\(Self.n(x0))\" y=\"\(Self.n(plotTop))\" width=\"\(Self.n(width))\" height=\"\(Self.n(plotBottom - plotTop))\"/>"
        )
        if width >= Double(label.count) * 6 + 6 {
            under.append(
                "<text class=\"band-label\" x=\"\(Self.n(x0 + 3))\" y=\"\(Self.n(plotTop + 11))\">\(Markup.escape(label))</text>"
            )
        }
    }

    /// A horizontal reference line across the plot (a threshold).
    mutating func hline(y: Double, style: String) {
        under.append(
            "<line class=\"\(style)\" x1=\"\(Self.n(plotLeft))\" y1=\"\(Self.n(y))\" x2=\"\(Self.n(plotRight))\" y2=\"\(Self.n(y))\"/>"
        )
    }

    /// Vertical gridlines at pixel positions (for charts whose values run along x).
    mutating func verticalGrid(_ positions: [Double]) {
        for x in positions {
            under.append(
                "<line class=\"grid\" x1=\"\(Self.n(x))\" y1=\"\(Self.n(plotTop))\" x2=\"\(Self.n(x))\" y2=\"\(Self.n(plotBottom))\"/>"
            )
        }
    }

    /// A vertical marker line at x (pixels) with a short label; `row` staggers labels that would collide.
    mutating func marker(x: Double, label: String, style: String, row: Int = 0) {
        marks.append(
            "<line class=\"\(style)\" x1=\"\(Self.n(x))\" y1=\"\(Self.n(plotTop))\" x2=\"\(Self.n(x))\" y2=\"\(Self.n(plotBottom))\"/>"
        )
        over.append(
            "<text class=\"\(style)-label\" x=\"\(Self.n(x + 3))\" y=\"\(Self.n(plotBottom - 6 - Double(row) * 12))\">\(Markup.escape(label))</text>"
        )
    }

    /// Points joined by a line, each with an optional vertical whisker (an interval) and a tooltip title.
    mutating func series(
        _ points: [(x: Double, y: Double, low: Double?, high: Double?, note: String)], style: String, joined: Bool
    ) {
        guard !points.isEmpty else { return }
        if joined, points.count > 1 {
            let path = points.map { "\(Self.n($0.x)),\(Self.n($0.y))" }.joined(separator: " ")
            marks.append("<polyline class=\"\(style)-line\" points=\"\(path)\"/>")
        }
        drawPoints(points, style: style)
    }

    /// Points joined within each run (a gap in the data breaks the line rather than bridging it).
    mutating func series(
        runs: [[(x: Double, y: Double, low: Double?, high: Double?, note: String)]], style: String
    ) {
        for run in runs where run.count > 1 {
            let path = run.map { "\(Self.n($0.x)),\(Self.n($0.y))" }.joined(separator: " ")
            marks.append("<polyline class=\"\(style)-line\" points=\"\(path)\"/>")
        }
        drawPoints(runs.flatMap { $0 }, style: style)
    }

    private mutating func drawPoints(
        _ points: [(x: Double, y: Double, low: Double?, high: Double?, note: String)], style: String
    ) {
        for point in points {
            if let low = point.low, let high = point.high {
                let x = Self.n(point.x)
                marks.append(
                    "<line class=\"whisker\" x1=\"\(x)\" y1=\"\(Self.n(low))\" x2=\"\(x)\" y2=\"\(Self.n(high))\"/>")
                for end in [low, high] {
                    marks.append(
                        "<line class=\"whisker\" x1=\"\(Self.n(point.x - 3))\" y1=\"\(Self.n(end))\" x2=\"\(Self.n(point.x + 3))\" y2=\"\(Self.n(end))\"/>"
                    )
                }
            }
            marks.append(
                "<circle class=\"\(style)\" cx=\"\(Self.n(point.x))\" cy=\"\(Self.n(point.y))\" r=\"3.5\"><title>\(Markup.escape(point.note))</title></circle>"
            )
        }
    }

    /// A rectangle mark (a bar or a timeline segment) with a tooltip title.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, style: String, note: String) {
        marks.append(
            "<rect class=\"\(style)\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0.5, width)))\" height=\"\(Self.n(max(0.5, height)))\"><title>\(Markup.escape(note))</title></rect>"
        )
    }

    /// A dot mark (an instant on a timeline).
    mutating func dot(x: Double, y: Double, style: String, note: String) {
        marks.append(
            "<circle class=\"\(style)\" cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"4.5\"><title>\(Markup.escape(note))</title></circle>"
        )
    }

    /// Free text at a point (labels of lanes, values over bars).
    mutating func text(_ text: String, x: Double, y: Double, anchor: String = "start", style: String = "label") {
        over.append(
            "<text class=\"\(style)\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\">\(Markup.escape(text))</text>"
        )
    }

    /// A legend row above the plot, right-aligned: a swatch and a label per entry.
    mutating func legend(_ entries: [(label: String, style: String)]) {
        var x = plotRight
        for entry in entries.reversed() {
            x -= Double(entry.label.count) * 6.2 + 22
            over.append(
                "<rect class=\"swatch \(entry.style)\" x=\"\(Self.n(x))\" y=\"\(Self.n(top - 20))\" width=\"10\" height=\"10\"/>"
            )
            over.append(
                "<text class=\"legend\" x=\"\(Self.n(x + 14))\" y=\"\(Self.n(top - 11))\">\(Markup.escape(entry.label))</text>"
            )
        }
    }

    func render() -> String {
        var lines = [
            "<svg class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" preserveAspectRatio=\"xMidYMid meet\">",
            "<title id=\"\(id)-title\">\(Markup.escape(title))</title>",
            "<desc id=\"\(id)-desc\">\(Markup.escape(summary))</desc>",
        ]
        lines += under + marks + over
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }
}
