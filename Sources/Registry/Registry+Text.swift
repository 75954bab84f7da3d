// The registry's records as command output: a version shown whole, the version list, a diff, the event log's
// lines and an fsck report.
import Foundation
import Hashing
public import Terminal

/// `show`: one version with its tags, the events about it and its collection, if its blobs were collected.
public struct ShownVersion: Encodable, Sendable {
    public var record: VersionRecord
    public var tags: [String]
    public var events: [Event]
    public var collected: Event?

    public init(record: VersionRecord, tags: [String], events: [Event], collected: Event?) {
        self.record = record
        self.tags = tags
        self.events = events
        self.collected = collected
    }
}

extension ShownVersion: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("Version #\(record.seq) \(out.styled(record.id, .yellow))")
        out.line("  owner:    \(record.metadata.owner)")
        out.line("  parent:   \(record.metadata.parent.map { String($0.prefix(12)) } ?? "none (root)")")
        out.line("  reason:   \(record.metadata.reason)")
        out.line("  created:  \(Timestamp.string(from: record.metadata.createdAt))")
        out.line("  tags:     \(tags.isEmpty ? "none" : tags.joined(separator: ", "))")
        for (key, value) in record.metadata.extra.sorted(by: { $0.key < $1.key }) { out.line("  \(key): \(value)") }
        out.line("Components:")
        let rows = record.manifest.components.sorted(by: { $0.key < $1.key }).map { name, entry in
            [name, entry.kind.rawValue, String(record.sizes[name] ?? 0), entry.sha256]
        }
        let table = Table(headers: ["NAME", "KIND", "BYTES", "SHA-256"], rows: rows, alignRight: [2]).render()
        out.write(
            table.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
                .joined(separator: "\n"))
        if let lineage = record.manifest.lineage { out.line("Dataset lineage: \(lineage.dataset) \(lineage.sha256)") }
        if let collected {
            out.line(
                out.styled(
                    "Artifacts garbage-collected at \(Timestamp.string(from: collected.at)): \(collected.data["reason"] ?? "retention expired"). Metadata and evals remain.",
                    .yellow))
        }
        out.line("Events:")
        for event in events { out.line("  " + event.logLine(out)) }
    }
}

/// `versions`: every version, oldest first, with the tags pointing at it.
public struct VersionList: Encodable, Sendable {
    public var versions: [VersionSummary]
    public var tagsByID: [String: [String]]

    public init(versions: [VersionSummary], tags: [String: String]) {
        self.versions = versions
        tagsByID = Dictionary(grouping: tags, by: \.value).mapValues { $0.map(\.key).sorted() }
    }

    /// Each version's summary with a `tags` field.
    public func encode(to encoder: any Encoder) throws {
        var list = encoder.unkeyedContainer()
        for version in versions { try list.encode(Listed(summary: version, tags: tagsByID[version.id] ?? [])) }
    }

    private struct Listed: Encodable {
        var summary: VersionSummary
        var tags: [String]

        func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tags, forKey: .tags)
        }

        enum CodingKeys: String, CodingKey { case tags }
    }
}

extension VersionList: TextRendering {
    public func render(_ out: inout TextOutput) {
        guard !versions.isEmpty else {
            out.line(
                "No versions yet. Register the workspace's system with 'LabRunner register --root --owner NAME --reason TEXT'."
            )
            return
        }
        let rows = versions.map { version in
            [
                "#\(version.seq)", version.shortID, (tagsByID[version.id] ?? []).joined(separator: ","), version.owner,
                Timestamp.string(from: version.registeredAt), version.reason,
            ]
        }
        out.write(Table(headers: ["SEQ", "ID", "TAGS", "OWNER", "REGISTERED (UTC)", "REASON"], rows: rows).render())
    }
}

extension VersionDiff {
    /// The diff between `old` and `new` (the versions it was made from), component by component, then the lines.
    public func render(_ out: inout TextOutput, from old: VersionRecord, to new: VersionRecord) {
        out.line("Version #\(old.seq) \(old.shortID) → #\(new.seq) \(new.shortID)")
        for change in components {
            let mark: String
            switch change.status {
            case .unchanged: mark = out.styled("  unchanged", .dim)
            case .changed: mark = out.styled("  changed  ", .yellow)
            case .added: mark = out.styled("  added    ", .green)
            case .removed: mark = out.styled("  removed  ", .red)
            }
            out.line("\(mark) \(change.component)")
        }
        if lineageChanged { out.line(out.styled("  changed   dataset lineage", .yellow)) }
        for change in components where !change.diff.isEmpty {
            out.line()
            for line in change.diff { out.line(Self.styledLine(line, out)) }
        }
    }

    /// A unified diff line coloured by what it is: headers bold, hunks cyan, additions green, removals red.
    public static func styledLine(_ line: String, _ out: TextOutput) -> String {
        if line.hasPrefix("+++") || line.hasPrefix("---") { return out.styled(line, .bold) }
        if line.hasPrefix("@@") { return out.styled(line, .cyan) }
        if line.hasPrefix("+") { return out.styled(line, .green) }
        if line.hasPrefix("-") { return out.styled(line, .red) }
        return line
    }
}

extension Event {
    /// The event as `log` and `show` print it: its fields (hashes shortened), then its reason.
    public func logLine(_ out: TextOutput) -> String {
        let details = data.filter { $0.key != "reason" }.sorted(by: { $0.key < $1.key }).map { key, value in
            // A hash shows short, as git does; a value of several lines (a signature) shows its first line.
            "\(key)=\(value.count == 64 && value.allSatisfy(\.isHexDigit) ? String(value.prefix(12)) : value.contains("\n") ? (value.split(separator: "\n").first.map(String.init) ?? "") + "…" : value)"
        }
        var text = "#\(seq) \(Timestamp.string(from: at)) \(out.styled(kind, .cyan)) by \(actor)"
        if !details.isEmpty { text += " " + details.joined(separator: " ") }
        if let reason = data["reason"] { text += " — \(reason)" }
        return text
    }
}

extension FsckReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        for problem in problems { out.line(out.styled("problem: ", .red) + problem) }
        for warning in warnings { out.line(out.styled("warning: ", .yellow) + warning) }
        let summary = "\(events) events, \(versions) versions, \(objects) objects, \(tags) tags"
        out.line(ok ? "fsck: ok (\(summary))" : "fsck: \(problems.count) problem(s) found (\(summary))")
    }
}

extension RequestRecord {
    /// `requests`: one row per request, its input cut to 40 characters.
    public static func table(_ records: [RequestRecord]) -> String {
        guard !records.isEmpty else { return "No requests yet. Send some with 'LabRunner traffic --requests 100'.\n" }
        let rows = records.map { record in
            [
                record.id, Timestamp.string(from: record.at), String(record.version.prefix(12)), record.source,
                record.satisfied.map { $0 ? "yes" : "no" } ?? "-", String(record.input.prefix(40)),
            ]
        }
        return Table(headers: ["REQUEST", "AT (UTC)", "VERSION", "SOURCE", "SATISFIED", "INPUT"], rows: rows).render()
    }
}

extension Registry {
    /// `tags`: each tag with the version it points to.
    public func tagTable() throws -> String {
        let tags = tags()
        guard !tags.isEmpty else {
            return "No tags yet. Point one at a version with 'LabRunner tag NAME REF --by NAME --reason TEXT'.\n"
        }
        let rows = try tags.sorted(by: { $0.key < $1.key }).map { name, id in
            let record = try record(id: id)
            return [name, "#\(record.seq)", record.shortID, record.metadata.reason]
        }
        return Table(headers: ["TAG", "SEQ", "ID", "VERSION REASON"], rows: rows).render()
    }
}
