// A verification report as `verify` prints it: each mismatch, the notes, then what was re-derived.
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
        out.line(out.styled("\(bundle) fails verification", .red) + ": \(mismatches.count) mismatch(es) above.")
    }
}
