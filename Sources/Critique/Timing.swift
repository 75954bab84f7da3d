// `critique start` / `critique submit`: the candidate's start and end on the interviewer's clock, recorded beside the
// answer key (never in the candidate folder, which the candidate may edit), and the time taken on the score sheet.
public import Foundation
import Hashing

public struct InterviewTiming: Codable, Sendable, Equatable {
    public var startedAt: Date
    public var submittedAt: Date?

    /// Whole minutes from start to submission, rounded down; nil until submitted.
    public var minutes: Int? { submittedAt.map { Int($0.timeIntervalSince(startedAt) / 60) } }

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at"
        case submittedAt = "submitted_at"
    }

    /// "47 min (09:00 to 09:47 UTC)", or "started 09:00 UTC, not submitted".
    public var summary: String {
        let start = Timestamp.string(from: startedAt)
        guard let submittedAt, let minutes else { return "started \(start), not submitted yet" }
        return "\(minutes) min (started \(start), submitted \(Timestamp.string(from: submittedAt)))"
    }
}

public enum Timing {
    /// The two moments recorded: `critique start` and `critique submit`.
    public enum Step: String, Sendable {
        case start, submit

        public var abstract: String {
            self == .start
                ? "Record, beside the key, when the candidate starts (the interviewer's clock)."
                : "Record, beside the key, when the candidate hands in the findings (the interviewer's clock)."
        }
    }

    /// `critique start` / `submit`: records the step and returns the line the command prints.
    public static func record(_ step: Step, _ folder: String, _ keyPath: String, _ now: Date) throws -> String {
        let timing =
            step == .start
            ? try start(folder: folder, keyPath: keyPath, now: now)
            : try submit(folder: folder, keyPath: keyPath, now: now)
        return "Recorded \(step.rawValue): " + timing.summary
    }

    /// Where the record of the key at `keyPath` lives: `cand.key.json` → `cand.key.timing.json`, beside it.
    public static func path(forKey keyPath: String) -> String {
        (keyPath.hasSuffix(".json") ? String(keyPath.dropLast(5)) : keyPath) + ".timing.json"
    }

    /// The record beside the key, nil when the interview was never started.
    public static func load(forKey keyPath: String) throws -> InterviewTiming? {
        let path = path(forKey: keyPath)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard JSONReader.duplicateKey(in: data) == nil,
            let timing = try? CanonicalJSON.decoder().decode(InterviewTiming.self, from: data)
        else { throw CritiqueError.timingUnreadable(path: path) }
        return timing
    }

    /// `critique start`: the key is checked against the folder, then the start is written (0600) beside it. A second
    /// start is refused: the first one is the candidate's.
    public static func start(folder: String, keyPath: String, now: Date) throws -> InterviewTiming {
        _ = try AnswerKey.verified(keyPath, folder: folder)
        let path = path(forKey: keyPath)
        try Scenarios.refuseKeyInside(key: path, folder: folder)
        if let existing = try load(forKey: keyPath) {
            throw CritiqueError.timingRefused(
                "the interview was already started at \(Timestamp.string(from: existing.startedAt)) (\(path))")
        }
        let timing = InterviewTiming(startedAt: now, submittedAt: nil)
        try writePrivately(Data((try CanonicalJSON.prettyString(timing) + "\n").utf8), to: path)
        return timing
    }

    /// `critique submit`: the end, once, after a start and not before it.
    public static func submit(folder: String, keyPath: String, now: Date) throws -> InterviewTiming {
        _ = try AnswerKey.verified(keyPath, folder: folder)
        let path = path(forKey: keyPath)
        try Scenarios.refuseKeyInside(key: path, folder: folder)
        guard var timing = try load(forKey: keyPath) else {
            throw CritiqueError.timingRefused("the interview was never started; run 'critique start' first")
        }
        if let submitted = timing.submittedAt {
            throw CritiqueError.timingRefused(
                "the findings were already submitted at \(Timestamp.string(from: submitted))")
        }
        guard now >= timing.startedAt else {
            throw CritiqueError.timingRefused(
                "the clock reads a time before the start (\(Timestamp.string(from: timing.startedAt)))")
        }
        timing.submittedAt = now
        // Written beside the old record and renamed over it: the start is never lost to a half-written file.
        let staged = path + ".tmp-" + UUID().uuidString
        try writePrivately(Data((try CanonicalJSON.prettyString(timing) + "\n").utf8), to: staged)
        guard rename(staged, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staged)
            throw CritiqueError.writeFailed(path: path, reason: reason)
        }
        return timing
    }
}
