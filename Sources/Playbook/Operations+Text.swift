// Plays 4 to 7 and the incidents as command output: experiments, an audit, a gc plan, an investigation, the
// incident list and record, in-process traffic and suite pins.
public import Foundation
import Evals
import Hashing
public import Registry
public import Terminal

extension Experiment {
    public func renderStarted(_ out: inout TextOutput) {
        out.line(
            "Started experiment \(name) from \(shortVersion(from)) (tag \(tag)); gc keeps each of its versions "
                + "\(retention) past the later of its registration and the experiment's end, and while a tag points at it."
        )
        out.line("Versions you register now join it; compare them with 'LabRunner eval compare production REF'.")
    }

    /// The retention window, as gc counts it: from the experiment's end (or a version's registration before it).
    public var retention: String { TimeParsing.describe(expiresAt.timeIntervalSince(startedAt)) }

    public func renderEnded(_ out: inout TextOutput) {
        out.line("Ended experiment \(name); 'LabRunner gc --dry-run' shows what its expiry will free.")
    }

    /// The experiments as `experiment list` prints them, with how many versions each has in `registry`.
    public static func table(_ experiments: [Experiment], in registry: Registry, now: Date) throws -> String {
        guard !experiments.isEmpty else {
            return "No experiments yet. Start one with 'LabRunner experiment start NAME --from REF'.\n"
        }
        let rows = try experiments.map { experiment in
            [
                experiment.name, experiment.active ? "active" : "ended", shortVersion(experiment.from),
                String(try Experiments.versions(of: experiment.name, in: registry).count),
                experiment.retention
                    + (experiment.endedAt.map { " from " + Timestamp.string(from: $0) } ?? " from each registration"),
            ]
        }
        return Table(headers: ["NAME", "STATUS", "FROM", "VERSIONS", "RETENTION"], rows: rows).render()
    }
}

extension AuditReport: TextRendering {
    /// A replay that was asked for ran and gave the same output (or none was asked for).
    public var succeeded: Bool { replayNeedsInput == nil && replay?.identical != false }

    public func render(_ out: inout TextOutput) {
        out.line("Request \(request.id) at \(Timestamp.string(from: request.at)) (\(request.source))")
        if request.hasInput {
            out.line("  input:  \(request.input)")
        } else {
            out.line(
                "  input:  (dropped by retention at \(request.inputDroppedAt.map(Timestamp.string(from:)) ?? "?"); sha256 \(request.inputSHA256))"
            )
        }
        out.line("  served by version #\(version.seq) \(out.styled(version.id, .yellow))")
        out.line(
            "  owner \(version.metadata.owner), parent \(shortVersion(version.metadata.parent)), reason: \(version.metadata.reason)"
        )
        out.line("Components:")
        for (name, entry) in version.manifest.components.sorted(by: { $0.key < $1.key }) {
            out.line("  \(padded(name, 14)) \(entry.sha256)")
        }
        if let lineage = version.manifest.lineage { out.line("Dataset lineage: \(lineage.dataset) \(lineage.sha256)") }
        if let unverified = version.metadata.extra["lineage_unverified"] {
            out.line(out.styled("Lineage unverified: \(unverified).", .yellow))
        }
        out.line("Evals:")
        for eval in evals {
            out.line(
                String(
                    format: "  %@ %@ (%@): pass rate %.1f%% [%.1f–%.1f%%]", Timestamp.string(from: eval.at),
                    eval.suite, eval.source.rawValue, eval.passRate * 100, eval.ciLow * 100, eval.ciHigh * 100))
        }
        out.line("Promotion and approval trail:")
        for event in trail {
            out.line("  " + event.logLine(out))
            if let approval = approvals.first(where: { $0.event == event.seq }) { out.line("    " + approval.sentence) }
        }
        if let collected {
            out.line(
                out.styled(
                    "Artifacts garbage-collected at \(Timestamp.string(from: collected.at)); replay is impossible, metadata remains.",
                    .yellow))
        }
        if let reason = replayNeedsInput {
            out.line(out.styled("Replay needs the input: \(reason).", .yellow))
            return
        }
        guard let replay else { return }
        if replay.identical {
            out.line("Replay: \(out.styled("identical", .green)) (output sha256 \(request.outputSHA256.prefix(12)))")
        } else {
            out.line("Replay: \(out.styled("DIFFERENT", .red))")
            for line in replay.diff { out.line(VersionDiff.styledLine(line, out)) }
        }
    }
}

extension GCPlan: TextRendering {
    public func render(_ out: inout TextOutput) {
        if !kept.isEmpty { out.line("Kept:") }
        for kept in kept {
            out.line("  #\(kept.seq) \(shortVersion(kept.version)): \(kept.reasons.joined(separator: "; "))")
        }
        guard !versions.isEmpty else {
            out.line(
                "Nothing to collect: every version has held production, answered a request, had a canary started on it, is behind a live tag or has not expired."
            )
            return
        }
        out.line(
            "\(dryRun ? "Would collect" : "Collected") \(versions.count) version(s), \(blobs.count) blob(s), \(bytes) bytes:"
        )
        for id in versions { out.line("  version \(shortVersion(id))") }
        for hash in blobs { out.line("  blob \(hash)") }
        if dryRun { out.line("Nothing was deleted. Run 'LabRunner gc --yes' to collect.") }
    }
}

extension Investigation: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "Production history (onset \(Timestamp.string(from: onset)), reported \(Timestamp.string(from: reportedAt)); * = a change in the window):"
        )
        if onsetBeforeFirstPromotion {
            out.line("  The onset is before the first promotion: the window starts at the first production version.")
        }
        let changes = Set(suspects.map(\.becameProductionAt))
        for move in history {
            let marker = changes.contains(move.at) ? "*" : " "
            let play = move.play.map { " [\($0)]" } ?? ""
            out.line(
                "\(marker) \(Timestamp.string(from: move.at))  #\(move.seq) \(shortVersion(move.version))  by \(move.by)\(play): \(move.reason)"
            )
        }
        for suspect in suspects {
            let changed =
                suspect.changedComponents.isEmpty ? "nothing" : suspect.changedComponents.joined(separator: ", ")
            out.line(
                "Suspect \(shortVersion(suspect.version)) vs \(shortVersion(suspect.predecessor)): changed \(changed)\(suspect.lineageChanged ? " + dataset lineage" : "")\(suspect.rolledBackNote.map { " (\($0))" } ?? "")"
            )
            suspect.comparison.render(&out)
            let broken = suspect.floors.filter(\.worse)
            if !suspect.floors.isEmpty {
                out.line(
                    "  Floors (as the gate judges them): "
                        + (broken.isEmpty
                            ? "no floored category worse (\(suspect.floors.count) checked)"
                            : broken.map {
                                "\($0.category) \(Rate.percent($0.production)) → \(Rate.percent($0.candidate))"
                            }
                            .joined(separator: ", ")))
            }
            if suspect.deterministic {
                out.line(
                    "  Deterministic (temperature 0): "
                        + (suspect.newlyFailing.isEmpty
                            ? "no case that passed fails now"
                            : "\(suspect.newlyFailing.count) case(s) that passed fail now, a real change"))
            }
            if let shift = suspect.category {
                out.line(
                    String(
                        format: "  %@ (%d cases): %.1f%% → %.1f%%", shift.category, shift.cases, shift.before * 100,
                        shift.after * 100))
            }
        }
        if !live.isEmpty { out.line("Live evidence since the onset (attribution log):") }
        for signals in live {
            func rate(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            out.line(
                "  \(shortVersion(signals.version)): \(signals.requests) requests, satisfied \(rate(signals.satisfiedRate)) of \(signals.labelled) labelled, escalated \(rate(signals.escalationRate)), cited \(rate(signals.citationRate))"
            )
        }
        if let coverage {
            let source = coverage.complaint.map { " (the model's intent for \"\($0)\")" } ?? ""
            out.line(
                "Suite coverage: category \(coverage.category)\(source) has \(coverage.cases) case(s) in \(coverage.suite)."
            )
        }
        out.line("Conclusion: \(out.styled(conclusion, regressionConfirmed ? .red : .yellow))")
    }
}

extension Incident: TextRendering {
    public func renderOpened(_ out: inout TextOutput) {
        out.line(
            "Opened \(id) at \(Timestamp.string(from: detectedAt)) against production \(shortVersion(badVersion)).")
        out.line("Next: 'LabRunner rollback --reason TEXT' (the clock is running).")
    }

    /// `incident show`.
    public func render(_ out: inout TextOutput) {
        out.line("\(id) (\(status)): \(symptom)")
        out.line("  detected:      \(Timestamp.string(from: detectedAt)) (opened by \(openedBy))")
        out.line("  bad version:   \(shortVersion(badVersion))")
        out.line("  good version:  \(shortVersion(goodVersion))")
        out.line("  tag moved:     \(tagMovedAt.map(Timestamp.string(from:)) ?? "-")")
        out.line(
            "  confirmed:     \(confirmedAt.map(Timestamp.string(from:)) ?? "-")\(confirmed == false ? " (NOT confirmed: awaiting live evidence)" : "")"
        )
        if let liveEvidence {
            out.line(
                "  live evidence: \(liveEvidence.requests) requests against \(shortVersion(liveEvidence.baseline))'s last healthy window (\(liveEvidence.baselineRequests) requests)"
            )
        }
        out.line("  to rollback:   \(timeToRollbackSeconds.map { TimeParsing.describe($0) } ?? "-")")
        if let resolution { out.line("  resolution:    \(resolution)\(falseAlarm == true ? " (false alarm)" : "")") }
    }

    /// `incident list`.
    public static func table(_ incidents: [Incident]) -> String {
        guard !incidents.isEmpty else { return "No incidents.\n" }
        let rows = incidents.map { incident in
            [
                incident.id, incident.status.rawValue, Timestamp.string(from: incident.detectedAt),
                shortVersion(incident.badVersion),
                incident.timeToRollbackSeconds.map { TimeParsing.describe($0) } ?? "-",
                incident.symptom,
            ]
        }
        return Table(
            headers: ["ID", "STATUS", "DETECTED (UTC)", "BAD VERSION", "TO ROLLBACK", "SYMPTOM"], rows: rows
        ).render()
    }
}

extension TrafficReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            String(format: "Sent %d requests in %.2fs: %.1f%% satisfied", requests, seconds, satisfiedRate * 100))
        for (version, traffic) in byVersion.sorted(by: { $0.key < $1.key }) {
            out.line(
                String(
                    format: "  version %@: %d requests, %.1f%% satisfied", shortVersion(version), traffic.requests,
                    traffic.satisfiedRate * 100))
        }
        if let lastRequest {
            out.line("Last request: \(lastRequest) (audit it with 'LabRunner audit \(lastRequest) --replay')")
        }
    }
}

extension SuitePinResult {
    /// `suite pin`: the change by category and the new pin.
    public func renderPinned(_ out: inout TextOutput) {
        if unchanged {
            out.line(
                "Suite '\(pin.name)' is already pinned at \(pin.sha256.prefix(12)) (event #\(pin.event)); nothing was written."
            )
            return
        }
        out.write(Self.table(changes))
        out.line(
            "Pinned suite '\(pin.name)' \(out.styled(String(pin.sha256.prefix(12)), .yellow)): \(pin.cases) cases (event #\(pin.event))"
        )
    }

    /// `suite show`: the pin, and what pinning the workspace file would change.
    public func renderPreview(_ out: inout TextOutput) {
        if let pinned = previous {
            out.line(
                "Pinned: '\(pinned.name)' \(pinned.sha256.prefix(12)), \(pinned.cases) cases, by \(pinned.by) (\(pinned.reason)), event #\(pinned.event)"
            )
        } else {
            out.line("Not pinned yet: the first gate pins the workspace file.")
        }
        if unchanged {
            out.line("The workspace file is the pinned suite.")
        } else {
            out.line("The workspace file differs; 'LabRunner suite pin --reason TEXT' would change:")
            out.write(Self.table(changes))
        }
    }

    static func table(_ changes: [CategoryChange]) -> String {
        let rows = changes.filter { $0.added + $0.removed + $0.changed > 0 }.map { change in
            [
                change.category + (change.safety ? " (safety)" : ""), String(change.before), String(change.after),
                "+\(change.added)", "-\(change.removed)", String(change.changed),
            ]
        }
        guard !rows.isEmpty else { return "" }
        return Table(
            headers: ["CATEGORY", "BEFORE", "AFTER", "ADDED", "REMOVED", "EDITED"], rows: rows,
            alignRight: [1, 2, 3, 4, 5]
        ).render()
    }
}
