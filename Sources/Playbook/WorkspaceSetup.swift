// Creating a workspace: built in a hidden sibling folder and renamed into place, so a failure writes nothing.
public import Foundation
public import Registry
public import Terminal

public enum WorkspaceSetup {
    public static func create(at target: String, actor: String, now: @escaping @Sendable () -> Date) throws -> Workspace
    {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: target, isDirectory: &isFolder) {
            if manager.fileExists(atPath: target + "/" + Workspace.markerFolder) {
                throw RegistryError.workspaceExists(path: target)
            }
            guard isFolder.boolValue, (try? manager.contentsOfDirectory(atPath: target))?.isEmpty == true else {
                throw RegistryError.workspaceUnusable(
                    path: target, reason: "it already exists and is not an empty folder; choose a new folder")
            }
        }
        // Missing parent folders are created, as `git init a/b/c` does: the whole new branch of folders is built
        // under a hidden name beside its first existing ancestor and renamed into place in one step.
        var ancestor = (target as NSString).deletingLastPathComponent
        var missing = [(target as NSString).lastPathComponent]
        while !manager.fileExists(atPath: ancestor), ancestor != "/", !ancestor.isEmpty {
            missing.insert((ancestor as NSString).lastPathComponent, at: 0)
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        guard manager.fileExists(atPath: ancestor, isDirectory: &isFolder), isFolder.boolValue else {
            throw RegistryError.workspaceUnusable(path: target, reason: "\(ancestor) is not a folder")
        }
        let staging = ancestor + "/.labrunner-init-" + UUID().uuidString
        let top = ancestor + "/" + missing[0]
        let stagedRoot = ([staging] + missing.dropFirst()).joined(separator: "/")
        do {
            try manager.createDirectory(atPath: stagedRoot, withIntermediateDirectories: true)
            try WorkspaceInit.lay(into: stagedRoot, actor: actor, now: now)
            try People.seed(user: actor, into: Registry(root: Workspace(root: stagedRoot).registryPath, now: now))
            if manager.fileExists(atPath: top) { try manager.removeItem(atPath: top) }
            try manager.moveItem(atPath: staging, toPath: top)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw error
        }
        return Workspace(root: target)
    }
}

extension WorkspaceSetup {
    /// What `init` prints about the new `workspace`, with the way into it from `currentDirectory`.
    public static func renderCreated(_ out: inout TextOutput, _ workspace: Workspace, from currentDirectory: String) {
        let relative =
            workspace.root.hasPrefix(currentDirectory + "/")
            ? String(workspace.root.dropFirst(currentDirectory.count + 1)) : workspace.root
        out.line("Created a lab workspace in \(workspace.root)")
        out.line("  system/   the toy system's components (prompt.md, config.json, weights.json, index/)")
        out.line("  data/     training data and simulated traffic")
        out.line("  evals/    eval suites (core, smoke)")
        out.line("Next: cd \(relative) && LabRunner ask \"Where is my parcel?\"")
    }
}
