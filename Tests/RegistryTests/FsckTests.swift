// fsck: a registry built by many random operations passes; any tampering is caught and named.
import Foundation
import LabTestSupport
import Registry
import Testing

@Suite struct FsckTests {
    func randomHistory(_ registry: Registry, operations: Int, seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var ids: [String] = []
        for step in 0..<operations {
            switch random.below(4) {
            case 0, 1:
                let parent = ids.isEmpty ? nil : ids[random.below(ids.count)]
                ids.append(try registry.registerSample(prompt: "step \(random.below(12))\n", parent: parent).id)
            case 2 where !ids.isEmpty:
                let tag = ["production", "staging", "exp-a"][random.below(3)]
                try registry.moveTag(tag, to: ids[random.below(ids.count)], by: "ops", reason: "step \(step)")
            default:
                try registry.write { writer in
                    try writer.append(kind: "note.added", actor: "ops", data: ["step": String(step)])
                }
            }
        }
    }

    @Test func aLongRandomHistoryPasses() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let seed = TestSeed(fixed: 7)
        try randomHistory(registry, operations: 120, seed: seed.value)
        let report = registry.fsck()
        #expect(report.problems == [], seed.comment)
        #expect(report.warnings == [], seed.comment)
        #expect(report.events == (try registry.events().count))
        #expect(report.versions == (try registry.versions().count))
    }

    @Test func changingAnyByteOfTheEventLogIsCaughtAndTheLineNamed() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let seed = TestSeed(fixed: 3)
        try randomHistory(registry, operations: 12, seed: seed.value)
        let path = registry.root + "/events.jsonl"
        let original = try #require(FileManager.default.contents(atPath: path))
        let lineStarts = [0] + original.indices.filter { original[$0] == 0x0A }.map { $0 + 1 }
        // The flipped bytes come from the same seed (3 + 8 = 11: the positions this test has always flipped).
        var random = SplitMix(seed: seed.value &+ 8)
        var positions = Set((0..<150).map { _ in random.below(original.count) })
        positions.insert(0)
        positions.insert(original.count - 1)
        for position in positions.sorted() {
            var tampered = original
            tampered[position] = tampered[position] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            try tampered.write(to: URL(fileURLWithPath: path))
            let report = registry.fsck()
            let line = lineStarts.lastIndex { $0 <= position }.map { $0 + 1 } ?? 1
            #expect(!report.ok, "flipping byte \(position) went unnoticed (\(seed))")
            let named = report.problems.contains { $0.contains("line \(line) ") || $0.contains("line \(line):") }
            #expect(named, "byte \(position) is on line \(line) (\(seed)), but fsck said: \(report.problems)")
        }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(registry.fsck().ok)
    }

    @Test func removingAnyLineIsCaught() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try randomHistory(registry, operations: 10, seed: 5)
        let path = registry.root + "/events.jsonl"
        let original = try #require(FileManager.default.contents(atPath: path))
        let lines = original.split(separator: 0x0A)
        for removed in lines.indices {
            var kept = lines
            kept.remove(at: removed)
            try Data(kept.map { Data($0) + Data([0x0A]) }.joined()).write(to: URL(fileURLWithPath: path))
            let report = registry.fsck()
            #expect(!report.ok, "removing line \(removed + 1) went unnoticed")
        }
        try original.write(to: URL(fileURLWithPath: path))
    }

    @Test func aFlippedObjectByteIsCaughtAndTheObjectNamed() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        try registry.registerSample()
        for hash in registry.objects.allHashes() {
            let path = registry.objects.path(of: hash)
            let original = try #require(FileManager.default.contents(atPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            var tampered = original
            tampered[0] ^= 0x01
            try tampered.write(to: URL(fileURLWithPath: path))
            let report = registry.fsck()
            #expect(report.problems.contains { $0.contains(String(hash.dropFirst(2))) && $0.contains("corrupt") })
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(registry.fsck().ok)
    }

    @Test func aDamagedVersionFileIsNamedWithAPointerToFsck() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let record = try registry.registerSample()
        let path = registry.root + "/versions/\(record.id).json"
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try registry.resolve(record.shortID)
            Issue.record("a damaged version file was read")
        } catch let error as RegistryError {
            #expect(error.description.contains(record.id))
            #expect(error.description.contains("LabRunner fsck"))
        }
        #expect(registry.fsck().problems.contains { $0.contains("versions/\(record.id).json") })
    }

    @Test func anInterruptedAppendIsCompletedByTheNextWriter() throws {
        let folder = try TemporaryFolder()
        let registry = try makeRegistry(in: folder)
        let record = try registry.registerSample()
        let path = registry.root + "/events.jsonl"
        // A torn final line that was never acknowledged: fsck warns, the next writer discards it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"seq\":3,\"kind\":\"tag.mo".utf8))
        try handle.close()
        let report = registry.fsck()
        #expect(report.ok)
        #expect(report.warnings.count == 1)
        try registry.moveTag("production", to: record.id, by: "ops", reason: "after the crash")
        #expect(registry.fsck().warnings == [])
        #expect(registry.fsck().ok)
        #expect(registry.tag("production") == record.id)
    }
}
