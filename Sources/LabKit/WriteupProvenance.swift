// How each lab was done, handed to the write-up's "how this was done" banner: the same evidence the grader
// reads (starts, hints, laid-down records), so the write-up and the grade cannot disagree.
import Registry
public import Reports

extension Evidence {
    /// Every lab started in this workspace, in the order first started.
    public func writeupProvenance() -> [LabProvenance] {
        startedLabIDs.map { lab in
            LabProvenance(
                lab: lab, starts: attempts(of: lab), hints: hints(of: lab), laidDown: laidDown(lab),
                seed: started(lab)?.payload.seed)
        }
    }
}
