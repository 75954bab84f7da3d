// The bundled toy system installed once for the whole target: training its weights takes seconds, and every
// workspace here starts from the same files, so each lab writes a copy instead of training again.
import Foundation
import Hashing
import Serving
import ToyModel

enum InstalledSystem {
    /// The installed files by path relative to the workspace, or why installing failed.
    private static let files: Result<[String: Data], ServingError> = Result {
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("installed-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try DefaultSystem.install(into: staging) { SHA256.hash($0).hex }
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: staging)
        while let relative = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: staging + "/" + relative, isDirectory: &isFolder),
                !isFolder.boolValue
            else { continue }
            files[relative] = try Data(contentsOf: URL(fileURLWithPath: staging + "/" + relative))
        }
        return files
    }.mapError { ServingError("Installing the toy system failed: \($0)") }

    /// Writes what `DefaultSystem.install` writes into `workspace`.
    static func install(into workspace: String) throws {
        for (relative, data) in try files.get() {
            let path = workspace + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        }
    }
}
