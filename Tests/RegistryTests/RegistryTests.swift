// Versions, tags, refs, checkout and diffs as a user of the registry sees them.
import Foundation
import Hashing
import LabTestSupport
import Registry
import Testing

@Suite struct RegistryTests {
    @Test func registeringTheSameContentTwiceReportsTheExistingVersion() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let first = try registry.register(
            components: components(), lineage: nil, lineageData: nil, metadata: metadata())
        let second = try registry.register(
            components: components(), lineage: nil, lineageData: nil, metadata: metadata(reason: "again"))
        #expect(!first.existing)
        #expect(second.existing)
        #expect(first.record.id == second.record.id)
        #expect(try registry.versions().count == 1)
        #expect(first.record.id.count == 64)
        #expect(first.record.seq == 1)
    }

    @Test func aPromptOnlyChangeMakesANewVersionWithTheNextSequenceNumber() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let base = try registry.registerSample()
        let edited = try registry.registerSample(prompt: "tone: formal\n", parent: base.id)
        #expect(base.id != edited.id)
        #expect(edited.seq == 2)
        let diff = try registry.diff(base, edited)
        #expect(diff.changedComponents == ["prompt.md"])
        let promptDiff = diff.components.first { $0.component == "prompt.md" }?.diff ?? []
        #expect(promptDiff.contains("-tone: friendly"))
        #expect(promptDiff.contains("+tone: formal"))
    }

    @Test func dataLineageIsPartOfTheVersionIdentity() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let a = try registry.register(
            components: components(),
            lineage: DatasetLineage(dataset: "data/train.csv", sha256: String(repeating: "a", count: 64)),
            lineageData: nil, metadata: metadata())
        let b = try registry.register(
            components: components(),
            lineage: DatasetLineage(dataset: "data/train.csv", sha256: String(repeating: "b", count: 64)),
            lineageData: nil, metadata: metadata())
        #expect(a.record.id != b.record.id)
        #expect(try registry.diff(a.record, b.record).lineageChanged)
    }

    @Test func missingOwnerOrReasonWritesNothing() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let before = try registry.events().count
        var noOwner = metadata()
        noOwner.owner = " "
        #expect(throws: RegistryError.self) {
            try registry.register(components: components(), lineage: nil, lineageData: nil, metadata: noOwner)
        }
        var noReason = metadata()
        noReason.reason = ""
        #expect(throws: RegistryError.self) {
            try registry.register(components: components(), lineage: nil, lineageData: nil, metadata: noReason)
        }
        #expect(try registry.events().count == before)
        #expect(registry.objects.allHashes().isEmpty)
    }

    @Test func refsResolveBySequenceTagPrefixAndTagHistory() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let v2 = try registry.registerSample(prompt: "tone: formal\n", parent: v1.id)
        try registry.moveTag("production", to: v1.id, by: "bob", reason: "first release")
        try registry.moveTag("production", to: v2.id, by: "bob", reason: "second release")
        #expect(try registry.resolve("#1").id == v1.id)
        #expect(try registry.resolve("production").id == v2.id)
        #expect(try registry.resolve("production~1").id == v1.id)
        #expect(try registry.resolve(String(v2.id.prefix(10))).id == v2.id)
        #expect(throws: RegistryError.tagHasNoHistory(tag: "production", steps: 2)) {
            try registry.resolve("production~2")
        }
        #expect(throws: RegistryError.unknownRef("#9")) { try registry.resolve("#9") }
        #expect(throws: RegistryError.unknownRef("nothing-here")) { try registry.resolve("nothing-here") }
        #expect(try registry.resolve("latest").id == v2.id)
        let history = try registry.tagHistory("production")
        #expect(history.map(\.details) == [[:], [:]], "only the mover's own facts are details")
    }

    @Test func aReplacedLinePrintsItsRemovalFirst() {
        let lines = LineDiff.unified(
            oldText: "a\nescalate: x, y\nc\n", newText: "a\nescalate: y\nc\n", oldName: "p", newName: "p")
        #expect(lines == ["--- a/p", "+++ b/p", "@@ -1,3 +1,3 @@", " a", "-escalate: x, y", "+escalate: y", " c"])
    }

    @Test func anAmbiguousPrefixListsTheCandidates() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        // Find two prompts whose version ids share their first four hex digits, then register both.
        var seen: [String: String] = [:]
        var pair: (String, String)?
        for n in 0..<5000 where pair == nil {
            let prompt = "note \(n)\n"
            let id = try Registry.versionID(of: manifest(of: components(prompt: prompt)))
            let prefix = String(id.prefix(4))
            if let other = seen[prefix] { pair = (other, prompt) } else { seen[prefix] = prompt }
        }
        let (first, second) = try #require(pair)
        let a = try registry.registerSample(prompt: first)
        let b = try registry.registerSample(prompt: second)
        let prefix = String(a.id.prefix(4))
        #expect(b.id.hasPrefix(prefix))
        do {
            _ = try registry.resolve(prefix)
            Issue.record("an ambiguous prefix resolved")
        } catch let error as RegistryError {
            #expect(error.description.contains(a.shortID))
            #expect(error.description.contains(b.shortID))
            #expect(error.description.contains("type more characters"))
        }
    }

    @Test func tagNamesWithSlashesDotsOrSpacesAreRefused() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        for bad in ["a/b", "..", "a..b", "with space", "", "../escape"] {
            #expect(throws: RegistryError.invalidTagName(bad)) {
                try registry.moveTag(bad, to: v1.id, by: "bob", reason: "x")
            }
        }
        #expect(registry.tags().isEmpty)
    }

    @Test func tagNamesThatReadAsVersionRefsAreRefusedAndWriteNothing() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let v2 = try registry.registerSample(prompt: "tone: formal\n", parent: v1.id)
        let eventsBefore = try registry.events().count
        for bad in [v1.id, String(v2.id.prefix(12)), "cafe", "DEADBEEF", "2024", "latest", "Latest"] {
            #expect(throws: RegistryError.self) { try registry.moveTag(bad, to: v2.id, by: "bob", reason: "x") }
        }
        for bad in ["#2", "production~1", "a~b"] {
            #expect(throws: RegistryError.invalidTagName(bad)) {
                try registry.moveTag(bad, to: v2.id, by: "bob", reason: "x")
            }
        }
        #expect(registry.tags().isEmpty)
        #expect(try registry.events().count == eventsBefore)
        for good in ["production", "exp-cafe", "v1.2", "abc", "release-2024", "cafe-1", "staging_b"] {
            try registry.moveTag(good, to: v1.id, by: "bob", reason: "fine")
        }
    }

    @Test func aFullIdAlwaysMeansThatVersionEvenAgainstAnOldTagOfThatName() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let v2 = try registry.registerSample(prompt: "tone: formal\n", parent: v1.id)
        // A tag file made before the naming rule, named with v1's id (and its prefix), pointing at v2.
        for name in [v1.id, String(v1.id.prefix(8))] {
            try Data((v2.id + "\n").utf8).write(to: URL(fileURLWithPath: registry.root + "/tags/" + name))
        }
        #expect(try registry.resolve(v1.id).id == v1.id)
        #expect(try registry.resolve(String(v1.id.prefix(8))).id == v1.id)
        #expect(try registry.resolve(v1.id.uppercased()).id == v1.id)
    }

    @Test func refsAreNeverPaths() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let secret = folder.path + "/secret"
        try Data("s3cr3t-contents\n".utf8).write(to: URL(fileURLWithPath: secret))
        for ref in ["../../secret", "../../../../../../etc/hostname", "/etc/hostname", "tags/../../secret~0"] {
            do {
                _ = try registry.resolve(ref)
                Issue.record("\(ref) resolved")
            } catch {
                #expect(error as? RegistryError == .unknownRef(ref), "\(ref): \(error)")
                #expect(!String(describing: error).contains("s3cr3t"))
            }
        }
        // A tag file whose content is a path is not followed either.
        try Data("../../secret\n".utf8).write(to: URL(fileURLWithPath: registry.root + "/tags/odd"))
        #expect(throws: RegistryError.unknownRef("../../secret")) { try registry.resolve("odd") }
        #expect(throws: RegistryError.unknownRef("../../secret")) { try registry.record(id: "../../secret") }
        #expect(try registry.resolve("#1").id == v1.id)
    }

    @Test func aTagMoveIsACompareAndSwapWhenAsked() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let v2 = try registry.registerSample(prompt: "x\n", parent: v1.id)
        try registry.moveTag("production", to: v1.id, by: "bob", reason: "release", expecting: .pointsTo(nil))
        let events = try registry.events().count
        #expect(throws: RegistryError.self) {
            try registry.moveTag("production", to: v2.id, by: "bob", reason: "stale", expecting: .pointsTo(v2.id))
        }
        #expect(try registry.events().count == events)
        #expect(registry.tag("production") == v1.id)
        let history = try registry.tagHistory("production")
        #expect(history.map(\.to) == [v1.id])
        #expect(history.first?.by == "bob")
    }

    @Test func checkoutWritesEveryComponentBack() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let v1 = try registry.registerSample()
        let out = folder.path + "/out"
        try registry.checkout(v1, into: out)
        #expect(FileManager.default.contents(atPath: out + "/prompt.md") == Data("tone: friendly\n".utf8))
        #expect(FileManager.default.contents(atPath: out + "/index/faq/shipping.md") == Data("Ships in 2 days.\n".utf8))
        #expect(throws: RegistryError.destinationNotEmpty(path: out)) { try registry.checkout(v1, into: out) }
    }

    @Test func componentScannerRefusesASymlinkLeavingTheWorkspace() throws {
        let folder = try TemporaryFolder()
        let outside = try TemporaryFolder()
        let system = folder.path + "/system"
        try FileManager.default.createDirectory(atPath: system, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: system + "/prompt.md"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside.path + "/secret.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: system + "/config.json", withDestinationPath: outside.path + "/secret.txt")
        #expect(throws: RegistryError.self) {
            try ComponentScanner.scan(folder: system, workspaceRoot: folder.path)
        }
        try FileManager.default.removeItem(atPath: system + "/config.json")
        try FileManager.default.createSymbolicLink(
            atPath: system + "/config.json", withDestinationPath: system + "/prompt.md")
        let scanned = try ComponentScanner.scan(folder: system, workspaceRoot: folder.path)
        #expect(scanned["config.json"] == .file(Data("x".utf8)))
    }

    @Test func workspaceIsFoundByWalkingUp() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(
            atPath: folder.path + "/ws/.labrunner/registry", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: folder.path + "/ws/system/deep", withIntermediateDirectories: true)
        let found = try Workspace.locate(
            explicit: nil, environment: [:], currentDirectory: folder.path + "/ws/system/deep")
        #expect(found.root.hasSuffix("/ws"))
        try FileManager.default.createDirectory(
            atPath: folder.path + "/repo/lab-workspace/.labrunner", withIntermediateDirectories: true)
        let child = try Workspace.locate(explicit: nil, environment: [:], currentDirectory: folder.path + "/repo")
        #expect(child.root == folder.path + "/repo/lab-workspace")
        #expect(throws: RegistryError.self) {
            try Workspace.locate(explicit: folder.path, environment: [:], currentDirectory: "/")
        }
        let message = RegistryError.workspaceNotFound(searchedFrom: "/tmp/x").description
        #expect(message.contains("LabRunner init"))
    }
}
