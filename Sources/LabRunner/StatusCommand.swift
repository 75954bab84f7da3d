// `LabRunner` with no arguments: where you are, and the one command to run next.
import Drills
import Foundation
import LabKit
import Playbook
import Registry
import Terminal

enum StatusCommand {
    static func run(_ env: AppEnvironment, _ invocation: Invocation, _ console: Console) throws -> Int32 {
        console.out(
            console.styled("Rollback Lab", .bold) + " — practise AI model version control on a toy support assistant.")
        var catalog: LabCatalog?
        do {
            catalog = try LabCommands.catalog(console)
        } catch let error as LabError {
            // An author's broken LABRUNNER_LABS must neither stop the kit being used by hand nor hide silently.
            if case .badManifest = error { console.err("warning: \(error)") }
        }
        guard let workspace = try? Common.workspace(invocation, console) else {
            console.out(
                "You have no lab workspace here yet. It holds the toy system, its data, evals and a local registry.")
            if let first = catalog?.labs.first {
                console.out(
                    "The guided tour starts with lab \(first.manifest.number), \(first.manifest.title), and creates ./\(Workspace.defaultFolderName)."
                )
                console.out("Next: " + console.styled("LabRunner lab start \(first.manifest.number)", .cyan))
            } else {
                console.out(
                    "Next: " + console.styled("LabRunner init", .cyan) + "   (creates ./\(Workspace.defaultFolderName))"
                )
            }
            if let tip = LabCommands.pathTip(console) { console.out(tip) }
            console.out("See 'LabRunner --help' for every command.")
            return 0
        }
        if let catalog, let evidence = try? Evidence(workspace: workspace, now: env.now),
            let tour = try Tour.status(catalog: catalog, evidence: evidence, user: Common.currentUser(console))
        {
            let (lab, grade) = (tour.lab.manifest, tour.grade)
            console.out("Workspace: \(workspace.root)")
            console.out(
                "Lab \(lab.number) · \(lab.title): \(grade.score)/\(grade.maxScore) points, \(grade.checksSummary) "
                    + "(\(grade.provenance)).")
            let laidDown = catalog.labs.filter { evidence.laidDown($0.id) != nil }.map(\.manifest.number)
            if !laidDown.isEmpty {
                console.out(
                    "Laid down by reference solutions, no points: \(laidDown.joined(separator: ", ")) "
                        + "('LabRunner lab reset NN' to do one yourself).")
            }
            if let line = DrillSession.statusLine(in: workspace, now: env.now()) { console.out(line) }
            console.show { tour.render(&$0, workspace: workspace, currentDirectory: console.currentDirectory) }
            return 0
        }
        let context = try PlayContext(workspace: workspace, now: env.now)
        let registry = context.registry
        let versions = try registry.versionSummaries()
        let events = try registry.events()
        let production = registry.tag("production")
        let openIncidents = Incidents.all(events: events).filter { $0.status == "open" }
        let requests = try AttributionLog(registryRoot: registry.root).recent(limit: 1)
        console.out("Workspace: \(workspace.root)")
        console.out(
            "  versions: \(versions.count)   production: \(production.map { String($0.prefix(12)) } ?? "none")   open incidents: \(openIncidents.count)"
        )
        let next: (String, String)
        if versions.isEmpty {
            next = (
                "Ask the assistant something, then register the baseline as version #1.",
                "LabRunner register --root --owner YOUR_NAME --reason \"baseline\""
            )
        } else if production == nil {
            next = (
                "Put a version into production: promotion is a tag move behind an eval gate.",
                "LabRunner promote '#\(versions[0].seq)' --approver A_REVIEWER"
            )
        } else if let incident = openIncidents.first {
            next = (
                "Incident \(incident.id) is open and its clock is running.",
                "LabRunner rollback --reason \"\(incident.symptom)\""
            )
        } else if requests.isEmpty {
            next = (
                "Send simulated customers to production and see who answered them.", "LabRunner traffic --requests 200"
            )
        } else {
            next = (
                "Change a component in system/, register it, and compare it with production.",
                "LabRunner eval compare production '#\(versions[versions.count - 1].seq)'"
            )
        }
        if let line = DrillSession.statusLine(in: workspace, now: env.now()) { console.out(line) }
        console.out(next.0)
        console.out("Next: " + console.styled(next.1, .cyan))
        return 0
    }
}
