// Grading: a lab's checks and timers run against the evidence, scored, and rendered for people and machines.
import Foundation
import Hashing
import Playbook
import Registry
import Reports

/// One graded item, in the shape autograders read.
public struct TestResult: Codable, Sendable, Equatable {
    /// The status values autograders read (GitHub Classroom, Exercism): the check ran and passed, ran and
    /// failed, or could not run at all.
    public enum Status: String, Codable, Sendable, CustomStringConvertible {
        case pass, fail, error
        public var description: String { rawValue }
    }

    public var name: String
    public var status: Status
    public var score: Int
    public var maxScore: Int
    public var message: String

    public var passed: Bool { status == .pass }
    public var errored: Bool { status == .error }

    enum CodingKeys: String, CodingKey {
        case name, status, score, message
        case maxScore = "max_score"
    }
}

public struct LabGrade: Encodable, Sendable, Equatable {
    /// The lab's id.
    public var lab: String
    public var title: String
    public var score: Int
    public var maxScore: Int
    public var tests: [TestResult]
    public var hintsUsed: Int
    /// How many times the lab was started (the first start and each reset).
    public var attempts: Int
    /// The reference solution did the latest attempt, so its checks earn nothing.
    public var laidDown: Bool
    /// The manifest graded: the one recorded when the lab started, else the catalog's.
    public var manifestSHA256 = ""
    /// The manifest is not the kit's own lab of this id (see `Evidence.isKitLab`).
    public var custom = false
    /// The seed a challenge-mode attempt was laid from; nil in guided mode.
    public var seed: Int?
    /// "challenge (seed N)" or "guided".
    public var mode: String { seed.map { "challenge (seed \($0))" } ?? "guided" }

    /// How the grade names its lab everywhere it is shown: a custom lab never under the kit lab's bare id.
    public var name: String { custom ? Self.customPrefix + lab : lab }
    public static let customPrefix = "custom:"

    /// The sentence every format carries for a custom lab.
    public var customNote: String? {
        guard custom else { return nil }
        return
            "Custom lab: its manifest (sha256 \(manifestSHA256.prefix(12))) or its files are not LabRunner's own \(lab), so this grade is not the kit's lab \(lab) and is not in the kit's total."
    }

    /// The lab's checks find what they look for, whoever did the work: the state a later lab can build on.
    public var checksPass: Bool { tests.allSatisfy { $0.passed || $0.name == Grader.doneByHandTest } }
    /// Passed means earned: the checks pass on work the learner did.
    public var passed: Bool { tests.allSatisfy(\.passed) }
    public var status: TestResult.Status { tests.contains(where: \.errored) ? .error : passed ? .pass : .fail }
    /// Who did the latest attempt, as grades and write-ups say it.
    /// The same, as scripts read it: "hand", "reference solution" or "nobody".
    public var doneByCode: String { laidDown ? "reference solution" : attempts == 0 ? "nobody" : "hand" }
    public var doneBy: String {
        // "By hand" says only that the kit did not lay it down: nothing local witnesses who typed the commands.
        laidDown
            ? "laid down by the reference solution (no points)"
            : attempts == 0 ? "not started" : "by hand in this workspace (not witnessed)"
    }
    /// The tests worth points (the registry-integrity gate is worth none).
    public var checks: [TestResult] { tests.filter { $0.maxScore > 0 } }
    public var checksSummary: String { "\(checks.filter(\.passed).count) of \(checks.count) checks pass" }

    enum CodingKeys: String, CodingKey {
        case lab, title, score, tests, status, custom, mode, seed
        case maxScore = "max_score"
        case hintsUsed = "hints_used"
        case attempts
        case doneBy = "done_by"
        case manifestSHA256 = "manifest_sha256"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .lab)
        try container.encode(custom, forKey: .custom)
        try container.encode(manifestSHA256, forKey: .manifestSHA256)
        try container.encode(title, forKey: .title)
        try container.encode(score, forKey: .score)
        try container.encode(maxScore, forKey: .maxScore)
        try container.encode(tests, forKey: .tests)
        try container.encode(hintsUsed, forKey: .hintsUsed)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(doneByCode, forKey: .doneBy)
        try container.encode(status, forKey: .status)
        try container.encode(seed == nil ? "guided" : "challenge", forKey: .mode)
        try container.encodeIfPresent(seed, forKey: .seed)
    }
}

/// The moments a timer can run between, each read from recorded events.
public enum TimerAnchor: String, CaseIterable, Sendable {
    case incidentDetected = "incident_detected"
    case rollbackConfirmed = "rollback_confirmed"
    case productionRestored = "production_restored"

    var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    func time(for incident: Incident) -> Date? {
        switch self {
        case .incidentDetected: return incident.detectedAt
        case .productionRestored: return incident.tagMovedAt
        // Confirmed means new evidence: the live signals on the restored version, not a re-run suite.
        case .rollbackConfirmed:
            return incident.confirmed == true && incident.liveEvidence != nil ? incident.confirmedAt : nil
        }
    }
}

public enum Grader {
    public static let integrityTest = "registry-integrity"
    /// The test a laid-down lab fails: points are for work the learner did.
    public static let doneByHandTest = "done-by-hand"
    /// The test a lab fails while its latest start's scripts have not finished: nothing counts until they have.
    public static let setupFinishedTest = "setup-finished"

    public static func grade(_ onDisk: Lab, evidence full: Evidence) -> LabGrade {
        let evidence = full.scoped(to: onDisk.id)
        let seed = evidence.started(onDisk.id)?.payload.seed
        let lab = evidence.asStarted(onDisk).resolved(seed: seed)
        var tests: [TestResult] = []
        let integrity = evidence.fsck
        tests.append(
            TestResult(
                name: integrityTest, status: integrity.ok ? .pass : .fail, score: 0, maxScore: 0,
                message: integrity.ok
                    ? "The registry's \(integrity.events) events form an unbroken hash chain; every version and object verifies."
                    : "The registry fails fsck, so no evidence can be trusted: \(integrity.problems.first ?? "unknown problem")"
            ))
        for spec in lab.manifest.checks {
            let outcome: CheckOutcome
            var ran = true
            if !integrity.ok {
                outcome = .fail("Not graded: the registry's evidence does not verify (see \(integrityTest)).")
            } else if let definition = CheckLibrary.definitions[spec.check] {
                do {
                    outcome = try definition.run(CheckInput(evidence: evidence, spec: spec, labID: lab.id))
                } catch {
                    outcome = .fail("The check could not read its evidence: \(error)")
                    ran = false
                }
            } else {
                outcome = .fail("Unknown check '\(spec.check)'.")
                ran = false
            }
            tests.append(
                TestResult(
                    name: spec.name,
                    status: !ran ? .error : outcome.passed ? .pass : .fail,
                    score: outcome.passed ? spec.points : 0, maxScore: spec.points, message: outcome.message))
        }
        for timer in lab.manifest.allTimers {
            tests.append(
                integrity.ok
                    ? time(timer, lab: lab, evidence: evidence)
                    : TestResult(
                        name: timer.name, status: .fail, score: 0, maxScore: timer.points,
                        message: "Not timed: the registry's evidence does not verify."))
        }
        // Points are for work done in an attempt of this lab by the learner: none for a lab never started, none
        // for an attempt the reference solution did.
        let laidDown = evidence.laidDown(lab.id)
        let unfinished = evidence.unfinishedStart(of: lab.id)
        let unearned: String? =
            if let unfinished {
                "Lab \(lab.manifest.number)'s start (event #\(unfinished.event.seq)) was interrupted before its setup "
                    + "finished, so nothing here counts yet: 'LabRunner lab start \(lab.manifest.number)' sets it up "
                    + "again from its starting state."
            } else if let laidDown {
                "The reference solution did this attempt (event #\(laidDown.seq)), so it earns no points; "
                    + "'LabRunner lab reset \(lab.manifest.number)' starts a new attempt to do yourself."
            } else if evidence.start(of: lab.id) == nil {
                "Lab \(lab.manifest.number) was never started, so nothing here is its work yet: run "
                    + "'LabRunner lab start \(lab.manifest.number)'."
            } else {
                nil
            }
        if let unearned {
            tests = tests.map { test in
                var zeroed = test
                zeroed.score = 0
                return zeroed
            }
            tests.insert(
                TestResult(
                    name: unfinished == nil ? doneByHandTest : setupFinishedTest, status: .fail, score: 0, maxScore: 0,
                    message: unearned),
                at: 1)
        }
        return LabGrade(
            lab: lab.id, title: lab.manifest.title, score: tests.reduce(0) { $0 + $1.score },
            maxScore: lab.manifest.points, tests: tests, hintsUsed: evidence.hints(of: lab.id).count,
            attempts: evidence.attempts(of: lab.id).count, laidDown: laidDown != nil,
            manifestSHA256: lab.manifestSHA256, custom: !evidence.isKitLab(lab), seed: seed)
    }

    /// Gold time earns every point, a pass time half; the clock comes from the incident's recorded events.
    static func time(_ timer: LabTimer, lab: Lab, evidence: Evidence) -> TestResult {
        func result(_ passed: Bool, _ score: Int, _ message: String) -> TestResult {
            TestResult(
                name: timer.name, status: passed ? .pass : .fail, score: score,
                maxScore: timer.points,
                message: message)
        }
        if evidence.unfinishedStart(of: lab.id) != nil {
            return result(
                false, 0, "The clock has not started: this lab's setup did not finish, so the pager has not fired.")
        }
        guard let incident = evidence.clockIncident(of: lab.id) else {
            return result(
                false, 0,
                "The clock has not started: no incident was opened since this lab started (one a rollback opens for itself starts no clock)."
            )
        }
        let from = TimerAnchor(rawValue: timer.from)
        let to = TimerAnchor(rawValue: timer.to)
        guard let start = from?.time(for: incident), let stop = to?.time(for: incident) else {
            return result(
                false, 0, "The clock is still running on \(incident.id): it stops at \(to?.words ?? timer.to).")
        }
        let seconds = max(0, stop.timeIntervalSince(start))
        let taken = "\(TimeParsing.describe(seconds)) from \(from?.words ?? "") to \(to?.words ?? "") on \(incident.id)"
        let gold = TimeParsing.describe(timer.goldSeconds)
        if seconds <= timer.goldSeconds { return result(true, timer.points, "\(taken): gold (under \(gold)).") }
        let limit = TimeParsing.describe(timer.passSeconds)
        if seconds <= timer.passSeconds {
            return result(true, timer.points / 2, "\(taken): a pass (under \(limit)); gold is under \(gold).")
        }
        return result(
            false, 0, "\(taken) is over the \(limit) limit: reset the lab and rehearse until the rollback is routine.")
    }
}
