// Incidents as commands: open, list, show, close; and the pilot's measured numbers (`incident stats`) and the
// payback model built on them (`roi`).
import Drills
import Foundation
import Playbook
import Registry
import Terminal

enum IncidentCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        let by = Common.by("Who acts (default: $USER).")
        let detectedAt = PlayCommands.pastTime(
            "detected-at", help: "When it was detected (default: now; not before the bad version went live).", env)
        return [
            CommandSpec(
                name: "incident", abstract: "Open, list, show and close incidents.",
                subcommands: [
                    CommandSpec(
                        name: "open", abstract: "Open an incident; its detection time starts the rollback clock.",
                        options: [symptom, detectedAt, by] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let incident = try Incidents.open(
                            symptom: try invocation[symptom] ?? "", detectedAt: try invocation[detectedAt],
                            badVersion: nil, by: try invocation[by],
                            drillID: DrillSession.incidentDrillID(in: context.workspace), in: context)
                        return try Common.emit(incident, invocation, console) { incident.renderOpened(&$0) }
                    },
                    CommandSpec(name: "list", abstract: "List incidents.", options: Common.io) {
                        invocation, console in
                        let incidents = try Incidents.all(
                            events: try Common.context(invocation, console, env).registry.events())
                        return try Common.emit(incidents, invocation, console) { $0.write(Incident.table(incidents)) }
                    },
                    CommandSpec(
                        name: "show", abstract: "Show one incident.", arguments: [shownID],
                        options: Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let incident = try Incidents.find(
                            try invocation[shownID], events: try context.registry.events())
                        return try Common.emit(incident, invocation, console)
                    },
                    CommandSpec(
                        name: "close", abstract: "Close an incident with its resolution.", arguments: [closedID],
                        options: [resolution, falseAlarm, by] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let incident = try Incidents.close(
                            try invocation[closedID], resolution: try invocation[resolution] ?? "",
                            falseAlarm: try invocation[falseAlarm], by: try invocation[by], in: context)
                        return try Common.emit(incident, invocation, console) { $0.line("Closed \(incident.id).") }
                    },
                    CommandSpec(
                        name: "confirm", abstract: "Confirm a rollback by live signals on the restored version.",
                        arguments: [confirmedID], options: [by] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let result = try Incidents.confirm(
                            try invocation[confirmedID], by: try invocation[by], in: context)
                        return try Common.emit(result, invocation, console)
                    },
                    CommandSpec(
                        name: "stats", abstract: "Incident counts, time to rollback and the DORA pair per UTC quarter.",
                        discussion: """
                            Real incidents and drills are counted apart (a drill incident is one whose opening event carries
                            drill_id; each drill recorded by 'drill end' counts once, its time to mitigate as time to restored
                            and its time to recovered as time to confirmed). Time to restored is detection to the production tag moving back; time to confirmed is
                            detection to the confirming eval passing (what the lab timer stops on); both as median and p90
                            (nearest rank). Change failure rate is production deployments (tag moves that are not rollbacks)
                            named bad by a real incident that was not closed as a false alarm, divided by all production
                            deployments in the quarter; recovery is the median time from that failed deployment to restored.
                            """,
                        options: [statsQuarter] + Common.io
                    ) { invocation, console in
                        let quarter = try invocation[statsQuarter]
                        let report = try IncidentStats.report(
                            in: try Common.context(invocation, console, env), quarter: quarter)
                        return try Common.emit(report, invocation, console)
                    },
                ]),
            CommandSpec(
                name: "roi",
                abstract: "The one-page payback model: annual cost, avoided loss, payback and sensitivity.",
                discussion: """
                    Annual cost = tooling + (setup hours + 12 × monthly maintenance hours) × loaded rate + minutes per
                    deploy ÷ 60 × deploys per year × rate. Avoided loss = incidents per year × cost per incident ×
                    share now preventable + reproduction hours saved × rate. Monthly net benefit = avoided loss ÷ 12 −
                    the running costs per month (tooling, maintenance, process tax); payback = annual cost ÷ monthly net
                    benefit. Each input comes from a flag, else the --inputs JSON file (the same keys in snake_case),
                    else the workspace's measurement of the pilot quarter (see 'LabRunner incident stats'), else a
                    conservative default, and the page says which.
                    """,
                options: [inputsFile, format, pilotQuarter] + inputs + Common.io
            ) { invocation, console in
                let html = try invocation[format] == .html
                let quarter = try invocation[pilotQuarter]
                let flags = try zip(PaybackInputs.keys, inputs).compactMap { key, option in
                    try invocation[option].map { (key.key, $0) }
                }
                let file = try invocation[inputsFile].map {
                    try PaybackInputs.readFile($0, at: Common.path($0, console))
                }
                let assembled = try PaybackInputs.assemble(
                    flags: flags, file: file ?? [],
                    measured: try measurements(invocation, console, env, quarter: quarter))
                let result = PaybackModel.compute(assembled)
                return try Common.emit(result, invocation, console) {
                    $0.write(html ? PaybackPage.html(result) : PaybackPage.markdown(result))
                }
            },
        ]
    }

    static let symptom = Option<String?>("symptom", "text", help: "What users see (required).", required: true)
    static let shownID = Argument<String>("id", help: "The incident id, e.g. INC-0001.")
    static let closedID = Argument<String>("id", help: "The incident id.")
    static let confirmedID = Argument<String?>(optional: "id", help: "The incident (default: the latest awaiting it).")
    static let falseAlarm = Flag(
        "false-alarm", help: "The version it named was not at fault: not counted bad, nor a failed deployment.")
    static let resolution = Option<String?>("resolution", "text", help: "How it ended (required).", required: true)

    static let statsQuarter = Option<Quarter?>(
        "quarter", "YYYY-Qn", help: "One UTC quarter, e.g. 2026-Q4 (default: every quarter with activity).")

    static let inputsFile = Option<String?>(
        "inputs", "file", help: "A JSON object of inputs, e.g. {\"loaded_rate\": 120}.")
    static let format = Option<PageFormat>("format", "md|html", help: "The page's format.", default: .md)
    static let pilotQuarter = Option<Quarter?>(
        "quarter", "YYYY-Qn", help: "The pilot quarter to measure (default: the current one).")
    /// One option per input of the payback model, each checked against the input's range.
    static let inputs = PaybackInputs.keys.map { key in
        Option<Double?>(
            key.flag, "n",
            help: "\(key.label), \(key.unit) (default \(PaybackInputs.plain(key.defaultValue)))"
                + (key.context ? "; context, not in the formula." : ".")
        ) { text in
            let value = try Double.parse(text, option: key.flag)
            if let rule = PaybackInputs.rangeRule(key.key, value) { throw UsageError("--\(key.flag) \(text) \(rule).") }
            return value
        }
    }

    /// The pilot's measurements when run inside a workspace; none outside one. A workspace named explicitly
    /// (--workspace, LABRUNNER_WORKSPACE) must exist.
    static func measurements(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment, quarter: Quarter?)
        throws -> [PilotMeasurement]
    {
        let explicit = try invocation[Common.workspace] ?? console.environment[Workspace.environmentVariable]
        let workspace: Workspace
        do {
            workspace = try Common.workspace(invocation, console)
        } catch RegistryError.workspaceNotFound where explicit == nil {
            return []
        }
        return try PaybackModel.measure(in: workspace, now: env.now, quarter: quarter)
    }
}
