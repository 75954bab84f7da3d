// A changed file component that is large or not text diffs as its sizes and hashes: its bytes are never read
// into memory or printed (a weights file of gigabytes, an image, a pickled model).
import Foundation
import Hashing

extension Registry {
    /// Files above this size are not read for a line diff.
    static let largestTextDiff = 4 << 20

    /// The lines for a file component whose old or new blob is binary or large; nil when both are small text
    /// (or either side is a folder, whose files diff one by one).
    func binaryChange(_ name: String, _ before: ComponentEntry?, _ after: ComponentEntry?) throws -> [String]? {
        guard before?.kind != .folder, after?.kind != .folder else { return nil }
        let sides = [before, after].compactMap { $0 }
        let binary = try sides.contains { entry in
            guard objects.contains(entry.sha256) else { return false }
            guard let data = try objects.smallBlob(entry.sha256, limit: Registry.largestTextDiff) else { return true }
            return data.contains(0) || String(data: data, encoding: .utf8) == nil
        }
        guard binary else { return nil }
        func side(_ entry: ComponentEntry?) -> String {
            guard let entry else { return "(none)" }
            return "\(BoundedFile.count(objects.size(of: entry.sha256))), sha256 \(entry.sha256.prefix(12))"
        }
        return ["Binary component \(name): \(side(before)) → \(side(after))"]
    }
}
