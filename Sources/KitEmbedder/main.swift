// The build-time tool behind the EmbedKitFiles plugin: turns folders of kit files (labs, solutions, the toy
// system's defaults) into one Swift source of base64 literals, so LabRunner carries them and runs anywhere.
//
// Usage: KitEmbedder OUTPUT.swift LABEL=FOLDER...
// Every regular file under FOLDER (hidden names skipped) becomes `LABEL/relative/path`, sorted by path.
import Foundation

struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// Every file under `folder` as paths relative to it, sorted; hidden files and folders are not kit files.
func files(under folder: String) throws -> [String] {
    let manager = FileManager.default
    guard let enumerator = manager.enumerator(atPath: folder) else {
        throw Failure(description: "cannot read the folder \(folder)")
    }
    var found: [String] = []
    while let relative = enumerator.nextObject() as? String {
        if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder + "/" + relative, isDirectory: &isFolder), !isFolder.boolValue {
            found.append(relative)
        }
    }
    return found.sorted()
}

func generate(arguments: [String]) throws -> String {
    var entries: [(path: String, data: Data)] = []
    for argument in arguments {
        guard let equals = argument.firstIndex(of: "=") else {
            throw Failure(description: "'\(argument)' is not LABEL=FOLDER")
        }
        let label = String(argument[..<equals])
        let folder = String(argument[argument.index(after: equals)...])
        for relative in try files(under: folder) {
            guard let data = FileManager.default.contents(atPath: folder + "/" + relative) else {
                throw Failure(description: "cannot read \(folder)/\(relative)")
            }
            entries.append((label + "/" + relative, data))
        }
    }
    entries.sort { $0.path < $1.path }
    var lines = [
        "// Generated at build time by KitEmbedder from \(arguments.map { String($0.prefix { $0 != "=" }) }.joined(separator: ", ")); do not edit.",
        "enum EmbeddedKitFiles {",
        "    /// Each embedded file's path in the kit and its bytes in base64, sorted by path.",
        "    static let files: [(path: String, base64: String)] = [",
    ]
    for entry in entries {
        let path = entry.path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        lines.append("        (\"\(path)\", \"\(entry.data.base64EncodedString())\"),")
    }
    lines.append("    ]")
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    guard let output = arguments.first else {
        throw Failure(description: "usage: KitEmbedder OUTPUT.swift LABEL=FOLDER...")
    }
    let source = Data(try generate(arguments: Array(arguments.dropFirst())).utf8)
    try source.write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("KitEmbedder: error: \(error)\n".utf8))
    exit(1)
}
