// Play 3, rollback: find the last known good from the registry (held production, passed its gate without
// override, named bad by no incident but a false alarm, and ran cleanly in production: enough production requests
// with its live signals within bounds), preview the choice with a dry run that writes nothing, move production
// back, re-evaluate the restored version, judge its live signals (`Recovery.judge`; without live traffic yet the
// incident stays open for `incident confirm`), and record the incident's time-to-rollback.
import Evals
public import Foundation
import Hashing
public import Registry
import ToyModel

public struct RollbackRequest: Sendable {
    public var ref: String?
    public var reason: String
    public var incident: String?
    public var detectedAt: Date?
    public var by: String
    /// Re-run the standard suite on the restored version (always, except in benchmarks).
    public var confirm: Bool

    public init(ref: String?, reason: String, incident: String?, detectedAt: Date?, by: String, confirm: Bool = true) {
        self.ref = ref
        self.reason = reason
        self.incident = incident
        self.detectedAt = detectedAt
        self.by = by
        self.confirm = confirm
    }
}

/// A production version newer than the rollback target, and why the rollback passes over it.
public struct SkippedVersion: Codable, Sendable, Equatable {
    public var version: String
    public var seq: Int
    public var reasons: [String]
}

/// The target measured on today's standard suite, not recorded: a suite that grew since the target's own
/// eval may fail it, and the person should know that before production moves.
public struct Reevaluation: Encodable, Sendable {
    public var suite: String
    public var suiteSHA256: String
    public var passRate: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var threshold: Double
    public var passes: Bool
    /// The suite hash of the target's latest recorded standard-suite eval, if any.
    public var recordedSuiteSHA256: String?
    public var suiteChanged: Bool
    public var finding: String

    enum CodingKeys: String, CodingKey {
        case suite, threshold, passes, finding
        case suiteSHA256 = "suite_sha256"
        case passRate = "pass_rate"
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case recordedSuiteSHA256 = "recorded_suite_sha256"
        case suiteChanged = "suite_changed"
    }
}

/// What `rollback --dry-run` shows: the target, every newer production version passed over and why, and the
/// target re-evaluated today. Nothing is written to produce it.
public struct RollbackPreview: Encodable, Sendable {
    public var from: String
    public var to: String
    public var lastKnownGood: Bool
    public var skipped: [SkippedVersion]
    /// Why the target itself is not known good (only for a target named by REF).
    public var targetFindings: [String]
    public var reevaluation: Reevaluation?
    public var dryRun = true

    enum CodingKeys: String, CodingKey {
        case from, to, skipped, reevaluation
        case lastKnownGood = "last_known_good"
        case targetFindings = "target_findings"
        case dryRun = "dry_run"
    }
}

public struct RollbackResult: Encodable, Sendable {
    public var from: String
    public var to: String
    public var lastKnownGood: Bool
    public var skipped: [SkippedVersion]
    public var targetFindings: [String]
    /// Confirmed by live signals on the restored version (`Recovery.judge`), never by re-running the suite.
    public var confirmed: Bool
    /// The restored version re-evaluated on the standard suite (recorded, but no new evidence).
    public var confirmation: EvalSummary?
    /// "re-evaluated: same result as at registration (no live evidence yet)", or how it differed.
    public var reevaluated: String?
    /// The live judgment of the restored version right after the move.
    public var live: RecoveryVerdict?
    public var timeToRollbackSeconds: Double
    public var incident: Incident
    public var event: Event

    enum CodingKeys: String, CodingKey {
        case from, to, skipped, confirmed, confirmation, reevaluated, live, incident, event
        case lastKnownGood = "last_known_good"
        case targetFindings = "target_findings"
        case timeToRollbackSeconds = "time_to_rollback_s"
    }
}

/// The rollback's choice before anything moves.
public struct RollbackChoice: Sendable {
    public var current: VersionRecord
    public var target: VersionRecord
    public var lastKnownGood: Bool
    public var skipped: [SkippedVersion]
    public var targetFindings: [String]
}

public enum RollbackPlay {
    /// Why `version` is not known good, one sentence each; empty means known good. Known good means: it held
    /// production through a passed gate, never through an override of a failed one, no incident names it as
    /// bad (one closed as a false alarm does not count), its latest standard-suite eval meets the pass threshold,
    /// and it ran cleanly in production (`LiveEvidence.findings`).
    static func findings(
        for version: String, moves: [TagMove], incidents: [Incident], events: [Event], traffic: ProductionTraffic?,
        in context: PlayContext
    ) throws -> [String] {
        var reasons: [String] = []
        let arrivals = try moves.filter { $0.to == version }.map { (move: $0, facts: try $0.facts()) }
        if let forced = arrivals.last(where: { $0.facts.gate == .overridden }) {
            let why = forced.facts.overrideReason.map { "; override: \($0)" } ?? ""
            reasons.append(
                "forced past a failed gate at \(Timestamp.string(from: forced.move.at)) by \(forced.move.by) "
                    + "(\(forced.facts.gateFinding ?? "gate failed")\(why))")
        } else if !arrivals.isEmpty, !arrivals.contains(where: { $0.facts.gate == .passed }) {
            let how = arrivals.last?.facts.play.map { "by \($0)" } ?? "by a plain tag move"
            reasons.append("never passed a promotion gate (it reached production \(how))")
        } else if arrivals.isEmpty {
            reasons.append("never held production")
        }
        for incident in incidents where incident.badVersion == version && incident.falseAlarm != true {
            reasons.append("named bad by incident \(incident.id) (\(incident.symptom))")
        }
        let record = try context.registry.record(id: version)
        let suite = context.settings.standardSuite
        if let latest = try EvalLedger.summaries(for: record, events: events).last(where: { $0.suite == suite }) {
            if latest.passRate < context.settings.passThreshold {
                reasons.append(
                    "its latest \(suite) eval, \(Rate.percent(latest.passRate)), is below the pass threshold "
                        + Rate.percent(context.settings.passThreshold))
            }
        } else {
            reasons.append("it has no eval on the standard suite '\(suite)'")
        }
        if !arrivals.isEmpty, let traffic {
            reasons += LiveEvidence.findings(
                for: version, traffic: traffic, settings: context.settings, label: context.label)
        }
        return reasons
    }

    /// Why `version` is not known good today, one sentence each; empty means known good.
    public static func reasonsNotKnownGood(_ version: String, in context: PlayContext) throws -> [String] {
        let events = try context.registry.events()
        let traffic = try ProductionTraffic(registry: context.registry)
        return try findings(
            for: version, moves: traffic.moves, incidents: try Incidents.all(events: events), events: events,
            traffic: traffic, in: context)
    }

    /// Picks the target (REF, or the last known good) and lists every newer production version passed over.
    /// Refuses before any work when there is no production, REF is production, or nothing is known good.
    public static func choose(ref: String?, in context: PlayContext) throws -> RollbackChoice {
        guard let choice = try survey(ref: ref, in: context) else {
            let current = try context.registry.resolve("production")
            throw PlaybookError.invalid(
                "No earlier production version is known good (held production through a passed gate, not forced past "
                    + "a failed one, named bad by no incident, eval at or above the pass threshold, and ran cleanly in "
                    + "production: at least \(context.settings.lastKnownGoodRequests) production requests with its "
                    + "live signals within bounds), so there is no last known good to return to from #\(current.seq) "
                    + "\(current.shortID); see why with 'LabRunner rollback --dry-run', or name the version to return "
                    + "to yourself: 'LabRunner rollback REF --reason TEXT'.")
        }
        return choice
    }

    /// The choice, or nil when no REF was named and no earlier production version is known good.
    /// `live: false` leaves out the live rule (for a history laid without traffic, never for a person's rollback).
    static func survey(ref: String?, live: Bool = true, in context: PlayContext) throws -> RollbackChoice? {
        let registry = context.registry
        guard let currentID = registry.tag("production") else { throw PlaybookError.noProduction }
        let current = try registry.record(id: currentID)
        let events = try registry.events()
        let traffic = live ? try ProductionTraffic(registry: registry) : nil
        let moves = try traffic?.moves ?? registry.tagHistory("production")
        let incidents = try Incidents.all(events: events)
        var named: VersionRecord?
        if let ref {
            let record = try registry.resolve(ref)
            if record.id == currentID {
                throw PlaybookError.alreadyProduction(version: "#\(record.seq) \(record.shortID)")
            }
            named = record
        }
        var skipped: [SkippedVersion] = []
        var seen: Set<String> = []
        var found: VersionRecord?
        for move in moves.reversed() where !seen.contains(move.to) {
            seen.insert(move.to)
            if move.to == named?.id { break }
            var reasons = try findings(
                for: move.to, moves: moves, incidents: incidents, events: events, traffic: traffic, in: context)
            if move.to == currentID {
                reasons.insert("in production now: the version being rolled back", at: 0)
            } else if reasons.isEmpty {
                guard named != nil else {
                    found = try registry.record(id: move.to)
                    break
                }
                reasons.append("known good, but REF names an older version")
            }
            let record = try registry.record(id: move.to)
            skipped.append(SkippedVersion(version: move.to, seq: record.seq, reasons: reasons))
        }
        if let named {
            let reasons = try findings(
                for: named.id, moves: moves, incidents: incidents, events: events, traffic: traffic, in: context)
            // REF names the last known good itself when it is known good and nothing newer is.
            let newerKnownGood = skipped.contains { $0.reasons.last == "known good, but REF names an older version" }
            return RollbackChoice(
                current: current, target: named, lastKnownGood: reasons.isEmpty && !newerKnownGood, skipped: skipped,
                targetFindings: reasons)
        }
        guard let found else { return nil }
        return RollbackChoice(
            current: current, target: found, lastKnownGood: true, skipped: skipped, targetFindings: [])
    }

    /// The most recent earlier production version that is known good, or nil (also with no production at all).
    public static func lastKnownGood(in context: PlayContext, live: Bool = true) throws -> VersionRecord? {
        guard context.registry.tag("production") != nil else { return nil }
        return try survey(ref: nil, live: live, in: context)?.target
    }

    /// Today's standard suite for a preview that writes nothing: the pinned copy, or the workspace file when
    /// nothing is pinned yet (pinning is a write, left to the first gate).
    static func todaysSuite(for system: ToySystem, in context: PlayContext) throws -> EvalSuite {
        if let pin = try SuitePins.current(context.settings.standardSuite, events: try context.registry.events()) {
            return try SuitePins.load(pin, in: context, knownIntents: system.intents)
        }
        return try context.suite(named: context.settings.standardSuite, for: system)
    }

    /// `rollback --dry-run`: the choice and the target re-evaluated on today's suite; writes nothing.
    public static func preview(
        ref: String?, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> RollbackPreview {
        _ = try context.checkPolicy()
        let choice = try choose(ref: ref, in: context)
        let system = try context.system(for: choice.target)
        let suite = try todaysSuite(for: system, in: context)
        let result = try EvalRunner.run(
            suite: suite, system: system, seed: context.settings.evalSeed, repeats: context.gateRepeats(for: system),
            progress: progress)
        let recorded = try EvalLedger.summaries(for: choice.target, events: try context.registry.events()).last {
            $0.suite == context.settings.standardSuite
        }
        let threshold = context.settings.passThreshold
        let passes = result.passRate >= threshold
        let changed = recorded.map { $0.suiteSHA256 != result.suiteSHA256 } ?? false
        var finding =
            passes
            ? "passes today's \(suite.name) suite: \(Rate.percent(result.passRate)) meets the pass threshold "
                + Rate.percent(threshold)
            : "FAILS today's \(suite.name) suite: \(Rate.percent(result.passRate)) is below the pass threshold "
                + Rate.percent(threshold)
        if changed, let recorded {
            finding +=
                "; the suite changed since its recorded eval (\(recorded.suiteSHA256.prefix(12)) → "
                + "\(result.suiteSHA256.prefix(12)), \(Rate.percent(recorded.passRate)) then)"
            if !passes { finding += ", so it may fail cases added since: decide before moving production" }
        }
        let reevaluation = Reevaluation(
            suite: suite.name, suiteSHA256: result.suiteSHA256, passRate: result.passRate, ciLow: result.ciLow,
            ciHigh: result.ciHigh, threshold: threshold, passes: passes, recordedSuiteSHA256: recorded?.suiteSHA256,
            suiteChanged: changed, finding: finding)
        return RollbackPreview(
            from: choice.current.id, to: choice.target.id, lastKnownGood: choice.lastKnownGood, skipped: choice.skipped,
            targetFindings: choice.targetFindings, reevaluation: reevaluation)
    }

    /// When the problem with `current` was detected, for a rollback that opens its own incident and was given no
    /// `--detected-at`: the report time of the latest investigation that blamed it during its current stint in
    /// production. Without one the rollback is refused: a time to rollback measured from the rollback itself is 0 s.
    static func reportedDetection(of current: VersionRecord, events: [Event]) throws -> Date {
        let arrived = try Incidents.arrival(of: current.id, events: events) ?? .distantPast
        if let investigation = try events.payloads(InvestigationConcluded.self).last(where: {
            $0.payload.suspect == current.id && $0.payload.reportedAt >= arrived
        }) {
            return investigation.payload.reportedAt
        }
        throw PlaybookError.invalid(
            "No incident is open for production #\(current.seq) \(current.shortID), so this rollback opens one and "
                + "needs the time the problem was detected: pass --detected-at TIME (ISO 8601 UTC, or -15m), or open "
                + "it first with 'LabRunner incident open --symptom TEXT --detected-at TIME'.")
    }

    public static func run(
        _ request: RollbackRequest, in context: PlayContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> RollbackResult {
        try RegisterPlay.requireText(
            request.reason, field: "--reason", hint: "every rollback records why, pass --reason TEXT")
        try context.requireOnRoster(request.by)
        let registry = context.registry
        _ = try context.checkPolicy()
        let choice = try choose(ref: request.ref, in: context)
        let current = choice.current.id
        let target = choice.target
        if let detected = request.detectedAt {
            try Incidents.checkDetection(detected, badVersion: current, in: context)
        }
        let events = try registry.events()
        var incident: Incident
        var opened: Event?
        if let id = request.incident {
            incident = try Incidents.find(id, events: events)
            guard incident.status != .closed else { throw PlaybookError.incidentClosed(id) }
        } else if let open = try Incidents.all(events: events).last(where: {
            $0.status == .open && $0.badVersion == current
        }) {
            incident = open
        } else {
            let detected = try request.detectedAt ?? reportedDetection(of: choice.current, events: events)
            do {
                let made = try Incidents.opening(
                    symptom: request.reason, detectedAt: detected, badVersion: current, by: request.by,
                    source: .rollback, drillID: nil, in: context)
                incident = made.incident
                opened = made.event
            } catch let error as PlaybookError {
                guard case .incidentRecorded(let id, _, _, _, _) = error else { throw error }
                throw PlaybookError.invalid(
                    String(error.description.dropLast())
                        + "; production did not move: run the rollback again with --incident \(id).")
            }
        }
        let event: Event
        do {
            let policy = try context.policyInForce(by: request.by)
            event = try registry.moveTag(
                "production", to: target.id, by: request.by, reason: request.reason, expecting: .pointsTo(current),
                facts: TagMoveFacts(
                    play: .rollback, incident: incident.id, lastKnownGood: choice.lastKnownGood, policySHA256: policy))
        } catch {
            // The incident opened for this rollback stays recorded; say so rather than "nothing was changed".
            guard let opened else { throw error }
            throw RegistryError.failedAfter(
                "Incident \(incident.id) is recorded as event #\(opened.seq) (\(opened.kind)) for this rollback", error)
        }
        let detected = request.detectedAt ?? incident.detectedAt
        let timeToRollback = max(0, event.at.timeIntervalSince(detected))
        var facts = IncidentUpdated(
            incident: incident.id, badVersion: current, goodVersion: target.id, tagMovedAt: event.at,
            timeToRollback: FormattedNumber(timeToRollback, format: "%.3f"), status: .mitigated)
        var confirmation: EvalSummary?
        var confirmed = false
        // What stands so far, for the message if a later step fails: never less than what is recorded.
        var done = [
            "Production was rolled back from \(choice.current.shortID) to #\(target.seq) \(target.shortID) "
                + "(event #\(event.seq))"
                + (opened.map { " under incident \(incident.id), opened for it as event #\($0.seq)" } ?? "")
        ]
        func stands() -> String {
            done.count == 1 ? done[0] : done.dropLast().joined(separator: ", ") + " and " + (done.last ?? "")
        }
        var reevaluated: String?
        var live: RecoveryVerdict?
        do {
            if request.confirm {
                let result: EvalResult
                if let project = try context.project() {
                    result = try context.projectEval(of: target, project)
                } else {
                    let system = try context.system(for: target)
                    let pinnedBefore = try context.pinnedStandardSuiteSHA256() != nil
                    let suite = try context.pinnedStandardSuite(for: system, by: request.by)
                    if !pinnedBefore { done.append("the standard suite is pinned on its first use") }
                    result = try EvalRunner.run(
                        suite: suite, system: system, seed: context.settings.evalSeed,
                        repeats: context.gateRepeats(for: system),
                        progress: progress)
                }
                let (summary, recorded) = try EvalLedger.recordEvent(
                    result, source: .rollback, actor: request.by, in: context)
                done.append("the re-evaluation is recorded as event #\(recorded.seq) (\(recorded.kind))")
                let registered = try EvalLedger.summaries(for: target, events: events).first {
                    $0.suiteSHA256 == summary.suiteSHA256
                }
                confirmation = summary
                // The same suite on the same blobs proves nothing new: only live signals confirm a rollback.
                let verdict = try liveVerdict(
                    restored: target.id, knownGood: choice.targetFindings.isEmpty, bad: current, in: context)
                reevaluated = Self.reevaluated(summary, registered: registered, live: verdict)
                live = verdict
                confirmed = verdict.recovered
                facts.confirmed = confirmed
                if confirmed {
                    facts.confirmedAt = context.now()
                    facts.liveBaseline = verdict.confirmation?.baseline
                    facts.liveBaselineRequests = verdict.confirmation?.baselineRequests
                    facts.liveRequests = verdict.confirmation?.requests
                }
            }
            incident = try Incidents.update(facts, by: request.by, in: context)
        } catch PlaybookError.incidentRecorded(let id, let seq, let kind, let path, let reason) {
            done.append("incident \(id)'s update is recorded as event #\(seq) (\(kind))")
            throw RegistryError.stepFailedAfter(
                done: stands(),
                step: "could not write \(path): \(reason); the next write to the registry completes it "
                    + "(see 'LabRunner fsck').")
        } catch {
            throw RegistryError.failedAfter(stands(), error)
        }
        _ = try DeployFolder.followProduction(by: request.by, in: context)
        return RollbackResult(
            from: current, to: target.id, lastKnownGood: choice.lastKnownGood, skipped: choice.skipped,
            targetFindings: choice.targetFindings, confirmed: confirmed, confirmation: confirmation,
            reevaluated: reevaluated, live: live, timeToRollbackSeconds: timeToRollback, incident: incident,
            event: event)
    }

    /// The live judgment of `restored`, back in production after `bad`: against its own last healthy window when
    /// it is known good, else against the window of the version production held before the fault, when that
    /// one is known good.
    static func liveVerdict(restored: String, knownGood: Bool, bad: String?, in context: PlayContext) throws
        -> RecoveryVerdict
    {
        let events = try context.registry.events()
        let traffic = try ProductionTraffic(registry: context.registry)
        var baselines = knownGood ? [restored] : []
        if let bad, let arrival = traffic.moves.last(where: { $0.to == bad }), let before = arrival.from,
            before != restored, before != bad,
            try findings(
                for: before, moves: traffic.moves, incidents: try Incidents.all(events: events), events: events,
                traffic: traffic, in: context
            ).isEmpty
        {
            baselines.append(before)
        }
        return Recovery.judge(
            restored: restored, bad: bad, baselines: baselines, traffic: traffic, now: context.now(),
            alpha: context.settings.alpha, label: context.label)
    }

    /// What re-running the suite showed, said as what it is: no new evidence.
    static func reevaluated(_ summary: EvalSummary, registered: EvalSummary?, live: RecoveryVerdict) -> String {
        let tail = live.recovered ? "; confirmed by live signals instead" : " (no live evidence yet)"
        guard let registered else {
            return "re-evaluated: \(summary.suite) \(Rate.percent(summary.passRate)), with no eval on this suite at "
                + "registration to compare" + tail
        }
        if abs(registered.passRate - summary.passRate) < 1e-9 {
            return "re-evaluated: same result as at registration" + tail
        }
        return "re-evaluated: \(summary.suite) \(Rate.percent(summary.passRate)) today against "
            + "\(Rate.percent(registered.passRate)) at registration" + tail
    }
}
