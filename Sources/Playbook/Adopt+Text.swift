// What `adopt` prints: what it found, what it wrote, the .gitignore line it suggests, and what to run next.
import Hashing
public import Terminal

extension AdoptResult: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("Adopted \(root) as a workspace; its settings are in \(settings) (edit them as the project changes).")
        out.line("Components (\(components.count)):")
        for found in components { out.line("  " + Self.describe(found)) }
        if let dataset { out.line("Training data: " + Self.describe(dataset)) }
        for (key, command) in commands.sorted(by: { $0.key < $1.key }) { out.line("\(key): \(command)") }
        if !notNamed.isEmpty {
            out.line("Not versioned (no component names them): \(notNamed.joined(separator: ", "))")
        }
        if let gitignoreSuggestion {
            out.line(
                "Suggestion: add the line '\(gitignoreSuggestion)' to .gitignore (the registry's blobs can be large; "
                    + "adopt has not changed .gitignore).")
        }
        out.line(
            commands["eval_command"] == nil
                ? "Next: add \"eval_command\" to the settings (see Docs/own-system.md), then 'LabRunner register --root'."
                : "Next: LabRunner register --owner NAME --reason TEXT --root")
    }

    static func describe(_ found: Found) -> String {
        let size = BoundedFile.count(found.bytes)
        let what = found.kind == "folder" ? "folder, \(found.files) file\(found.files == 1 ? "" : "s"), \(size)" : size
        return "\(found.name) = \(found.path)  (\(what))"
    }
}
