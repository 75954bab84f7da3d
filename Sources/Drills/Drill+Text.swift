// The drills as command output: the banner and the game master's sheet at the start, a finished drill's summary,
// the live view `drill status` redraws, the room's drill history and the pilot's incident statistics.
import Foundation
import Hashing
import Playbook
public import Registry
public import Terminal

extension DrillState {
    /// What `drill start` prints once the drill is laid: where to work, the service, and what each person does.
    public func renderBanner(
        _ out: inout TextOutput, laid: LaidHistory, plan: DrillPlan, rate: Double, window: Double, room: Workspace
    ) {
        let relative =
            workspace.hasPrefix(room.root + "/") ? String(workspace.dropFirst(room.root.count + 1)) : workspace
        let url = url ?? "?"
        out.line("Drill \(id) started.")
        out.line("  Workspace  \(relative)   participants: cd \(relative), or pass --workspace \(relative)")
        out.line("  Service    \(url)   dashboard \(url)/drill")
        out.line("  Traffic    \(Int(rate)) requests/s; the label-free monitor compares \(Int(window))s windows")
        out.line("  Production \(laid.recent.prefix(12)) (the laid history: 'LabRunner log', 'LabRunner tags')")
        out.line()
        out.line("A change will ship within the next \(TimeParsing.describe(plan.window)). Each person:")
        out.line("  export LABRUNNER_USER=<name>; LabRunner drill join commander|scribe|operator")
        out.line("Acknowledge the alarm with 'LabRunner drill ack', work the incident with the usual commands,")
        out.line("and end with 'LabRunner drill end' (or Ctrl-C here). Watch: 'LabRunner drill status'.")
    }
}

extension DrillPlan {
    /// The game master's sheet: the code, the fault, when it ships, the right call and the scripted response.
    public func renderGameMasterSheet(_ out: inout TextOutput, laid: LaidHistory, seal: DrillSeal) {
        let parent = fault == .lkgTrap ? laid.oldBad : laid.recent
        out.line()
        out.line("[game master] Token \(seal.token): shown only now, and in no file. 'LabRunner drill code --gm TOKEN'")
        out.line("[game master] and 'drill end --gm TOKEN' (if this process dies) need it.")
        out.line("[game master] Code \(code): 'LabRunner drill start --code \(code)' replays this drill.")
        out.line("[game master] Fault: \(faultName) — \(summary).")
        out.line("[game master] Ships \(Int(shipAfter))s after the start. Right call: \(fault.rightCall.rawValue).")
        if fault == .badCanary {
            out.line(
                "[game master] Production stays on the healthy \(parent.prefix(12)); the canary tag takes the bad "
                    + "version on top of it. Rolling production back is the wrong call.")
        } else if fault == .twoStep {
            out.line(
                "[game master] The first step ships on \(parent.prefix(12)) and passes its gate, but never runs in "
                    + "production: the last known good stays \(laid.lastKnownGood.prefix(12)), not the bad version's parent."
            )
        } else {
            out.line(
                "[game master] Last known good \(laid.lastKnownGood.prefix(12)); the bad version's parent "
                    + "\(parent.prefix(12)) is not it (old incident \(laid.oldIncident) named \(laid.oldBad.prefix(12)))."
            )
        }
        out.line("[game master] The scripted response:")
        for line in OptimalResponse.script(
            for: fault, component: team?.change.component, parent: fault == .twoStep ? "<the first step>" : parent,
            lastKnownGood: laid.lastKnownGood)
        {
            out.line("    \(line)")
        }
    }
}

extension DrillRecord: TextRendering {
    /// The summary `drill start` and `drill end` print: outcome, score, laps, against the scripted response.
    public func render(_ out: inout TextOutput) {
        out.line("Drill \(id) \(ending): \(outcome), score \(score)/100.")
        if let fault { out.line("  Fault: \(fault.name) — \(fault.summary).") }
        if let call { out.line("  Call: \(call.finding)") }
        let rows = laps.map { lap -> [String] in
            [
                lap.phase.rawValue, lap.seconds.map { TimeParsing.describe($0) } ?? "—",
                TimeParsing.describe(lap.targetSeconds), lap.met.map { $0 ? "met" : "missed" } ?? "—",
                [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
            ]
        }
        out.line(Table(headers: ["Lap", "Took", "Target", "", "By"], rows: rows, alignRight: [1, 2]).render())
        if let optimalSeconds, let overheadSeconds {
            out.line(
                "  The kit's scripted response took \(TimeParsing.describe(optimalSeconds)); human overhead "
                    + "\(TimeParsing.describe(overheadSeconds)).")
        }
        for item in actionItems {
            out.line(
                "  - "
                    + [item.id, item.owner, item.due.map { "due " + DrillDebrief.date($0) }].compactMap { $0 }
                    .joined(separator: ", ") + (item.isLegacy ? "" : ": ") + item.text)
        }
        out.line("Debrief: LabRunner drill report \(id)   History: LabRunner drill history")
    }
}

extension DrillLiveView {
    /// The view as lines for a terminal, without a final newline (a live view redraws it in place).
    public func text(_ out: TextOutput) -> String {
        let view = self
        var lines: [String] = []
        lines.append(
            out.styled("Drill \(view.drill)", .bold) + "   running \(TimeParsing.describe(view.elapsedSeconds))"
                + "   \(Timestamp.string(from: view.at))")
        if let production = view.production {
            let seq = production.seq.map { "#\($0) " } ?? ""
            var line = "Production  \(seq)\(production.shortID)"
            if let since = production.since { line += "  since \(Timestamp.string(from: since))" }
            if let by = production.movedBy { line += " by \(by)" }
            lines.append(line)
            if let reason = production.reason, !reason.isEmpty { lines.append("            \"\(reason)\"") }
        } else {
            lines.append("Production  none")
        }
        if let incident = view.incident {
            let clock = TimeParsing.describe(incident.clockSeconds)
            let status =
                incident.settled
                ? out.styled(incident.status, .green)
                : incident.closedWhileServing
                    ? out.styled("closed, but the version it names still serves", .red)
                    : out.styled(incident.status, .red)
            lines.append(
                "Incident    \(incident.id) \(status), clock \(clock) (detected \(Timestamp.string(from: incident.detectedAt)))"
            )
        } else {
            lines.append("Incident    no alarm yet; the monitor is watching live traffic")
        }
        lines.append("")
        let lapRows = view.laps.map { lap -> [String] in
            let mark = lap.at == nil ? "pending" : lap.met == true ? "met" : "over"
            return [
                lap.phase.rawValue, lap.seconds.map { TimeParsing.describe($0) } ?? "—",
                TimeParsing.describe(lap.targetSeconds), mark,
                [lap.by, lap.role.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
            ]
        }
        lines.append(
            Table(headers: ["Lap", "Took", "Target", "", "By"], rows: lapRows, alignRight: [1, 2]).render()
                .trimmingCharacters(in: .newlines))
        lines.append("")
        if view.signals.isEmpty {
            lines.append("Live signals (last \(Int(view.signalWindowSeconds))s): no traffic answered")
        } else {
            let rows = view.signals.map { v -> [String] in
                [
                    v.label + (v.production ? " (production)" : ""), String(v.requests), drillPercent(v.escalationRate),
                    drillPercent(v.clarifyRate), drillPercent(v.refusalRate), drillPercent(v.citationRate),
                    String(format: "%.2f", v.meanConfidence),
                ]
            }
            lines.append("Live signals, last \(Int(view.signalWindowSeconds))s:")
            lines.append(
                Table(
                    headers: ["Version", "Requests", "Escalated", "Clarified", "Refused", "Cited", "Confidence"],
                    rows: rows, alignRight: [1, 2, 3, 4, 5, 6]
                ).render().trimmingCharacters(in: .newlines))
        }
        lines.append("")
        let roles = DrillRole.allCases.map { role in
            let names = view.holders(of: role)
            return "\(role.title): " + (names.isEmpty ? "nobody yet" : names.joined(separator: ", "))
        }
        lines.append("Roles       " + roles.joined(separator: "; "))
        if view.supervisorGone {
            lines.append(
                out.styled("INTERRUPTED", .red) + "  the drill's process is gone; nothing ships or scores until "
                    + "'LabRunner drill end' records it as interrupted.")
        }
        return lines.joined(separator: "\n")
    }
}

extension DrillHistory: TextRendering {
    public func render(_ out: inout TextOutput) {
        guard !rows.isEmpty else {
            out.line("No drills recorded in this workspace yet.")
            out.line(cadence.sentence)
            return
        }
        func seconds(_ value: Double?) -> String { value.map { String(Int($0.rounded())) } ?? "-" }
        let table = rows.map { row -> [String] in
            [
                row.date, row.id, row.code, row.fault ?? "-", row.outcome, String(row.score),
                row.laps.map { seconds($0.seconds) }.joined(separator: "/"), seconds(row.timeToMitigateSeconds),
                row.roles.map { person in
                    person.name + "="
                        + (person.roles.isEmpty ? "-" : person.roles.map(\.rawValue).joined(separator: "+"))
                }.joined(separator: " "),
            ]
        }
        var lines = [
            Table(
                headers: ["DATE", "DRILL", "CODE", "FAULT", "CALL", "SCORE", "LAPS (S)", "TO MITIGATE (S)", "ROLES"],
                rows: table, alignRight: [5, 7]
            ).render(),
            "Laps: detected/acknowledged/diagnosed/mitigated/recovered/resolved, each from the phase before.",
            "",
            cadence.sentence,
        ]
        if let trend { lines.append(trend.sentence) }
        if !roleGaps.isEmpty {
            lines.append("Not held lately (rotate):")
            lines += roleGaps.map { "  " + $0.sentence }
        }
        out.write(lines.joined(separator: "\n") + "\n")
    }
}

extension IncidentStatsReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        guard !quarters.isEmpty else {
            out.line("No deployments or incidents yet.")
            return
        }
        func time(_ seconds: Double?) -> String { seconds.map { TimeParsing.describe($0) } ?? "-" }
        var rows: [[String]] = []
        var dora: [[String]] = []
        for stats in quarters + (quarters.count > 1 ? [total] : []) {
            for (kind, group) in [("real", stats.real), ("drill", stats.drills)] {
                rows.append([
                    stats.quarter, kind, String(group.incidents), time(group.toRestored.medianSeconds),
                    time(group.toRestored.p90Seconds), time(group.toConfirmed.medianSeconds),
                    time(group.toConfirmed.p90Seconds),
                ])
            }
            dora.append([
                stats.quarter, String(stats.deployments), String(stats.failedDeployments), String(stats.falseAlarms),
                stats.changeFailureRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
                time(stats.recoveryMedianSeconds),
            ])
        }
        out.write(
            Table(
                headers: [
                    "QUARTER", "KIND", "INCIDENTS", "TO RESTORED (MEDIAN)", "(P90)", "TO CONFIRMED (MEDIAN)", "(P90)",
                ], rows: rows, alignRight: [2, 3, 4, 5, 6]
            ).render())
        out.write("\n")
        out.write(
            Table(
                headers: [
                    "QUARTER", "DEPLOYS", "FAILED", "FALSE ALARMS", "CHANGE FAILURE RATE", "RECOVERY (MEDIAN)",
                ], rows: dora, alignRight: [1, 2, 3, 4, 5]
            ).render())
        out.write(
            "Recovery runs from the failed deployment to production restored; a false alarm is no failed "
                + "deployment.\n")
        if let wrong = total.drills.wrongCalls, total.drills.incidents > 0 {
            out.line(
                "Drills counted: \(total.drills.incidents) completed, with a fault shipped and people responding; "
                    + "\(wrong) wrong call(s), counted as wrong (no time to restored).")
        }
        if !setApart.isEmpty {
            out.line("Drills set apart (not in the figures):")
            for drill in setApart { out.line("  \(drill.drill): \(drill.reason)") }
        }
    }
}

private func drillPercent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }

extension DrillNews {
    /// The news of `launch` printed on `console` as `drill start` prints it: the banner (and the game master's
    /// sheet and the moment the fault ships, for the game master), the scoring, warnings; with `json` only
    /// warnings, so standard output holds the record alone.
    public static func printed(on console: Console, launch: DrillLaunch, json: Bool, gameMaster: Bool) -> DrillNews {
        DrillNews(
            started: { state, laid in
                guard !json else { return }
                console.show { out in
                    state.renderBanner(
                        &out, laid: laid, plan: launch.plan, rate: launch.rate, window: launch.monitorWindow,
                        room: launch.room)
                    if gameMaster { launch.plan.renderGameMasterSheet(&out, laid: laid, seal: launch.seal) }
                }
            },
            shipped: { facts in
                guard gameMaster, !json else { return }
                console.out(
                    "[game master] Shipped at \(Timestamp.string(from: facts.shippedAt)): "
                        + "\(facts.name) as \(facts.badVersion.prefix(12)).")
            },
            scoring: {
                if !json { console.out("Stopping the drill and scoring it against the kit's scripted response…") }
            },
            warning: { console.err("warning: \($0)") })
    }
}
