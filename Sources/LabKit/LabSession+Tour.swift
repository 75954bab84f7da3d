// A lab session as the lab commands use it: the lab a command means, and what to do next after a start or a
// reset.
public import Foundation
public import Terminal
import Reports

extension LabSession {
    /// The lab `name` names, else the one started last.
    public func lab(named name: String?) throws -> Lab {
        if let name { return try catalog.lab(name) }
        guard let current = try evidence().currentLabID else { throw LabError.noCurrentLab }
        return try catalog.lab(current)
    }

    /// `lab check`: grades the lab (the current one unless `name` says) and records the grade in the progress.
    public func check(named name: String?) throws -> LabGrade {
        let grade = Grader.grade(try lab(named: name), evidence: try evidence())
        try Progress.update(workspace, current: nil, grade: grade, at: now())
        return grade
    }

    /// `lab grade`: the lab `name` names (else the current one), or every lab with `all`.
    public func grade(named name: String?, all: Bool) throws -> GradeReport {
        let evidence = try evidence()
        let labs = all ? catalog.labs : [try lab(named: name)]
        return GradeReport(grades: labs.map { Grader.grade($0, evidence: evidence) })
    }

    /// `lab solution`: the reference solution's text, shown only once the learner's own work passes the lab.
    public func solution(ofPassed lab: Lab) throws -> String {
        guard Grader.grade(lab, evidence: try evidence()).checksPass else { throw LabError.notPassed(lab: lab.id) }
        return String(decoding: try catalog.solution(of: lab), as: UTF8.self)
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
    /// `lab hint`: the next hint (or the level asked for), recorded, as the line the learner reads.
    public func hintLine(_ lab: Lab, level: Int?) throws -> String {
        let hint = try hint(lab, level: level)
        return "Hint \(hint.level) of \(lab.manifest.hints.count) for lab \(lab.manifest.number): \(hint.text)"
    }

    /// What `lab reset` prints once `plan`'s attempt has begun: that it has, then the next instructions.
    public func renderReset(_ out: inout TextOutput, _ lab: Lab, _ plan: ResetPlan, currentDirectory: String) throws {
        out.line("Lab \(lab.manifest.number) is back at its starting files: attempt \(plan.nextAttempt) has begun.")
        try renderNext(&out, after: lab, currentDirectory: currentDirectory)
    }

    /// What `lab start` prints once `lab` is set up (`continued`: when an unfinished attempt began): its title,
    /// goal and README (relative to `currentDirectory`), the clock of a timed lab, and the next instructions.
    public func renderStarted(_ out: inout TextOutput, _ lab: Lab, continued: Date?, currentDirectory: String) throws {
        let readme = try catalog.readme(for: lab, in: workspace)
        let shown =
            readme.hasPrefix(currentDirectory + "/") ? String(readme.dropFirst(currentDirectory.count + 1)) : readme
        lab.renderStart(&out, continued: continued, readme: shown, seed: try evidence().started(lab.id)?.payload.seed)
        try renderNext(&out, after: lab, currentDirectory: currentDirectory)
    }
}
