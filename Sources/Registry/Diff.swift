// Composite diffs: which components changed between two versions, with a unified line diff for text.
import Foundation
import Hashing

public struct ComponentChange: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case added, removed, changed, unchanged }
    public var component: String
    public var status: Status
    public var from: String?
    public var to: String?
    /// Unified diff lines for text components that changed (folders: one section per changed file).
    public var diff: [String]
}

public struct VersionDiff: Codable, Sendable {
    public var from: String
    public var to: String
    public var components: [ComponentChange]
    public var lineageChanged: Bool

    enum CodingKeys: String, CodingKey {
        case from, to, components
        case lineageChanged = "lineage_changed"
    }

    public var changedComponents: [String] { components.filter { $0.status != .unchanged }.map(\.component) }
}

extension Registry {
    /// Compares two versions component by component.
    public func diff(_ old: VersionRecord, _ new: VersionRecord) throws -> VersionDiff {
        let names = Set(old.manifest.components.keys).union(new.manifest.components.keys).sorted()
        var changes: [ComponentChange] = []
        for name in names {
            let before = old.manifest.components[name]
            let after = new.manifest.components[name]
            let status: ComponentChange.Status =
                before == nil ? .added : after == nil ? .removed : before == after ? .unchanged : .changed
            var lines: [String] = []
            if status != .unchanged {
                if let binary = try binaryChange(name, before, after) {
                    lines = binary
                } else {
                    let oldContent = try before.map { try content(of: $0, component: name, version: old) }
                    let newContent = try after.map { try content(of: $0, component: name, version: new) }
                    lines = LineDiff.describe(name: name, old: oldContent, new: newContent)
                }
            }
            changes.append(
                ComponentChange(
                    component: name, status: status, from: before?.sha256, to: after?.sha256, diff: lines))
        }
        return VersionDiff(
            from: old.id, to: new.id, components: changes, lineageChanged: old.manifest.lineage != new.manifest.lineage)
    }
}

/// A line diff (longest common subsequence) rendered in unified format with three lines of context.
public enum LineDiff {
    static func describe(name: String, old: ComponentData?, new: ComponentData?) -> [String] {
        switch (old, new) {
        case (.folder(let a)?, .folder(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { path -> [String] in
                guard a[path] != b[path] else { return [] }
                return unified(old: a[path], new: b[path], oldName: "\(name)/\(path)", newName: "\(name)/\(path)")
            }
        case (.file(let a)?, .file(let b)?):
            return unified(old: a, new: b, oldName: name, newName: name)
        case (.file(let a)?, nil):
            return unified(old: a, new: nil, oldName: name, newName: name)
        case (nil, .file(let b)?):
            return unified(old: nil, new: b, oldName: name, newName: name)
        default:
            return ["\(name): changed kind (file ↔ folder)"]
        }
    }

    /// A unified diff of two texts, or no lines when they are equal.
    public static func unified(oldText: String, newText: String, oldName: String, newName: String) -> [String] {
        guard oldText != newText else { return [] }
        return ["--- a/\(oldName)", "+++ b/\(newName)"] + unifiedHunks(old: lines(oldText), new: lines(newText))
    }

    static func unified(old: Data?, new: Data?, oldName: String, newName: String) -> [String] {
        let header = [
            "--- \(old == nil ? "/dev/null" : "a/" + oldName)", "+++ \(new == nil ? "/dev/null" : "b/" + newName)",
        ]
        guard let oldText = text(old), let newText = text(new) else {
            return header + ["Binary content differs."]
        }
        return header + unifiedHunks(old: lines(oldText), new: lines(newText))
    }

    private static func text(_ data: Data?) -> String? {
        guard let data else { return "" }
        guard !data.contains(0), let string = String(data: data, encoding: .utf8) else { return nil }
        return string
    }

    private static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// LCS edit script after trimming the common prefix and suffix (components are small text files).
    static func edits(old: [String], new: [String]) -> [Edit] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        var middle: [Edit] = []
        if a.count * b.count > 4_000_000 {
            middle = a.map(Edit.removed) + b.map(Edit.added)
        } else {
            var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
            var i = 0
            var j = 0
            while i < a.count || j < b.count {
                if i < a.count, j < b.count, a[i] == b[j] {
                    middle.append(.same(a[i]))
                    i += 1
                    j += 1
                } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                    middle.append(.added(b[j]))
                    j += 1
                } else {
                    middle.append(.removed(a[i]))
                    i += 1
                }
            }
        }
        return old[..<prefix].map(Edit.same) + middle + old[(old.count - suffix)...].map(Edit.same)
    }

    static func unifiedHunks(old: [String], new: [String], context: Int = 3) -> [String] {
        let script = edits(old: old, new: new)
        let changed = script.indices.filter { if case .same = script[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return [] }
        var groups: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(script.count - 1, index + context)
            if let last = groups.last, range.lowerBound <= last.upperBound + 1 {
                groups[groups.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                groups.append(range)
            }
        }
        var output: [String] = []
        for group in groups {
            var oldStart = 1
            var newStart = 1
            for edit in script[..<group.lowerBound] {
                switch edit {
                case .same:
                    oldStart += 1
                    newStart += 1
                case .removed: oldStart += 1
                case .added: newStart += 1
                }
            }
            var oldCount = 0
            var newCount = 0
            var body: [String] = []
            // Within a run of changes, removals print before additions, as diff(1) does.
            var added: [String] = []
            for edit in script[group] {
                switch edit {
                case .same(let line):
                    body += added
                    added = []
                    body.append(" " + line)
                    oldCount += 1
                    newCount += 1
                case .removed(let line):
                    body.append("-" + line)
                    oldCount += 1
                case .added(let line):
                    added.append("+" + line)
                    newCount += 1
                }
            }
            body += added
            let oldHeader =
                oldCount == 0 ? "\(oldStart - 1),0" : oldCount == 1 ? "\(oldStart)" : "\(oldStart),\(oldCount)"
            let newHeader =
                newCount == 0 ? "\(newStart - 1),0" : newCount == 1 ? "\(newStart)" : "\(newStart),\(newCount)"
            output.append("@@ -\(oldHeader) +\(newHeader) @@")
            output += body
        }
        return output
    }
}
