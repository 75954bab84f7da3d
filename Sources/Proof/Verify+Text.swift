// A verification report as `verify` prints it (each mismatch, the notes, then what was re-derived), and what
// `bundle` says about the file it wrote.
import Foundation
import Registry
public import Terminal

extension VerifyReport {
    /// `bundle` is the file as the user named it.
    public func render(_ out: inout TextOutput, bundle: String) {
        for mismatch in mismatches { out.line("\(mismatch.member): \(mismatch.problem)") }
        for note in notes { out.line("Note: \(note)") }
        if ok {
            out.line(out.styled(headline(bundle), .green) + ".")
            out.line("Proven:")
            for line in checked { out.line("  ✓ \(line)") }
            out.line("Not proven, by this or any local tool:")
            for line in challenge == nil ? Self.unprovable : Self.unprovableUnderChallenge { out.line("  ✗ \(line)") }
            return
        }
        out.line(
            out.styled("Tampered: \(bundle)", .red)
                + " does not match its own evidence: \(mismatches.count) mismatch(es) above.")
    }
}

extension VerifyReport {
    /// What no check of a bundle can establish, said every time so that "verified" is never read as more.
    static let unprovable = [
        "who typed the commands, or that the history happened as recorded (a consistent history can be made up)",
        "when the work was done: event times are the machine's own clock",
    ]

    /// Under an examiner's challenge the window is the examiner's clock; what happened inside it is not.
    static let unprovableUnderChallenge = [
        unprovable[0],
        "when each step was done inside the challenge's window: event times are the machine's own clock",
    ]

    /// "Verified" only for a checked signature, and then by whom; otherwise what was and was not checked. The
    /// learner the bundle names is a claim, so it is named apart from the signer when they differ.
    func headline(_ bundle: String) -> String {
        let claimed = learner ?? "unknown learner"
        switch signature {
        case .verified:
            let signer = signer ?? "unknown signer"
            let differs = learner.flatMap { Roster.identity($0) == Roster.identity(signer) ? nil : $0 }
            return "Verified \(bundle): signed by \(signer)"
                + (challenge.map { ", answering the examiner's challenge \($0)" } ?? "")
                + (differs.map { "; the bundle names \($0) as the learner, a claim the signature does not make" } ?? "")
        case .notChecked:
            return "Consistent \(bundle) (learner \(claimed), a claim): signed, but the signature was not checked; "
                + "give --allowed-signers FILE to check who signed it"
        case .unsigned:
            return "Consistent \(bundle) (learner \(claimed), a claim): unsigned, so nothing ties it to anyone"
        }
    }
}

extension BundleResult {
    /// What `bundle` prints about the file it wrote, `named` as the user named it.
    public func render(_ out: inout TextOutput, named: String) {
        out.line(
            "Wrote \(named): \(statement.subject.count) members, \(statement.predicate.labs.count) lab(s), "
                + "events up to #\(statement.predicate.eventLog.seq)" + (signed ? ", signed." : "."))
        out.line("Anyone can check it with: LabRunner verify \(named)")
    }

    /// What `bundle --json` prints: where the file went, its size, whether it is signed, and its statement.
    public func json(path: String) -> some Encodable & Sendable {
        BundleJSON(path: path, bytes: data.count, signed: signed, statement: statement)
    }
}

struct BundleJSON: Encodable, Sendable {
    var path: String
    var bytes: Int
    var signed: Bool
    var statement: Statement
}
