// Where the payback model and the incident statistics read from besides flags: an --inputs JSON file, and the
// pilot's records in a workspace.
public import Foundation
public import Playbook
public import Registry

extension PaybackInputs {
    /// The inputs in the JSON file at `path`, named `given` as the user typed it.
    public static func readFile(_ given: String, at path: String) throws -> [(String, Double)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DrillsError.inputsUnreadable(path: given)
        }
        return try parseFile(data, path: given)
    }
}

extension PaybackModel {
    /// The pilot's measurements in `workspace` for `quarter` (nil: the current one), its drills included.
    public static func measure(in workspace: Workspace, now: @escaping @Sendable () -> Date, quarter: Quarter?)
        throws -> [PilotMeasurement]
    {
        let registry = try Registry(root: workspace.registryPath, now: now)
        return try measure(
            events: try registry.events(), now: now(), quarter: quarter, drills: try DrillRoom(workspace).records())
    }
}

extension IncidentStats {
    /// `incident stats` for the workspace `context` works in: its incidents and deployments, and its drills.
    public static func report(in context: PlayContext, quarter: Quarter?) throws -> IncidentStatsReport {
        try report(
            events: try context.registry.events(), quarter: quarter, drills: try DrillRoom(context.workspace).records())
    }
}
