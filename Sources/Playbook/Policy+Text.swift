// `policy pin` and `policy show` as text.
import Foundation
import Hashing
public import Terminal

extension PolicyReport: TextRendering {
    public func render(_ out: inout TextOutput) { renderShown(&out) }

    /// The `policy` command's discussion in help.
    public static let commandHelp = """
        The policy is .labrunner/settings.json (pass threshold, floors, alpha, repeats, retention: every key, defaults
        filled in), pinned in the registry like the suite. Every gate, canary and rollback records the hash of the pin
        in force, and refuses while settings.json differs from it: pin the edit (an event with who and why) or undo it.
        The first decision pins the file on first use. A pin that loosens the policy (lower pass_threshold, a floor
        removed, higher alpha, fewer sampled_repeats, another standard_suite) needs --approver, a second person.
        """

    /// `policy pin`: what was pinned and what it changed, or that the policy in force is already settings.json.
    public func renderPinned(_ out: inout TextOutput) {
        guard let pin else { return }
        if unchanged {
            out.line(
                "The policy is already pinned at \(pin.sha256.prefix(12)) (event #\(pin.event)); nothing was written.")
            return
        }
        for change in changes { out.line("  \(change)") }
        let approval = pin.approver.map { ", loosening approved by \($0)" } ?? ""
        out.line(
            "Pinned the policy \(out.styled(String(pin.sha256.prefix(12)), .yellow)) from \(file) by \(pin.by) "
                + "(\(pin.reason))\(approval) (event #\(pin.event)); gates, canaries and rollbacks record it.")
    }

    /// `policy show`: the pin in force, and what pinning settings.json would change.
    public func renderShown(_ out: inout TextOutput) {
        if let pin {
            let approval = pin.approver.map { ", approved by \($0)" } ?? ""
            out.line(
                "Pinned: policy \(pin.sha256.prefix(12)) by \(pin.by) (\(pin.reason))\(approval) at "
                    + "\(Timestamp.string(from: pin.at)), event #\(pin.event)")
        } else {
            out.line("Not pinned yet: the first gate, canary or rollback pins \(file) (the kit's defaults if absent).")
        }
        if unchanged || (pin == nil && changes.isEmpty) {
            out.line("\(file) is the policy in force.")
            return
        }
        out.line(
            "\(file) differs from \(pin == nil ? "the kit's defaults" : "the pinned policy"); gates, canaries and "
                + "rollbacks refuse until it is pinned ('LabRunner policy pin --reason TEXT'):")
        for change in changes { out.line("  \(change)") }
        if !loosens.isEmpty {
            out.line(
                "It loosens the policy, so the pin needs --approver NAME, a second person: \(loosens.joined(separator: "; "))."
            )
        }
    }
}
