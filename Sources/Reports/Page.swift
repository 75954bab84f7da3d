// The markup a page is built from: lines of HTML with helpers for the repeated parts.
import Foundation
import Hashing
import Playbook

/// The page as it is built: lines of markup, with a few helpers for the repeated parts.
struct Page {
    private(set) var text = ""

    mutating func line(_ markup: String) { text += markup + "\n" }

    mutating func open(_ id: String, _ title: String, _ note: String) {
        line("<section id=\"\(id)\">")
        line("<h2>\(Markup.escape(title))</h2>")
        line("<p class=\"note\">\(note)</p>")
    }

    mutating func close() { line("</section>") }

    mutating func empty(_ sentence: String) { line("<p class=\"empty\">\(Markup.escape(sentence))</p>") }

    /// The chart and, under it, its text alternative (the same words as its <desc>).
    mutating func figure(_ chart: SVGChart, alternative: String) {
        line("<figure>")
        line(chart.render())
        line("<figcaption class=\"alt\">\(Markup.escape(alternative))</figcaption>")
        line("</figure>")
    }

    /// `numeric` columns align right; `wrap` columns (free text) may break lines, the rest never do.
    mutating func table(caption: String, head: [String], numeric: [Int], wrap: [Int] = [], rows: [[String]]) {
        guard !rows.isEmpty else { return }
        // A newline in a value starts a new line in its cell (a time above the event it comes from).
        func cell(_ tag: String, _ index: Int, _ value: String) -> String {
            let text = value.split(separator: "\n", omittingEmptySubsequences: false).map { Markup.escape(String($0)) }
                .joined(separator: "<br/>")
            let style = numeric.contains(index) ? " class=\"num\"" : wrap.contains(index) ? " class=\"wrap\"" : ""
            return "<\(tag)\(style)>\(text)</\(tag)>"
        }
        line("<table>")
        line("<caption>\(Markup.escape(caption))</caption>")
        line("<thead><tr>" + head.enumerated().map { cell("th", $0, $1) }.joined() + "</tr></thead>")
        line("<tbody>")
        for row in rows { line("<tr>" + row.enumerated().map { cell("td", $0, $1) }.joined() + "</tr>") }
        line("</tbody>")
        line("</table>")
    }
}
