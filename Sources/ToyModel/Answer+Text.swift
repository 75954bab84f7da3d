// An answer as `ask` prints it: the reply, then one dim line of what the model decided.
import Foundation
public import Terminal

extension Answer: TextRendering {
    public func render(_ out: inout TextOutput) {
        var facts = ["intent \(intent) (\(String(format: "%.2f", confidence)))"]
        facts.append(citedDocument.map { "cites \($0)" } ?? "no citation")
        if escalated { facts.append("escalated to a human") }
        if refused { facts.append("refused") }
        facts.append(
            "version \(version == "workspace" ? "workspace (unregistered live files)" : String(version.prefix(12)))")
        out.line(text)
        out.line(out.styled("— " + facts.joined(separator: " · "), .dim))
    }
}
