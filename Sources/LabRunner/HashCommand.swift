// `LabRunner hash FILE…`: SHA-256 of files, printed like sha256sum.
import Hashing
import Terminal

enum HashCommand {
    static let files = Argument<[String]>(repeating: "file", help: "Files to hash.")

    static let spec = CommandSpec(
        name: "hash", abstract: "Print the SHA-256 of files, in sha256sum's format.",
        discussion: "Files are streamed, never held in memory. LABRUNNER_PORTABLE_SHA=1 forces the portable code path.",
        arguments: [files]
    ) { invocation, console in
        for path in try invocation[files] {
            let digest = try SHA256.hash(fileAt: path)
            console.out("\(digest.hex)  \(path)")
        }
        return 0
    }
}
