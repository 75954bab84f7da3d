// The team's habits, good and careless, as builder steps. Each careless one plants a flaw with the evidence that
// points at it (versions, events, requests, incidents, file lines); each red herring records what looks odd.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

extension ScenarioBuilder {
    /// The first release: a team line in the prompt's notes (so every id of the scenario is its own), then a few
    /// routine changes and a rehearsed rollback whose incident is closed, in every family.
    mutating func opening(temperature: String? = nil) throws {
        if let temperature { try setConfig("temperature", temperature) }
        try write("system/prompt.md", read("system/prompt.md") + "Team reference: \(random.hex(10)).\n")
        // The team's own suite: some cases retired before its first pin, so its size says nothing later.
        _ = try dropCases(random.int(0...12))
        let first = try register("alice", parent: nil, root: true)
        try promote(first, approver: "bob")
        _ = try traffic(random.int(15...25))
        for _ in 0..<random.int(1...2) {
            try routineChange(random.element(Neutral.people) ?? "alice")
            try closeIncident(of: try rehearseRollback())
        }
        try baseChanges()
    }

    /// A normal change, done right: notes edit, register, promote.
    @discardableResult
    mutating func routineChange(_ owner: String, _ reason: String? = nil) throws -> VersionRecord {
        try editNotes(reason)
        let version = try register(owner, reason)
        try promote(version, approver: owner == "bob" ? "carol" : "bob")
        _ = try traffic(random.int(6...12))
        return version
    }

    /// Zero to two routine changes: the base history varies from scenario to scenario.
    mutating func baseChanges() throws {
        for _ in 0..<random.int(0...2) { try routineChange(random.element(Neutral.people) ?? "alice") }
    }

    /// Closes the incident a rollback opened, as a careful team does once the cause is understood.
    func closeIncident(of rollbackEvent: Int) throws {
        for incident in try Incidents.all(events: try registry.events()) where incident.status != .closed {
            _ = try Incidents.close(
                incident.id, resolution: "reviewed; cause understood (event \(rollbackEvent))", by: "bob", in: context)
        }
    }

    /// Drops `count` cases of a category without a floor from evals/core.jsonl; returns how many went.
    mutating func dropCases(_ count: Int) throws -> Int {
        var lines = read("evals/core.jsonl").split(separator: "\n").map(String.init)
        let removable = lines.indices.filter { index in
            // Only a case line with a category can be dropped; anything else stays as it is.
            guard let object = try? JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any],
                let category = object["category"] as? String
            else { return false }
            return !context.settings.isFloored(category)
        }
        let dropped = Set(random.pick(removable, count: min(removable.count, count)))
        lines = lines.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        try write("evals/core.jsonl", lines.joined(separator: "\n") + "\n")
        return dropped.count
    }

    // MARK: Red herrings

    mutating func cosmeticHerring() throws {
        try editNotes()
        let version = try register("carol")
        let event = try promote(version, approver: "bob")
        plant(
            "HERRING-COSMETIC-PROMPT",
            "#\(version.seq) changes only a notes line of prompt.md; it has its own id and went through both gates",
            ["version:\(version.id)"] + (event.map { ["event:\($0.seq)"] } ?? []), hints: ("", ""))
    }

    mutating func expiredExperimentHerring() throws {
        let production = try production()
        let savedPrompt = read("system/prompt.md")
        clock.advance(days: 1)
        let name = "shorter-greetings"
        _ = try Experiments.start(name: name, from: production.id, ttl: "7d", by: "carol", in: context)
        try editNotes("experiment: greet in five words or fewer")
        let version = try register("carol", "experiment: shorter greetings", parent: production.id, experiment: name)
        _ = try Experiments.end(name: name, by: "carol", in: context)
        try write("system/prompt.md", savedPrompt)
        clock.advance(days: 10)
        _ = try GCPlay.run(dryRun: true, by: "ops", in: context)
        let planned = try lastEvent()
        let plan = try GCPlay.run(dryRun: false, by: "ops", in: context)
        guard plan.versions.contains(version.id) else {
            throw CritiqueError.buildFailed("gc did not collect the expired experiment")
        }
        let collected = try lastEvent()
        plant(
            "HERRING-EXPIRED-EXPERIMENT",
            "#\(version.seq) was an experiment that expired without serving; gc --dry-run (event \(planned)) then gc "
                + "(event \(collected)) removed its blobs and kept its record",
            ["version:\(version.id)", "event:\(planned)", "event:\(collected)"], hints: ("", ""))
    }

    // MARK: Flaws

    mutating func unrecordedTraining() throws {
        let weightsPath = root + "/system/weights.json"
        let saved = FileManager.default.contents(atPath: weightsPath) ?? Data()
        let csv = FileManager.default.contents(atPath: workspace.trainingDataPath) ?? Data()
        let weights = try Trainer.train(
            csv: csv, dataName: "data/train.csv", dataSHA256: SHA256.hash(csv).hex, seed: UInt64(random.int(100...999)))
        try weights.write(to: URL(fileURLWithPath: weightsPath), options: .atomic)
        let version = try register("dave", unverifiedOK: true)
        try saved.write(to: URL(fileURLWithPath: weightsPath), options: .atomic)
        guard version.metadata.extra["lineage_unverified"] != nil else {
            throw CritiqueError.buildFailed("the laptop weights matched a recorded run")
        }
        plant(
            "UNRECORDED-TRAINING",
            "#\(version.seq) carries weights that no recorded training run produced: data hash known, seed unknown",
            ["version:\(version.id)"],
            hints: (
                "Ask of every version: could you retrain its weights exactly?", "LabRunner show '#N' on each version"
            ))
    }

    mutating func noLineage() throws {
        try editNotes()
        let version = try register("erin", parent: nil, root: true)
        try promote(version, approver: "bob")
        plant(
            "NO-LINEAGE", "#\(version.seq) was registered with --root in the middle of the history: it has no parent",
            ["version:\(version.id)"],
            hints: ("Follow the chain of parents from production back to the first version.", "LabRunner versions"))
    }

    mutating func promptEditedInPlace() throws {
        let lineNumber: Int
        if random.bool() {
            lineNumber = try replacePromptLine(startingWith: "max_words:", with: "max_words: \(random.int(25...45))")
        } else {
            lineNumber = try replacePromptLine(
                startingWith: "refuse:", with: "refuse: medical_advice, competitor_prices")
        }
        plant(
            "PROMPT-EDITED-IN-PLACE",
            "system/prompt.md line \(lineNumber) was edited after production was registered and pushed by "
                + "scripts/hotfix.sh; no version has it",
            ["file:system/prompt.md:\(lineNumber)", "file:scripts/hotfix.sh:4"],
            hints: (
                "Is what runs the same as what was registered?",
                "LabRunner hash system/prompt.md vs LabRunner show production"
            ))
    }

    /// Production moves by hand are how a careless team ships; the served tag is `latest-build`, moved on every build.
    mutating func mutableLatest(_ events: [Int]) {
        plant(
            "MUTABLE-LATEST",
            "deploy/serve.json serves the tag 'latest-build', which ci-bot moves on every registration (events "
                + events.map(String.init).joined(separator: ", ") + ")",
            ["file:deploy/serve.json:2"] + events.map { "event:\($0)" },
            hints: ("Which tag does the server follow, and who moves it?", "LabRunner tags; LabRunner log"))
    }

    mutating func copyPromotion() throws {
        try editNotes()
        let version = try register("gina")
        stash.copied = version
        plant(
            "COPY-PROMOTION",
            "deploy/current/ holds #\(version.seq)'s files, copied by scripts/deploy.sh, while the production tag "
                + "never moved to it",
            // The server's config names the production tag (line 2) while deploy.sh copies other files in: both show it.
            ["version:\(version.id)", "file:deploy/current/*", "file:scripts/deploy.sh", "file:deploy/serve.json:2"],
            hints: (
                "Compare what the server runs with what the production tag says.", "LabRunner hash deploy/current/*"
            ))
    }

    mutating func approverIsAuthor() throws {
        try editNotes()
        let version = try register("frank")
        let event = try moveByHand(
            "production", to: version.id, by: "frank", reason: "promote #\(version.seq)",
            facts: TagMoveFacts(play: .promote, approver: "frank", gate: .passed, highStakes: true))
        _ = try traffic(10)
        plant(
            "APPROVER-IS-AUTHOR",
            "Event \(event.seq): #\(version.seq), owned by frank, was moved to production with frank as approver on "
                + "a high-stakes change",
            ["event:\(event.seq)", "version:\(version.id)"],
            hints: ("Who approved each high-stakes promotion, and who wrote it?", "LabRunner log"))
    }

    mutating func gcDeletedServed() throws {
        try editNotes()
        let served = try register("harry")
        try promote(served, approver: "bob")
        let requests = try traffic(15, version: nil)
        try editNotes()
        let next = try register("harry")
        try promote(next, approver: "bob")
        clock.advance(days: 30)
        guard let blob = served.manifest.components["prompt.md"]?.sha256 else {
            throw CritiqueError.buildFailed("no prompt blob")
        }
        let event = try registry.write { writer in
            try writer.append(
                kind: EventKind.blobsCollected, actor: "cleanup-cron",
                data: [
                    "versions": served.id, "blobs": blob, "bytes": String(served.sizes["prompt.md"] ?? 0),
                    "reason": "cleanup.sh",
                ])
        }
        try registry.objects.remove(blob)
        plant(
            "GC-DELETED-SERVED",
            "Event \(event.seq): scripts/cleanup.sh deleted the prompt blob of #\(served.seq), which answered "
                + "\(requests.count) requests; they can no longer be replayed",
            ["version:\(served.id)", "event:\(event.seq)", "file:scripts/cleanup.sh:3"]
                + requests.map { "request:" + $0 },
            hints: (
                "Can every request that was answered still be replayed?", "LabRunner fsck; LabRunner audit REQ --replay"
            ))
    }

    mutating func rehearseRollback() throws -> Int {
        clock.advance(days: 1)
        let current = try production()
        _ = try RollbackPlay.run(
            RollbackRequest(ref: try lkg(), reason: reason(), incident: nil, detectedAt: context.now(), by: "bob"),
            in: context)
        let rollback = try lastTagMove("production")
        // Rehearsal over: go forward again, if the version rolled back from still passes its gate.
        try promote(current, approver: "bob")
        return rollback
    }

    /// The team's pick for a rollback: the last known good of its gates and incidents (a scenario's history
    /// carries too little traffic for the live rule, and the team names the version it goes back to).
    func lkg() throws -> String? { try RollbackPlay.lastKnownGood(in: context, live: false)?.id }

    func lastTagMove(_ tag: String) throws -> Int { try registry.tagHistory(tag).last?.event ?? 0 }

    mutating func noRehearsal(lastRollback: Int) {
        plant(
            "NO-ROLLBACK-REHEARSAL",
            "The last rollback (event \(lastRollback)) is more than 90 days before the end of the history",
            ["event:\(lastRollback)"],
            hints: ("When did this team last practise going back?", "LabRunner log"))
    }

    mutating func forcedAsKnownGood() throws {
        let saved = read("system/prompt.md")
        try replacePromptLine(startingWith: "escalate:", with: "escalate: refund_over_500")
        let forced = try register("ivy")
        let override = try promote(forced, approver: "bob", force: reason())
        let overrideMove = try registry.tagHistory("production").first { $0.event == override?.seq }
        guard try overrideMove?.facts().gate == .overridden else {
            throw CritiqueError.buildFailed("the forced version passed its gate")
        }
        _ = try traffic(10)
        try write("system/prompt.md", saved)
        try editNotes()
        let fixed = try register("ivy")
        try promote(fixed, approver: "bob")
        clock.advance(days: 3)
        let event = try moveByHand(
            "production", to: forced.id, by: "oncall", reason: reason())
        _ = try traffic(10)
        plant(
            "FORCED-AS-KNOWN-GOOD",
            "Event \(event.seq): oncall moved production by hand back to #\(forced.seq), which was force-promoted over "
                + "its gate",
            ["event:\(event.seq)", "version:\(forced.id)"] + (override.map { ["event:\($0.seq)"] } ?? []),
            hints: ("Was the version they went back to ever good?", "LabRunner rollback --dry-run; LabRunner log"))
    }

    mutating func detectionBeforeDeploy() throws {
        try editNotes()
        let version = try register("jack")
        guard let arrival = try promote(version, approver: "bob") else {
            throw CritiqueError.buildFailed("the shipping change did not pass its gate")
        }
        _ = try traffic(10)
        clock.advance(days: 1)
        let id = String(format: "INC-%04d", try Incidents.all(events: try registry.events()).count + 1)
        let detected = Timestamp.string(from: arrival.at.addingTimeInterval(-Double(random.int(1...3)) * 86_400))
        let event = try registry.write { writer in
            try writer.append(
                kind: Incidents.opened, actor: "oncall",
                data: [
                    "incident": id, "symptom": "customer complaints about answers", "detected_at": detected,
                    "source": "manual", "bad_version": version.id,
                ])
        }
        let incident = try Incidents.find(id, events: try registry.events())
        try write(
            ".labrunner/registry/incidents/\(id).json", try CanonicalJSON.prettyString(incident))
        plant(
            "DETECTION-BEFORE-DEPLOY",
            "\(id) (event \(event.seq)) says the symptom was detected at \(detected), before #\(version.seq) reached "
                + "production (event \(arrival.seq))",
            ["incident:\(id)", "event:\(event.seq)", "event:\(arrival.seq)", "version:\(version.id)"],
            hints: ("Check every incident's timeline against the tag moves.", "LabRunner incident show INC-N"))
    }

    mutating func suiteChanged() throws {
        try editNotes()
        let before = try register("kim")
        try promote(before, approver: "bob")
        let dropped = try dropCases(random.int(4...8))
        clock.advance(days: 1)
        _ = try SuitePins.pin(name: nil, reason: reason(), by: "kim", approver: nil, in: context)
        let pin = try lastEvent()
        try editNotes()
        let after = try register("kim")
        try promote(after, approver: "bob")
        stash.suiteChange = SuiteChange(before: before, after: after, pin: pin, dropped: dropped)
    }

    mutating func noiseRegression() throws {
        let version = try routineChange("lee")
        clock.advance(days: 1)
        let result = try RollbackPlay.run(
            RollbackRequest(
                ref: try lkg(), reason: reason(), incident: nil, detectedAt: context.now(), by: "lee"),
            in: context)
        let rollback = try lastTagMove("production")
        try closeIncident(of: rollback)
        stash.noise = (version, rollback, result.incident.id)
    }

    mutating func configWithoutEval() throws {
        let production = try production()
        try setConfig("retrieval_top_k", String(random.int(3...4)))
        let components = try ComponentScanner.scan(folder: workspace.systemPath, workspaceRoot: workspace.root)
        let csv = FileManager.default.contents(atPath: workspace.trainingDataPath)
        let prepared = try Registry.prepare(
            components: components,
            lineage: csv.map { DatasetLineage(dataset: "data/train.csv", sha256: SHA256.hash($0).hex) },
            lineageData: csv)
        clock.advance(days: 2)
        let metadata = VersionMetadata(
            owner: "infra", parent: production.id, reason: reason(), createdAt: clock.now())
        let version = try registry.register(prepared, metadata: metadata).record
        let event = try moveByHand("production", to: version.id, by: "infra", reason: reason())
        _ = try traffic(10)
        plant(
            "CONFIG-WITHOUT-EVAL",
            "#\(version.seq) (retrieval_top_k changed) was registered without an eval and moved to production by hand "
                + "(event \(event.seq))",
            ["version:\(version.id)", "event:\(event.seq)"],
            hints: ("Does every production version have an eval behind it?", "LabRunner show '#N'; LabRunner log"))
    }
}
