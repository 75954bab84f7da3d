// Incidents as commands: open, list, show, close, and the pilot's statistics over them.
import Drills
import Playbook
import Registry
import Terminal

enum IncidentCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] { [spec(env)] }

    static let symptom = Option<String?>("symptom", "text", help: "What users see (required).", required: true)
    static let shownID = Argument<String>("id", help: "The incident id, e.g. INC-0001.")
    static let closedID = Argument<String>("id", help: "The incident id.")
    static let resolution = Option<String?>("resolution", "text", help: "How it ended (required).", required: true)

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        let by = Common.by("Who acts (default: $USER).")
        let detectedAt = PlayCommands.pastTime(
            "detected-at", help: "When it was detected (default: now; not before the bad version went live).", env)
        return CommandSpec(
            name: "incident", abstract: "Open, list, show and close incidents.",
            subcommands: [
                CommandSpec(
                    name: "open", abstract: "Open an incident; its detection time starts the rollback clock.",
                    options: [symptom, detectedAt, by, Common.workspace, Common.json]
                ) { invocation, console in
                    let context = try Common.context(invocation, console, env)
                    let incident = try Incidents.open(
                        symptom: try invocation[symptom] ?? "", detectedAt: try invocation[detectedAt],
                        badVersion: nil, by: try invocation[by],
                        marks: DrillSession.incidentMarks(in: context.workspace), in: context)
                    return try Common.emit(incident, invocation, console) { incident.renderOpened(&$0) }
                },
                CommandSpec(name: "list", abstract: "List incidents.", options: [Common.workspace, Common.json]) {
                    invocation, console in
                    let context = try Common.context(invocation, console, env)
                    let incidents = Incidents.all(events: try context.registry.events())
                    return try Common.emit(incidents, invocation, console) { $0.write(Incident.table(incidents)) }
                },
                CommandSpec(
                    name: "show", abstract: "Show one incident.", arguments: [shownID],
                    options: [Common.workspace, Common.json]
                ) { invocation, console in
                    let context = try Common.context(invocation, console, env)
                    try Common.emit(
                        try Incidents.find(try invocation[shownID], events: try context.registry.events()), invocation,
                        console)
                    return 0
                },
                CommandSpec(
                    name: "close", abstract: "Close an incident with its resolution.", arguments: [closedID],
                    options: [resolution, by, Common.workspace, Common.json]
                ) { invocation, console in
                    let context = try Common.context(invocation, console, env)
                    let incident = try Incidents.close(
                        try invocation[closedID], resolution: try invocation[resolution] ?? "",
                        by: try invocation[by], in: context)
                    return try Common.emit(incident, invocation, console) { $0.line("Closed \(incident.id).") }
                },
                PilotCommands.statsSpec(env),
            ])
    }
}
