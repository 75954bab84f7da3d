// The artifacts every scenario ships, flawed or clean, in every family: the deploy config and folder, the prompt
// store, the team's scripts and serving log, and their reports. A flaw changes what an artifact says, never whether
// it is there; its size varies with neutral content either way, and every file's time is the scenario's clock.
import Foundation
import Hashing
import Playbook
import Registry

struct SuiteChange {
    var before: VersionRecord
    var after: VersionRecord
    var pin: Int
    var dropped: Int
}

/// What flaw steps leave for the artifacts step.
struct ArtifactStash {
    var latestMoves: [Int] = []
    var copied: VersionRecord?
    var suiteChange: SuiteChange?
    var noise: (version: VersionRecord, rollback: Int, incident: String)?
}

extension ScenarioBuilder {
    /// Writes every artifact kind, then closes the history: open incidents closed, inputs past retention dropped,
    /// every file's time set to the scenario's last moment.
    mutating func shipArtifacts(_ chosen: Set<String>) throws {
        let production = try production()
        try syncSystem(with: production)
        if chosen.contains("PROMPT-EDITED-IN-PLACE") { try promptEditedInPlace() }
        if chosen.contains("MUTABLE-LATEST") { mutableLatest(stash.latestMoves) }
        try serveConfig(chosen)
        try promptStore(production, planted: chosen.contains("PROMPT-STORE-LABEL"))
        try deployFolder(production)
        try serving(planted: chosen.contains("LOGS-WITHOUT-VERSION"))
        try script(
            "hotfix.sh",
            chosen.contains("PROMPT-EDITED-IN-PLACE")
                ? ["LabRunner hash system/prompt.md  # for the log", "scp system/prompt.md \(host):/srv/prompt.md"]
                : ["LabRunner checkout production /tmp/hotfix", "scp /tmp/hotfix/prompt.md \(host):/srv/prompt.md"])
        try script(
            "cleanup.sh",
            [
                chosen.contains("GC-DELETED-SERVED")
                    ? "labrunner-cleanup --older-than 30d --keep production"
                    : "LabRunner gc --dry-run > gc-plan.txt && LabRunner gc"
            ])
        try weeklyReport()
        try releaseNotes()
        try finish()
    }

    var host: String { "assistant-1" }

    /// The team's working copy matches production (unless a flaw edits it afterwards).
    func syncSystem(with production: VersionRecord) throws {
        for (name, content) in try registry.contents(of: production) {
            guard case .file(let data) = content, FileManager.default.fileExists(atPath: root + "/system/" + name)
            else { continue }
            try data.write(to: URL(fileURLWithPath: root + "/system/" + name), options: .atomic)
        }
    }

    /// A script of the team: shebang, a neutral comment, then its commands (line 3 on).
    mutating func script(_ name: String, _ commands: [String]) throws {
        let text = (["#!/bin/sh", "# " + Neutral.comment(&random)] + commands).joined(separator: "\n") + "\n"
        try write("scripts/" + name, text, executable: true)
    }

    mutating func serveConfig(_ chosen: Set<String>) throws {
        var lines = [
            "{",
            chosen.contains("MUTABLE-LATEST") ? "  \"tag\": \"latest-build\"," : "  \"tag\": \"production\",",
            "  \"prompt_source\": \"prompt-store/labels.json#prod\",",
            "  \"port\": \(random.element([80, 8080, 8443, 9000, 18080]) ?? 8080),",
        ]
        if random.bool() {
            lines.append("  \"log_level\": \"\(random.element(["info", "warn", "debug"]) ?? "info")\",")
        }
        lines.append("  \"workers\": \(random.int(2...24))")
        lines.append("}")
        try write("deploy/serve.json", lines.joined(separator: "\n") + "\n")
    }

    /// prompt-store/: the prompts of recent production versions, `prod` on the last. Clean: it is production's
    /// prompt. Planted: production's prompt with a directive changed outside the registry. Herring: `prod` points
    /// at an older file whose bytes are production's prompt, while `draft` holds an edit nobody serves.
    mutating func promptStore(_ production: VersionRecord, planted: Bool) throws {
        guard case .file(let data)? = try registry.contents(of: production)["prompt.md"] else {
            throw CritiqueError.buildFailed("production has no prompt")
        }
        let registered = String(decoding: data, as: UTF8.self)
        let edited = registered.replacingOccurrences(of: "max_words: 60", with: "max_words: \(random.int(30...45))")
        let count = random.int(2...4)
        var prompts: [String] = []
        for history in try registry.tagHistory("production").suffix(count - 1) {
            guard case .file(let old)? = try registry.contents(of: try registry.record(id: history.to))["prompt.md"]
            else { continue }
            prompts.append(String(decoding: old, as: UTF8.self))
        }
        let lagging = !planted && random.bool()
        if lagging {
            if prompts.last != registered { prompts.append(registered) }
            prompts.append(edited)
        } else {
            prompts.append(planted ? edited : registered)
        }
        let prod = lagging ? prompts.count - 1 : prompts.count
        for (index, text) in prompts.enumerated() { try write("prompt-store/prompts/v\(index + 1).md", text) }
        try write(
            "prompt-store/labels.json", "{\n  \"draft\": \"v\(prompts.count)\",\n  \"prod\": \"v\(prod)\"\n}\n")
        var history: [String] = []
        for index in 1...prod {
            let at = clock.now().addingTimeInterval(-Double(prod - index) * 86_400 * Double(random.int(2...9)))
            let from = index == 1 ? "" : "v\(index - 1) -> "
            history.append(
                "\(Timestamp.string(from: at))  prod \(from)v\(index)  by carol  (\(Neutral.reason(&random)))")
        }
        try write("prompt-store/history.log", history.joined(separator: "\n") + "\n")
        let evidence = [
            "file:prompt-store/labels.json:3", "file:prompt-store/history.log:\(prod)",
            "file:prompt-store/prompts/v\(prod).md",
        ]
        if planted {
            plant(
                "PROMPT-STORE-LABEL",
                "The server reads its prompt from prompt-store/ (deploy/serve.json); the 'prod' label moved to "
                    + "v\(prod) there, and no registry event or version has that prompt",
                evidence + ["file:deploy/serve.json:3"],
                hints: (
                    "Where does the running server get its prompt from?",
                    "LabRunner hash prompt-store/prompts/*.md and LabRunner show production"
                ))
        } else if lagging {
            plant(
                "HERRING-STORE-LAGGING",
                "prompt-store's 'prod' label is on v\(prod), not the newest file, and v\(prod) is byte for byte "
                    + "production's prompt (#\(production.seq)); the newer draft serves nothing",
                evidence + ["file:prompt-store/prompts/v\(prompts.count).md"], hints: ("", ""))
        }
    }

    /// deploy/current/ and scripts/deploy.sh: a checkout of production, or the copied version's files.
    mutating func deployFolder(_ production: VersionRecord) throws {
        try registry.checkout(stash.copied ?? production, into: root + "/deploy/current")
        try script(
            "deploy.sh",
            [
                stash.copied == nil
                    ? "LabRunner checkout production deploy/current" : "rsync -a --delete system/ deploy/current/",
                "ssh \(host) 'systemctl restart assistant'",
            ])
    }

    /// scripts/serve.sh and logs/serving.log: the kit's server logging every request with its version, or a
    /// wrapper whose log has request ids and a build label but no version id.
    mutating func serving(planted: Bool) throws {
        let port = random.element([8080, 8443, 9000]) ?? 8080
        try script(
            "serve.sh",
            [
                planted
                    ? "exec assistant-wrapper --port \(port) --log logs/serving.log"
                    : "exec LabRunner serve --port \(port) --log logs/serving.log"
            ])
        let served = try AttributionLog(registryRoot: registry.root).recent(limit: 40)
        let count = min(served.count, random.int(10...16))
        let build = "rel-\(random.int(2025...2026)).\(String(format: "%02d", random.int(1...12))).\(random.int(1...9))"
        var lines: [String] = []
        var ids: [String] = []
        for (index, record) in served.suffix(count).enumerated() {
            let id = planted ? String(format: "req-web-%08llx", random.next() & 0xFFFF_FFFF) : record.id
            let at = Timestamp.string(from: record.at.addingTimeInterval(Double(index)))
            let label = planted ? "build=\(build)" : "version=\(String(record.version.prefix(12)))"
            let intent = record.output.components(separatedBy: "\"intent\":\"").dropFirst().first?.prefix { $0 != "\"" }
            lines.append("\(at) \(id) \(label) intent=\(intent ?? "unknown") ok=\(record.satisfied)")
            ids.append(id)
        }
        try write("logs/serving.log", lines.joined(separator: "\n") + "\n")
        guard planted else { return }
        plant(
            "LOGS-WITHOUT-VERSION",
            "logs/serving.log (written by scripts/serve.sh) records request ids and a build label but no version id; "
                + "audit cannot tell which version answered",
            ["file:logs/serving.log", "file:scripts/serve.sh:3"] + ids.map { "request:" + $0 },
            hints: ("Pick a logged request and ask which version answered it.", "LabRunner audit REQ-ID"))
    }

    /// reports/weekly.md: eval notes on recent production versions; the noisy regression call is one of them.
    mutating func weeklyReport() throws {
        var entries: [String] = []
        let count = random.int(2...4) - (stash.noise == nil ? 0 : 1)
        for history in try registry.tagHistory("production").suffix(count) {
            let record = try registry.record(id: history.to)
            let rate = record.metadata.extra["eval_pass_rate"].flatMap(Double.init)
            entries.append(
                "- #\(record.seq): \(rate.map(PromotePlay.percent) ?? "no eval") on core (gate run, recorded)")
        }
        var noiseLine: Int?
        if let noise = stash.noise {
            let at = random.int(0...entries.count)
            entries.insert("- #\(noise.version.seq): 40% on smoke (5 cases, one run), rolled back", at: at)
            noiseLine = at + 3
        }
        try write("reports/weekly.md", "# Weekly quality notes\n\n" + entries.joined(separator: "\n") + "\n")
        guard let noise = stash.noise, let noiseLine else { return }
        plant(
            "NOISE-REGRESSION",
            "reports/weekly.md line \(noiseLine) and event \(noise.rollback): #\(noise.version.seq) was rolled back on "
                + "one sampled run of five cases; its behaviour equals its parent's",
            [
                "event:\(noise.rollback)", "file:reports/weekly.md:\(noiseLine)", "version:\(noise.version.id)",
                "incident:\(noise.incident)",
            ],
            hints: (
                "How much evidence was behind the regression call?", "LabRunner eval compare; LabRunner investigate"
            ))
    }

    /// reports/release-notes.md line 4: two versions' pass rates compared, on one suite or (planted) across a re-pin.
    mutating func releaseNotes() throws {
        let pair: (VersionRecord, VersionRecord)
        if let change = stash.suiteChange {
            pair = (change.before, change.after)
        } else {
            let moves = try registry.tagHistory("production").map { try registry.record(id: $0.to) }
            let evaluated = moves.filter { $0.metadata.extra["eval_pass_rate"] != nil }
            let suite = { (record: VersionRecord) in record.metadata.extra["eval_suite_sha256"] }
            let pairs = zip(evaluated, evaluated.dropFirst()).filter {
                suite($0.0) == suite($0.1) && $0.0.id != $0.1.id
            }
            guard let last = pairs.last else { throw CritiqueError.buildFailed("no two versions to compare") }
            pair = last
        }
        func rate(_ record: VersionRecord) -> String {
            PromotePlay.percent(record.metadata.extra["eval_pass_rate"].flatMap(Double.init) ?? 0)
        }
        try write(
            "reports/release-notes.md",
            "# Release notes\n\n## #\(pair.1.seq) \(pair.1.metadata.reason)\n"
                + "Pass rate \(rate(pair.0)) (#\(pair.0.seq)) -> \(rate(pair.1)) (#\(pair.1.seq)) on the core suite.\n")
        guard let change = stash.suiteChange else { return }
        plant(
            "SUITE-CHANGED",
            "reports/release-notes.md line 4 compares #\(change.before.seq) and #\(change.after.seq) on different "
                + "suites: the core suite was re-pinned without \(change.dropped) cases in between (event \(change.pin))",
            [
                "file:reports/release-notes.md:4", "version:\(change.before.id)", "version:\(change.after.id)",
                "event:\(change.pin)",
            ],
            hints: (
                "Were the two numbers in the release notes measured the same way?",
                "LabRunner show on both; LabRunner log"
            ))
    }

    /// Closes what a careful team closes and drops inputs past retention.
    func finish() throws {
        try closeIncident(of: try lastEvent())
        _ = try RequestListing.applyRetention(in: context)
    }

    /// Sets every file's time to the scenario's last moment (never the machine's clock at build time).
    func stampTimes() {
        let end = clock.now()
        let manager = FileManager.default
        for path in (manager.subpaths(atPath: root) ?? []) + [""] {
            // A file the stamp cannot touch keeps its time; the build itself has succeeded.
            try? manager.setAttributes([.modificationDate: end], ofItemAtPath: root + "/" + path)
        }
    }
}
