// What `LabRunner` with no arguments says: where the person is (no workspace yet, inside a lab, or in a workspace
// worked by hand) and the one command to run next.
public import Foundation
import Hashing
import Playbook
public import Registry
public import Terminal

public struct Whereabouts: Sendable {
    public enum Place: Sendable {
        case outside(firstLab: LabManifest?)
        case inLab(TourStatus, laidDown: [String], workspace: Workspace)
        case inWorkspace(Workspace, versions: Int, production: String?, openIncidents: Int, next: (String, String))
    }

    public var place: Place

    /// Where the person is: in `workspace` (nil when none was found), with the labs of `catalog` if it loaded.
    public static func find(
        catalog: LabCatalog?, workspace: Workspace?, user: String, now: @escaping @Sendable () -> Date
    ) throws -> Whereabouts {
        guard let workspace else { return Whereabouts(place: .outside(firstLab: catalog?.labs.first?.manifest)) }
        // A workspace whose evidence cannot be read is still worked by hand: the plain status says what to do.
        if let catalog, let evidence = try? Evidence(workspace: workspace, now: now),
            let tour = try Tour.status(catalog: catalog, evidence: evidence, user: user)
        {
            let laidDown = catalog.labs.filter { evidence.laidDown($0.id) != nil }.map(\.manifest.number)
            return Whereabouts(place: .inLab(tour, laidDown: laidDown, workspace: workspace))
        }
        let registry = try PlayContext(workspace: workspace, now: now).registry
        let versions = try registry.versionSummaries()
        let production = registry.tag("production")
        let open = try Incidents.all(events: try registry.events()).filter { $0.status == .open }
        let requests = try AttributionLog(registryRoot: registry.root).recent(limit: 1)
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
        } else if let incident = open.first {
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
        return Whereabouts(
            place: .inWorkspace(
                workspace, versions: versions.count, production: production, openIncidents: open.count, next: next))
    }

    /// The tour's commands say `LabRunner`; after `swift run` it may not be on PATH yet.
    static func pathTip(_ console: Console) -> String? {
        let folders = (console.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard !folders.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/LabRunner") }),
            let binary = console.executablePath
        else { return nil }
        return
            "Tip: LabRunner is not on your PATH yet; run: export PATH=\"\((binary as NSString).deletingLastPathComponent):$PATH\""
    }

    /// `drillLine` is what the drills say about the workspace; outside a workspace it also says how to put
    /// LabRunner on PATH when it is not.
    public func render(_ out: inout TextOutput, drillLine: String?, console: Console) {
        let currentDirectory = console.currentDirectory
        let pathTip = workspace == nil ? Self.pathTip(console) : nil
        switch place {
        case .outside(let first):
            out.line(
                "You have no lab workspace here yet. It holds the toy system, its data, evals and a local registry.")
            if let first {
                out.line(
                    "The guided tour starts with lab \(first.number), \(first.title), and creates ./\(Workspace.defaultFolderName)."
                )
                out.line("Next: " + out.styled("LabRunner lab start \(first.number)", .cyan))
            } else {
                out.line(
                    "Next: " + out.styled("LabRunner init", .cyan) + "   (creates ./\(Workspace.defaultFolderName))")
            }
            if let pathTip { out.line(pathTip) }
            out.line("See 'LabRunner --help' for every command.")
        case .inLab(let tour, let laidDown, let workspace):
            let (lab, grade) = (tour.lab.manifest, tour.grade)
            out.line("Workspace: \(workspace.root)")
            out.line(
                "Lab \(lab.number) · \(lab.title): \(grade.score)/\(grade.maxScore) points, \(grade.checksSummary) "
                    + "(\(grade.provenance)).")
            if !laidDown.isEmpty {
                out.line(
                    "Laid down by reference solutions, no points: \(laidDown.joined(separator: ", ")) "
                        + "('LabRunner lab reset NN' to do one yourself).")
            }
            if let drillLine { out.line(drillLine) }
            tour.render(&out, workspace: workspace, currentDirectory: currentDirectory)
        case .inWorkspace(let workspace, let versions, let production, let openIncidents, let next):
            out.line("Workspace: \(workspace.root)")
            out.line(
                "  versions: \(versions)   production: \(production.map { String($0.prefix(12)) } ?? "none")   open incidents: \(openIncidents)"
            )
            if let drillLine { out.line(drillLine) }
            out.line(next.0)
            out.line("Next: " + out.styled(next.1, .cyan))
        }
    }

    /// The workspace the person is in, if any.
    public var workspace: Workspace? {
        switch place {
        case .outside: return nil
        case .inLab(_, _, let workspace), .inWorkspace(let workspace, _, _, _, _): return workspace
        }
    }
}
