// The plays as commands: register (gated), promote, rollback, experiments, audit, gc and investigate.
import Foundation
import Playbook
import Registry
import Terminal

enum PlayCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        let detectedAt = pastTime(
            "detected-at",
            help: "When it was detected (ISO 8601 UTC or -15m; needed when the rollback opens its incident).", env)
        let onset = Option<Date>(
            "onset", "time", help: "When the symptom started (ISO 8601 UTC, 'now', or -15m; required).",
            missing: "Missing --onset TIME: say when the symptom started, e.g. --onset -30m."
        ) { try TimeParsing.pastTime($0, now: env.now()) }
        let reportedAt = PlayCommands.pastTime(
            "reported-at", help: "When the complaint was made (default: now); later changes cannot explain it.", env)
        return [
            CommandSpec(
                name: "register",
                abstract: "Register system/ as a version behind the deploy gate (Play 1).",
                discussion: """
                    Each file and folder in system/ is one component; data/train.csv is recorded as dataset lineage,
                    and weights.json must be the output of a 'LabRunner train' run the registry recorded on that data.
                    Before anything is written the pinned standard suite runs on exactly these components, and the
                    result is recorded with the version. Registering content that exists reports the existing version.
                    """,
                options: [owner, reason, parent, root, lineageBrokenOK, lineageUnverifiedOK, experiment] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let result = try console.withProgress("gate eval") {
                    try RegisterPlay.run(
                        RegisterRequest(
                            owner: try invocation[owner] ?? "", reason: try invocation[reason] ?? "",
                            parent: try invocation[parent], root: try invocation[root],
                            lineageBrokenOK: try invocation[lineageBrokenOK],
                            lineageUnverifiedOK: try invocation[lineageUnverifiedOK],
                            experiment: try invocation[experiment]), in: context, progress: $0)
                }
                for warning in result.warnings { console.err("warning: \(warning)") }
                return try Common.emit(result.json, invocation, console) { result.render(&$0) }
            },
            CommandSpec(
                name: "promote", abstract: "Move production to a version that passes the gate (Play 2).",
                discussion: PromotePlay.discussion,
                arguments: [candidate],
                options: [
                    approver, highStakes, PeopleCommands.approval, canary, canaryRequests, canaryPlan, force,
                    forceReason, PeopleCommands.runBy, Common.yes,
                ] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let request = PromoteRequest(
                    ref: try invocation[candidate], approver: try invocation[approver] ?? "",
                    highStakes: try invocation[highStakes], canaryPercent: try invocation[canary],
                    canaryRequests: try invocation[canaryRequests], force: try invocation[force],
                    reason: try invocation[forceReason], actor: try invocation[PeopleCommands.runBy],
                    approvalFile: try invocation[PeopleCommands.approval].map { Common.path($0, console) },
                    environment: console.environment)
                if try invocation[canaryPlan] {
                    return try Common.emit(try PromotePlay.plan(request, in: context), invocation, console)
                }
                let json = try invocation[Common.json]
                let result = try PromotePlay.run(
                    request, in: context, clock: env.pacing, onGate: { gate in if !json { console.show(gate) } },
                    onPlan: { plan in if !json { console.show(plan) } },
                    onCanary: { report in if !json { console.show(report) } },
                    confirm: { _, _ in
                        try Common.confirm("Continue the promotion?", command: "LabRunner promote", invocation, console)
                    })
                return try Common.emit(result, invocation, console) { result.render(&$0, approver: request.approver) }
            },
            CommandSpec(
                name: "rollback", abstract: "Move production back to the last known good version (Play 3).",
                discussion: """
                    Without REF, the last known good is the latest earlier production version that passed its gate
                    (never forced), that no incident names bad (false alarms aside), whose eval passed, and that ran
                    cleanly in production: last_known_good_requests (default 50) production requests, live signals
                    within bounds. --dry-run previews the choice and every version skipped and why, writing nothing.
                    The incident records the time to rollback; only live signals on the restored version confirm it
                    (a re-run suite is no new evidence): until traffic reaches it, run 'LabRunner incident confirm'.
                    """,
                arguments: [rollbackRef],
                options: [rollbackReason, dryRun, incident, detectedAt, rollbackBy, Common.yes] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                if try invocation[dryRun] {
                    let preview = try console.withProgress("re-evaluating") {
                        try RollbackPlay.preview(ref: try invocation[rollbackRef], in: context, progress: $0)
                    }
                    return try Common.emit(preview, invocation, console) {
                        preview.render(&$0, to: try context.registry.record(id: preview.to))
                    }
                }
                let detected = try invocation[detectedAt]
                let result = try console.withProgress("confirming") {
                    try RollbackPlay.run(
                        RollbackRequest(
                            ref: try invocation[rollbackRef], reason: try invocation[rollbackReason] ?? "",
                            incident: try invocation[incident], detectedAt: detected, by: try invocation[rollbackBy]),
                        in: context, progress: $0)
                }
                return try Common.emit(result, invocation, console) {
                    result.render(&$0, to: try context.registry.record(id: result.to))
                }
            },
            CommandSpec(
                name: "experiment", abstract: "Branch experiments with a retention window (Play 4).",
                subcommands: [
                    CommandSpec(
                        name: "start", abstract: "Start an experiment branching from a registered version.",
                        arguments: [experimentName],
                        options: [branchFrom, ttl, startedBy] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let experiment = try Experiments.start(
                            name: try invocation[experimentName], from: try invocation[branchFrom],
                            ttl: try invocation[ttl],
                            by: try invocation[startedBy], in: context)
                        return try Common.emit(experiment, invocation, console) { experiment.renderStarted(&$0) }
                    },
                    CommandSpec(
                        name: "list", abstract: "List experiments and their versions.",
                        options: Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let experiments = try Experiments.all(events: try context.registry.events())
                        return try Common.emit(experiments, invocation, console) {
                            $0.write(try Experiment.table(experiments, in: context.registry, now: env.now()))
                        }
                    },
                    CommandSpec(
                        name: "end", abstract: "End an experiment (its versions keep their expiry).",
                        arguments: [endedName], options: [endedBy] + Common.io
                    ) { invocation, console in
                        let context = try Common.context(invocation, console, env)
                        let experiment = try Experiments.end(
                            name: try invocation[endedName], by: try invocation[endedBy], in: context)
                        return try Common.emit(experiment, invocation, console) { experiment.renderEnded(&$0) }
                    },
                ]),
            CommandSpec(
                name: "audit", abstract: "Say which version answered a request, with its full record (Play 5).",
                arguments: [requestID], options: [replay, inputText, Common.out] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let input = try invocation[inputText]
                let report = try AuditPlay.run(
                    requestID: try invocation[requestID], replay: try invocation[replay], input: input, in: context)
                try Common.saveOut(report, invocation, console)
                try Common.emit(report, invocation, console)
                return report.succeeded ? 0 : 1
            },
            CommandSpec(
                name: "gc", abstract: "Delete heavy blobs of expired versions that never served anyone (Play 6).",
                discussion: """
                    A version's blobs are kept while it has held production, answered any request in the attribution
                    log (canary and experiment traffic too, so audits can replay), is behind a live tag, or has not
                    expired; the plan says why each kept version is kept. Metadata, eval results and events are kept
                    forever. Run with --dry-run first.
                    """,
                options: [dryRunFlag, collector, Common.yes] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let dryRun = try invocation[dryRunFlag]
                let plan = try GCPlay.plan(in: context)
                if !dryRun, !plan.versions.isEmpty {
                    try Common.confirm(
                        "Delete \(plan.blobs.count) blobs (\(plan.bytes) bytes) of \(plan.versions.count) versions?",
                        command: "LabRunner gc", invocation, console)
                }
                return try Common.emit(
                    try GCPlay.run(dryRun: dryRun, by: try invocation[collector], in: context), invocation, console)
            },
            CommandSpec(
                name: "investigate", abstract: "Trace a quality complaint to a change, or to noise (Play 7).",
                discussion: """
                    Takes every production change from the version live at the onset until the complaint was reported
                    (an onset before the first promotion starts at the first production version), rolled-back ones
                    too, and compares each with its predecessor in repeated paired evals. Live evidence by version
                    comes from the attribution log. With --category or --complaint it first checks that the suite has
                    cases for the complaint: if not, the verdict is that the suite does not cover it, not noise.
                    """,
                options: [onset, reportedAt, category, complaint, investigator] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let onsetTime = try invocation[onset]
                let reported = try invocation[reportedAt]
                return try Common.emit(
                    try console.withProgress("paired evals") {
                        try InvestigatePlay.run(
                            InvestigateRequest(
                                onset: onsetTime, reportedAt: reported, category: try invocation[category],
                                complaint: try invocation[complaint], by: try invocation[investigator]), in: context,
                            progress: $0
                        )
                    }, invocation, console)
            },
        ]
    }

    /// A time option such as `--detected-at`: ISO 8601 UTC, 'now' or a relative -15m, read against `env`'s clock.
    static func pastTime(_ name: String, help: String, _ env: AppEnvironment) -> Option<Date?> {
        Option(name, "time", help: help) { try TimeParsing.pastTime($0, now: env.now()) }
    }

    // MARK: Play 1

    static let owner = Option<String?>("owner", "name", help: "Who owns this version (required).", required: true)
    static let reason = Option<String?>("reason", "text", help: "Why this version exists (required).", required: true)
    static let parent = Option<String?>("parent", "ref", help: "The version this one derives from.")
    static let root = Flag("root", help: "Register a first version with no parent.")
    static let lineageBrokenOK = Flag(
        "lineage-broken-ok", help: "Register even though weights.json was trained on other data (recorded).")
    static let lineageUnverifiedOK = Flag(
        "lineage-unverified-ok",
        help: "Register weights that no recorded 'LabRunner train' run produced (recorded as unverified).")
    static let experiment = Option<String?>("experiment", "name", help: "Register under this active experiment.")

    // MARK: Play 2

    static let approver = Option<String?>(
        "approver", "name", help: "Who approves: on the roster, not the owner, not you (required).", required: true)
    static let highStakes = Flag("high-stakes", help: "Require a signed approval (--approval FILE).")
    static let canary = Option<Double?>(
        "canary", "percent", help: "First send this share of a simulated batch to the candidate.")
    static let canaryRequests = Option<CanaryRequests>(
        "canary-requests", "n|auto", help: "Size of the canary batch; auto sends what its power plan needs.",
        default: .auto)
    static let canaryPlan = Flag(
        "canary-plan", help: "Print the canary's power plan for --canary P and stop: nothing is sent or written.")
    static let force = Flag(
        "force", help: "Override a failed gate (needs --reason; recorded). A canary still stops it.")
    static let forceReason = Option<String?>("reason", "text", help: "Why (required with --force).")
    static let candidate = Common.ref("ref", "The candidate version: #N, an id prefix or a tag.")

    // MARK: Play 3

    static let rollbackRef = Argument<String?>(
        optional: "ref", help: "Roll back to this version instead of the last known good.")
    static let rollbackReason = Option<String?>("reason", "text", help: "Why (required, except with --dry-run).")
    static let dryRun = Flag(
        "dry-run", help: "Show the target, what is skipped and why, and today's eval; move nothing.")
    static let rollbackBy = Common.by("Who rolls back (default: $USER).")
    static let incident = Option<String?>(
        "incident", "id", help: "The incident this rollback answers (default: the open one for production).")

    // MARK: Play 4

    static let experimentName = Argument<String>(
        "name", help: "The experiment's name (letters, digits, '.', '_', '-').")
    static let branchFrom = Option<String>(
        "from", "ref", help: "The registered parent to branch from (required).",
        missing: "Missing --from REF: an experiment branches from a registered version.")
    static let ttl = Option<String>(
        "ttl", "duration", help: "Retention window of its versions.", default: Experiments.defaultTTL)
    static let startedBy = Common.by("Who runs it (default: $USER).")
    static let endedBy = Common.by("Who ends it (default: $USER).")
    static let endedName = Argument<String>("name", help: "The experiment to end.")

    // MARK: Play 5

    static let requestID = Argument<String>(
        "request-id", help: "The request id (X-Request-Id, or from 'LabRunner requests').")
    static let replay = Flag("replay", help: "Re-run the request from the registry's blobs with the logged seed.")
    /// The request's original text, read from the file given.
    static let inputText = Option<String?>(
        "input-file", "path",
        help: "The original text, for a replay after retention dropped it (checked against its SHA-256)."
    ) { path in
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("Cannot read --input-file \(path); give a file holding the request's original text.")
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Play 6

    static let collector = Common.by("Who runs the collection (default: $USER).")
    static let dryRunFlag = Flag(
        "dry-run", help: "List what would be deleted and why the rest is kept; delete nothing.")

    // MARK: Play 7

    static let investigator = Common.by("Who investigates (default: $USER).")
    static let category = Option<String?>(
        "category", "name", help: "The complaint's category, e.g. returns or escalate:legal_threat.")
    static let complaint = Option<String?>(
        "complaint", "text", help: "The complaint's text; its category is the intent the model gives it.")
}
