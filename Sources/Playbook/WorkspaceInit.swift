// What `init` lays into a new workspace folder: the bundled system, an empty registry, the installed weights'
// lineage and the pinned standard suite. Drills and scenarios start from the same state.
public import Foundation
import Hashing
import Registry
import ToyModel

public enum WorkspaceInit {
    /// Lays a fresh workspace into the existing empty folder `root`.
    public static func lay(into root: String, actor: String, now: @escaping @Sendable () -> Date) throws {
        let workspace = Workspace(root: root)
        try DefaultSystem.install(into: root) { SHA256.hash($0).hex }
        try FileManager.default.createDirectory(atPath: workspace.markerPath, withIntermediateDirectories: true)
        try Registry.create(root: workspace.registryPath, actor: actor, now: now)
        try Training.recordInstalled(in: workspace, seed: DefaultSystem.defaultSeed, by: actor, now: now)
        // Pinned now, so no later command has to pin it on first use (a refused command writes nothing).
        _ = try SuitePins.pin(
            name: nil, reason: "the standard suite the workspace was created with", by: actor, approver: nil,
            in: try PlayContext(workspace: workspace, now: now))
    }
}
