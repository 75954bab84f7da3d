// The interviewer's guide as Markdown (escaped, for a notes app or a pull request) and as one static HTML page to
// print: inline style, no scripts, nothing fetched. Both byte-stable for the same key.
import Foundation
import Reports

extension InterviewGuide {
    public func render(_ format: GuideFormat) -> String { format == .md ? markdown : html }

    var heading: String { "Interviewer guide: \(family) scenario" }

    var intro: String {
        "Built for a \(level.rawValue) candidate: \(flaws.count) planted flaws and \(herrings.count) red herrings. Keep this sheet away from the candidate. "
            + "Grade with 'critique grade', then overrule single lines with '--adjust' where the automatic verdict "
            + "misses the insight."
    }

    public var markdown: String {
        // Every line starts with the guide's own marker, so only inline syntax needs escaping (text stays readable).
        func e(_ text: String) -> String {
            var out = ""
            for character in Findings.clean(text) {
                if "\\`*_[]<>|~&".contains(character) { out.append("\\") }
                out.append(character)
            }
            return out
        }
        var lines = ["# " + e(heading), "", e(intro), "", "## Suggested time", "", "| level | minutes | expect |"]
        lines.append("|---|---|---|")
        lines += times.map { "| \($0.level) | \($0.minutes) | \(e($0.expect)) |" }
        lines += ["", "## Planted flaws (most severe first)"]
        for (index, flaw) in flaws.enumerated() {
            lines += [
                "", "### \(index + 1). \(e(flaw.code)) (\(flaw.severity.rawValue)): \(e(flaw.title))", "",
                "*Where:* " + e(flaw.location), "",
                "*Evidence a finding may cite:* "
                    + flaw.evidence.map {
                        $0.hasPrefix("(") ? e($0) : "`" + $0.replacingOccurrences(of: "`", with: "'") + "`"
                    }
                    .joined(separator: ", "), "", "*A strong answer:* " + e(flaw.strongAnswer), "", "*Follow-ups:*",
            ]
            lines += flaw.followUps.enumerated().map { "\($0.offset + 1). " + e($0.element) }
            lines += ["", "*Red flags:*"] + flaw.redFlags.map { "- " + e($0) }
        }
        lines += ["", "## Red herrings (fine on inspection)"]
        for herring in herrings {
            lines += [
                "", "### \(e(herring.code)): \(e(herring.title))", "", "*Why it is fine:* " + e(herring.whyFine), "",
                "*Falling for it shows:* " + e(herring.fallingForItShows),
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One printable page: A4-friendly widths, page breaks between flaws avoided, no script and no external file.
    public var html: String {
        func h(_ text: String) -> String { Markup.escape(Findings.clean(text)) }
        var body = [
            "<h1>\(h(heading))</h1>", "<p class=\"intro\">\(h(intro))</p>", "<h2>Suggested time</h2>",
            "<table><tr><th>level</th><th>minutes</th><th>expect</th></tr>",
        ]
        body += times.map { "<tr><td>\(h($0.level))</td><td>\($0.minutes)</td><td>\(h($0.expect))</td></tr>" }
        body += ["</table>", "<h2>Planted flaws (most severe first)</h2>"]
        for (index, flaw) in flaws.enumerated() {
            body += [
                "<section class=\"flaw \(flaw.severity.rawValue)\">",
                "<h3>\(index + 1). <code>\(h(flaw.code))</code> <span class=\"sev\">\(flaw.severity.rawValue)</span> "
                    + "\(h(flaw.title))</h3>",
                "<p><b>Where:</b> \(h(flaw.location))</p>",
                "<p><b>Evidence a finding may cite:</b> "
                    + flaw.evidence.map { $0.hasPrefix("(") ? h($0) : "<code>\(h($0))</code>" }.joined(separator: ", ")
                    + "</p>",
                "<p><b>A strong answer:</b> \(h(flaw.strongAnswer))</p>",
                "<p><b>Follow-ups:</b></p><ol>" + flaw.followUps.map { "<li>\(h($0))</li>" }.joined() + "</ol>",
                "<p><b>Red flags:</b></p><ul>" + flaw.redFlags.map { "<li>\(h($0))</li>" }.joined() + "</ul>",
                "</section>",
            ]
        }
        body.append("<h2>Red herrings (fine on inspection)</h2>")
        for herring in herrings {
            body += [
                "<section class=\"herring\">", "<h3><code>\(h(herring.code))</code> \(h(herring.title))</h3>",
                "<p><b>Why it is fine:</b> \(h(herring.whyFine))</p>",
                "<p><b>Falling for it shows:</b> \(h(herring.fallingForItShows))</p>", "</section>",
            ]
        }
        let style = """
            body{font:15px/1.45 Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111}
            h1{font-size:1.6em;border-bottom:2px solid #111}h2{margin-top:1.6em;border-bottom:1px solid #999}
            h3{font-size:1.1em;margin-bottom:.3em}code{font:13px Menlo,Consolas,monospace;background:#f2f2f2;padding:0 .2em}
            table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .6em;text-align:left}
            section{break-inside:avoid;border-left:4px solid #999;padding:.1em 0 .1em .9em;margin:1em 0}
            section.high{border-color:#b00}section.medium{border-color:#d80}section.low{border-color:#08a}
            section.herring{border-color:#6a6}.sev{font:12px sans-serif;text-transform:uppercase;color:#555}
            .intro{color:#333}@media print{body{margin:0;max-width:none}}
            """
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(h(heading))</title>\n"
            + "<style>\n\(style)\n</style></head><body>\n" + body.joined(separator: "\n") + "\n</body></html>\n"
    }
}
