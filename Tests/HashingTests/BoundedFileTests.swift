// Reading a file that may be anything: a regular file within its limit is read whole; a larger one, a FIFO,
// a folder or nothing at all is refused with what it is, and a FIFO is never waited on.
import Foundation
import Hashing
import LabTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct BoundedFileTests {
    @Test func onlyARegularFileWithinTheLimitIsRead() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/file"
        try Data("twelve bytes".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try BoundedFile.contents(path, limit: 12) == Data("twelve bytes".utf8))
        #expect(throws: BoundedFile.Refusal.tooLarge(size: 12, limit: 11)) { try BoundedFile.contents(path, limit: 11) }
        #expect(throws: BoundedFile.Refusal.missing) { try BoundedFile.contents(path + "-not", limit: 11) }
        #expect(throws: BoundedFile.Refusal.notRegular(kind: "a folder")) {
            try BoundedFile.contents(folder.path, limit: 11)
        }
        // No writer ever opens this FIFO: a read that waited would never return.
        #expect(mkfifo(folder.path + "/pipe", 0o644) == 0)
        #expect(throws: BoundedFile.Refusal.notRegular(kind: "a FIFO (named pipe)")) {
            try BoundedFile.contents(folder.path + "/pipe", limit: 11)
        }
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/link", withDestinationPath: "file")
        #expect(try BoundedFile.contents(folder.path + "/link", limit: 100).count == 12)
    }

    @Test func sizesReadAsPeopleReadThem() {
        #expect(BoundedFile.count(1_048_577) == "1,048,577 bytes")
        #expect(BoundedFile.count(1) == "1 byte" && BoundedFile.count(999) == "999 bytes")
        #expect(BoundedFile.size(1 << 20) == "1 MiB" && BoundedFile.size(64 << 20) == "64 MiB")
        #expect(BoundedFile.size(1 << 30) == "1 GiB" && BoundedFile.size(1536) == "1.5 KiB")
    }
}
