// LabKit's one error type: each case is the sentence the learner reads, with the way out.

public enum LabError: Error, CustomStringConvertible, Equatable, Sendable {
    case badManifest(file: String, field: String, problem: String)
    case unknownLab(String, known: [String])
    case ambiguousLab(String, matches: [String])
    case noCurrentLab
    case notPassed(lab: String)
    case scriptFailed(script: String, status: Int32, output: String)
    case noStartingState(lab: String)
    case hintLevel(requested: Int, available: Int)
    /// A file the kit wrote that no longer reads; `path` names it.
    case corruptFile(path: String, reason: String)
    /// A step of a lab start or reset could not change `path`; the next run finishes or undoes it.
    case fileFailed(path: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .badManifest(let file, let field, let problem):
            return "\(file): field '\(field)' \(problem)."
        case .unknownLab(let name, let known):
            return "No lab '\(name)'; the labs are \(known.joined(separator: ", ")) (see 'LabRunner lab list')."
        case .ambiguousLab(let name, let matches):
            return "'\(name)' matches several labs (\(matches.joined(separator: ", "))); give its number."
        case .noCurrentLab:
            return "No lab has been started in this workspace; start one with 'LabRunner lab start 00'."
        case .notPassed(let lab):
            return
                "The reference solution of \(lab) is shown only after the lab passes; run 'LabRunner lab check' to see what is missing, or 'LabRunner lab hint'."
        case .scriptFailed(let script, let status, let output):
            let tail = output.split(separator: "\n").suffix(3).joined(separator: " / ")
            return
                "\(script) stopped with status \(status)\(tail.isEmpty ? "" : ": \(tail)"); nothing it began counts: run the command again to set the lab up afresh from its starting state."
        case .noStartingState(let lab):
            return
                "Lab \(lab) was never started in this workspace, so there is no starting state to restore; run 'LabRunner lab start \(lab)'."
        case .hintLevel(let requested, let available):
            return "There is no hint level \(requested); this lab has levels 1 to \(available)."
        case .corruptFile(let path, let reason):
            return "\(path) is damaged (\(reason)); the workspace may need 'LabRunner lab reset' or a fresh start."
        case .fileFailed(let path, let reason):
            return
                "\(path) could not be changed (\(reason)); run the command again: it finishes or undoes what this one began."
        case .invalid(let sentence):
            return sentence
        }
    }
}
