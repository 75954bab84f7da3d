// Putting a lab's starting files back so that a kill at any moment leaves either the old files or the new ones,
// and a re-run finishes the job: the starting files are staged in scratch, a journal says what goes where and
// what attempt follows, one rename commits both, and each entry then swaps in by an atomic exchange.
import Foundation
import Hashing
import Registry

enum Restore {
    /// What a committed restore still has to do; `.labrunner/restore/journal.json`.
    struct Journal: Codable, Equatable {
        enum Purpose: String, Codable {
            /// `lab reset`: a new attempt.
            case reset
            /// A start whose scripts were interrupted, begun again with the same attempt number.
            case retry

            var words: String { self == .reset ? "reset" : "start" }
        }

        struct Entry: Codable, Equatable {
            /// A top-level workspace entry (system, data, …).
            var name: String
            /// The staged copy's device and inode: the workspace entry has it once swapped in.
            var identity: String
        }

        struct Move: Codable, Equatable {
            /// Workspace-relative paths.
            var from: String
            var to: String
        }

        var lab: String
        var purpose: Purpose
        /// The attempt that begins once the files are back.
        var attempt: Int
        /// Whether the reference solution lays the attempt down.
        var laidDown: Bool
        /// The seq of the last event when the restore was committed: a start of `lab` after it is this restore's.
        var after: Int
        /// For a retry: the start whose scripts were interrupted.
        var interrupted: Int?
        var entries: [Entry]
        var setAside: [Move]

        enum CodingKeys: String, CodingKey {
            case lab, purpose, attempt, after, entries, interrupted
            case laidDown = "laid_down"
            case setAside = "set_aside"
        }
    }

    static func journalPath(_ files: LabFiles) -> String { files.restore + "/journal.json" }

    /// The committed restore, if one is unfinished (nil for fsck when it does not read: `committed` says why).
    static func journal(in files: LabFiles) -> Journal? { try? committed(in: files) }

    /// The committed restore, if one is unfinished. The journal is written whole before the commit, so one that
    /// does not read is damage, and said so.
    static func committed(in files: LabFiles) throws -> Journal? {
        guard LabFiles.exists(files.restore) else { return nil }
        let path = journalPath(files)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError.corruptFile(path: path, reason: "the journal of an interrupted lab reset is missing")
        }
        do {
            return try CanonicalJSON.decoder().decode(Journal.self, from: data)
        } catch {
            throw LabError.corruptFile(path: path, reason: "the journal of an interrupted lab reset does not read")
        }
    }

    /// Stages `entries` from the saved starting files `saved`, writes the journal beside them and commits both by
    /// renaming the staging folder to `.labrunner/restore`. Before that rename nothing has changed (the staging
    /// folder is scratch, swept by the next run); after it, the restore is finished by whoever runs next.
    static func commit(
        lab: String, purpose: Journal.Purpose, attempt: Int, laidDown: Bool, after: Int, interrupted: Int?,
        entries names: [String], setAside: [Journal.Move], saved: String, files: LabFiles
    ) throws -> Journal {
        guard !LabFiles.exists(files.restore) else {
            throw LabError.invalid(
                "An interrupted lab reset is still unfinished; run 'LabRunner lab start' to finish it.")
        }
        let staging = try files.scratchFolder("restore")
        try LabFiles.makeFolder(staging + "/entries")
        var entries: [Journal.Entry] = []
        for name in names {
            let staged = staging + "/entries/" + name
            try LabFiles.copy(saved + "/" + name, to: staged)
            guard let identity = LabFiles.identity(staged) else {
                throw LabError.fileFailed(path: staged, reason: "the staged copy is missing")
            }
            entries.append(Journal.Entry(name: name, identity: identity))
        }
        let journal = Journal(
            lab: lab, purpose: purpose, attempt: attempt, laidDown: laidDown, after: after, interrupted: interrupted,
            entries: entries, setAside: setAside)
        LabFiles.syncTree(staging)
        try files.writeAtomically(try CanonicalJSON.encode(journal), to: staging + "/journal.json")
        try LabFiles.rename(staging, to: files.restore)
        LabFiles.syncFolder(files.workspace.markerPath)
        return journal
    }

    /// Does the journal's file steps that are not done yet: answers set aside, then each entry swapped in. Every
    /// step is one rename, and whether it is done reads from the disk, so running this again after a kill
    /// finishes the job and repeats nothing.
    static func applyFiles(_ journal: Journal, files: LabFiles) throws {
        let root = files.workspace.root
        for move in journal.setAside where LabFiles.exists(root + "/" + move.from) {
            let target = root + "/" + move.to
            try LabFiles.makeFolder((target as NSString).deletingLastPathComponent)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue {
                try LabFiles.removeTree(target)
            }
            try LabFiles.rename(root + "/" + move.from, to: target)
        }
        for entry in journal.entries {
            let target = root + "/" + entry.name
            guard LabFiles.identity(target) != entry.identity else { continue }
            let staged = files.restore + "/entries/" + entry.name
            guard LabFiles.identity(staged) == entry.identity else {
                throw LabError.corruptFile(
                    path: staged, reason: "the staged starting copy of \(entry.name) is gone from the interrupted reset"
                )
            }
            if !LabFiles.exists(target) {
                try LabFiles.rename(staged, to: target)
            } else if try !LabFiles.exchange(staged, target) {
                // No atomic exchange here: the old entry goes aside first; a kill in between leaves the staged copy,
                // which the next run renames in.
                try LabFiles.makeFolder(files.restore + "/old")
                try LabFiles.rename(target, to: files.restore + "/old/" + entry.name)
                try LabFiles.rename(staged, to: target)
            }
        }
        LabFiles.syncFolder(root)
    }

    /// Ends a restore whose attempt is recorded: one rename out of the way (into scratch) is the end, then the old
    /// files go.
    static func discard(files: LabFiles) throws {
        guard LabFiles.exists(files.restore) else { return }
        try LabFiles.makeFolder(files.scratch)
        let trash = files.scratch + "/trash-" + UUID().uuidString
        try LabFiles.rename(files.restore, to: trash)
        LabFiles.syncFolder(files.workspace.markerPath)
        // The old files, already out of the workspace: one left behind is swept by the next lab command.
        try? LabFiles.removeTree(trash)
    }
}
