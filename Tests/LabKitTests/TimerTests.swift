// Timers read the clock from recorded events: gold earns every point, a pass half, slower nothing.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Reports
import Testing

@testable import LabKit

@Suite struct TimerTests {
    static let timer = LabTimer(
        name: "time-to-rollback", from: "incident_detected", to: "rollback_confirmed", goldSeconds: 120,
        passSeconds: 300, points: 20)
    static let lab = Lab(
        manifest: LabManifest(
            id: "06-emergency-rollback", title: "Rollback", goal: "Roll back.", points: 20, prerequisites: [],
            steps: [], hints: ["h"], checks: [], timers: [timer]), folder: "", manifestSHA256: "", contentSHA256: "")

    /// A registry where lab 06 started, the pager fired, and the rollback was confirmed `seconds` later.
    /// The folder goes with the evidence, so the registry outlives every read of it.
    static func evidence(
        rollbackAfter seconds: TimeInterval?, source: Incident.Source = .monitor, setup: SetupState = .none,
        live: Bool = true
    ) throws -> (Evidence, TemporaryFolder) {
        let folder = try TemporaryFolder("timer")
        let workspace = Workspace(root: folder.path)
        // Wall time moved by hand, so events carry the times the test chooses.
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let registry = try Registry.create(root: workspace.registryPath, actor: "test", now: clock.now)
        let manifest = try registry.objects.put(try JSONEncoder().encode(lab.manifest))
        let start = try registry.write { writer in
            try writer.append(
                LabStarted(
                    lab: lab.id, manifestSHA256: manifest, attempt: 1, awaitsReady: setup == .none ? nil : true),
                actor: "learner")
        }
        clock.advance(seconds: 1)
        let detected = clock.now()
        try registry.write { writer in
            try writer.append(
                IncidentOpened(
                    incident: "INC-0001", symptom: "escalations stopped", detectedAt: detected, source: source,
                    badVersion: nil),
                actor: source == .rollback ? "learner" : "pager")
            if setup == .finished {
                try writer.append(LabReady(lab: lab.id, attempt: 1, start: start.seq), actor: "learner")
            }
        }
        if let seconds {
            clock.advance(seconds: seconds)
            try registry.write { writer in
                try writer.append(
                    IncidentUpdated(
                        incident: "INC-0001", confirmed: true, confirmedAt: clock.now(),
                        liveEvidence: live
                            ? LiveConfirmation(
                                baseline: String(repeating: "a", count: 64), baselineRequests: 60, requests: 60)
                            : nil),
                    actor: "learner")
            }
        }
        return (try Evidence(workspace: workspace, now: clock.now), folder)
    }

    /// Whether the start awaited a setup, and whether it finished.
    enum SetupState { case none, interrupted, finished }

    /// Killed before the setup paged, the learner rolled back at once: the incident the rollback opened for
    /// itself is detected the moment the rollback runs, so it times nothing and is never gold.
    @Test func anIncidentARollbackOpenedForItselfStartsNoClock() throws {
        let (evidence, folder) = try Self.evidence(rollbackAfter: 1, source: .rollback)
        let result = withExtendedLifetime(folder) { Grader.time(Self.timer, lab: Self.lab, evidence: evidence) }
        #expect(result.status == .fail)
        #expect(result.score == 0)
        #expect(result.message.contains("The clock has not started"), "\(result.message)")
    }

    /// The clock runs from the pager only once the setup that pages has finished.
    @Test(arguments: [(SetupState.interrupted, false), (.finished, true)])
    func theClockWaitsForTheSetupToFinish(setup: SetupState, gold: Bool) throws {
        let (evidence, folder) = try Self.evidence(rollbackAfter: 20, setup: setup)
        let (result, grade) = withExtendedLifetime(folder) {
            (Grader.time(Self.timer, lab: Self.lab, evidence: evidence), Grader.grade(Self.lab, evidence: evidence))
        }
        #expect(result.passed == gold, "\(result.message)")
        #expect(grade.attempts == (gold ? 1 : 0))
        #expect(grade.tests.contains { $0.name == Grader.setupFinishedTest } == !gold)
        if !gold { #expect(grade.score == 0) }
    }

    @Test(arguments: [
        (60.0, "pass", 20, "gold"), (200.0, "pass", 10, "a pass"), (400.0, "fail", 0, "over the 5m 0s limit"),
    ])
    func thresholds(seconds: Double, status: String, score: Int, phrase: String) throws {
        let (evidence, folder) = try Self.evidence(rollbackAfter: seconds)
        let result = withExtendedLifetime(folder) { Grader.time(Self.timer, lab: Self.lab, evidence: evidence) }
        #expect(result.status.rawValue == status)
        #expect(result.score == score)
        #expect(result.message.contains(phrase), "\(result.message)")
    }

    @Test func theClockRunsUntilTheRollbackIsConfirmed() throws {
        let (evidence, folder) = try Self.evidence(rollbackAfter: nil)
        let result = withExtendedLifetime(folder) { Grader.time(Self.timer, lab: Self.lab, evidence: evidence) }
        #expect(result.status == .fail)
        #expect(result.message.contains("still running on INC-0001"))
    }

    /// The old path to the clock's end: a rollback "confirmed" by re-running the suite that passed at
    /// registration, with no live evidence. It proves nothing new, so the clock keeps running.
    @Test func aConfirmationWithoutLiveEvidenceStopsNoClock() throws {
        let (evidence, folder) = try Self.evidence(rollbackAfter: 30, live: false)
        let result = withExtendedLifetime(folder) { Grader.time(Self.timer, lab: Self.lab, evidence: evidence) }
        #expect(result.status == .fail)
        #expect(result.message.contains("still running on INC-0001"), "\(result.message)")
    }
}
