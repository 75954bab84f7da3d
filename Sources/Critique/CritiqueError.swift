// The critique module's one error type: each case is the sentence an interviewer or candidate reads.

public enum CritiqueError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownFamily(String)
    case badMode(String)
    case folderNotEmpty(String)
    case keyInsideFolder(key: String, folder: String)
    case notAScenario(String)
    /// A file of the scenario folder the kit wrote that no longer reads.
    case scenarioDamaged(path: String, reason: String)
    case keyUnreadable(path: String, reason: String)
    case commitmentMismatch(key: String)
    case findingsUnreadable(path: String)
    case findingsTooLarge(path: String, bytes: Int)
    case findingsTooMany(path: String, count: Int)
    case findingsEncoding(path: String, reason: String)
    case badFindings([String])
    case badAdjustments([String])
    case gradeUnreadable(path: String, reason: String)
    case practiceOnly(command: String)
    case bundleRefused(String)
    case writeFailed(path: String, reason: String)
    case buildFailed(String)
    case timingUnreadable(path: String)
    case timingRefused(String)

    public var description: String {
        switch self {
        case .unknownFamily(let name):
            return "There is no scenario family '\(name)'; run 'LabRunner critique list' to see the families."
        case .badMode(let mode):
            return "The mode '\(mode)' is not one of interview, practice; pass --mode interview or --mode practice."
        case .folderNotEmpty(let path):
            return "\(path) already exists and is not an empty folder; choose a new folder for the candidate."
        case .keyInsideFolder(let key, let folder):
            return "The answer key \(key) would be inside the candidate folder \(folder); put --key outside it."
        case .notAScenario(let path):
            return
                "\(path) is not a critique scenario folder (no .critique/commitment); run 'LabRunner critique new' first."
        case .scenarioDamaged(let path, let reason):
            return "\(path) is damaged (\(reason)); build the scenario again with 'LabRunner critique new'."
        case .keyUnreadable(let path, let reason):
            return "The answer key \(path) cannot be read: \(reason); pass the --key file 'critique new' wrote."
        case .commitmentMismatch(let key):
            return "The answer key \(key) does not match the folder's commitment: it was changed or belongs to another "
                + "scenario; use the key written by 'critique new' for this folder."
        case .findingsUnreadable(let path):
            return "The findings file \(path) cannot be read; pass a text file with one finding a line."
        case .findingsTooLarge(let path, let bytes):
            return "The findings file \(path) is \(bytes) bytes, over the 1 MiB a findings file may be; "
                + "keep one finding a line, at most 500."
        case .findingsTooMany(let path, let count):
            return "The findings file \(path) has \(count) findings, over the 500 graded; keep the ones you can defend."
        case .findingsEncoding(let path, let reason):
            return "The findings file \(path) cannot be read: \(reason); save it as UTF-8 (or UTF-16 with a BOM)."
        case .badFindings(let problems):
            return "The findings file has \(problems.count) malformed line(s): "
                + problems.prefix(3).joined(separator: "; ")
                + "; write each finding as 'CODE  EVIDENCE  explanation'."
        case .badAdjustments(let problems):
            return "The adjustments file has \(problems.count) malformed line(s): "
                + problems.prefix(3).joined(separator: "; ")
                + "; write each as 'LINE credit|partial|debit POINTS reason', nothing was graded."
        case .gradeUnreadable(let path, let reason):
            return "The score sheet \(path) cannot be read (\(reason)); pass files written by 'critique grade --json'."
        case .practiceOnly(let command):
            return "'critique \(command)' is for practice scenarios only; this folder was made with --mode interview."
        case .bundleRefused(let reason):
            return "The bundle was refused and nothing was written: \(reason); ask for a fresh export."
        case .writeFailed(let path, let reason):
            return "Could not write \(path): \(reason); check the folder exists and is writable."
        case .buildFailed(let reason):
            return "The scenario could not be built (\(reason)); nothing was written. Please report this with the seed."
        case .timingUnreadable(let path):
            return
                "The interview's time record \(path) cannot be read; it is written by 'critique start', do not edit it."
        case .timingRefused(let reason):
            return "The time was not recorded: \(reason); nothing was written."
        }
    }
}
