// `verify --challenge`: that a bundle's history answers this examiner's challenge (its signature, the binding,
// the seed of every lab done) and lies within the examiner's clock, from the issue time to the time the bundle
// was received; the elapsed time on that clock is reported beside the times the events claim.
public import Foundation
import Hashing
import LabKit
import Registry
import Reports
public import Terminal

/// The examiner's side of a verify: the challenge issued and when the bundle was received.
public struct ChallengeExpectation: Sendable {
    public var challenge: ExaminerChallenge
    /// The file the challenge was read from, as the examiner named it.
    public var path: String
    public var receivedAt: Date

    public init(challenge: ExaminerChallenge, path: String, receivedAt: Date) {
        self.challenge = challenge
        self.path = path
        self.receivedAt = receivedAt
    }
}

extension ProofVerifier {
    static let challengeMember = "challenge"

    static func checkChallenge(
        _ expected: ChallengeExpectation, _ events: [Event], _ request: VerifyRequest, _ report: inout VerifyReport
    ) {
        let challenge = expected.challenge
        report.challenge = expected.path
        if let learner = report.learner, Roster.identity(learner) != Roster.identity(challenge.learner) {
            report.notes.append(
                "\(expected.path) was issued to \(challenge.learner); the bundle names \(learner) as the learner.")
        }
        checkChallengeSignature(expected, request, &report)
        let log = BundleLayout.registry + "events.jsonl"
        guard let (bound, binding) = events.challengeBinding() else {
            report.fail(
                log,
                "holds no challenge.bound before its first lab: the workspace was not made with "
                    + "'LabRunner init --challenge' for \(expected.path).")
            return
        }
        if binding.nonce != challenge.nonce || binding.challengeSHA256 != challenge.binding.challengeSHA256 {
            report.fail(
                log,
                "event #\(bound.seq) binds the challenge with nonce \(binding.nonce.prefix(12))…, "
                    + "not \(expected.path) (nonce \(challenge.nonce.prefix(12))…).")
            return
        }
        let laid = Set(((try? events.payloads(LabLaidDown.self)) ?? []).map(\.payload.lab))
        var seeded = 0
        var done: Set<String> = []
        for (event, start) in (try? events.payloads(LabStarted.self)) ?? [] where !laid.contains(start.lab) {
            guard challenge.labs.contains(start.lab) else {
                report.fail(log, "event #\(event.seq) starts lab \(start.lab), which the challenge does not ask for.")
                continue
            }
            done.insert(start.lab)
            let derived = challenge.seed(for: start.lab)
            if start.seed != derived {
                report.fail(
                    log,
                    "event #\(event.seq) lays lab \(start.lab) from seed "
                        + "\(start.seed.map(String.init) ?? "none (guided mode)"), not the challenge's seed \(derived)."
                )
            } else {
                seeded += 1
            }
        }
        if done.count < challenge.labs.count {
            let numbers = challenge.labs.filter(done.contains).map { String($0.prefix(2)) }
            report.notes.append(
                "The challenge asks for \(challenge.labs.count) lab(s); this history starts \(done.count) of them itself"
                    + (numbers.isEmpty ? "." : ": \(numbers.joined(separator: ", ")).")
            )
        }
        report.checked.append(
            "the binding to \(expected.path) (event #\(bound.seq)) and \(seeded) lab start(s) "
                + "laid from the seeds it derives")
        checkClock(expected, events, &report)
    }

    static func checkChallengeSignature(
        _ expected: ChallengeExpectation, _ request: VerifyRequest, _ report: inout VerifyReport
    ) {
        guard let signature = expected.challenge.signature else {
            report.fail(challengeMember, "\(expected.path) is unsigned, so nothing shows the examiner issued it.")
            return
        }
        guard let signers = request.allowedSigners,
            let text = FileManager.default.contents(atPath: signers).map({ String(decoding: $0, as: UTF8.self) })
        else {
            report.fail(challengeMember, "\(expected.path)'s signature was not checked: give --allowed-signers FILE.")
            return
        }
        var last = "the allowed-signers file \(signers) names no principal"
        for principal in SSHSignature.principals(text) {
            do {
                let checked = try SSHSignature.check(
                    expected.challenge.signedBytes, signature: Data(signature.utf8), allowedSigners: signers,
                    identity: principal, environment: request.environment, namespace: ExaminerChallenge.namespace)
                if case .good(let examiner) = checked {
                    report.checked.append("the challenge's signature, by \(examiner), against \(signers)")
                    return
                }
                if case .bad(let problem) = checked { last = problem }
            } catch {
                last = String(describing: error)
            }
        }
        report.fail(challengeMember, "\(expected.path) is not signed by anyone in \(signers) (\(last)).")
    }

    /// Every event between the issue time and the receive time, in order, and the two clocks side by side.
    static func checkClock(_ expected: ChallengeExpectation, _ events: [Event], _ report: inout VerifyReport) {
        let log = BundleLayout.registry + "events.jsonl"
        let (issued, received) = (expected.challenge.issuedAt, expected.receivedAt)
        var previous: Event?
        var outside = 0
        for event in events {
            if let before = previous, event.at < before.at {
                report.fail(
                    log,
                    "event #\(event.seq) claims \(Timestamp.string(from: event.at)), before event "
                        + "#\(before.seq)'s \(Timestamp.string(from: before.at)): its clock ran backwards.")
            }
            previous = event
            guard event.at < issued || event.at > received else { continue }
            outside += 1
            guard outside <= 5 else { continue }
            let side = event.at < issued ? "before the challenge was issued" : "after the bundle was received"
            report.fail(
                log,
                "event #\(event.seq) claims \(Timestamp.string(from: event.at)), \(side) "
                    + "(\(Timestamp.string(from: issued)) to \(Timestamp.string(from: received))).")
        }
        if outside > 5 {
            report.fail(log, "\(outside - 5) more event(s) claim times outside the challenge's window.")
        }
        let first = events.challengeBinding()?.event.at ?? issued
        let claimed = (events.last?.at ?? first).timeIntervalSince(first)
        report.checked.append(
            "every event between the issue time \(Timestamp.string(from: issued)) and the receive time "
                + "\(Timestamp.string(from: received)): \(duration(received.timeIntervalSince(issued))) on the "
                + "examiner's clock; the events claim \(duration(claimed)) from binding to last event")
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded(.down))
        return total >= 3600
            ? "\(total / 3600) h \(total % 3600 / 60) min"
            : total >= 60 ? "\(total / 60) min \(total % 60) s" : "\(total) s"
    }
}

extension ChallengeExpectation {
    /// verify's options for a challenge.
    public static let file = Option<String?>(
        "challenge", "file", help: "The examiner's challenge the bundle must answer (needs --allowed-signers).")
    public static let receivedAt = Option<ExaminerTime?>(
        "received-at", "time", help: "When the examiner received the bundle, UTC (default: now).")

    /// What `verify --challenge FILE [--received-at T]` expects, read and refused before anything is checked:
    /// nil without a challenge. Paths are relative to `directory`.
    public static func load(
        _ invocation: Invocation, from directory: String, allowedSigners: String?, now: Date
    ) throws -> ChallengeExpectation? {
        let received = try invocation[receivedAt]?.date
        guard let given = try invocation[file] else {
            if received != nil { throw UsageError("--received-at dates a challenge's bundle: give --challenge too.") }
            return nil
        }
        if allowedSigners == nil {
            throw UsageError("--challenge needs --allowed-signers FILE, holding the examiner's key, to check it.")
        }
        let challenge = try ExaminerChallenge.load(Workspace.absolute(given, from: directory))
        if let received, received < challenge.issuedAt {
            throw UsageError(
                "--received-at \(Timestamp.string(from: received)) is before \(given) was issued "
                    + "(\(Timestamp.string(from: challenge.issuedAt))); give the time the bundle reached you.")
        }
        return ChallengeExpectation(challenge: challenge, path: given, receivedAt: received ?? now)
    }
}
