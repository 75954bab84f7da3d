// A verification report as `verify` prints it (each mismatch, the notes, then what was re-derived), and what
// `bundle` says about the file it wrote.
public import Terminal

extension VerifyReport {
    /// `bundle` is the file as the user named it.
    public func render(_ out: inout TextOutput, bundle: String) {
        for mismatch in mismatches { out.line("\(mismatch.member): \(mismatch.problem)") }
        for note in notes { out.line("Note: \(note)") }
        if ok {
            out.line(out.styled("Verified \(bundle)", .green) + " (\(learner ?? "unknown learner")):")
            for line in checked { out.line("  ✓ \(line)") }
            return
        }
        out.line(
            out.styled("Tampered: \(bundle)", .red)
                + " does not match its own evidence: \(mismatches.count) mismatch(es) above.")
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
