// Timers read the clock from recorded events: gold earns every point, a pass half, slower nothing.
import Foundation
import Hashing
import Playbook
import Registry
import Reports
import Synchronization
import Testing

@testable import LabKit

/// Wall time a test moves by hand, so events carry the times the test chooses.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

@Suite struct TimerTests {
    static let timer = LabTimer(
        name: "time-to-rollback", from: "incident_detected", to: "rollback_confirmed", goldSeconds: 120,
        passSeconds: 300, points: 20)
    static let lab = Lab(
        manifest: LabManifest(
            id: "06-emergency-rollback", title: "Rollback", goal: "Roll back.", points: 20, prerequisites: [],
            steps: [], hints: ["h"], checks: [], timers: [timer]), folder: "", manifestSHA256: "")

    /// A registry where lab 06 started, the pager fired, and the rollback was confirmed `seconds` later.
    static func evidence(rollbackAfter seconds: TimeInterval?) throws -> Evidence {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("timer-" + UUID().uuidString).path
        let workspace = Workspace(root: root)
        let clock = TestClock()
        let registry = try Registry.create(root: workspace.registryPath, actor: "test", now: { clock.now() })
        let manifest = try registry.objects.put(try JSONEncoder().encode(lab.manifest))
        try registry.write { writer in
            try writer.append(LabStarted(lab: lab.id, manifestSHA256: manifest, attempt: 1), actor: "learner")
        }
        clock.advance(1)
        let detected = clock.now()
        try registry.write { writer in
            try writer.append(
                IncidentOpened(
                    incident: "INC-0001", symptom: "escalations stopped", detectedAt: detected, source: .monitor,
                    badVersion: nil),
                actor: "pager")
        }
        if let seconds {
            clock.advance(seconds)
            try registry.write { writer in
                try writer.append(
                    IncidentUpdated(incident: "INC-0001", confirmed: true, confirmedAt: clock.now()), actor: "learner")
            }
        }
        return try Evidence(workspace: workspace, now: { clock.now() })
    }

    @Test(arguments: [
        (60.0, "pass", 20, "gold"), (200.0, "pass", 10, "a pass"), (400.0, "fail", 0, "over the 5m 0s limit"),
    ])
    func thresholds(seconds: Double, status: String, score: Int, phrase: String) throws {
        let result = Grader.time(Self.timer, lab: Self.lab, evidence: try Self.evidence(rollbackAfter: seconds))
        #expect(result.status.rawValue == status)
        #expect(result.score == score)
        #expect(result.message.contains(phrase), "\(result.message)")
    }

    @Test func theClockRunsUntilTheRollbackIsConfirmed() throws {
        let result = Grader.time(Self.timer, lab: Self.lab, evidence: try Self.evidence(rollbackAfter: nil))
        #expect(result.status == .fail)
        #expect(result.message.contains("still running on INC-0001"))
    }
}
