// `LabRunner hash FILE…`: SHA-256 of files, printed like sha256sum.
import Hashing
import Terminal

enum HashCommand {
    static let spec = CommandSpec(
        name: "hash", abstract: "Print the SHA-256 of files, in sha256sum's format.",
        discussion: "Files are streamed, never held in memory. LABRUNNER_PORTABLE_SHA=1 forces the portable code path.",
        arguments: [.repeating("file", help: "Files to hash.")]
    ) { invocation, console in
        for path in invocation.arguments("file") {
            // Relative to the console's folder, not the process's, and named as given when unreadable.
            let located = path.hasPrefix("/") ? path : console.currentDirectory + "/" + path
            let digest: SHA256Digest
            do {
                digest = try SHA256.hash(fileAt: located)
            } catch HashingError.unreadable(_, let reason) {
                throw HashingError.unreadable(path: path, reason: reason)
            }
            console.out("\(digest.hex)  \(path)")
        }
        return 0
    }
}
