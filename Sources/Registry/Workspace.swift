// The lab workspace: where it is, what lives where, and how commands find it.
import Foundation

public struct Workspace: Sendable, Equatable {
    public static let defaultFolderName = "lab-workspace"
    public static let markerFolder = ".labrunner"
    public static let environmentVariable = "LABRUNNER_WORKSPACE"

    public let root: String

    public init(root: String) { self.root = root }

    public var systemPath: String { root + "/system" }
    public var dataPath: String { root + "/data" }
    public var trainingDataPath: String { root + "/data/train.csv" }
    public var evalsPath: String { root + "/evals" }
    public var markerPath: String { root + "/" + Workspace.markerFolder }
    public var registryPath: String { markerPath + "/registry" }
    public var progressPath: String { markerPath + "/progress.json" }

    /// Finds the workspace as git finds a repository: an explicit folder (`--workspace` or
    /// `LABRUNNER_WORKSPACE`) wins; otherwise walk up from `currentDirectory` to a folder holding
    /// `.labrunner/`, also accepting a `lab-workspace/` child of the starting folder.
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) throws
        -> Workspace
    {
        if let given = explicit ?? environment[environmentVariable], !given.isEmpty {
            let root = absolute(given, from: currentDirectory)
            guard FileSystem.isDirectory(root + "/" + markerFolder) else {
                throw RegistryError.workspaceNotFound(searchedFrom: root)
            }
            return Workspace(root: root)
        }
        var folder = absolute(currentDirectory, from: "/")
        let child = folder + "/" + defaultFolderName
        while true {
            if FileSystem.isDirectory(folder + "/" + markerFolder) { return Workspace(root: folder) }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { break }
            folder = parent
        }
        if FileSystem.isDirectory(child + "/" + markerFolder) { return Workspace(root: child) }
        throw RegistryError.workspaceNotFound(searchedFrom: currentDirectory)
    }

    /// An absolute, normalised path (no `.`/`..` components, no trailing slash).
    public static func absolute(_ path: String, from base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
