// The seven plays as commands: register (gated), promote, rollback, experiment, audit, gc, investigate,
// plus incidents, traffic and the attribution log.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Serving
import Terminal

enum PlaybookCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            registerSpec(env), promoteSpec(env), rollbackSpec(env), experimentSpec(env), auditSpec(env), gcSpec(env),
            investigateSpec(env), incidentSpec(env), trafficSpec(env), requestsSpec(env), monitorSpec(env),
        ]
    }

    static func context(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment) throws -> PlayContext {
        try PlayContext(workspace: try Common.workspace(invocation, console), now: env.now)
    }

    static let yes = OptionSpec.flag("yes", short: "y", help: "Answer yes to the confirmation question.")

    /// Asks before a consequential step; without a terminal and without --yes it refuses rather than wait.
    static func confirm(_ question: String, command: String, _ invocation: Invocation, _ console: Console) throws {
        if invocation.flag("yes") { return }
        guard let answer = console.confirm(question) else { throw PlaybookError.needsConfirmation(command: command) }
        guard answer else { throw PlaybookError.declined }
    }

    static func short(_ id: String?) -> String { id.map { String($0.prefix(12)) } ?? "none" }

    // MARK: Play 1

    static func registerSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "register",
            abstract: "Register system/ as a version behind the deploy gate (Play 1).",
            discussion: """
                Each file and folder in system/ is one component; data/train.csv is recorded as dataset lineage,
                and weights.json must be the output of a 'LabRunner train' run the registry recorded on that data.
                Before anything is written the pinned standard suite runs on exactly these components, and the
                result is recorded with the version. Registering content that exists reports the existing version.
                """,
            options: [
                .value("owner", "name", help: "Who owns this version (required).", required: true),
                .value("reason", "text", help: "Why this version exists (required).", required: true),
                .value("parent", "ref", help: "The version this one derives from."),
                .flag("root", help: "Register a first version with no parent."),
                .flag(
                    "lineage-broken-ok", help: "Register even though weights.json was trained on other data (recorded)."
                ),
                .flag(
                    "lineage-unverified-ok",
                    help: "Register weights that no recorded 'LabRunner train' run produced (recorded as unverified)."),
                .value("experiment", "name", help: "Register under this active experiment."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let progress = ProgressHolder(console: console, label: "gate eval")
            let result = try RegisterPlay.run(
                RegisterRequest(
                    owner: invocation.value("owner") ?? "", reason: invocation.value("reason") ?? "",
                    parent: invocation.value("parent"), root: invocation.flag("root"),
                    lineageBrokenOK: invocation.flag("lineage-broken-ok"),
                    lineageUnverifiedOK: invocation.flag("lineage-unverified-ok"),
                    experiment: invocation.value("experiment")),
                in: context, progress: { progress.update($0, $1) })
            progress.finish()
            for warning in result.warnings { console.err("warning: \(warning)") }
            if invocation.flag("json") {
                try Common.printJSON(RegisterJSON(result), console)
                return 0
            }
            let record = result.record
            if result.existing {
                console.out(
                    "Already registered: this content is version #\(record.seq) \(record.shortID); nothing was written."
                )
                return 0
            }
            console.out(
                "Registered version #\(record.seq) \(console.styled(record.shortID, .yellow)) (owner \(record.metadata.owner))"
            )
            for (name, entry) in record.manifest.components.sorted(by: { $0.key < $1.key }) {
                console.out("  \(pad(name, 14)) \(pad(entry.kind.rawValue, 6)) \(entry.sha256.prefix(12))")
            }
            if let lineage = record.manifest.lineage {
                console.out(
                    "  \(pad("lineage", 14)) \(pad("data", 6)) \(lineage.sha256.prefix(12)) (\(lineage.dataset))")
            }
            if let eval = result.eval {
                console.out(
                    String(
                        format: "Gate eval on %@: pass rate %.1f%% (95%% CI %.1f–%.1f%%)", eval.suite,
                        eval.passRate * 100, eval.ciLow * 100, eval.ciHigh * 100))
            }
            if result.lineageBroken {
                console.out(console.styled("Recorded: lineage broken (weights trained on other data).", .yellow))
            }
            if result.lineageUnverified {
                console.out(
                    console.styled(
                        "Recorded: lineage unverified (no recorded training run made these weights).", .yellow))
            }
            if let experiment = result.experiment { console.out("Part of experiment \(experiment).") }
            return 0
        }
    }

    static func printCanary(_ report: CanaryReport, _ console: Console) {
        console.out(
            String(
                format:
                    "Canary (%g%% of %d requests): candidate %.1f%% satisfied (%d requests), production %.1f%% satisfied (%d requests)",
                report.percent, report.requests, report.candidate.satisfiedRate * 100, report.candidate.requests,
                report.production.satisfiedRate * 100, report.production.requests))
        for signal in report.signals {
            console.out(
                String(
                    format: "  %@ candidate %.1f%% production %.1f%% p = %.3g%@", signal.name.rawValue,
                    signal.candidate * 100,
                    signal.production * 100, signal.pValue, signal.worse ? " worse" : ""))
        }
        console.out("Canary: \(report.aborted ? console.styled("worse", .red) : "passed") — \(report.finding)")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
    }

    struct RegisterJSON: Encodable {
        var id: String
        var seq: Int
        var existing: Bool
        var components: [String: String]
        var lineage: DatasetLineage?
        var eval: EvalSummary?
        var lineageBroken: Bool
        var lineageUnverified: Bool
        var experiment: String?

        init(_ result: RegisterResult) {
            id = result.record.id
            seq = result.record.seq
            existing = result.existing
            components = result.record.manifest.components.mapValues(\.sha256)
            lineage = result.record.manifest.lineage
            eval = result.eval
            lineageBroken = result.lineageBroken
            lineageUnverified = result.lineageUnverified
            experiment = result.experiment
        }

        enum CodingKeys: String, CodingKey {
            case id, seq, existing, components, lineage, eval, experiment
            case lineageBroken = "lineage_broken"
            case lineageUnverified = "lineage_unverified"
        }
    }

    // MARK: Play 2

    static func promoteSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "promote", abstract: "Move production to a version that passes the gate (Play 2).",
            discussion: """
                Both versions are judged on the pinned standard suite: the candidate must meet or beat production
                (by pass rate at temperature 0; by 'eval compare' not saying worse when sampled), and no floored
                category (settings 'floors', default escalate:* and refuse:*) may be worse. Every check on the
                arguments and the approver runs before any eval or traffic. A canary sends a slice of a simulated
                batch to the candidate and stops the promotion when a one-sided two-proportion test (Bonferroni
                over the signals) finds it worse. The move is a compare-and-swap: if production changes
                meanwhile, nothing moves.
                """,
            arguments: [
                .required(
                    "ref", help: "The candidate version: #N, an id prefix or a tag.", missingHint: Common.quoteRefHint)
            ],
            options: [
                .value("approver", "name", help: "Who approves the promotion (required).", required: true),
                .flag("high-stakes", help: "Require an approver other than the version's owner."),
                .value("canary", "percent", help: "First send this share of a simulated batch to the candidate."),
                .value(
                    "canary-requests", "n", help: "Size of the canary batch.", default: String(Canary.defaultRequests)),
                .flag("force", help: "Override a failed gate (needs --reason; recorded). A canary still stops it."),
                .value("reason", "text", help: "Why (required with --force)."),
                yes, Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let request = PromoteRequest(
                ref: invocation.argument("ref") ?? "", approver: invocation.value("approver") ?? "",
                highStakes: invocation.flag("high-stakes"), canaryPercent: try invocation.double("canary"),
                canaryRequests: try invocation.int("canary-requests") ?? Canary.defaultRequests,
                force: invocation.flag("force"), reason: invocation.value("reason"))
            let json = invocation.flag("json")
            let result = try PromotePlay.run(
                request, in: context,
                onGate: { gate in
                    guard !json else { return }
                    console.out(
                        "Candidate #\(gate.candidate.seq) \(gate.candidate.shortID); production \(gate.production.map { "#\($0.seq) \($0.shortID)" } ?? "none")"
                    )
                    console.out(
                        "Gate: \(gate.passed ? console.styled("passed", .green) : console.styled("failed", .red)) — \(gate.finding)"
                    )
                },
                onCanary: { report in if !json { printCanary(report, console) } },
                confirm: { _, _ in
                    try confirm("Continue the promotion?", command: "LabRunner promote", invocation, console)
                })
            if json {
                try Common.printJSON(result, console)
            } else {
                let verb = result.overridden ? "Promoted with a recorded override" : "Promoted"
                console.out(
                    "\(verb): production → #\(result.gate.candidate.seq) \(result.gate.candidate.shortID) (approver \(request.approver), event #\(result.event.seq))"
                )
            }
            return 0
        }
    }

    // MARK: Play 3

    static func rollbackSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "rollback", abstract: "Move production back to the last known good version (Play 3).",
            discussion: """
                Without REF, the last known good is the most recent earlier production version that reached
                production through a passed gate (never forced past a failed one), that no incident names as bad,
                and whose eval passed. --dry-run previews the choice without writing anything: the target, every
                newer production version skipped and why, and the target re-evaluated on today's suite. The
                incident records the time to rollback, from detection to the tag move; the restored version is
                then re-evaluated to confirm it, and a lab's rollback timer stops only at that confirming eval.
                """,
            arguments: [.optional("ref", help: "Roll back to this version instead of the last known good.")],
            options: [
                .value("reason", "text", help: "Why (required, except with --dry-run)."),
                .flag("dry-run", help: "Show the target, what is skipped and why, and today's eval; move nothing."),
                .value(
                    "incident", "id", help: "The incident this rollback answers (default: the open one for production)."
                ),
                .value(
                    "detected-at", "time",
                    help: "When the problem was detected (ISO 8601 UTC, or -15m; not before the bad version went live)."
                ),
                .value("by", "name", help: "Who rolls back (default: $USER)."),
                yes, Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            if invocation.flag("dry-run") {
                let progress = ProgressHolder(console: console, label: "re-evaluating")
                let preview = try RollbackPlay.preview(
                    ref: invocation.argument("ref"), in: context, progress: { progress.update($0, $1) })
                progress.finish()
                if invocation.flag("json") {
                    try Common.printJSON(preview, console)
                } else {
                    try renderRollbackPreview(preview, context: context, console)
                }
                return 0
            }
            let detected = try invocation.value("detected-at").map { try TimeParsing.pastTime($0, now: env.now()) }
            let progress = ProgressHolder(console: console, label: "confirming")
            let result = try RollbackPlay.run(
                RollbackRequest(
                    ref: invocation.argument("ref"), reason: invocation.value("reason") ?? "",
                    incident: invocation.value("incident"), detectedAt: detected,
                    by: invocation.value("by") ?? Common.currentUser(console)),
                in: context, progress: { progress.update($0, $1) })
            progress.finish()
            if invocation.flag("json") {
                try Common.printJSON(result, console)
                return 0
            }
            let to = try context.registry.record(id: result.to)
            console.out(
                "Rolled back production: \(short(result.from)) → #\(to.seq) \(to.shortID)\(result.lastKnownGood ? " (last known good)" : "")"
            )
            for finding in result.targetFindings {
                console.out(console.styled("warning: #\(to.seq) is not known good: \(finding)", .yellow))
            }
            if let confirmation = result.confirmation {
                let word =
                    result.confirmed ? console.styled("confirmed", .green) : console.styled("NOT confirmed", .red)
                console.out(
                    String(
                        format: "Behaviour %@: %@ pass rate %.1f%%", word, confirmation.suite,
                        confirmation.passRate * 100))
            }
            console.out(
                "Incident \(result.incident.id): time to rollback \(TimePrinting.seconds(result.timeToRollbackSeconds)) from detection at \(Timestamp.string(from: result.incident.detectedAt))"
            )
            return 0
        }
    }

    static func renderRollbackPreview(_ preview: RollbackPreview, context: PlayContext, _ console: Console) throws {
        let to = try context.registry.record(id: preview.to)
        console.out(
            "Would roll back production: \(short(preview.from)) → #\(to.seq) \(to.shortID)\(preview.lastKnownGood ? " (last known good)" : "")"
        )
        if !preview.skipped.isEmpty { console.out("Skipped, newest first:") }
        for skipped in preview.skipped {
            console.out("  #\(skipped.seq) \(short(skipped.version)): \(skipped.reasons.joined(separator: "; "))")
        }
        for finding in preview.targetFindings {
            console.out(console.styled("warning: #\(to.seq) is not known good: \(finding)", .yellow))
        }
        if let reevaluation = preview.reevaluation {
            console.out(
                "Today's eval of #\(to.seq): "
                    + console.styled(reevaluation.finding, reevaluation.passes ? .green : .red))
        }
        console.out("Nothing was changed. Run without --dry-run (and with --reason TEXT) to move production.")
    }

    // MARK: Play 4

    static func experimentSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "experiment", abstract: "Branch experiments with a retention window (Play 4).",
            subcommands: [
                CommandSpec(
                    name: "start", abstract: "Start an experiment branching from a registered version.",
                    arguments: [.required("name", help: "The experiment's name (letters, digits, '.', '_', '-').")],
                    options: [
                        .value("from", "ref", help: "The registered parent to branch from (required).", required: true),
                        .value(
                            "ttl", "duration", help: "Retention window of its versions.",
                            default: Experiments.defaultTTL),
                        .value("by", "name", help: "Who runs it (default: $USER)."), Common.workspace, Common.json,
                    ]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    guard let from = invocation.value("from") else {
                        throw UsageError("Missing --from REF: an experiment branches from a registered version.")
                    }
                    let experiment = try Experiments.start(
                        name: invocation.argument("name") ?? "", from: from,
                        ttl: invocation.value("ttl") ?? Experiments.defaultTTL,
                        by: invocation.value("by") ?? Common.currentUser(console), in: context)
                    if invocation.flag("json") {
                        try Common.printJSON(experiment, console)
                    } else {
                        console.out(
                            "Started experiment \(experiment.name) from \(short(experiment.from)) (tag \(experiment.tag)); its versions expire at \(Timestamp.string(from: experiment.expiresAt))."
                        )
                        console.out(
                            "Versions you register now join it; compare them with 'LabRunner eval compare production REF'."
                        )
                    }
                    return 0
                },
                CommandSpec(
                    name: "list", abstract: "List experiments and their versions.",
                    options: [Common.workspace, Common.json]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    let experiments = try Experiments.all(events: try context.registry.events())
                    if invocation.flag("json") {
                        try Common.printJSON(experiments, console)
                        return 0
                    }
                    guard !experiments.isEmpty else {
                        console.out("No experiments yet. Start one with 'LabRunner experiment start NAME --from REF'.")
                        return 0
                    }
                    let rows = try experiments.map { experiment in
                        [
                            experiment.name,
                            experiment.active ? (experiment.expiresAt < env.now() ? "expired" : "active") : "ended",
                            short(experiment.from),
                            String(try Experiments.versions(of: experiment.name, in: context.registry).count),
                            Timestamp.string(from: experiment.expiresAt),
                        ]
                    }
                    console.writeOut(
                        Table(headers: ["NAME", "STATUS", "FROM", "VERSIONS", "EXPIRES (UTC)"], rows: rows).render())
                    return 0
                },
                CommandSpec(
                    name: "end", abstract: "End an experiment (its versions keep their expiry).",
                    arguments: [.required("name", help: "The experiment to end.")],
                    options: [
                        .value("by", "name", help: "Who ends it (default: $USER)."), Common.workspace, Common.json,
                    ]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    let experiment = try Experiments.end(
                        name: invocation.argument("name") ?? "",
                        by: invocation.value("by") ?? Common.currentUser(console),
                        in: context)
                    if invocation.flag("json") {
                        try Common.printJSON(experiment, console)
                    } else {
                        console.out(
                            "Ended experiment \(experiment.name); 'LabRunner gc --dry-run' shows what its expiry will free."
                        )
                    }
                    return 0
                },
            ])
    }

    // MARK: Play 5

    static func auditSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "audit", abstract: "Say which version answered a request, with its full record (Play 5).",
            arguments: [.required("request-id", help: "The request id (X-Request-Id, or from 'LabRunner requests').")],
            options: [
                .flag("replay", help: "Re-run the request from the registry's blobs with the logged seed."),
                .value(
                    "input-file", "path",
                    help: "The original text, for a replay after retention dropped it (checked against its SHA-256)."),
                Common.out, Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            var input: String?
            if let path = invocation.value("input-file") {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw UsageError(
                        "Cannot read --input-file \(path); give a file holding the request's original text.")
                }
                input = String(decoding: data, as: UTF8.self)
            }
            let report = try AuditPlay.run(
                requestID: invocation.argument("request-id") ?? "", replay: invocation.flag("replay"), input: input,
                in: context)
            try Common.saveOut(report, invocation, console)
            if invocation.flag("json") {
                try Common.printJSON(report, console)
                return report.replayNeedsInput != nil ? 1 : report.replay.map { $0.identical ? 0 : 1 } ?? 0
            }
            let request = report.request
            let version = report.version
            console.out("Request \(request.id) at \(Timestamp.string(from: request.at)) (\(request.source))")
            if request.hasInput {
                console.out("  input:  \(request.input)")
            } else {
                console.out(
                    "  input:  (dropped by retention at \(request.inputDroppedAt.map(Timestamp.string(from:)) ?? "?"); sha256 \(request.inputSHA256))"
                )
            }
            console.out("  served by version #\(version.seq) \(console.styled(version.id, .yellow))")
            console.out(
                "  owner \(version.metadata.owner), parent \(short(version.metadata.parent)), reason: \(version.metadata.reason)"
            )
            console.out("Components:")
            for (name, entry) in version.manifest.components.sorted(by: { $0.key < $1.key }) {
                console.out("  \(pad(name, 14)) \(entry.sha256)")
            }
            if let lineage = version.manifest.lineage {
                console.out("Dataset lineage: \(lineage.dataset) \(lineage.sha256)")
            }
            if let unverified = version.metadata.extra["lineage_unverified"] {
                console.out(console.styled("Lineage unverified: \(unverified).", .yellow))
            }
            console.out("Evals:")
            for eval in report.evals {
                console.out(
                    String(
                        format: "  %@ %@ (%@): pass rate %.1f%% [%.1f–%.1f%%]", Timestamp.string(from: eval.at),
                        eval.suite, eval.source.rawValue, eval.passRate * 100, eval.ciLow * 100, eval.ciHigh * 100))
            }
            console.out("Promotion and approval trail:")
            for event in report.trail { console.out("  " + LogRendering.line(event, console)) }
            if let collected = report.collected {
                console.out(
                    console.styled(
                        "Artifacts garbage-collected at \(Timestamp.string(from: collected.at)); replay is impossible, metadata remains.",
                        .yellow))
            }
            if let reason = report.replayNeedsInput {
                console.out(console.styled("Replay needs the input: \(reason).", .yellow))
                return 1
            }
            if let replay = report.replay {
                if replay.identical {
                    console.out(
                        "Replay: \(console.styled("identical", .green)) (output sha256 \(request.outputSHA256.prefix(12)))"
                    )
                } else {
                    console.out("Replay: \(console.styled("DIFFERENT", .red))")
                    for line in replay.diff { console.out(RegistryCommands.colourDiffLine(line, console)) }
                    return 1
                }
            }
            return 0
        }
    }

    static func requestsSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "requests", abstract: "List recent requests from the attribution log.",
            options: [
                .value("limit", "n", help: "How many of the most recent requests.", default: "20"),
                .value("version", "ref", help: "Only requests answered by this version."),
                .flag(
                    "apply-retention",
                    help: "First drop the input text of requests older than input_retention_days (SHA-256 kept)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let limit = try invocation.int("limit") ?? 20
            guard limit > 0 else { throw UsageError("--limit must be a positive number, not \(limit).") }
            let log = AttributionLog(registryRoot: context.registry.root)
            if invocation.flag("apply-retention") {
                let now = context.now()
                let dropped = try log.dropInputs(answeredBefore: context.settings.inputCutoff(now: now), now: now)
                console.err(
                    "Dropped the input text of \(dropped) requests older than \(context.settings.inputRetentionDays) days."
                )
            }
            let records: [RequestRecord]
            if let ref = invocation.value("version") {
                let version = try context.registry.resolve(ref).id
                var matching: [RequestRecord] = []
                try log.forEach { record in
                    if record.version == version { matching.append(record) }
                    return true
                }
                records = Array(matching.suffix(limit))
            } else {
                records = try log.recent(limit: limit)
            }
            if invocation.flag("json") {
                try Common.printJSON(records, console)
                return 0
            }
            guard !records.isEmpty else {
                console.out("No requests yet. Send some with 'LabRunner traffic --requests 100'.")
                return 0
            }
            let rows = records.map { record in
                [
                    record.id, Timestamp.string(from: record.at), short(record.version), record.source,
                    record.satisfied.map { $0 ? "yes" : "no" } ?? "-", String(record.input.prefix(40)),
                ]
            }
            console.writeOut(
                Table(headers: ["REQUEST", "AT (UTC)", "VERSION", "SOURCE", "SATISFIED", "INPUT"], rows: rows).render())
            return 0
        }
    }

    // MARK: Play 6

    static func gcSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "gc", abstract: "Delete heavy blobs of expired versions that never served anyone (Play 6).",
            discussion: """
                A version's blobs are kept while it has held production, answered any request in the attribution
                log (canary and experiment traffic too, so audits can replay), is behind a live tag, or has not
                expired; the plan says why each kept version is kept. Metadata, eval results and events are kept
                forever. Run with --dry-run first.
                """,
            options: [
                .flag("dry-run", help: "List what would be deleted and why the rest is kept; delete nothing."),
                .value("by", "name", help: "Who runs the collection (default: $USER)."),
                yes, Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let dryRun = invocation.flag("dry-run")
            let plan = try GCPlay.plan(in: context)
            if !dryRun, !plan.versions.isEmpty {
                try confirm(
                    "Delete \(plan.blobs.count) blobs (\(plan.bytes) bytes) of \(plan.versions.count) versions?",
                    command: "LabRunner gc", invocation, console)
            }
            let result = try GCPlay.run(
                dryRun: dryRun, by: invocation.value("by") ?? Common.currentUser(console), in: context)
            if invocation.flag("json") {
                try Common.printJSON(result, console)
                return 0
            }
            if !result.kept.isEmpty { console.out("Kept:") }
            for kept in result.kept {
                console.out("  #\(kept.seq) \(short(kept.version)): \(kept.reasons.joined(separator: "; "))")
            }
            guard !result.versions.isEmpty else {
                console.out(
                    "Nothing to collect: every version has held production, answered a request, is behind a live tag or has not expired."
                )
                return 0
            }
            console.out(
                "\(dryRun ? "Would collect" : "Collected") \(result.versions.count) version(s), \(result.blobs.count) blob(s), \(result.bytes) bytes:"
            )
            for id in result.versions { console.out("  version \(short(id))") }
            for hash in result.blobs { console.out("  blob \(hash)") }
            if dryRun { console.out("Nothing was deleted. Run 'LabRunner gc --yes' to collect.") }
            return 0
        }
    }

    // MARK: Play 7

    static func investigateSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "investigate", abstract: "Trace a quality complaint to a change, or to noise (Play 7).",
            discussion: """
                Takes every production change from the version live at the onset until the complaint was reported
                (an onset before the first promotion starts at the first production version), rolled-back ones
                too, and compares each with its predecessor in repeated paired evals. Live evidence by version
                comes from the attribution log. With --category or --complaint it first checks that the suite has
                cases for the complaint: if not, the verdict is that the suite does not cover it, not noise.
                """,
            arguments: [],
            options: [
                .value(
                    "onset", "time", help: "When the symptom started (ISO 8601 UTC, 'now', or -15m; required).",
                    required: true),
                .value(
                    "reported-at", "time",
                    help: "When the complaint was made (default: now); later changes cannot explain it."),
                .value("category", "name", help: "The complaint's category, e.g. returns or escalate:legal_threat."),
                .value(
                    "complaint", "text", help: "The complaint's text; its category is the intent the model gives it."),
                .value("by", "name", help: "Who investigates (default: $USER)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            guard let onsetText = invocation.value("onset") else {
                throw UsageError("Missing --onset TIME: say when the symptom started, e.g. --onset -30m.")
            }
            let onset = try TimeParsing.pastTime(onsetText, now: env.now())
            let reported = try invocation.value("reported-at").map { try TimeParsing.pastTime($0, now: env.now()) }
            let progress = ProgressHolder(console: console, label: "paired evals")
            let investigation = try InvestigatePlay.run(
                InvestigateRequest(
                    onset: onset, reportedAt: reported, category: invocation.value("category"),
                    complaint: invocation.value("complaint"),
                    by: invocation.value("by") ?? Common.currentUser(console)),
                in: context, progress: { progress.update($0, $1) })
            progress.finish()
            if invocation.flag("json") {
                try Common.printJSON(investigation, console)
                return 0
            }
            renderInvestigation(investigation, console)
            return 0
        }
    }

    static func renderInvestigation(_ investigation: Investigation, _ console: Console) {
        console.out(
            "Production history (onset \(Timestamp.string(from: investigation.onset)), reported \(Timestamp.string(from: investigation.reportedAt)); * = a change in the window):"
        )
        if investigation.onsetBeforeFirstPromotion {
            console.out("  The onset is before the first promotion: the window starts at the first production version.")
        }
        let suspects = Set(investigation.suspects.map(\.becameProductionAt))
        for move in investigation.history {
            let marker = suspects.contains(move.at) ? "*" : " "
            let play = move.play.map { " [\($0)]" } ?? ""
            console.out(
                "\(marker) \(Timestamp.string(from: move.at))  #\(move.seq) \(short(move.version))  by \(move.by)\(play): \(move.reason)"
            )
        }
        for suspect in investigation.suspects {
            let changed =
                suspect.changedComponents.isEmpty ? "nothing" : suspect.changedComponents.joined(separator: ", ")
            console.out(
                "Suspect \(short(suspect.version)) vs \(short(suspect.predecessor)): changed \(changed)\(suspect.lineageChanged ? " + dataset lineage" : "")\(suspect.rolledBackNote.map { " (\($0))" } ?? "")"
            )
            EvalRendering.printComparison(suspect.comparison, console)
            if let shift = suspect.category {
                console.out(
                    String(
                        format: "  %@ (%d cases): %.1f%% → %.1f%%", shift.category, shift.cases, shift.before * 100,
                        shift.after * 100))
            }
        }
        if !investigation.live.isEmpty { console.out("Live evidence since the onset (attribution log):") }
        for signals in investigation.live {
            func rate(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            console.out(
                "  \(short(signals.version)): \(signals.requests) requests, satisfied \(rate(signals.satisfiedRate)) of \(signals.labelled) labelled, escalated \(rate(signals.escalationRate)), cited \(rate(signals.citationRate))"
            )
        }
        if let coverage = investigation.coverage {
            let source = coverage.complaint.map { " (the model's intent for \"\($0)\")" } ?? ""
            console.out(
                "Suite coverage: category \(coverage.category)\(source) has \(coverage.cases) case(s) in \(coverage.suite)."
            )
        }
        console.out(
            "Conclusion: \(console.styled(investigation.conclusion, investigation.regressionConfirmed ? .red : .yellow))"
        )
    }

    // MARK: Incidents and traffic

    static func incidentSpec(_ env: AppEnvironment) -> CommandSpec {
        let by = OptionSpec.value("by", "name", help: "Who acts (default: $USER).")
        return CommandSpec(
            name: "incident", abstract: "Open, list, show and close incidents.",
            subcommands: [
                CommandSpec(
                    name: "open", abstract: "Open an incident; its detection time starts the rollback clock.",
                    options: [
                        .value("symptom", "text", help: "What users see (required).", required: true),
                        .value(
                            "detected-at", "time",
                            help: "When it was detected (default: now; not before the bad version went live)."),
                        by, Common.workspace, Common.json,
                    ]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    let detected = try invocation.value("detected-at").map {
                        try TimeParsing.pastTime($0, now: env.now())
                    }
                    // During a drill, an incident someone opens is the drill's, as the monitor's would be.
                    let drill = DrillState.running(in: context.workspace)
                    let incident = try Incidents.open(
                        symptom: invocation.value("symptom") ?? "", detectedAt: detected, badVersion: nil,
                        by: invocation.value("by") ?? Common.currentUser(console),
                        drillID: drill?.id, in: context)
                    if invocation.flag("json") {
                        try Common.printJSON(incident, console)
                    } else {
                        console.out(
                            "Opened \(incident.id) at \(Timestamp.string(from: incident.detectedAt)) against production \(short(incident.badVersion))."
                        )
                        console.out("Next: 'LabRunner rollback --reason TEXT' (the clock is running).")
                    }
                    return 0
                },
                CommandSpec(name: "list", abstract: "List incidents.", options: [Common.workspace, Common.json]) {
                    invocation, console in
                    let context = try context(invocation, console, env)
                    let incidents = try Incidents.all(events: try context.registry.events())
                    if invocation.flag("json") {
                        try Common.printJSON(incidents, console)
                        return 0
                    }
                    guard !incidents.isEmpty else {
                        console.out("No incidents.")
                        return 0
                    }
                    let rows = incidents.map { incident in
                        [
                            incident.id, incident.status.rawValue, Timestamp.string(from: incident.detectedAt),
                            short(incident.badVersion),
                            incident.timeToRollbackSeconds.map { TimePrinting.seconds($0) } ?? "-", incident.symptom,
                        ]
                    }
                    console.writeOut(
                        Table(
                            headers: ["ID", "STATUS", "DETECTED (UTC)", "BAD VERSION", "TO ROLLBACK", "SYMPTOM"],
                            rows: rows
                        ).render())
                    return 0
                },
                CommandSpec(
                    name: "show", abstract: "Show one incident.",
                    arguments: [.required("id", help: "The incident id, e.g. INC-0001.")],
                    options: [Common.workspace, Common.json]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    let incident = try Incidents.find(
                        invocation.argument("id") ?? "", events: try context.registry.events())
                    if invocation.flag("json") {
                        try Common.printJSON(incident, console)
                        return 0
                    }
                    console.out("\(incident.id) (\(incident.status)): \(incident.symptom)")
                    console.out(
                        "  detected:      \(Timestamp.string(from: incident.detectedAt)) (opened by \(incident.openedBy))"
                    )
                    console.out("  bad version:   \(short(incident.badVersion))")
                    console.out("  good version:  \(short(incident.goodVersion))")
                    console.out("  tag moved:     \(incident.tagMovedAt.map(Timestamp.string(from:)) ?? "-")")
                    console.out(
                        "  confirmed:     \(incident.confirmedAt.map(Timestamp.string(from:)) ?? "-")\(incident.confirmed == false ? " (NOT confirmed)" : "")"
                    )
                    console.out(
                        "  to rollback:   \(incident.timeToRollbackSeconds.map { TimePrinting.seconds($0) } ?? "-")")
                    if let resolution = incident.resolution { console.out("  resolution:    \(resolution)") }
                    return 0
                },
                CommandSpec(
                    name: "close", abstract: "Close an incident with its resolution.",
                    arguments: [.required("id", help: "The incident id.")],
                    options: [
                        .value("resolution", "text", help: "How it ended (required).", required: true), by,
                        Common.workspace,
                        Common.json,
                    ]
                ) { invocation, console in
                    let context = try context(invocation, console, env)
                    let incident = try Incidents.close(
                        invocation.argument("id") ?? "", resolution: invocation.value("resolution") ?? "",
                        by: invocation.value("by") ?? Common.currentUser(console), in: context)
                    if invocation.flag("json") {
                        try Common.printJSON(incident, console)
                    } else {
                        console.out("Closed \(incident.id).")
                    }
                    return 0
                },
                PilotCommands.statsSpec(env),
            ])
    }

    static func trafficSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "traffic", abstract: "Send simulated customer traffic through production, in-process or over HTTP.",
            discussion: """
                In-process, each request is answered by whatever production points to at that moment and logged for
                audits. With --target, requests go to a running 'LabRunner serve' at a steady rate, labelled so the
                service can judge them.
                """,
            options: [
                .value(
                    "requests", "n", help: "How many requests (default: 200 in-process; unlimited with --duration)."),
                .value("rate", "r", help: "Requests per second (0: as fast as possible; over HTTP default 50)."),
                .value("seed", "n", help: "Seed for choosing cases and sampling.", default: "1"),
                .value("target", "url", help: "Send over HTTP to a running service, e.g. http://127.0.0.1:8088."),
                .value("duration", "s", help: "Over HTTP: stop after this many seconds."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let seed = try invocation.uint64("seed") ?? 1
            if let target = invocation.value("target") {
                let duration = try invocation.double("duration")
                let count = try invocation.int("requests")
                if duration == nil, count == nil {
                    throw UsageError("Over HTTP give --requests N or --duration S, so the traffic stops by itself.")
                }
                let report = try LiveTraffic.run(
                    url: target, rate: try invocation.double("rate") ?? 50, duration: duration, count: count,
                    seed: seed,
                    in: context
                ) { line in
                    if console.stdoutIsTerminal { console.writeOut("\r\u{1B}[K" + line) }
                }
                if console.stdoutIsTerminal { console.writeOut("\r\u{1B}[K") }
                if invocation.flag("json") {
                    try Common.printJSON(report, console)
                    return 0
                }
                console.out(
                    String(
                        format: "Sent %d requests in %.1fs to %@: %.1f%% satisfied, %d failed", report.requests,
                        report.seconds, target, 100 * Double(report.satisfied) / Double(max(report.requests, 1)),
                        report.failed))
                for (version, count) in report.byVersion.sorted(by: { $0.key < $1.key }) {
                    console.out("  version \(short(version)): \(count) requests")
                }
                return report.failed == 0 ? 0 : 1
            }
            let requests = try invocation.int("requests") ?? 200
            let bar = ProgressHolder(console: console, label: "traffic")
            let report = try Traffic.run(
                requests: requests, rate: try invocation.double("rate") ?? 0, seed: seed,
                in: context, progress: { bar.update($0, requests) })
            bar.finish()
            if invocation.flag("json") {
                try Common.printJSON(report, console)
                return 0
            }
            console.out(
                String(
                    format: "Sent %d requests in %.2fs: %.1f%% satisfied", report.requests, report.seconds,
                    report.satisfiedRate * 100))
            for (version, traffic) in report.byVersion.sorted(by: { $0.key < $1.key }) {
                console.out(
                    String(
                        format: "  version %@: %d requests, %.1f%% satisfied", short(version), traffic.requests,
                        traffic.satisfiedRate * 100))
            }
            if let last = report.lastRequest {
                console.out("Last request: \(last) (audit it with 'LabRunner audit \(last) --replay')")
            }
            return 0
        }
    }

    static func monitorSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "monitor",
            abstract:
                "Watch a running service and raise the alarm when its answers shift or users stop being satisfied.",
            discussion: """
                Twice a second: requests per second and the serving version from /metrics, and the label-free
                signals (escalation, refusal, citation and clarify rates, mean confidence, answer length, intent
                and cited-document mix) of the serving version's last window from the attribution log, tested
                against the previous production version's window (alpha from settings, Bonferroni over the
                signals). A significant shift — or, when traffic carries labels, a satisfied share below the
                threshold — prints ALARM and opens an incident with the detection time, which starts the rollback
                clock. No answer key is needed.
                """,
            options: [
                .value("target", "url", help: "The service to watch.", default: "http://127.0.0.1:8088"),
                .value("window", "s", help: "Rolling window in seconds.", default: "10"),
                .value("threshold", "share", help: "Alarm below this satisfied share.", default: "0.85"),
                .value("duration", "s", help: "Stop after this many seconds (default: until Ctrl-C)."),
                .flag("exit-on-alarm", help: "Stop as soon as the alarm fires (exit status 1)."),
                .value("by", "name", help: "Who is on watch (default: $USER)."),
                Common.workspace,
            ]
        ) { invocation, console in
            let context = try context(invocation, console, env)
            let outcome = try Monitor.run(
                url: invocation.value("target") ?? "http://127.0.0.1:8088",
                window: try invocation.double("window") ?? 10,
                threshold: try invocation.double("threshold") ?? 0.85, duration: try invocation.double("duration"),
                exitOnAlarm: invocation.flag("exit-on-alarm"),
                by: invocation.value("by") ?? Common.currentUser(console),
                in: context
            ) { reading, incident in
                let share = reading.satisfiedShare.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"
                var line = String(
                    format: "%6.1f req/s  satisfied %@ (%d labelled)  serving %@", reading.requestsPerSecond, share,
                    reading.labelled, String(reading.version.prefix(12)))
                if let labelFree = reading.labelFree {
                    line +=
                        labelFree.comparison.enoughData
                        ? "  signals vs \(labelFree.baseline.prefix(12)): "
                            + (labelFree.alarm ? labelFree.comparison.summary : "no shift")
                        : "  signals: gathering (\(labelFree.comparison.current.requests) requests)"
                }
                if reading.alarm {
                    line += "  " + console.styled("ALARM", .red) + (incident.map { " — opened \($0.id)" } ?? "")
                }
                if console.stdoutIsTerminal {
                    console.writeOut("\r\u{1B}[K" + line + (reading.alarm ? "\n" : ""))
                } else {
                    console.out(line)
                }
            }
            if console.stdoutIsTerminal { console.writeOut("\n") }
            if let incident = outcome.incident {
                console.out(
                    "Incident \(incident.id) detected at \(Timestamp.string(from: incident.detectedAt)); next: LabRunner rollback --reason TEXT"
                )
                return 1
            }
            return 0
        }
    }
}

enum TimePrinting {
    static func seconds(_ value: Double) -> String { TimeParsing.describe(value) }
}
