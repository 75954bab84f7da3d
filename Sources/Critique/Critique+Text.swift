// The critique commands' listings as output: the scenario families, the flaw taxonomy and a built scenario.
import Foundation
public import Terminal

extension Families {
    /// `critique list`: one line a family.
    public static var listing: String {
        all.map { $0.name.padding(toLength: 14, withPad: " ", startingAt: 0) + $0.summary + "\n" }.joined()
    }

    /// `critique list --json`.
    public static var listingJSON: [[String: String]] { all.map { ["name": $0.name, "summary": $0.summary] } }
}

extension Taxonomy {
    /// `critique codes`: one line a code, with its severity and title.
    public static var listing: String {
        kinds.map {
            $0.code.padding(toLength: 24, withPad: " ", startingAt: 0) + "[\($0.severity.rawValue)] \($0.title)\n"
        }.joined()
    }
}

extension NewScenario {
    /// What `critique new` prints about the folder it built in `mode`.
    public func render(_ out: inout TextOutput, mode: CritiqueMode) {
        out.line("Built a \(key.family) scenario (\(mode.rawValue), \((key.level ?? .mid).rawValue)) in \(folder)")
        out.line("Answer key: \(keyPath) (keep it away from the candidate)")
    }

    /// What `critique new --json` prints.
    public var json: [String: String] {
        ["folder": folder, "key": keyPath, "family": key.family, "level": (key.level ?? .mid).rawValue]
    }
}
