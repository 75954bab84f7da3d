// The guided tour: from the current lab's steps and which checks already pass, the instructions to follow now.
import Foundation
import Playbook
import Registry
import Reports

public struct TourInstruction: Sendable, Equatable {
    public enum Kind: String, Sendable { case run, edit, next }
    public var kind: Kind
    public var say: String
    /// The command (for run and next) or the edit, spelled out as a person would follow it.
    public var text: String
    public var expectFailure: Bool
}

public struct TourStatus: Sendable {
    public var lab: Lab
    public var grade: LabGrade
    public var instructions: [TourInstruction]
}

public enum Tour {
    /// Where the learner is: the lab started last, its grade, and what to do next.
    public static func status(catalog: LabCatalog, evidence: Evidence, user: String) throws -> TourStatus? {
        // A lab started from another catalog (a custom LABRUNNER_LABS) has no tour in this one.
        guard let current = evidence.currentLabID, let onDisk = catalog.labs.first(where: { $0.id == current }) else {
            return nil
        }
        let lab = evidence.asStarted(onDisk)
        let grade = Grader.grade(lab, evidence: evidence)
        var fill = try Placeholders(evidence: evidence, lab: lab, user: user)
        fill.challenge = evidence.started(lab.id)?.payload.seed != nil
        if evidence.unfinishedStart(of: lab.id) != nil {
            let again = TourInstruction(
                kind: .next,
                say:
                    "Lab \(lab.manifest.number)'s setup was interrupted: start it again to set it up from its starting state.",
                text: "LabRunner lab start \(lab.manifest.number)", expectFailure: false)
            return TourStatus(lab: lab, grade: grade, instructions: [again])
        }
        if grade.passed {
            let next = catalog.next(after: lab)
            let command = next.map { "LabRunner lab start \($0.manifest.number)" } ?? "LabRunner lab grade --all"
            let say =
                next.map { "Lab \(lab.manifest.number) passes. Next up: \($0.manifest.title)." }
                ?? "Every lab is done: grade them all and share your write-up."
            // A timed lab's clock starts with its setup: its page is read before, not during.
            let readFirst = next.flatMap { next -> TourInstruction? in
                guard !next.manifest.allTimers.isEmpty else { return nil }
                return TourInstruction(
                    kind: .run,
                    say:
                        "Lab \(next.manifest.number) is timed and its clock starts when it starts: read its page first.",
                    text: "LabRunner lab show \(next.manifest.number)", expectFailure: false)
            }
            // Steps after the last checked one are clean-ups (put system/ back): a passing grade cannot show
            // them done, so they come before the next lab, every time, and are harmless to repeat.
            let lastChecked = lab.manifest.steps.lastIndex { $0.check != nil } ?? -1
            let cleanUps = lab.manifest.steps.dropFirst(lastChecked + 1).map(fill.instruction)
            return TourStatus(
                lab: lab, grade: grade,
                instructions: cleanUps + (readFirst.map { [$0] } ?? [])
                    + [TourInstruction(kind: .next, say: say, text: command, expectFailure: false)])
        }
        let passing = Set(grade.tests.filter(\.passed).map(\.name))
        var pending: [TourInstruction] = []
        for step in lab.manifest.steps {
            let instruction = fill.instruction(for: step)
            guard let check = step.check else {
                pending.append(instruction)
                continue
            }
            if passing.contains(check) {
                pending = []
                continue
            }
            var next = instruction
            next.kind = instruction.kind == .edit ? .edit : .next
            return TourStatus(lab: lab, grade: grade, instructions: pending + [next])
        }
        let check = TourInstruction(
            kind: .next, say: "Every step is done, but some checks still fail; see why.", text: "LabRunner lab check",
            expectFailure: false)
        return TourStatus(lab: lab, grade: grade, instructions: pending + [check])
    }
}

/// Fills `{me}`, `{root}`, `{latest}`, `{previous}`, `{incident}`, `{bad_version}`, `{last_request}` in step texts from the evidence.
struct Placeholders {
    var values: [String: String]
    /// Challenge mode: a step's command is named, never filled in (its options are what the learner decides).
    var challenge = false

    init(evidence: Evidence, lab: Lab, user: String) throws {
        values = ["me": user]
        // Quoted: an unquoted #N starts a comment in the shell.
        if let latest = evidence.versions.last { values["latest"] = "'#\(latest.seq)'" }
        if let previous = evidence.versions.dropLast().last { values["previous"] = "'#\(previous.seq)'" }
        if let root = evidence.versions.first(where: { $0.metadata.parent == nil }) {
            values["root"] = "'#\(root.seq)'"
        }
        if let incident = evidence.incident(openedSinceStartOf: lab.id) ?? evidence.incidents.last {
            values["incident"] = incident.id
            if let bad = incident.badVersion { values["bad_version"] = String(bad.prefix(12)) }
        }
        if let request = try AttributionLog(registryRoot: evidence.registry.root).recent(limit: 1).first {
            values["last_request"] = request.id
        }
    }

    func fill(_ text: String) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    func instruction(for step: LabStep) -> TourInstruction {
        if let edit = step.edit {
            let text: String
            if let append = edit.append {
                text = "\(edit.file) — add the line \"\(fill(append))\""
            } else {
                text = "\(edit.file) — change \"\(fill(edit.replace ?? ""))\" to \"\(fill(edit.with ?? ""))\""
            }
            return TourInstruction(kind: .edit, say: fill(step.say), text: text, expectFailure: false)
        }
        let run = step.run ?? ""
        return TourInstruction(
            kind: .run, say: fill(step.say), text: challenge ? Self.named(run) : fill(run),
            expectFailure: step.expectFailure ?? false)
    }

    /// "LabRunner investigate --onset ONSET_A …" as challenge mode shows it: the command and where its options
    /// are told ("LabRunner investigate (see --help)"); a shell command that is no LabRunner command, as it is.
    static func named(_ command: String) -> String {
        let words = command.split(separator: " ")
        guard words.first == "LabRunner" else { return command }
        let name = words.prefix { word in word == "LabRunner" || word.allSatisfy { $0.isLowercase && $0.isLetter } }
        return name.joined(separator: " ") + " (see --help)"
    }
}
