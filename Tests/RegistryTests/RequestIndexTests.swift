// The request index describes the log's bytes, not its file: a copy of the folder keeps a valid index, a
// retention rewrite does not (even where a crash left the old index behind), and an index of the format
// before this one is still read. The counts of answers by version come from the same log in one pass.
import Foundation
import LabTestSupport
import Registry
import Testing

@Suite struct RequestIndexTests {
    func record(_ id: String, at: Date = Date(timeIntervalSince1970: 1_795_000_000), version: String = "v1")
        -> RequestRecord
    {
        RequestRecord(
            id: id, at: at, version: String(repeating: version == "v1" ? "a" : "b", count: 64), seed: 7,
            input: "where is my \"order\"", inputSHA256: "in", output: "{\"intent\":\"order_status\"}",
            outputSHA256: "out", satisfied: true, source: version == "v1" ? "traffic" : "canary", caseID: "c1",
            latencyMicros: 40)
    }

    func inodeOfLog(_ folder: String) throws -> Int {
        try #require(
            try FileManager.default.attributesOfItem(atPath: folder + "/requests/log.jsonl")[.systemFileNumber] as? Int)
    }

    /// The index header's fifth word: the log inode it was last stamped with.
    func stampedInode(_ folder: String) throws -> Int {
        let header = try #require(FileManager.default.contents(atPath: folder + "/requests/index.bin")).prefix(40)
        return Int(header.withUnsafeBytes { $0.load(fromByteOffset: 32, as: UInt64.self) })
    }

    @Test func aCopiedFolderKeepsItsIndexAndTheNextAppendStampsTheCopy() throws {
        let original = try TemporaryFolder()
        let log = AttributionLog(registryRoot: original.path)
        try log.append((0..<500).map { record("req-\($0)") })
        #expect(log.verify().isEmpty)
        let copies = try TemporaryFolder()
        let copy = copies.path + "/copy"
        try FileManager.default.copyItem(atPath: original.path, toPath: copy)
        #expect(try inodeOfLog(copy) != inodeOfLog(original.path), "a copy is a new file")
        let copied = AttributionLog(registryRoot: copy)
        #expect(copied.verify() == [], "the index describes the copy's bytes as well")
        #expect(try copied.lookup("req-321")?.id == "req-321")
        try copied.append([record("req-new")])
        #expect(try stampedInode(copy) == inodeOfLog(copy), "the index now names the copy's file")
        #expect(copied.verify() == [])
        #expect(try copied.lookup("req-new")?.id == "req-new" && copied.lookup("req-7")?.id == "req-7")
    }

    @Test func aRewrittenLogIsNeverReadThroughTheOldIndex() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        let old = Date(timeIntervalSince1970: 1_795_000_000)
        try log.append((0..<300).map { record("req-\($0)", at: old.addingTimeInterval(Double($0) * 3600)) })
        let index = folder.path + "/requests/index.bin"
        let stale = try #require(FileManager.default.contents(atPath: index))
        // Retention drops the inputs of the first 100 requests: every later line moves.
        #expect(try log.dropInputs(answeredBefore: old.addingTimeInterval(100 * 3600), now: old) == 100)
        #expect(log.verify() == [])
        // A crash between the log's rename and the new index leaves the old one, and a copy of the folder
        // then gives it a new inode too: neither its inode nor its fingerprint describes the new bytes.
        for copied in [false, true] {
            var root = folder.path
            let holder = try TemporaryFolder()
            if copied {
                root = holder.path + "/copy"
                try FileManager.default.copyItem(atPath: folder.path, toPath: root)
            }
            try stale.write(to: URL(fileURLWithPath: root + "/requests/index.bin"))
            let reader = AttributionLog(registryRoot: root)
            #expect(reader.verify().contains { $0.contains("requests/index.bin is missing or damaged") }, "\(copied)")
            for n in [0, 99, 100, 150, 299] {
                let found = try #require(try reader.lookup("req-\(n)"), "req-\(n), copied \(copied)")
                #expect(found.id == "req-\(n)" && found.hasInput == (n >= 100))
            }
            try reader.append([record("req-after")])
            #expect(reader.verify() == [], "the next writer rebuilt it (copied \(copied))")
            #expect(try reader.lookup("req-150")?.id == "req-150")
        }
    }

    @Test func anIndexOfThePreviousFormatIsStillReadAndThenReplaced() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append((0..<50).map { record("req-\($0)") })
        // The same table under the 40-byte header it had before the fingerprint ("RLRIDX02").
        let path = folder.path + "/requests/index.bin"
        let current = try #require(FileManager.default.contents(atPath: path))
        var older = Data()
        withUnsafeBytes(of: UInt64(0x3230_5844_4952_4C52)) { older.append(contentsOf: $0) }
        older.append(current[8..<40])
        older.append(current[48...])
        try older.write(to: URL(fileURLWithPath: path))
        #expect(log.verify() == [])
        #expect(try log.lookup("req-42")?.id == "req-42")
        try log.append([record("req-50")])
        #expect(try #require(FileManager.default.contents(atPath: path)).count == current.count)
        #expect(log.verify() == [])
        #expect(try log.lookup("req-50") != nil && log.lookup("req-3") != nil)
    }

    @Test func answersAreCountedByVersionAndSourceInOnePass() throws {
        let folder = try TemporaryFolder()
        let log = AttributionLog(registryRoot: folder.path)
        try log.append((0..<40).map { record("req-a\($0)") } + (0..<2).map { record("req-b\($0)", version: "v2") })
        let counts = try log.answeredByVersion()
        #expect(
            counts == [
                String(repeating: "a", count: 64): ["traffic": 40], String(repeating: "b", count: 64): ["canary": 2],
            ])
    }
}
