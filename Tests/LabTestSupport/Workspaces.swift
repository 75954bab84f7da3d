// Workspace builders shared by the module tests: the bundled system installed alone (for the model and the
// evals), and a whole lab workspace with a registry, built through the plays on a manual clock.
public import Foundation
import Hashing
public import Playbook
public import Registry
public import Testing
import ToyModel

/// The bundled toy system installed in a temporary folder, without a registry.
public final class InstalledSystem: Sendable {
    public let root: String
    private let folder: TemporaryFolder

    public init(_ prefix: String = "system") throws {
        folder = try TemporaryFolder(prefix)
        root = folder.path
        try DefaultSystem.install(into: root) { _ in String(repeating: "d", count: 64) }
    }

    /// Rewrites `relative` through `change`, failing the test when it changed nothing.
    public func edit(
        _ relative: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String
    ) throws {
        try LabTestSupport.edit(file: root + "/" + relative, sourceLocation: sourceLocation, change)
    }
}

/// A fresh lab workspace (the bundled system, a registry, its recorded training run) whose events carry the
/// times the test chooses: every play here moves the clock a second first.
public final class LabWorkspace: Sendable {
    public static let start = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18, in 2026-Q4
    public static let escalateLine = "escalate: refund_over_500, legal_threat, account_takeover"

    public let root: String
    public let clock: ManualClock
    private let folder: TemporaryFolder

    public init(_ prefix: String = "lab", start: Date = LabWorkspace.start) throws {
        folder = try TemporaryFolder(prefix)
        root = folder.path
        clock = ManualClock(start: start)
        try DefaultSystem.install(into: root) { SHA256.hash($0).hex }
        try Registry.create(root: workspace.registryPath, actor: "tester", now: clock.now)
        try Training.recordInstalled(in: workspace, seed: DefaultSystem.defaultSeed, by: "tester", now: clock.now)
    }

    public var workspace: Workspace { Workspace(root: root) }

    public func context() throws -> PlayContext { try PlayContext(workspace: workspace, now: clock.now) }

    /// Rewrites `relative` through `change`, failing the test when it changed nothing.
    public func edit(
        _ relative: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String
    ) throws {
        try LabTestSupport.edit(file: root + "/" + relative, sourceLocation: sourceLocation, change)
    }

    /// Registers the live system/ (a root when no parent is given).
    @discardableResult
    public func register(_ reason: String, parent: String? = nil, owner: String = "alice", experiment: String? = nil)
        throws -> VersionRecord
    {
        clock.advance(seconds: 1)
        return try RegisterPlay.run(
            RegisterRequest(owner: owner, reason: reason, parent: parent, root: parent == nil, experiment: experiment),
            in: context()
        ).record
    }

    /// Promotes `ref` as bob approves it, past a failed gate when `force` says so.
    public func promote(_ ref: String, force: Bool = false) throws {
        clock.advance(seconds: 1)
        let context = try context()
        let request = PromoteRequest(
            ref: ref, approver: "bob", force: force, reason: force ? "manufactured incident" : nil)
        _ = try PromotePlay.move(request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
    }

    /// Production answers `requests` simulated customers at this instant: the live evidence a last known good
    /// and a rollback's confirmation need.
    public func serve(_ requests: Int = 60, seed: UInt64 = 1) throws {
        _ = try Traffic.run(requests: requests, rate: 0, seed: seed, in: context())
    }

    /// Rolls production back to its last known good, as carol does; with `confirm`, customers then reach the
    /// restored version and its live signals confirm it, at the same instant. With no incident open for
    /// production it opens one, detected now (a rollback needs a detection time).
    public func rollback(incident: String?, confirm: Bool) throws {
        let context = try context()
        let production = context.registry.tag("production")
        let open = try Incidents.all(events: try context.registry.events()).contains {
            $0.status == .open && $0.badVersion == production
        }
        let result = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "restore", incident: incident,
                detectedAt: incident == nil && !open ? clock.now() : nil,
                by: "carol", confirm: confirm),
            in: context)
        guard confirm else { return }
        try serve(seed: 2)
        _ = try Incidents.confirm(result.incident.id, by: "carol", in: context)
    }

    /// Replaces the prompt's escalation line with `line`.
    public func setEscalation(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try edit("system/prompt.md", sourceLocation: sourceLocation) {
            $0.replacingOccurrences(of: Self.escalateLine, with: line)
        }
    }

    /// Every file under the workspace (relative path → bytes), to prove a refused play wrote nothing.
    public func snapshot() -> [String: Data] { LabTestSupport.snapshot(of: root) }
}
