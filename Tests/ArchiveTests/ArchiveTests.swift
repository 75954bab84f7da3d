// The tar writer and the hostile-input reader: round trips, byte stability, interoperability with tar(1),
// and every kind of dangerous archive refused with nothing written.
import Foundation
import LabTestSupport
import Testing

@testable import Archive

@Suite struct ArchiveTests {
    let sample = [
        ArchiveEntry(path: "manifest.json", data: Data("{\"a\":1}\n".utf8)),
        ArchiveEntry(path: "registry/events.jsonl", data: Data(repeating: 0x41, count: 1_300)),
        ArchiveEntry(path: "scripts/run.sh", data: Data("#!/bin/sh\necho hi\n".utf8), executable: true),
        ArchiveEntry(path: "empty.txt", data: Data()),
        ArchiveEntry(
            path: String(repeating: "deep/", count: 30) + "file-with-a-long-name.txt", data: Data("x".utf8)),
    ]

    @Test func roundTripKeepsEveryByteAndIsByteStable() throws {
        let first = try Archive.write(sample)
        #expect(first == (try Archive.write(sample)))
        #expect(first.count % 512 == 0)
        #expect(try Archive.read(first) == sample)
    }

    @Test func systemTarReadsOurArchivesAndWeReadItsUstar() throws {
        let temporary = try TemporaryFolder("archive")
        let folder = temporary.path
        let file = folder + "/ours.tar"
        try Archive.write(sample).write(to: URL(fileURLWithPath: file))
        let listing = try run("/usr/bin/env", ["tar", "-tf", file])
        #expect(listing.split(separator: "\n").map(String.init) == sample.map(\.path))

        try Archive.extract(sample, into: folder + "/src")
        try run("/usr/bin/env", ["tar", "--format=ustar", "-C", folder + "/src", "-cf", folder + "/theirs.tar", "."])
        let theirs = try Archive.read(contentsOf: folder + "/theirs.tar")
        #expect(Set(theirs.map(\.path)) == Set(sample.map(\.path)))
        #expect(theirs.first { $0.path == "scripts/run.sh" }?.executable == true)
    }

    @Test func membersThatCouldEscapeAreRefused() throws {
        for path in ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "a//b", "a/./b", "a\\b"] {
            let archive = try patched(name: path)
            #expect(throws: ArchiveError.self) { try Archive.read(archive) }
            do {
                _ = try Archive.read(archive)
            } catch {
                #expect(error.description.contains(path))
                #expect(error.description.contains("nothing was written"))
            }
        }
    }

    @Test func linksDevicesAndExtendedHeadersAreRefused() throws {
        for (type, kind) in [("2", "symbolic link"), ("1", "hard link"), ("3", "device"), ("6", "FIFO"), ("x", "pax")] {
            let archive = try patched(name: "link", type: Character(type))
            #expect(throws: ArchiveError.self) { try Archive.read(archive) }
            do { _ = try Archive.read(archive) } catch { #expect(error.description.contains(kind)) }
        }
    }

    @Test func sizesAndCountsAreBounded() throws {
        let limits = ArchiveLimits(maxEntries: 3, maxEntryBytes: 1_000, maxTotalBytes: 2_000)
        #expect(throws: ArchiveError.entryTooLarge(path: "registry/events.jsonl", bytes: 1_300, limit: 1_000)) {
            try Archive.read(try Archive.write(sample), limits: limits)
        }
        let many = (0..<4).map { ArchiveEntry(path: "f\($0)", data: Data("x".utf8)) }
        #expect(throws: ArchiveError.tooManyEntries(limit: 3)) {
            try Archive.read(try Archive.write(many), limits: limits)
        }
        let big = (0..<3).map { ArchiveEntry(path: "f\($0)", data: Data(count: 900)) }
        #expect(throws: ArchiveError.totalTooLarge(limit: 2_000)) {
            try Archive.read(try Archive.write(big), limits: limits)
        }
    }

    @Test func damageIsNamedWithItsOffset() throws {
        var archive = try Archive.write(sample)
        archive[513] ^= 0x01  // inside the first member's data: not a header, still reads
        #expect(try Archive.read(archive).first?.data != sample.first?.data)
        archive = try Archive.write(sample)
        archive[3] ^= 0x01
        #expect(throws: ArchiveError.badChecksum(offset: 0)) { try Archive.read(archive) }
        archive = try Archive.write(sample)
        #expect(throws: ArchiveError.truncated(offset: 1_024)) { try Archive.read(archive.prefix(1_100)) }
        #expect(throws: ArchiveError.notUstar(offset: 0)) { try Archive.read(Data(repeating: 0x61, count: 1_024)) }
    }

    @Test func duplicatesAndFileFolderClashesAreRefused() throws {
        let twice =
            try Archive.write([ArchiveEntry(path: "a", data: Data())]).dropLast(1_024)
            + (try Archive.write([ArchiveEntry(path: "a", data: Data())]))
        #expect(throws: ArchiveError.duplicate(path: "a")) { try Archive.read(Data(twice)) }
        let clash =
            try Archive.write([ArchiveEntry(path: "a", data: Data())]).dropLast(1_024)
            + (try Archive.write([ArchiveEntry(path: "a/b", data: Data())]))
        #expect(throws: ArchiveError.duplicate(path: "a")) { try Archive.read(Data(clash)) }
    }

    @Test func extractionIsAllOrNothing() throws {
        let temporary = try TemporaryFolder("archive")
        let folder = temporary.path
        try Archive.extract(sample, into: folder + "/out")
        #expect(try Archive.entries(inFolder: folder + "/out") == sample.sorted { $0.path < $1.path })
        #expect(throws: ArchiveError.destinationNotEmpty(path: folder + "/out")) {
            try Archive.extract(sample, into: folder + "/out")
        }
        let bad = [ArchiveEntry(path: "ok.txt", data: Data()), ArchiveEntry(path: "../escape.txt", data: Data())]
        #expect(throws: ArchiveError.self) { try Archive.extract(bad, into: folder + "/fresh") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out"])
    }

    @Test func foldersWithLinksCannotBeArchived() throws {
        let temporary = try TemporaryFolder("archive")
        let folder = temporary.path
        try Data().write(to: URL(fileURLWithPath: folder + "/real"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: "/etc/hostname")
        #expect(throws: ArchiveError.unsupportedMember(path: "link", kind: "link or special file")) {
            try Archive.entries(inFolder: folder)
        }
    }

    // MARK: Helpers

    /// A one-member archive whose header names `name` with type `type`, checksum recomputed as tar would.
    func patched(name: String, type: Character = "0") throws -> Data {
        var bytes = [UInt8](try Archive.write([ArchiveEntry(path: "placeholder", data: Data("x".utf8))]))
        for index in 0..<100 { bytes[index] = 0 }
        for (index, byte) in name.utf8.prefix(100).enumerated() { bytes[index] = byte }
        bytes[156] = type.asciiValue ?? 0
        for index in 148..<156 { bytes[index] = UInt8(ascii: " ") }
        let sum = bytes[0..<512].reduce(0) { $0 + Int($1) }
        for (index, byte) in Archive.octal(sum, width: 7).enumerated() { bytes[148 + index] = byte }
        return Data(bytes)
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try runProcess(
            executable, arguments, in: FileManager.default.temporaryDirectory.path,
            environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }
}
