// A lab session as the lab commands use it: the lab a command means, and what to do next after a start or a
// reset.
public import Foundation
public import Terminal

extension LabSession {
    /// The lab `name` names, else the one started last.
    public func lab(named name: String?) throws -> Lab {
        if let name { return try catalog.lab(name) }
        guard let current = try evidence().currentLabID else { throw LabError.noCurrentLab }
        return try catalog.lab(current)
    }

    /// Where the learner is, from `evidence` already read; nil before any lab started.
    public func tour(_ evidence: Evidence) throws -> TourStatus? {
        try Tour.status(catalog: catalog, evidence: evidence, user: actor)
    }

    /// After a start or a reset of `lab`: the clock of a timed lab, then the next instructions.
    public func renderNext(_ out: inout TextOutput, after lab: Lab, currentDirectory: String) throws {
        let evidence = try evidence()
        let tour = try tour(evidence)
        lab.renderClock(&out, evidence: evidence)
        tour?.render(&out, workspace: workspace, currentDirectory: currentDirectory)
    }
}

extension LabSession {
    /// What `lab start` prints once `lab` is set up (`continued`: when an unfinished attempt began): its title,
    /// goal and README (relative to `currentDirectory`), the clock of a timed lab, and the next instructions.
    public func renderStarted(_ out: inout TextOutput, _ lab: Lab, continued: Date?, currentDirectory: String) throws {
        let readme = try catalog.readme(for: lab, in: workspace)
        let shown =
            readme.hasPrefix(currentDirectory + "/") ? String(readme.dropFirst(currentDirectory.count + 1)) : readme
        lab.renderStart(&out, continued: continued, readme: shown)
        try renderNext(&out, after: lab, currentDirectory: currentDirectory)
    }
}
