// The incidents/ folder: one record per incident, derived from the incident events, for people to read. Incident
// writers put the records there in the event's own transaction and repair what they find missing, stale or
// stray; fsck checks the folder against the events; a bundle carries the records as the events give them.
public import Foundation
import Hashing
public import Registry

public enum IncidentRecords {
    static let folder = "incidents"

    /// Each incident's record keyed by its path in the registry ("incidents/INC-0001.json"): the bytes `verify`
    /// re-derives from the events.
    public static func records(_ incidents: [Incident]) throws -> [String: Data] {
        var records: [String: Data] = [:]
        for incident in incidents {
            records[path(of: incident.id)] = Data(try CanonicalJSON.prettyString(incident).utf8)
        }
        return records
    }

    static func path(of id: String) -> String { folder + "/" + id + ".json" }

    /// The records that are missing or differ on disk.
    static func outdated(_ incidents: [Incident], in registry: Registry) throws -> [String: Data] {
        try records(incidents).filter { registry.sideFile($0.key) != $0.value }
    }

    /// Removes what is in the folder that no incident backs: a stray record, a temp an older writer left.
    static func removeStrays(keeping incidents: [Incident], in registry: Registry, _ writer: Registry.Writer) {
        let kept = Set(incidents.map { $0.id + ".json" })
        for name in registry.sideFolderEntries(folder) where !kept.contains(name) {
            // Best effort after the event is recorded: a stray left here is one fsck reports and the next
            // incident writer removes; the command's own change stands either way.
            try? writer.removeSideFile(folder: folder, name: name)
        }
    }

    /// fsck's check of the folder against the events: a record missing or different is a problem (the next
    /// incident or rollback command writes it again), unless an interrupted write whose event is recorded has
    /// it staged, which the next write to the registry puts in place; a temp is a warning, a stray a problem.
    public static func check(_ registry: Registry, into report: inout FsckReport) {
        // A log that does not read is a problem the registry's own check reports.
        guard let events = try? registry.events() else { return }
        let expected: [String: Data]
        do {
            expected = try records(Incidents.all(events: events))
        } catch {
            report.problems.append("The incident records cannot be checked: \(error)")
            return
        }
        let pending = registry.pendingSideFiles()
        let rewrite = "it is derived from the events, and the next incident or rollback command writes it again."
        for (path, data) in expected.sorted(by: { $0.key < $1.key }) {
            let actual = registry.sideFile(path)
            guard actual != data else { continue }
            let id = String((path as NSString).lastPathComponent.dropLast(".json".count))
            if pending.contains(path) {
                report.warnings.append(
                    "\(path) is staged by an interrupted write whose event is recorded; the next write to the registry "
                        + "puts it in place.")
            } else if actual == nil {
                report.problems.append("\(path) is missing, but the events record incident \(id); \(rewrite)")
            } else {
                report.problems.append("\(path) differs from what the events record for incident \(id); \(rewrite)")
            }
        }
        for name in registry.sideFolderEntries(folder) where expected[folder + "/" + name] == nil {
            if name.hasPrefix(".") {
                report.warnings.append(
                    "\(folder)/\(name) is a temp file an interrupted write left; the next incident or rollback command "
                        + "removes it.")
            } else {
                report.problems.append(
                    "\(folder)/\(name) is the record of no incident in the events; the next incident or rollback "
                        + "command removes it.")
            }
        }
    }
}
