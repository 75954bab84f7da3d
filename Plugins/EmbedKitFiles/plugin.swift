// Build-tool plugin: generates the Swift source that embeds a target's kit files (LabKit: Labs/ and
// Solutions/; ToyModel: its Defaults/), so a copied LabRunner binary needs no checkout beside it.
import Foundation
import PackagePlugin

@main
struct EmbedKitFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let package = context.package.directoryURL
        let roots: [(label: String, folder: URL)]
        switch target.name {
        case "LabKit":
            roots = [
                ("Labs", package.appendingPathComponent("Labs")),
                ("Solutions", package.appendingPathComponent("Solutions")),
            ]
        case "ToyModel":
            roots = [("Defaults", package.appendingPathComponent("Sources/ToyModel/Defaults"))]
        default:
            return []
        }
        // Every file and folder is an input: editing a file regenerates the source, and a folder's change
        // (a file added or removed) does too.
        var inputs: [URL] = []
        for root in roots {
            inputs.append(root.folder)
            let enumerator = FileManager.default.enumerator(at: root.folder, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL { inputs.append(url) }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedKitFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(roots.map(\.label).joined(separator: ", ")) in \(target.name)",
                executable: try context.tool(named: "KitEmbedder").url,
                arguments: [output.path] + roots.map { "\($0.label)=\($0.folder.path)" },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
