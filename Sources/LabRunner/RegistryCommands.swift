// Registry commands: init, versions, show, diff, log, tag, tags, checkout, fsck.
import Drills
import Foundation
import LabKit
import Playbook
import Proof
import Registry
import Terminal

enum RegistryCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "init",
                abstract: "Create a lab workspace with the bundled toy system and an empty registry.",
                discussion: """
                    The folder must not exist yet or be empty; missing parent folders are created, as 'git init'
                    does. Nothing is written when init fails.
                    """,
                arguments: [initFolder], options: [ExaminerChallenge.option, Common.json]
            ) { invocation, console in
                let target = Common.path(try invocation[initFolder] ?? Workspace.defaultFolderName, console)
                let workspace = try ExaminerChallenge.createWorkspace(at: target, invocation, console, now: env.now)
                return try Common.emit(["workspace": workspace.root], invocation, console) {
                    WorkspaceSetup.renderCreated(&$0, workspace, from: console.currentDirectory)
                }
            },
            CommandSpec(
                name: "versions", abstract: "List every registered version, oldest first.",
                options: Common.io
            ) { invocation, console in
                let (_, registry) = try Common.registry(invocation, console, env)
                return try Common.emit(
                    VersionList(versions: try registry.versionSummaries(), tags: registry.tags()), invocation, console)
            },
            CommandSpec(
                name: "show", abstract: "Show one version: components, lineage, metadata, tags and its events.",
                arguments: [showRef], options: Common.io
            ) { invocation, console in
                let (workspace, registry) = try Common.registry(invocation, console, env)
                let record = try registry.resolve(try invocation[showRef])
                let shown = ShownVersion(
                    record: record, tags: registry.tags().filter { $0.value == record.id }.map(\.key).sorted(),
                    events: DrillSession.visible(try registry.events(aboutVersion: record.id), in: workspace),
                    collected: try registry.collection(of: record.id))
                return try Common.emit(shown, invocation, console)
            },
            CommandSpec(
                name: "diff", abstract: "Compare two versions component by component, with line diffs for text.",
                arguments: [diffFrom, diffTo], options: Common.io
            ) { invocation, console in
                let (workspace, registry) = try Common.registry(invocation, console, env)
                let old = try registry.resolve(try invocation[diffFrom])
                let new = try registry.resolve(try invocation[diffTo])
                let diff = try registry.diff(old, new)
                try DrillSession.current(in: workspace)?.recordLook(
                    at: diff, by: console.userName, now: env.now)
                return try Common.emit(diff, invocation, console) { diff.render(&$0, from: old, to: new) }
            },
            CommandSpec(
                name: "log", abstract: "Show the registry's hash-chained event log, oldest first.",
                options: [logLimit, logKind] + Common.io
            ) { invocation, console in
                let (workspace, registry) = try Common.registry(invocation, console, env)
                var events = DrillSession.visible(try registry.events(), in: workspace)
                if let kind = try invocation[logKind] { events = events.filter { $0.kind == kind } }
                if let limit = try invocation[logLimit] { events = Array(events.suffix(limit)) }
                return try Common.emit(events, invocation, console) { out in
                    for event in events { out.line(event.logLine(out)) }
                }
            },
            CommandSpec(
                name: "tag", abstract: "Point a tag at a version (an atomic move, recorded as an event).",
                arguments: [tagName, tagRef], options: [tagBy, tagReason] + Common.io
            ) { invocation, console in
                let (_, registry) = try Common.registry(invocation, console, env)
                let move = try registry.moveTag(
                    try invocation[tagName], toRef: try invocation[tagRef], by: try invocation[tagBy],
                    reason: try invocation[tagReason])
                return try Common.emit(move, invocation, console)
            },
            CommandSpec(
                name: "tags", abstract: "List tags and the versions they point to.",
                options: Common.io
            ) { invocation, console in
                let (_, registry) = try Common.registry(invocation, console, env)
                return try Common.emit(registry.tags(), invocation, console) { $0.write(try registry.tagTable()) }
            },
            CommandSpec(
                name: "checkout", abstract: "Write a version's components into a new folder.",
                arguments: [checkoutRef, checkoutFolder], options: [Common.workspace]
            ) { invocation, console in
                let (_, registry) = try Common.registry(invocation, console, env)
                let record = try registry.resolve(try invocation[checkoutRef])
                let destination = Common.path(try invocation[checkoutFolder], console)
                try registry.checkout(record, into: destination)
                console.out("Checked out #\(record.seq) \(record.shortID) into \(destination)")
                return 0
            },
            CommandSpec(
                name: "fsck",
                abstract:
                    "Verify the event chain, versions, objects, tags, the request log, incident and drill records.",
                discussion: "Exits 1 when anything is damaged, naming the file, line or object at fault.",
                options: [repairIndex] + Common.io
            ) { invocation, console in
                let (workspace, registry) = try Common.registry(invocation, console, env)
                let requests = AttributionLog(registryRoot: registry.root)
                let repaired = try invocation[repairIndex] ? try requests.rebuildIndex() : nil
                var report = registry.fsck()
                report.problems += requests.verify()
                IncidentRecords.check(registry, into: &report)
                DrillRoom(workspace).check(into: &report)
                report.warnings += LabLeftovers.warnings(registryRoot: registry.root)
                if !(try invocation[Common.json]), let repaired {
                    console.out("Rebuilt the request index: \(repaired) requests.")
                }
                try Common.emit(report, invocation, console)
                return report.ok ? 0 : 1
            },
        ]
    }

    static let initFolder = Argument<String?>(
        optional: "dir", help: "Where to create the workspace (default: ./\(Workspace.defaultFolderName)).")

    static let showRef = Common.ref("ref", "A version: #N, an id prefix, a tag, or TAG~N.")

    static let diffFrom = Common.ref("from", "The older version: #N, an id prefix or a tag.")
    static let diffTo = Common.ref("to", "The newer version: #N, an id prefix or a tag.")

    static let logLimit = Option<Int?>(
        "limit", "n", help: "Show only the last N events.",
        check: { $0 > 0 ? nil : "--limit must be a positive number, not \($0)." })
    static let logKind = Option<String?>("kind", "kind", help: "Show only events of this kind (e.g. tag.moved).")

    static let tagName = Argument<String>("name", help: "The tag (letters, digits, '.', '_', '-').")
    static let tagRef = Common.ref("ref", "The version to point it at: #N, an id prefix or a tag.")
    static let tagBy = Option<String?>("by", "name", help: "Who moves the tag (required).", required: true)
    static let tagReason = Option<String?>("reason", "text", help: "Why (required).", required: true)

    static let checkoutRef = Common.ref("ref", "The version to materialise: #N, an id prefix or a tag.")
    static let checkoutFolder = Argument<String>("dir", help: "A new or empty folder to write the components into.")

    static let repairIndex = Flag("repair-index", help: "Rebuild the request log's index from the log itself.")
}
