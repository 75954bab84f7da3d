// Scratch folders: private, short-lived folders for the kit's own work (a bundle being verified, a statement
// being signed, a baseline being recomputed). They live under the workspace's `.labrunner/scratch/`, or the
// user's own cache folder where there is no workspace, never in the shared system temp folder, which other
// processes may clean at any moment.
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct ScratchFolder: Sendable {
    /// The folder itself, made mode 0700 with an unguessable name.
    public let path: String

    /// A new scratch folder for `purpose` (a word: "verify", "sign"). Inside a workspace it goes under
    /// `.labrunner/scratch/`; otherwise under `$XDG_CACHE_HOME/labrunner/scratch` (or `~/.cache/…`).
    public static func make(_ purpose: String, workspace: Workspace?, environment: [String: String]) throws
        -> ScratchFolder
    {
        let parent = try parentFolder(workspace: workspace, environment: environment)
        var template = Array((parent + "/" + purpose + "-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else {
            throw RegistryError.writeFailed(
                path: parent, reason: String(cString: strerror(errno)) + " (making a scratch folder)")
        }
        return ScratchFolder(path: made)
    }

    /// Where scratch folders of `workspace` live; the sweep and fsck look here for leftovers.
    public static func root(of workspace: Workspace) -> String { workspace.markerPath + "/scratch" }

    /// Removes the folder and all in it. Failing to remove it leaves a leftover the next sweep removes, never
    /// a wrong result, so errors are dropped.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    private static func parentFolder(workspace: Workspace?, environment: [String: String]) throws -> String {
        let parent: String
        if let workspace {
            parent = root(of: workspace)
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            parent = cache + "/labrunner/scratch"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            parent = home + "/.cache/labrunner/scratch"
        } else {
            throw RegistryError.writeFailed(
                path: "scratch", reason: "there is no workspace and no HOME to keep a private scratch folder in")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw RegistryError.writeFailed(
                path: parent, reason: "\(error.localizedDescription) (making a scratch folder)")
        }
        return parent
    }
}
