// Creating a workspace: built in a hidden sibling folder and renamed into place, so a failure writes nothing.
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

enum WorkspaceSetup {
    static func create(at target: String, actor: String, now: @escaping @Sendable () -> Date) throws -> Workspace {
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
        let parent = (target as NSString).deletingLastPathComponent
        guard manager.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw RegistryError.workspaceUnusable(path: target, reason: "its parent folder \(parent) does not exist")
        }
        let staging = parent + "/.labrunner-init-" + UUID().uuidString
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: false)
            let staged = Workspace(root: staging)
            try DefaultSystem.install(into: staging) { SHA256.hash($0).hex }
            try manager.createDirectory(atPath: staged.markerPath, withIntermediateDirectories: true)
            try Registry.create(root: staged.registryPath, actor: actor, now: now)
            try Training.recordInstalled(in: staged, seed: DefaultSystem.defaultSeed, by: actor, now: now)
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: staging, toPath: target)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw error
        }
        return Workspace(root: target)
    }
}
