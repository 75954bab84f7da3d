// Every flaw kind is detectable with the kit's own commands: for each kind, the detection path a candidate would use
// (the library calls behind hash, show, tags, log, audit, rollback --dry-run, incident show) finds the planted evidence.
@testable import Critique
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct DetectionTests {
    static let families = ["weights-only", "hand-deploys", "eval-theatre"]

    @Test func everyPlantedKindIsCoveredAcrossTheFamilies() throws {
        let codes = Set(Families.all.flatMap(\.pool))
        #expect(codes.count >= 14)
        #expect(Taxonomy.kinds.count > codes.count, "the taxonomy has more codes than any scenario uses")
    }

    @Test(arguments: families)
    func eachKindIsFoundByTheKitsCommands(family: String) throws {
        let built = try Built.scenario(family, seed: 5, everyFlaw: true)
        #expect(Set(built.key.flaws.map(\.code)) == Set(try Families.family(family).pool))
        let context = try PlayContext(workspace: Workspace(root: built.folder))
        for flaw in built.key.flaws {
            let found = try Self.detect(flaw.code, folder: built.folder, context: context)
            #expect(!found.isEmpty, "\(flaw.code): the detection path found nothing")
            for token in found {
                #expect(flaw.evidence.contains(token), "\(flaw.code): detected \(token), not in the key")
            }
        }
    }

    static func text(_ folder: String, _ file: String) -> String {
        String(decoding: FileManager.default.contents(atPath: folder + "/" + file) ?? Data(), as: UTF8.self)
    }

    /// What a candidate's commands show, as evidence tokens.
    static func detect(_ code: String, folder: String, context: PlayContext) throws -> [String] {
        let registry = context.registry
        let events = try registry.events()
        let versions = try registry.versions()
        let production = try registry.resolve("production")
        func promptHash(_ record: VersionRecord) -> String? { record.manifest.components["prompt.md"]?.sha256 }
        switch code {
        case "PROMPT-EDITED-IN-PLACE":
            // LabRunner hash system/prompt.md vs LabRunner show production, then a line diff.
            let live = text(folder, "system/prompt.md")
            guard SHA256.hash(Data(live.utf8)).hex != promptHash(production),
                case .file(let data)? = try registry.contents(of: production)["prompt.md"]
            else { return [] }
            let registered = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            let changed = live.components(separatedBy: "\n").enumerated().first { $0.element != registered[$0.offset] }
            return changed.map { ["file:system/prompt.md:\($0.offset + 1)"] } ?? []
        case "PROMPT-STORE-LABEL":
            // The label serving reads, then LabRunner hash on its file: not production's prompt, nor any version's.
            let labels = text(folder, "prompt-store/labels.json")
            guard let range = labels.range(of: #""prod": "v\d+""#, options: .regularExpression) else { return [] }
            let file = "prompt-store/prompts/" + labels[range].dropFirst(9).dropLast() + ".md"
            let served = SHA256.hash(Data(text(folder, file).utf8)).hex
            guard !versions.contains(where: { promptHash($0) == served }) else { return [] }
            return ["file:" + file]
        case "COPY-PROMOTION":
            // LabRunner hash deploy/current/prompt.md matches a version the production tag never pointed at.
            let copied = SHA256.hash(Data(text(folder, "deploy/current/prompt.md").utf8)).hex
            guard let version = versions.first(where: { promptHash($0) == copied }), version.id != production.id,
                try registry.tagHistory("production").allSatisfy({ $0.to != version.id })
            else { return [] }
            return ["version:\(version.id)"]
        case "LOGS-WITHOUT-VERSION":
            // LabRunner audit REQ for a request from the team's log: unknown to the attribution log.
            let line = text(folder, "logs/serving.log").components(separatedBy: "\n")[0]
            guard let id = line.split(separator: " ").map(String.init).first(where: { $0.hasPrefix("req-") }) else {
                return []
            }
            #expect(throws: PlaybookError.unknownRequest(id)) {
                try AuditPlay.run(requestID: id, replay: false, in: context)
            }
            #expect(!versions.contains { line.contains($0.shortID) })
            return ["request:\(id)"]
        case "SUITE-CHANGED":
            // LabRunner show on the two versions the release notes compare: different suite hashes.
            let notes = text(folder, "reports/release-notes.md")
            let seqs = notes.split(separator: "#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            let compared = try Set(seqs).map { try registry.resolve("#\($0)") }
            let suites = Set(compared.compactMap { $0.metadata.extra["eval_suite_sha256"] })
            return suites.count > 1 ? compared.map { "version:\($0.id)" } : []
        case "GC-DELETED-SERVED":
            // LabRunner requests, then LabRunner audit REQ: the version that answered has blobs collected.
            let served = try AttributionLog(registryRoot: registry.root).recent(limit: 10_000)
            return try served.compactMap { record in
                try AuditPlay.run(requestID: record.id, replay: false, in: context).collected.map { "event:\($0.seq)" }
            }.uniqued()
        case "MUTABLE-LATEST":
            // deploy/serve.json names latest-build; LabRunner tags/log: latest-build moved by hand on every registration.
            guard text(folder, "deploy/serve.json").contains("\"latest-build\"") else { return [] }
            return try registry.tagHistory("latest-build").map { "event:\($0.event)" }
        case "NOISE-REGRESSION":
            // LabRunner log: a rollback of a version whose recorded eval equals its parent's (same seed, same suite).
            guard let rollback = events.last(where: { $0.kind == EventKind.tagMoved && $0.data["play"] == "rollback" }),
                let from = rollback.data["from"]
            else { return [] }
            let bad = try registry.record(id: from)
            let parent = try registry.record(id: bad.metadata.parent ?? "")
            let same = bad.metadata.extra["eval_pass_rate"] == parent.metadata.extra["eval_pass_rate"]
            return same ? ["event:\(rollback.seq)"] : []
        case "NO-LINEAGE":
            // LabRunner versions: a root in the middle of the history.
            return versions.filter { $0.seq > 1 && $0.metadata.parent == nil }.map { "version:\($0.id)" }
        case "UNRECORDED-TRAINING":
            // LabRunner show: lineage unverified (no training.recorded produced these weights).
            return versions.filter { $0.metadata.extra["lineage_unverified"] != nil }.map { "version:\($0.id)" }
        case "NO-ROLLBACK-REHEARSAL":
            // LabRunner log: the last rollback is more than 90 days before the last event.
            guard let last = events.last,
                let rollback = events.last(where: { $0.kind == EventKind.tagMoved && $0.data["play"] == "rollback" }),
                last.at.timeIntervalSince(rollback.at) > 90 * 86_400
            else { return [] }
            return ["event:\(rollback.seq)"]
        case "APPROVER-IS-AUTHOR":
            // LabRunner log: a high-stakes production move approved by the version's own owner.
            return try events.filter { event in
                guard event.kind == EventKind.tagMoved, event.data["high_stakes"] == "true", let to = event.data["to"]
                else { return false }
                return try registry.record(id: to).metadata.owner == event.data["approver"]
            }.map { "event:\($0.seq)" }
        case "CONFIG-WITHOUT-EVAL":
            // LabRunner show: a version with no eval; LabRunner log: production moved to it without a play.
            return versions.filter { $0.metadata.extra["eval_pass_rate"] == nil }.map { "version:\($0.id)" }
        case "FORCED-AS-KNOWN-GOOD":
            // LabRunner log: a hand move back to a version whose promotion overrode its gate.
            let forced = Set(events.filter { $0.data["gate"] == "overridden" }.compactMap { $0.data["to"] })
            return events.filter { event in
                event.kind == EventKind.tagMoved && event.data["play"] == nil && event.data["tag"] == "production"
                    && forced.contains(event.data["to"] ?? "")
            }.map { "event:\($0.seq)" }
        case "DETECTION-BEFORE-DEPLOY":
            // LabRunner incident show: detected before the bad version reached production.
            return try Incidents.all(events: events).filter { incident in
                guard let bad = incident.badVersion,
                    let arrival = events.first(where: {
                        $0.kind == EventKind.tagMoved && $0.data["tag"] == "production" && $0.data["to"] == bad
                    })
                else { return false }
                return incident.detectedAt < arrival.at
            }.map { "incident:\($0.id)" }
        default:
            Issue.record("no detection path for \(code)")
            return []
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
