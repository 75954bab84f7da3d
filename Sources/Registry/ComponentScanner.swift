// Reads the components of a system folder: each file or folder in it is one component.
import Foundation

public enum ComponentScanner {
    /// Scans `folder` (inside `workspaceRoot`). Names starting with '.' are skipped; a symlink whose target
    /// leaves the workspace is refused.
    public static func scan(folder: String, workspaceRoot: String) throws -> [String: ComponentData] {
        guard FileSystem.isDirectory(folder) else { throw RegistryError.noComponents(path: folder) }
        let root = resolved(workspaceRoot)
        var components: [String: ComponentData] = [:]
        for name in FileSystem.list(folder) where !name.hasPrefix(".") {
            let path = folder + "/" + name
            let target = try checkedTarget(path, component: name, root: root)
            if FileSystem.isDirectory(target) {
                var files: [String: Data] = [:]
                try collectFiles(in: target, prefix: "", component: name, root: root, into: &files)
                components[name] = .folder(files)
            } else {
                components[name] = .file(try FileSystem.read(target))
            }
        }
        guard !components.isEmpty else { throw RegistryError.noComponents(path: folder) }
        return components
    }

    private static func collectFiles(
        in folder: String, prefix: String, component: String, root: String, into files: inout [String: Data]
    ) throws {
        for name in FileSystem.list(folder) where !name.hasPrefix(".") {
            let path = folder + "/" + name
            let target = try checkedTarget(path, component: component + "/" + prefix + name, root: root)
            if FileSystem.isDirectory(target) {
                try collectFiles(
                    in: target, prefix: prefix + name + "/", component: component, root: root, into: &files)
            } else {
                files[prefix + name] = try FileSystem.read(target)
            }
        }
    }

    private static func checkedTarget(_ path: String, component: String, root: String) throws -> String {
        let target = resolved(path)
        guard target == root || target.hasPrefix(root + "/") else {
            throw RegistryError.componentEscapesWorkspace(component: component, target: target)
        }
        return target
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
