// A version whose blobs are gone (collected, or deleted by hand) never gets a serving tag, fsck names a serving
// tag and logged requests that point at one, and the same content registered again brings the blobs back.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Testing

@Suite struct ServingArtifactsTests {
    /// A version with an index file of its own, so each of its blobs can go without touching another version's.
    func registerOwn(_ registry: Registry, _ name: String) throws -> (VersionRecord, Registry.PreparedVersion) {
        var parts = components(prompt: "tone: \(name)\n")
        parts["index"] = .folder(["\(name).md": Data("# \(name)\n\nOnly \(name) has this.\n".utf8)])
        let prepared = try Registry.prepare(components: parts, lineage: nil, lineageData: nil)
        return (try registry.register(prepared, metadata: metadata()).record, prepared)
    }

    func delete(_ registry: Registry, _ hash: String) throws {
        try FileManager.default.removeItem(atPath: registry.objects.path(of: hash))
    }

    func indexFile(of record: VersionRecord, in registry: Registry) throws -> String {
        let listing = try registry.folderListing(try #require(record.manifest.components["index"]).sha256)
        return try #require(listing.files.values.first)
    }

    @Test func aServingTagIsRefusedForAVersionMissingAnyBlobAndNothingIsWritten() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let (first, _) = try registerOwn(registry, "first")
        try registry.moveTag("production", to: first.id, by: "ops", reason: "first")
        // Each kind of blob a component has: a file, a folder's listing, one file inside a folder.
        for blob in ["prompt", "listing", "index file"] {
            let (record, _) = try registerOwn(registry, "lost-\(blob.replacingOccurrences(of: " ", with: "-"))")
            switch blob {
            case "prompt": try delete(registry, try #require(record.manifest.components["prompt.md"]).sha256)
            case "listing": try delete(registry, try #require(record.manifest.components["index"]).sha256)
            default: try delete(registry, try indexFile(of: record, in: registry))
            }
            let before = try registry.events().count
            let refusal = #expect(throws: RegistryError.self, "\(blob)") {
                try registry.moveTag("production", to: record.id, by: "ops", reason: "serve it")
            }
            let message = refusal.map(String.init(describing:)) ?? ""
            #expect(message.hasPrefix("Cannot point production at version #\(record.seq) \(record.shortID):"))
            #expect(message.contains("are missing from the object store"), "\(message)")
            #expect(message.contains("register the same content again to restore them"))
            #expect(message.hasSuffix("nothing was written."))
            #expect(try registry.events().count == before, "a refused move writes no event")
            #expect(registry.tag("production") == first.id)
            // A tag serving does not read may still name it.
            try registry.moveTag("archive-\(record.seq)", to: record.id, by: "ops", reason: "keep the name")
        }
    }

    @Test func aCollectedVersionSaysWhenAndComesBackWhenItsContentIsRegisteredAgain() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let (record, prepared) = try registerOwn(registry, "collected")
        let blobs = [
            try #require(record.manifest.components["prompt.md"]).sha256, try indexFile(of: record, in: registry),
        ]
        try registry.write { writer in
            try writer.append(
                BlobsCollected(versions: [record.id], blobs: blobs, bytes: 1, reason: "test"), actor: "gc")
        }
        for hash in blobs { try delete(registry, hash) }
        #expect(registry.fsck().ok, "collected blobs of a version nothing serves or logged are not damage")
        #expect(throws: RegistryError.self) {
            try registry.moveTag("production", to: record.id, by: "ops", reason: "serve it")
        }
        do {
            try registry.requireArtifacts(of: record, to: "start a canary on")
            Issue.record("a collected version passed the check")
        } catch {
            #expect("\(error)".contains("its artifacts were garbage-collected at "), "\(error)")
            #expect("\(error)".contains("(component 'index')"), "\(error)")
        }
        #expect(try registry.write { try $0.restoreBlobs(of: prepared) } == 2)
        #expect(try registry.write { try $0.restoreBlobs(of: prepared) } == 0, "only what is missing is stored")
        try registry.moveTag("production", to: record.id, by: "ops", reason: "restored")
        #expect(try registry.contents(of: record).count == record.manifest.components.count)
        #expect(registry.fsck().ok)
    }

    @Test func fsckNamesAServingTagAndLoggedRequestsWhoseVersionLostItsBlobs() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let (served, _) = try registerOwn(registry, "served")
        let (canaried, _) = try registerOwn(registry, "canaried")
        try registry.moveTag("production", to: served.id, by: "ops", reason: "serve")
        let log = AttributionLog(registryRoot: registry.root)
        func request(_ n: Int, _ version: VersionRecord, source: String) -> RequestRecord {
            RequestRecord(
                id: "req-\(source)-\(n)", at: Date(timeIntervalSince1970: 1_795_000_000), version: version.id, seed: 1,
                input: "where is my order", inputSHA256: "in", output: "{}", outputSHA256: "out", satisfied: nil,
                source: source, caseID: nil, latencyMicros: 5)
        }
        try log.append((0..<3).map { request($0, served, source: "http") })
        try log.append((0..<1000).map { request($0, canaried, source: "canary") })
        #expect(registry.fsck().ok)

        // gc took the canaried version's blobs (as the race did): recorded, so no object is "missing", but
        // 1000 logged answers can no longer be replayed.
        let index = try indexFile(of: canaried, in: registry)
        try registry.write { writer in
            try writer.append(
                BlobsCollected(versions: [canaried.id], blobs: [index], bytes: 1, reason: "test"), actor: "gc")
        }
        try delete(registry, index)
        let collected = registry.fsck().problems
        #expect(
            collected == [
                "1000 request(s) in requests/log.jsonl were answered by #\(canaried.seq) \(canaried.shortID), whose "
                    + "artifacts were garbage-collected at \(Timestamp.string(from: try #require(try registry.collection(of: canaried.id)).at)) "
                    + "(component 'index'): their audits cannot replay; register the same content again to restore them."
            ])

        // The production version's prompt deleted by hand: the tag and its requests are named, once each.
        try delete(registry, try #require(served.manifest.components["prompt.md"]).sha256)
        let problems = registry.fsck().problems
        #expect(
            problems.filter {
                $0.hasPrefix(
                    "tags/production points to #\(served.seq) \(served.shortID), whose artifacts are missing from the object store (component 'prompt.md'): serving cannot load it"
                )
            }.count == 1, "\(problems)")
        #expect(
            problems.filter { $0.hasPrefix("3 request(s) in requests/log.jsonl were answered by #\(served.seq)") }.count
                == 1, "\(problems)")
    }
}
