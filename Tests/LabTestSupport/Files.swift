// Temporary folders, text edits that must change something, and folder snapshots, shared by every test target.
public import Foundation
public import Testing

/// A folder under the system's temporary directory, removed when the last reference goes.
public final class TemporaryFolder: Sendable {
    public let path: String

    /// `prefix` names the folder after the tests that made it, so a leftover says whose it is.
    public init(_ prefix: String = "labrunner-tests") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// `change` applied to `text`, failing the test when it changed nothing: a replacement whose text is no longer
/// in the file would otherwise leave the test checking the untouched original.
public func edited(
    _ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String
) throws -> String {
    let result = try change(text)
    try #require(result != text, "the edit changed nothing", sourceLocation: sourceLocation)
    return result
}

/// Rewrites the text file at `path` through `change`, failing the test when the text did not change.
public func edit(
    file path: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String
) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let result = try change(text)
    try #require(result != text, "the edit of \(path) changed nothing", sourceLocation: sourceLocation)
    try Data(result.utf8).write(to: URL(fileURLWithPath: path))
}

/// Every file and folder under `root` (relative path → bytes, empty for a folder), to prove a refused command
/// wrote nothing.
public func snapshot(of root: String) -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let item = enumerator?.nextObject() as? String {
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isFolder)
        result[item] = isFolder.boolValue ? Data() : FileManager.default.contents(atPath: root + "/" + item)
    }
    return result
}
