// The registry's one error type: each case reads as the sentence a user sees.
public import Foundation
import Hashing
import Terminal

public enum RegistryError: Error, CustomStringConvertible, Equatable, Sendable {
    case workspaceNotFound(searchedFrom: String)
    case workspaceExists(path: String)
    case workspaceUnusable(path: String, reason: String)
    case missingMetadata(field: String, hint: String)
    case unknownRef(String)
    case ambiguousRef(String, candidates: [String])
    case invalidTagName(String)
    case tagLooksLikeRef(String, why: String)
    case tagHasNoHistory(tag: String, steps: Int)
    case tagNotFound(String)
    case componentEscapesWorkspace(component: String, target: String)
    /// The system folder itself is a symlink that leaves the workspace.
    case folderEscapesWorkspace(folder: String, target: String)
    case componentUnusable(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case corruptFile(path: String, reason: String)
    /// An event whose fields do not read as its kind's payload.
    case corruptEvent(seq: Int, kind: String, reason: String)
    case objectMissing(hash: String, component: String)
    /// A write failed and was fully undone: nothing changed.
    case writeFailed(path: String, reason: String)
    /// The clock reads earlier than the last event: it was set back.
    case clockWentBack(now: Date, last: Date, seq: Int)
    /// A write outside the registry failed and was undone, except for a staged temp that could not be removed.
    case tempLeftBehind(path: String, reason: String, temp: String)
    /// A write failed after its event was appended and the undo failed too: the event stands and applies.
    case writeRecorded(path: String, reason: String, event: Int, kind: String)
    /// An operation of several steps failed after `done` was recorded; `step` says what failed.
    case stepFailedAfter(done: String, step: String)
    case lockFailed(path: String, reason: String)
    case noComponents(path: String)
    case destinationNotEmpty(path: String)
    case artifactsCollected(version: String, component: String, at: String)
    /// A version asked to serve (a serving tag, a canary, a promotion) whose blobs are not all in the store.
    case artifactsMissing(action: String, version: String, component: String, collectedAt: String?)
    case tagChanged(tag: String, expected: String?, actual: String?)
    /// The roster has people and `name` (given as `option`) is not one of them.
    case notOnRoster(name: String, option: String)
    /// An approver who is the same person as the owner or the actor.
    case notASecondPerson(approver: String, other: String, role: String)
    /// A roster change refused: the sentence says why and the way out.
    case rosterChange(String)

    /// For an operation of several writes: `done` (a sentence without its full stop) stands, `error` came after.
    public static func failedAfter(_ done: String, _ error: any Error) -> RegistryError {
        // A Foundation error reads as a sentence, never as an NSError dump.
        var step = SystemErrors.sentence(for: error)
        if case .writeFailed(let path, let reason) = error as? RegistryError {
            step = "could not write \(path): \(reason), and that step changed nothing."
        } else if let first = step.first {
            step = first.lowercased() + step.dropFirst()
        }
        return .stepFailedAfter(done: done, step: step)
    }

    public var description: String {
        switch self {
        case .workspaceNotFound(let start):
            return "No lab workspace found in \(start) or any folder above it; create one with 'LabRunner init' "
                + "or point to one with --workspace DIR."
        case .workspaceExists(let path):
            return
                "A workspace already exists at \(path); use it as it is, or choose another folder for 'LabRunner init'."
        case .workspaceUnusable(let path, let reason):
            return "Cannot use \(path) as a workspace: \(reason)."
        case .missingMetadata(let field, let hint):
            return "Missing \(field): \(hint); nothing was written."
        case .unknownRef(let ref):
            // A bare small number is almost always a sequence number typed without its '#'.
            if let seq = Int(ref), seq > 0, ref.count <= 6 {
                return "No version matches '\(ref)'; did you mean version '#\(seq)'? Quote it ('#\(seq)'): "
                    + "in a shell an unquoted # starts a comment."
            }
            return
                "No version matches '\(ref)'; list versions with 'LabRunner versions' and tags with 'LabRunner tags'."
        case .ambiguousRef(let ref, let candidates):
            return "'\(ref)' matches \(candidates.count) versions (\(candidates.joined(separator: ", "))); "
                + "type more characters of the id."
        case .invalidTagName(let name):
            return "'\(name)' is not a valid tag name; use letters, digits, '.', '_' or '-' (no '/', '..' or spaces)."
        case .tagLooksLikeRef(let name, let why):
            let reading = why == "latest" ? "the ref for the newest version" : "a version id or id prefix"
            return "'\(name)' cannot be a tag name because it reads as \(reading); choose another name, "
                + "such as 'release-\(name)'; nothing was written."
        case .tagHasNoHistory(let tag, let steps):
            return "Tag '\(tag)' has fewer than \(steps) earlier target\(steps == 1 ? "" : "s"); "
                + "see its history with 'LabRunner log'."
        case .tagNotFound(let name):
            return "No tag named '\(name)'; list tags with 'LabRunner tags'."
        case .componentEscapesWorkspace(let component, let target):
            return "Component '\(component)' is a symlink to \(target), outside the workspace; "
                + "replace it with a real file or folder."
        case .folderEscapesWorkspace(let folder, let target):
            return "The \(folder) folder is a symlink to \(target), outside the workspace; replace it with a real "
                + "folder holding the files; nothing was written."
        case .componentUnusable(let path, let reason):
            return "Cannot register \(path): \(reason); nothing was written."
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .corruptFile(let path, let reason):
            return "Registry file \(path) is damaged (\(reason)); run 'LabRunner fsck' for a full report."
        case .corruptEvent(let seq, let kind, let reason):
            return
                "Event #\(seq) (\(kind)) in events.jsonl is damaged: \(reason); run 'LabRunner fsck' for a full report."
        case .objectMissing(let hash, let component):
            return "The blob \(hash.prefix(12)) of component '\(component)' is missing from the object store; "
                + "run 'LabRunner fsck' for a full report."
        case .writeFailed(let path, let reason):
            return "Could not write \(path): \(reason); nothing was changed."
        case .clockWentBack(let now, let last, let seq):
            return
                "The clock reads \(Timestamp.string(from: now)), before event #\(seq) at \(Timestamp.string(from: last)): "
                + "it was set back, and an event dated earlier would make the history's times untrue. Nothing was "
                + "changed; correct the clock and run the command again."
        case .tempLeftBehind(let path, let reason, let temp):
            return "Could not write \(path): \(reason); nothing was changed but the temp \(temp), which could not be "
                + "removed: delete it."
        case .writeRecorded(let path, let reason, let event, let kind):
            return "Could not write \(path): \(reason); the change is recorded as event #\(event) (\(kind)) and "
                + "takes effect with the next write to the registry (see 'LabRunner fsck')."
        case .stepFailedAfter(let done, let step):
            return "\(done), but the step after it failed: \(step)"
        case .lockFailed(let path, let reason):
            return "Could not take the registry's writer lock \(path): \(reason); nothing was changed."
        case .noComponents(let path):
            return "There is nothing to register in \(path); put the system's files there first."
        case .destinationNotEmpty(let path):
            return "\(path) already exists and is not empty; choose a new folder for the checkout."
        case .notOnRoster(let name, let option):
            return "\(option) '\(name)' is not on the registry's roster; nothing was changed. See who is with "
                + "'LabRunner people list', or ask someone on it to run 'LabRunner people add NAME --by THEM'."
        case .notASecondPerson(let approver, let other, let role):
            return "The approver '\(approver)' is the same person as \(role) ('\(other)') once names are compared "
                + "(case, spacing and Unicode forms ignored); nothing was changed, ask a second person on the roster "
                + "and pass --approver THEIR_NAME."
        case .rosterChange(let sentence):
            return sentence
        case .tagChanged(let tag, let expected, let actual):
            return "Tag '\(tag)' moved to \(actual.map { String($0.prefix(12)) } ?? "nothing") while this command "
                + "expected \(expected.map { String($0.prefix(12)) } ?? "no tag"); nothing was changed, run it again."
        case .artifactsMissing(let action, let version, let component, let collectedAt):
            let gone =
                collectedAt.map { "were garbage-collected at \($0) (component '\(component)')" }
                ?? "are missing from the object store (component '\(component)')"
            return "Cannot \(action) version \(version): its artifacts \(gone), so it could not answer a request; "
                + "register the same content again to restore them (identical components store their blobs again), "
                + "or choose a version whose artifacts are kept; nothing was written."
        case .artifactsCollected(let version, let component, let at):
            return "The artifacts of version \(version) were garbage-collected at \(at) (component '\(component)'); "
                + "its metadata and evals remain, see 'LabRunner show \(version)'."
        }
    }
}
