// The team's habits, good and careless, as builder steps. Each careless one plants a flaw with the evidence that
// points at it (versions, events, requests, incidents, file lines); each red herring records what looks odd.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import ToyModel

extension ScenarioBuilder {
    mutating func opening(temperature: String? = nil) throws {
        if let temperature { try setConfig("temperature", temperature) }
        let first = try register("alice", "first release of the support assistant", parent: nil, root: true)
        try promote(first, approver: "bob")
        _ = try traffic(20)
    }

    /// A normal change, done right: notes edit, register, promote.
    @discardableResult
    mutating func routineChange(_ owner: String, _ reason: String) throws -> VersionRecord {
        try editNotes(reason)
        let version = try register(owner, reason)
        try promote(version, approver: "bob")
        _ = try traffic(10)
        return version
    }

    // MARK: Red herrings

    mutating func cosmeticHerring() throws {
        try editNotes("reworded the specialist-queue note for new staff")
        let version = try register("carol", "reword the prompt notes (no directive changes)")
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
        let version = try register("dave", "retrained intent weights on my laptop", unverifiedOK: true)
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
        try editNotes("Q2 prompt refresh")
        let version = try register("erin", "fresh start for the Q2 prompt", parent: nil, root: true)
        try promote(version, approver: "bob")
        plant(
            "NO-LINEAGE", "#\(version.seq) was registered with --root in the middle of the history: it has no parent",
            ["version:\(version.id)"],
            hints: ("Follow the chain of parents from production back to the first version.", "LabRunner versions"))
    }

    mutating func promptStore() throws {
        let production = try production()
        guard case .file(let promptData)? = try registry.contents(of: production)["prompt.md"] else {
            throw CritiqueError.buildFailed("production has no prompt")
        }
        let registered = String(decoding: promptData, as: UTF8.self)
        let edited = registered.replacingOccurrences(of: "max_words: 60", with: "max_words: \(random.int(30...45))")
            .replacingOccurrences(of: "tone: friendly", with: "tone: casual")
        try write("prompt-store/prompts/v1.md", registered)
        try write("prompt-store/prompts/v2.md", edited)
        let labels = "{\n  \"draft\": \"v2\",\n  \"prod\": \"v2\"\n}\n"
        try write("prompt-store/labels.json", labels)
        let first = Timestamp.string(from: clock.now().addingTimeInterval(-20 * 86_400))
        let moved = Timestamp.string(from: clock.now())
        let history = "\(first)  prod -> v1  by carol  (initial)\n\(moved)  prod v1 -> v2  by carol  (after the sync)\n"
        try write("prompt-store/history.log", history)
        plant(
            "PROMPT-STORE-LABEL",
            "The server reads its prompt from prompt-store/ (deploy/serve.json); the 'prod' label moved to v2 there, "
                + "and no registry event or version has that prompt",
            [
                "file:prompt-store/labels.json:3", "file:prompt-store/history.log:2", "file:prompt-store/prompts/v2.md",
                "file:deploy/serve.json:3",
            ],
            hints: (
                "Where does the running server get its prompt from?",
                "LabRunner hash prompt-store/prompts/*.md and LabRunner show production"
            ))
    }

    mutating func promptEditedInPlace() throws {
        let lineNumber: Int
        if random.bool() {
            lineNumber = try replacePromptLine(startingWith: "max_words:", with: "max_words: \(random.int(25...45))")
        } else {
            lineNumber = try replacePromptLine(
                startingWith: "refuse:", with: "refuse: medical_advice, competitor_prices")
        }
        try write(
            "scripts/hotfix.sh",
            "#!/bin/sh\n# prompt fixes go straight to the server: we version the weights\n"
                + "scp system/prompt.md assistant-1:/srv/assistant/prompt.md\n", executable: true)
        plant(
            "PROMPT-EDITED-IN-PLACE",
            "system/prompt.md line \(lineNumber) was edited after production was registered and pushed by "
                + "scripts/hotfix.sh; no version has it",
            ["file:system/prompt.md:\(lineNumber)", "file:scripts/hotfix.sh:3"],
            hints: (
                "Is what runs the same as what was registered?",
                "LabRunner hash system/prompt.md vs LabRunner show production"
            ))
    }

    mutating func logsWithoutVersion() throws {
        let system = try context.liveSystem()
        let questions = [
            "Where is my parcel?", "Can I return a lamp after 30 days?", "My card was charged twice",
            "Do you ship to Norway?", "I want a refund of 700 euros", "How do I reset my password?",
        ]
        var lines: [String] = []
        var ids: [String] = []
        for index in 0..<12 {
            let id = String(format: "req-web-%08llx", random.next() & 0xFFFF_FFFF)
            let answer = system.ask(questions[index % questions.count], seed: UInt64(index))
            let at = Timestamp.string(from: clock.now().addingTimeInterval(Double(index) * 97))
            lines.append("\(at) \(id) intent=\(answer.intent) escalated=\(answer.escalated)")
            ids.append(id)
        }
        try write("logs/serving.log", lines.joined(separator: "\n") + "\n")
        plant(
            "LOGS-WITHOUT-VERSION",
            "logs/serving.log (written by scripts/serve.sh) records request ids and intents but no version id; audit "
                + "cannot tell which version answered",
            ["file:logs/serving.log", "file:scripts/serve.sh:2"] + ids.map { "request:" + $0 },
            hints: ("Pick a logged request and ask which version answered it.", "LabRunner audit REQ-ID"))
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
        try editNotes("holiday returns wording")
        let version = try register("gina", "holiday returns wording")
        try registry.checkout(version, into: root + "/deploy/current")
        try write(
            "scripts/deploy.sh",
            "#!/bin/sh\n# ship whatever is in system/: faster than the promote queue\ncp -r system/* deploy/current/\n"
                + "ssh assistant-1 'systemctl restart assistant'\n", executable: true)
        plant(
            "COPY-PROMOTION",
            "deploy/current/ holds #\(version.seq)'s files, copied by scripts/deploy.sh, while the production tag "
                + "never moved to it",
            ["version:\(version.id)", "file:deploy/current/*", "file:scripts/deploy.sh:3"],
            hints: (
                "Compare what the server runs with what the production tag says.", "LabRunner hash deploy/current/*"
            ))
    }

    mutating func approverIsAuthor() throws {
        try editNotes("refund wording for high-value orders")
        let version = try register("frank", "new refund wording (high stakes: refunds)")
        let event = try moveByHand(
            "production", to: version.id, by: "frank", reason: "promote #\(version.seq) (refund wording)",
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
        try editNotes("summer sale wording")
        let served = try register("harry", "summer sale wording")
        try promote(served, approver: "bob")
        let requests = try traffic(15, version: nil)
        try editNotes("post-sale wording")
        let next = try register("harry", "post-sale wording")
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
                    "reason": "cleanup.sh: not production and older than 30 days",
                ])
        }
        try registry.objects.remove(blob)
        try write(
            "scripts/cleanup.sh",
            "#!/bin/sh\n# nightly: drop blobs of anything that is not production and older than 30 days\n"
                + "labrunner-cleanup --older-than 30d --keep production\n", executable: true)
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
            RollbackRequest(
                ref: nil, reason: "rollback rehearsal", incident: nil, detectedAt: context.now(), by: "bob"),
            in: context)
        let rollback = try lastTagMove("production")
        // Rehearsal over: go forward again, if the version rolled back from still passes its gate.
        try promote(current, approver: "bob")
        return rollback
    }

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
        let forced = try register("ivy", "shorter escalation list for the launch")
        let override = try promote(forced, approver: "bob", force: "launch deadline; legal signed off by email")
        let overrideMove = try registry.tagHistory("production").first { $0.event == override?.seq }
        guard try overrideMove?.facts().gate == .overridden else {
            throw CritiqueError.buildFailed("the forced version passed its gate")
        }
        _ = try traffic(10)
        try write("system/prompt.md", saved)
        try editNotes("escalation list restored")
        let fixed = try register("ivy", "restore the escalation list")
        try promote(fixed, approver: "bob")
        clock.advance(days: 3)
        let event = try moveByHand(
            "production", to: forced.id, by: "oncall", reason: "roll back to last known good after complaints")
        _ = try traffic(10)
        plant(
            "FORCED-AS-KNOWN-GOOD",
            "Event \(event.seq): oncall moved production by hand back to #\(forced.seq), which was force-promoted over "
                + "its gate",
            ["event:\(event.seq)", "version:\(forced.id)"],
            hints: ("Was the version they went back to ever good?", "LabRunner rollback --dry-run; LabRunner log"))
    }

    mutating func detectionBeforeDeploy() throws {
        try editNotes("new shipping times")
        let version = try register("jack", "new shipping times")
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
                    "incident": id, "symptom": "customers quote wrong delivery times", "detected_at": detected,
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
            ["incident:\(id)", "event:\(event.seq)"],
            hints: ("Check every incident's timeline against the tag moves.", "LabRunner incident show INC-N"))
    }

    mutating func suiteChanged() throws {
        try editNotes("clearer delivery answers")
        let before = try register("kim", "clearer delivery answers")
        try promote(before, approver: "bob")
        var lines = read("evals/core.jsonl").split(separator: "\n").map(String.init)
        let removable = lines.indices.filter { index in
            // Only a case line with a category can be dropped; anything else stays as it is.
            guard let object = try? JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any],
                let category = object["category"] as? String
            else { return false }
            return !context.settings.isFloored(category)
        }
        let dropped = Set(random.pick(removable, count: min(removable.count, random.int(4...8))))
        lines = lines.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        try write("evals/core.jsonl", lines.joined(separator: "\n") + "\n")
        clock.advance(days: 1)
        _ = try SuitePins.pin(name: nil, reason: "drop flaky cases", by: "kim", approver: nil, in: context)
        let pin = try lastEvent()
        try editNotes("delivery answers, second pass")
        let after = try register("kim", "delivery answers, second pass")
        try promote(after, approver: "bob")
        let rateBefore = before.metadata.extra["eval_pass_rate"].flatMap(Double.init) ?? 0
        let rateAfter = after.metadata.extra["eval_pass_rate"].flatMap(Double.init) ?? 0
        try write(
            "reports/release-notes.md",
            "# Release notes\n\n## #\(after.seq) delivery answers, second pass\n"
                + "Pass rate up from \(PromotePlay.percent(rateBefore)) (#\(before.seq)) to "
                + "\(PromotePlay.percent(rateAfter)) (#\(after.seq)) on the core suite: a clear win.\n")
        plant(
            "SUITE-CHANGED",
            "reports/release-notes.md line 4 compares #\(before.seq) and #\(after.seq) on different suites: kim "
                + "re-pinned core without \(dropped.count) cases in between (event \(pin))",
            ["file:reports/release-notes.md:4", "version:\(before.id)", "version:\(after.id)", "event:\(pin)"],
            hints: (
                "Were the two numbers in the release notes measured the same way?",
                "LabRunner show on both; LabRunner log"
            ))
    }

    mutating func noiseRegression() throws {
        let version = try routineChange("lee", "friendlier sign-off")
        clock.advance(days: 1)
        let line = "#\(version.seq) regressed on smoke: 4/5 -> 2/5 passing (one run, temperature 0.3). Rolled back."
        try write("reports/weekly.md", "# Weekly quality notes\n\n\(line)\n")
        _ = try RollbackPlay.run(
            RollbackRequest(
                ref: nil, reason: "regression on smoke: 4/5 -> 2/5", incident: nil, detectedAt: context.now(),
                by: "lee"),
            in: context)
        let rollback = try lastTagMove("production")
        plant(
            "NOISE-REGRESSION",
            "reports/weekly.md line 3 and event \(rollback): #\(version.seq) was rolled back on one sampled run of five "
                + "cases; its behaviour equals its parent's",
            ["event:\(rollback)", "file:reports/weekly.md:3", "version:\(version.id)"],
            hints: (
                "How much evidence was behind the regression call?", "LabRunner eval compare; LabRunner investigate"
            ))
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
            owner: "infra", parent: production.id, reason: "tune retrieval_top_k", createdAt: clock.now())
        let version = try registry.register(prepared, metadata: metadata).record
        let event = try moveByHand("production", to: version.id, by: "infra", reason: "config tweak")
        _ = try traffic(10)
        plant(
            "CONFIG-WITHOUT-EVAL",
            "#\(version.seq) (retrieval_top_k changed) was registered without an eval and moved to production by hand "
                + "(event \(event.seq))",
            ["version:\(version.id)", "event:\(event.seq)"],
            hints: ("Does every production version have an eval behind it?", "LabRunner show '#N'; LabRunner log"))
    }
}
