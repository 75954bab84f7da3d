// Registry commands: init, register, versions, show, diff, log, tag, tags, checkout, fsck.
import Drills
import Foundation
import Playbook
import Hashing
import Registry
import Terminal
import ToyModel

enum RegistryCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            initSpec(env), versionsSpec(env), showSpec(env), diffSpec(env), logSpec(env),
            tagSpec(env), tagsSpec(env), checkoutSpec(env), fsckSpec(env),
        ]
    }

    // MARK: init

    static func initSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "init",
            abstract: "Create a lab workspace with the bundled toy system and an empty registry.",
            discussion: """
                The folder must not exist yet or be empty; missing parent folders are created, as 'git init'
                does. Nothing is written when init fails.
                """,
            arguments: [
                .optional("dir", help: "Where to create the workspace (default: ./\(Workspace.defaultFolderName)).")
            ],
            options: [Common.json]
        ) { invocation, console in
            let target = Workspace.absolute(
                invocation.argument("dir") ?? Workspace.defaultFolderName, from: console.currentDirectory)
            let workspace = try WorkspaceSetup.create(at: target, actor: Common.currentUser(console), now: env.now)
            if invocation.flag("json") {
                try Common.printJSON(["workspace": workspace.root], console)
            } else {
                console.out("Created a lab workspace in \(workspace.root)")
                console.out("  system/   the toy system's components (prompt.md, config.json, weights.json, index/)")
                console.out("  data/     training data and simulated traffic")
                console.out("  evals/    eval suites (core, smoke)")
                console.out(
                    "Next: cd \(displayPath(workspace.root, from: console.currentDirectory)) && LabRunner ask \"Where is my parcel?\""
                )
            }
            return 0
        }
    }

    static func displayPath(_ path: String, from base: String) -> String {
        path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    static func required(_ invocation: Invocation, _ name: String, hint: String) throws -> String {
        guard let value = invocation.value(name), !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RegistryError.missingMetadata(field: "--\(name)", hint: hint)
        }
        return value
    }

    // MARK: versions, show

    static func versionsSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "versions", abstract: "List every registered version, oldest first.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let (_, registry) = try Common.registry(invocation, console, env)
            let versions = try registry.versionSummaries()
            let tagsByID = Dictionary(grouping: registry.tags(), by: \.value).mapValues { $0.map(\.key).sorted() }
            if invocation.flag("json") {
                try Common.printJSON(versions.map { ListedVersion(summary: $0, tags: tagsByID[$0.id] ?? []) }, console)
                return 0
            }
            guard !versions.isEmpty else {
                console.out(
                    "No versions yet. Register the workspace's system with 'LabRunner register --root --owner NAME --reason TEXT'."
                )
                return 0
            }
            let rows = versions.map { version in
                [
                    "#\(version.seq)", version.shortID, (tagsByID[version.id] ?? []).joined(separator: ","),
                    version.owner,
                    Timestamp.string(from: version.registeredAt), version.reason,
                ]
            }
            console.writeOut(
                Table(headers: ["SEQ", "ID", "TAGS", "OWNER", "REGISTERED (UTC)", "REASON"], rows: rows).render())
            return 0
        }
    }

    struct ListedVersion: Encodable {
        var summary: VersionSummary
        var tags: [String]

        func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tags, forKey: .tags)
        }

        enum CodingKeys: String, CodingKey { case tags }
    }

    static func showSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "show", abstract: "Show one version: components, lineage, metadata, tags and its events.",
            arguments: [
                .required(
                    "ref", help: "A version: #N, an id prefix, a tag, or TAG~N.", missingHint: Common.quoteRefHint)
            ],
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let (workspace, registry) = try Common.registry(invocation, console, env)
            let record = try registry.resolve(invocation.argument("ref") ?? "")
            let tags = registry.tags().filter { $0.value == record.id }.map(\.key).sorted()
            let related = DrillCommands.hidingFault(try registry.events(aboutVersion: record.id), in: workspace)
            let collected = try registry.collection(of: record.id)
            if invocation.flag("json") {
                try Common.printJSON(
                    ShownVersion(record: record, tags: tags, events: related, collected: collected), console)
                return 0
            }
            console.out("Version #\(record.seq) \(console.styled(record.id, .yellow))")
            console.out("  owner:    \(record.metadata.owner)")
            console.out("  parent:   \(record.metadata.parent.map { String($0.prefix(12)) } ?? "none (root)")")
            console.out("  reason:   \(record.metadata.reason)")
            console.out("  created:  \(Timestamp.string(from: record.metadata.createdAt))")
            console.out("  tags:     \(tags.isEmpty ? "none" : tags.joined(separator: ", "))")
            for (key, value) in record.metadata.extra.sorted(by: { $0.key < $1.key }) {
                console.out("  \(key): \(value)")
            }
            console.out("Components:")
            let rows = record.manifest.components.sorted(by: { $0.key < $1.key }).map { name, entry in
                [name, entry.kind.rawValue, String(record.sizes[name] ?? 0), entry.sha256]
            }
            console.writeOut(
                indent(Table(headers: ["NAME", "KIND", "BYTES", "SHA-256"], rows: rows, alignRight: [2]).render()))
            if let lineage = record.manifest.lineage {
                console.out("Dataset lineage: \(lineage.dataset) \(lineage.sha256)")
            }
            if let collected {
                console.out(
                    console.styled(
                        "Artifacts garbage-collected at \(Timestamp.string(from: collected.at)): \(collected.data["reason"] ?? "retention expired"). Metadata and evals remain.",
                        .yellow))
            }
            console.out("Events:")
            for event in related { console.out("  " + LogRendering.line(event, console)) }
            return 0
        }
    }

    struct ShownVersion: Encodable {
        var record: VersionRecord
        var tags: [String]
        var events: [Event]
        var collected: Event?
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
            .joined(separator: "\n")
    }

    // MARK: diff

    static func diffSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "diff", abstract: "Compare two versions component by component, with line diffs for text.",
            arguments: [
                .required(
                    "from", help: "The older version: #N, an id prefix or a tag.", missingHint: Common.quoteRefHint),
                .required(
                    "to", help: "The newer version: #N, an id prefix or a tag.", missingHint: Common.quoteRefHint),
            ],
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let (workspace, registry) = try Common.registry(invocation, console, env)
            let old = try registry.resolve(invocation.argument("from") ?? "")
            let new = try registry.resolve(invocation.argument("to") ?? "")
            let diff = try registry.diff(old, new)
            // During a drill, reading a diff is part of the diagnosis lap; diff writes nothing else.
            if let drill = DrillState.running(in: workspace) {
                try DrillLog.looked(
                    drill: drill.id, from: old.id, to: new.id, components: diff.changedComponents,
                    by: Common.currentUser(console), in: try PlayContext(workspace: workspace, now: env.now))
            }
            if invocation.flag("json") {
                try Common.printJSON(diff, console)
                return 0
            }
            console.out("Version #\(old.seq) \(old.shortID) → #\(new.seq) \(new.shortID)")
            for change in diff.components {
                let mark: String
                switch change.status {
                case .unchanged: mark = console.styled("  unchanged", .dim)
                case .changed: mark = console.styled("  changed  ", .yellow)
                case .added: mark = console.styled("  added    ", .green)
                case .removed: mark = console.styled("  removed  ", .red)
                }
                console.out("\(mark) \(change.component)")
            }
            if diff.lineageChanged {
                console.out(console.styled("  changed   dataset lineage", .yellow))
            }
            for change in diff.components where !change.diff.isEmpty {
                console.out("")
                for line in change.diff { console.out(colourDiffLine(line, console)) }
            }
            return 0
        }
    }

    static func colourDiffLine(_ line: String, _ console: Console) -> String {
        if line.hasPrefix("+++") || line.hasPrefix("---") { return console.styled(line, .bold) }
        if line.hasPrefix("@@") { return console.styled(line, .cyan) }
        if line.hasPrefix("+") { return console.styled(line, .green) }
        if line.hasPrefix("-") { return console.styled(line, .red) }
        return line
    }

    // MARK: log, tag, tags

    static func logSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "log", abstract: "Show the registry's hash-chained event log, oldest first.",
            options: [
                .value("limit", "n", help: "Show only the last N events."),
                .value("kind", "kind", help: "Show only events of this kind (e.g. tag.moved)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let (workspace, registry) = try Common.registry(invocation, console, env)
            var events = try registry.events()
            events = DrillCommands.hidingFault(events, in: workspace)
            if let kind = invocation.value("kind") { events = events.filter { $0.kind == kind } }
            if let limit = try invocation.int("limit") {
                guard limit > 0 else { throw UsageError("--limit must be a positive number, not \(limit).") }
                events = Array(events.suffix(limit))
            }
            if invocation.flag("json") {
                try Common.printJSON(events, console)
            } else {
                for event in events { console.out(LogRendering.line(event, console)) }
            }
            return 0
        }
    }

    static func tagSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "tag", abstract: "Point a tag at a version (an atomic move, recorded as an event).",
            arguments: [
                .required("name", help: "The tag (letters, digits, '.', '_', '-')."),
                .required(
                    "ref", help: "The version to point it at: #N, an id prefix or a tag.",
                    missingHint: Common.quoteRefHint),
            ],
            options: [
                .value("by", "name", help: "Who moves the tag (required).", required: true),
                .value("reason", "text", help: "Why (required).", required: true),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let (_, registry) = try Common.registry(invocation, console, env)
            let name = invocation.argument("name") ?? ""
            try Registry.validateTagName(name)
            let by = try required(invocation, "by", hint: "every tag move records who made it, pass --by NAME")
            let reason = try required(invocation, "reason", hint: "every change needs a reason, pass --reason TEXT")
            let record = try registry.resolve(invocation.argument("ref") ?? "")
            let event = try registry.moveTag(name, to: record.id, by: by, reason: reason)
            if invocation.flag("json") {
                try Common.printJSON(event, console)
            } else {
                let from = event.data["from"].map { String($0.prefix(12)) } ?? "(new tag)"
                console.out("Moved \(name): \(from) → #\(record.seq) \(record.shortID) (event #\(event.seq))")
            }
            return 0
        }
    }

    static func tagsSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "tags", abstract: "List tags and the versions they point to.",
            options: [Common.workspace, Common.json]
        ) { invocation, console in
            let (_, registry) = try Common.registry(invocation, console, env)
            let tags = registry.tags()
            if invocation.flag("json") {
                try Common.printJSON(tags, console)
                return 0
            }
            guard !tags.isEmpty else {
                console.out(
                    "No tags yet. Point one at a version with 'LabRunner tag NAME REF --by NAME --reason TEXT'.")
                return 0
            }
            let rows = try tags.sorted(by: { $0.key < $1.key }).map { name, id in
                let record = try registry.record(id: id)
                return [name, "#\(record.seq)", record.shortID, record.metadata.reason]
            }
            console.writeOut(Table(headers: ["TAG", "SEQ", "ID", "VERSION REASON"], rows: rows).render())
            return 0
        }
    }

    // MARK: checkout, fsck

    static func checkoutSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "checkout", abstract: "Write a version's components into a new folder.",
            arguments: [
                .required(
                    "ref", help: "The version to materialise: #N, an id prefix or a tag.",
                    missingHint: Common.quoteRefHint),
                .required("dir", help: "A new or empty folder to write the components into."),
            ],
            options: [Common.workspace]
        ) { invocation, console in
            let (_, registry) = try Common.registry(invocation, console, env)
            let record = try registry.resolve(invocation.argument("ref") ?? "")
            let destination = Workspace.absolute(invocation.argument("dir") ?? "", from: console.currentDirectory)
            try registry.checkout(record, into: destination)
            console.out("Checked out #\(record.seq) \(record.shortID) into \(destination)")
            return 0
        }
    }

    static func fsckSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "fsck",
            abstract: "Verify the event chain, every version, every object, every tag and the request log.",
            discussion: "Exits 1 when anything is damaged, naming the file, line or object at fault.",
            options: [
                .flag("repair-index", help: "Rebuild the request log's index from the log itself."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let (_, registry) = try Common.registry(invocation, console, env)
            let requests = AttributionLog(registryRoot: registry.root)
            var repaired: Int?
            if invocation.flag("repair-index") { repaired = try requests.rebuildIndex() }
            var report = registry.fsck()
            report.problems += requests.verify()
            if invocation.flag("json") {
                try Common.printJSON(report, console)
            } else {
                if let repaired { console.out("Rebuilt the request index: \(repaired) requests.") }
                for problem in report.problems { console.out(console.styled("problem: ", .red) + problem) }
                for warning in report.warnings { console.out(console.styled("warning: ", .yellow) + warning) }
                let summary =
                    "\(report.events) events, \(report.versions) versions, \(report.objects) objects, \(report.tags) tags"
                console.out(
                    report.ok ? "fsck: ok (\(summary))" : "fsck: \(report.problems.count) problem(s) found (\(summary))"
                )
            }
            return report.ok ? 0 : 1
        }
    }
}

/// One event as a line of text, shared by `log` and `show`.
enum LogRendering {
    static func line(_ event: Event, _ console: Console) -> String {
        let details = event.data.filter { $0.key != "reason" }.sorted(by: { $0.key < $1.key }).map { key, value in
            "\(key)=\(value.count == 64 && value.allSatisfy(\.isHexDigit) ? String(value.prefix(12)) : value)"
        }
        var text =
            "#\(event.seq) \(Timestamp.string(from: event.at)) \(console.styled(event.kind, .cyan)) by \(event.actor)"
        if !details.isEmpty { text += " " + details.joined(separator: " ") }
        if let reason = event.data["reason"] { text += " — \(reason)" }
        return text
    }
}
