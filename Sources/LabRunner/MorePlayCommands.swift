// Plays 5 to 7 as commands: audit, gc and investigate.
import Foundation
import Playbook
import Terminal

enum MorePlayCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        let onset = Option<Date>(
            "onset", "time", help: "When the symptom started (ISO 8601 UTC, 'now', or -15m; required).",
            missing: "Missing --onset TIME: say when the symptom started, e.g. --onset -30m."
        ) { try TimeParsing.pastTime($0, now: env.now()) }
        let reportedAt = PlayCommands.pastTime(
            "reported-at", help: "When the complaint was made (default: now); later changes cannot explain it.", env)
        return [
            CommandSpec(
                name: "audit", abstract: "Say which version answered a request, with its full record (Play 5).",
                arguments: [requestID], options: [replay, inputFile, Common.out] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let input = try invocation[inputFile].map { path in
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw UsageError(
                            "Cannot read --input-file \(path); give a file holding the request's original text.")
                    }
                    return String(decoding: data, as: UTF8.self)
                }
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

    // MARK: Play 5

    static let requestID = Argument<String>(
        "request-id", help: "The request id (X-Request-Id, or from 'LabRunner requests').")
    static let replay = Flag("replay", help: "Re-run the request from the registry's blobs with the logged seed.")
    static let inputFile = Option<String?>(
        "input-file", "path",
        help: "The original text, for a replay after retention dropped it (checked against its SHA-256).")

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
