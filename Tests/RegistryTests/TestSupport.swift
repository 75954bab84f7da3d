// Temporary registries for tests.
import Foundation
import Hashing
import LabTestSupport
import Registry

func makeRegistry(in folder: TemporaryFolder) throws -> Registry {
    try Registry.create(root: folder.path + "/registry", actor: "tester")
}

func components(prompt: String = "tone: friendly\n", config: String = "{}\n") -> [String: ComponentData] {
    [
        "prompt.md": .file(Data(prompt.utf8)),
        "config.json": .file(Data(config.utf8)),
        "index": .folder([
            "refunds.md": Data("Refunds within 30 days.\n".utf8), "faq/shipping.md": Data("Ships in 2 days.\n".utf8),
        ]),
    ]
}

func metadata(parent: String? = nil, reason: String = "test") -> VersionMetadata {
    VersionMetadata(
        owner: "alice", parent: parent, reason: reason, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
}

extension Registry {
    @discardableResult
    func registerSample(prompt: String = "tone: friendly\n", parent: String? = nil) throws -> VersionRecord {
        try register(
            components: components(prompt: prompt), lineage: nil, lineageData: nil, metadata: metadata(parent: parent)
        )
        .record
    }
}

/// The manifest `register` would compute for `components` (no lineage), to predict version ids.
func manifest(of components: [String: ComponentData]) throws -> VersionManifest {
    var entries: [String: ComponentEntry] = [:]
    for (name, content) in components {
        switch content {
        case .file(let data):
            entries[name] = ComponentEntry(kind: .file, sha256: SHA256.hash(data).hex)
        case .folder(let files):
            let listing = FolderManifest(files: files.mapValues { SHA256.hash($0).hex })
            entries[name] = ComponentEntry(kind: .folder, sha256: SHA256.hash(try CanonicalJSON.encode(listing)).hex)
        }
    }
    return VersionManifest(components: entries, lineage: nil)
}
