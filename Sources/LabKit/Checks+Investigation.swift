// The checks of the later labs: investigating a regression, reproducing weights, and the capstone's answers.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Reports
import ToyModel

extension CheckLibrary {
    // MARK: Investigation

    /// The first version the named owner registered since this lab started.
    static func ownersVersion(_ input: CheckInput, _ owner: String) -> VersionRecord? {
        guard let since = input.since else { return nil }
        return input.evidence.versions.first { $0.metadata.owner == owner && $0.metadata.createdAt >= since }
    }

    static func investigation(_ input: CheckInput) throws -> CheckOutcome {
        let evidence = input.evidence
        guard let verdict = Investigation.Verdict(rawValue: input.param("verdict")) else {
            throw LabError.invalid(
                "The check's verdict '\(input.param("verdict"))' is not a verdict investigate gives.")
        }
        let owner = input.param("owner")
        guard let version = ownersVersion(input, owner),
            let arrival = evidence.productionMoves.first(where: { $0.to == version.id })
        else {
            return .fail(
                "\(owner)'s change is not in this workspace's production history: run 'LabRunner lab start \(input.labID)'."
            )
        }
        let concluded = try evidence.events.payloads(InvestigationConcluded.self).map(\.payload).filter {
            $0.verdict == verdict
        }
        let next = evidence.productionMoves.first { $0.event > arrival.event }?.at ?? .distantFuture
        for investigation in concluded {
            guard investigation.onset >= arrival.at, investigation.onset < next else { continue }
            if verdict == .regression {
                let component = input.param("component")
                guard investigation.suspect == version.id else { continue }
                guard
                    component.isEmpty
                        || investigation.components.split(separator: ",").contains(Substring(component))
                else { continue }
            }
            return .pass("The investigation of \(owner)'s change concluded: \(investigation.conclusion).")
        }
        return .fail(
            "No investigation with an onset while \(owner)'s change (\(evidence.label(version.id))) was live concluded '\(verdict)': run 'LabRunner investigate --onset TIME' with the complaint's time."
        )
    }

    static func keptInnocentChange(_ input: CheckInput) throws -> CheckOutcome {
        let owner = input.param("owner")
        guard let version = ownersVersion(input, owner) else {
            return .fail("\(owner)'s change is not in this workspace: run 'LabRunner lab start \(input.labID)'.")
        }
        let after = input.evidence.productionMoves.filter { $0.at >= version.metadata.createdAt }
        if let undone = after.first(where: {
            input.evidence.facts(of: $0).play == .rollback && (input.evidence.version($0.to)?.seq ?? 0) < version.seq
        }) {
            return .fail(
                "Production was rolled back to \(input.evidence.label(undone.to)), undoing \(owner)'s change, which the evidence showed was noise: roll back only what the investigation names."
            )
        }
        return .pass("\(owner)'s harmless change was kept: a complaint is not a regression until an eval says so.")
    }

    static func regressionResolved(_ input: CheckInput) throws -> CheckOutcome {
        let owner = input.param("owner")
        let component = input.param("component")
        guard let version = ownersVersion(input, owner), let bad = version.manifest.components[component] else {
            return .fail("\(owner)'s change is not in this workspace: run 'LabRunner lab start \(input.labID)'.")
        }
        let concluded = try input.evidence.events.payloads(InvestigationConcluded.self).first {
            $0.payload.suspect == version.id
        }?.event
        guard let concluded else {
            return .fail(
                "Investigate before acting: no investigation has named \(input.evidence.label(version.id)) yet.")
        }
        let fix = input.evidence.productionMoves.first { move in
            move.event > concluded.seq && input.evidence.version(move.to)?.manifest.components[component] != bad
        }
        guard let fix else {
            return .fail(
                "Production still serves \(owner)'s \(component): roll back to the version before it or register a fix, through a play."
            )
        }
        return .pass(
            "\(input.evidence.label(fix.to)) took production back to a good \(component) after the investigation.")
    }

    // MARK: Reproducibility and answers

    static func reproducedWeights(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        let evidence = input.evidence
        let ref = input.param("version")
        guard let record = try version(named: ref, in: evidence),
            let weights = record.manifest.components["weights.json"]
        else {
            return .fail("There is no '\(ref)' version with weights to reproduce yet.")
        }
        guard let data = evidence.file(file) else {
            return .fail(
                "\(file) does not exist: retrain from \(ref)'s recorded dataset and seed with 'LabRunner train --data … --seed … --out \(file)'."
            )
        }
        let hash = SHA256.hash(data).hex
        guard hash == weights.sha256 else {
            return .fail(
                "\(file) (sha256 \(hash.prefix(12))) differs from \(evidence.label(record.id))'s weights (\(weights.sha256.prefix(12))): train on the recorded dataset with the recorded seed."
            )
        }
        guard
            try Training.runs(events: evidence.events).contains(where: { $0.output == file && $0.weightsSHA256 == hash }
            )
        else { return .fail("No recorded 'LabRunner train' run wrote \(file): retrain it with the kit, not a copy.") }
        return .pass(
            "\(file) is bit-for-bit \(evidence.label(record.id))'s weights (\(hash.prefix(12))): the training is reproducible."
        )
    }

    /// `field: value` lines, the simplest answer sheet a person can write.
    static func answers(in text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func answer(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        let field = input.param("field")
        guard let data = input.evidence.file(file) else {
            return .fail("\(file) does not exist yet: answer with a line '\(field): …'.")
        }
        guard let given = answers(in: String(decoding: data, as: UTF8.self))[field.lowercased()], !given.isEmpty else {
            return .fail("\(file) has no line '\(field): …' yet.")
        }
        // The manifest may hold only the answer's hash, so reading lab.json does not give the answer away.
        let right: Bool
        if let hash = input.spec.param("expected_sha256") {
            right = SHA256.hash(Data(given.lowercased().utf8)).hex == hash.lowercased()
        } else {
            right = given.lowercased() == input.param("expected").lowercased()
        }
        guard right else {
            return .fail(input.spec.param("why") ?? "'\(field): \(given)' is not right; read the lab text again.")
        }
        return .pass(input.spec.param("why_right") ?? "'\(field): \(given)' is right.")
    }

    /// The seed a version's weights were trained with, read from the training run the registry recorded:
    /// the answer comes from the evidence, not from the lab's manifest.
    static func trainingSeedNamed(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        let field = input.param("field")
        let ref = input.param("version")
        let evidence = input.evidence
        guard let record = try version(named: ref, in: evidence),
            let weights = record.manifest.components["weights.json"]
        else { return .fail("There is no '\(ref)' version with weights yet.") }
        guard let run = try Training.runs(events: evidence.events).last(where: { $0.weightsSHA256 == weights.sha256 })
        else {
            return .fail("No training run the registry recorded produced \(evidence.label(record.id))'s weights.")
        }
        guard let data = evidence.file(file) else {
            return .fail("\(file) does not exist yet: answer with a line '\(field): …'.")
        }
        guard let given = answers(in: String(decoding: data, as: UTF8.self))[field.lowercased()], !given.isEmpty else {
            return .fail("\(file) has no line '\(field): …' yet.")
        }
        guard UInt64(given) == run.seed else {
            return .fail(
                "'\(field): \(given)' is not the seed \(evidence.label(record.id))'s weights were trained with: the weights record their seed, and so does the registry's training run."
            )
        }
        return .pass(
            "\(evidence.label(record.id))'s weights were trained with seed \(given), as the registry's training run records."
        )
    }

    static func writeupMatchesRegistry(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        guard let data = input.evidence.file(file) else {
            return .fail("\(file) does not exist yet: write it with 'LabRunner writeup --out \(file)'.")
        }
        let text = String(decoding: data, as: UTF8.self)
        let fresh = try Writeup.render(
            context: input.evidence.context, incidentID: Writeup.incidentID(in: text),
            provenance: input.evidence.writeupProvenance())
        let given = Writeup.generatedParts(of: text)
        guard given == Writeup.generatedParts(of: fresh) else {
            return .fail(
                "The generated parts of \(file) do not match what the registry backs (edited numbers, or new events since): write it again with 'LabRunner writeup --out \(file)' and keep your sections."
            )
        }
        return .pass("Every generated number in \(file) is backed by the registry.")
    }

    /// Each section the learner writes must be long enough and cite something the registry backs: a word
    /// count alone passes with filler, a citation makes the author look at the evidence.
    static func writeupCitesRegistry(_ input: CheckInput) throws -> CheckOutcome {
        let file = input.param("file")
        guard let data = input.evidence.file(file) else {
            return .fail("\(file) does not exist yet: write it with 'LabRunner writeup --out \(file)'.")
        }
        let text = String(decoding: data, as: UTF8.self)
        let minimum = Int(input.number("min_words", default: 15))
        let sections = Writeup.learnerSections(of: text)
        for title in Writeup.learnerSectionTitles {
            let words = sections[title].map(Writeup.wordCount) ?? 0
            guard words >= minimum else {
                return .fail(
                    "The section '\(title)' in \(file) has \(words) word(s) of yours; write at least \(minimum).")
            }
        }
        let evidence = input.evidence
        let moves = evidence.productionMoves
        guard let incident = try writtenUpIncident(Writeup.incidentID(in: text), evidence: evidence, moves: moves)
        else {
            return .fail(
                "\(file) names no rolled-back incident of this registry: write it again with 'LabRunner writeup --out \(file)'."
            )
        }
        let facts = try WriteupFacts(incident: incident, evidence: evidence)
        for title in Writeup.learnerSectionTitles where !facts.cited(in: sections[title] ?? "") {
            return .fail(
                "The section '\(title)' in \(file) cites nothing the registry backs: name a version (\(facts.exampleVersion)), a component the incident changed (\(facts.exampleComponent)), the incident (\(incident.id)) or a number the registry records for it (a pass rate, the time to rollback)."
            )
        }
        return .pass(
            "All \(Writeup.learnerSectionTitles.count) sections that need your judgement are written, and each cites what the registry backs."
        )
    }
}
