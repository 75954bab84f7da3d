// What every play works on: the workspace, its registry, its settings and the injected clock;
// plus loading the toy system live or from a version's blobs, and loading eval suites.
public import Evals
public import Foundation
public import Hashing
public import Registry
public import ToyModel

public struct PlayContext: Sendable {
    public let workspace: Workspace
    public let registry: Registry
    public let settings: PlaybookSettings
    public let now: @Sendable () -> Date

    public init(workspace: Workspace, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.workspace = workspace
        self.registry = try Registry(root: workspace.registryPath, now: now)
        self.settings = try PlaybookSettings.load(workspace)
        self.now = now
    }

    /// The toy system from the live files in `system/`.
    public func liveSystem() throws -> ToySystem {
        try ToySystem(directory: workspace.systemPath, version: "workspace")
    }

    /// The toy system exactly as a registered version: components come from the registry's blobs.
    public func system(for record: VersionRecord) throws -> ToySystem {
        try ToySystem(components: try componentContents(of: record), version: record.id)
    }

    public func componentContents(of record: VersionRecord) throws -> [String: ComponentContent] {
        try registry.contents(of: record)
    }

    public func suitePath(_ name: String) -> String { "\(workspace.evalsPath)/\(name).jsonl" }

    /// The bytes of `evals/<name>.jsonl`: a regular file within `InputLimits.suite`, refused by name otherwise.
    func suiteData(_ name: String) throws -> Data {
        let path = suitePath(name)
        guard !name.contains("/") else { throw PlaybookError.suiteNotFound(name: name, path: path) }
        do {
            return try InputLimits.read(path, shown: "evals/\(name).jsonl", limit: InputLimits.suite)
        } catch ToyModelError.missingComponent {
            throw PlaybookError.suiteNotFound(name: name, path: path)
        }
    }

    /// Loads `evals/<name>.jsonl`, checking its intents against `system`'s label set.
    public func suite(named name: String, for system: ToySystem) throws -> EvalSuite {
        let data = try suiteData(name)
        return try EvalSuite(
            name: name, data: data, sha256: SHA256.hash(data).hex, fileName: "evals/\(name).jsonl",
            knownIntents: system.intents)
    }

    /// Seeds and repeats for a gate-style eval of `system`: one pass at temperature 0, several when sampled.
    public func gateRepeats(for system: ToySystem) -> Int {
        system.temperature > 0 ? settings.sampledRepeats : 1
    }
}

extension PlayContext {
    /// Where the roster has people, the actor of a play (`option`, such as `--by`) must be on it. Every play
    /// asks here before any work.
    public func requireOnRoster(_ name: String, as option: String = "--by") throws {
        try registry.roster().requireMember(name, as: option)
    }
}
