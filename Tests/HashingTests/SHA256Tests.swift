// SHA-256 against the FIPS 180-4 vectors, against sha256sum on awkward sizes, and both code paths against each other.
import Foundation
import LabTestSupport
import Testing

@testable import Hashing

@Suite struct SHA256Tests {
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ]

    @Test(arguments: [true, false]) func fipsVectors(portable: Bool) {
        for (message, expected) in Self.vectors {
            var hasher = SHA256(portable: portable)
            hasher.update(message)
            #expect(hasher.finalize().hex == expected, "\(message.prefix(10))…")
        }
        var million = SHA256(portable: portable)
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { million.update(chunk) }
        #expect(million.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesAtEveryBoundaryMatchOneShot() {
        var generator = SplitMix(seed: 9)
        let data = Data((0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let expected = SHA256.hash(data)
        for split in 0...data.count {
            var hasher = SHA256()
            hasher.update(data.prefix(split))
            hasher.update(data.suffix(from: split))
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test func bothCodePathsAgreeOnRandomInputs() {
        let seed = TestSeed(fixed: 4)
        var generator = seed.generator()
        for size in [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65_537] {
            let data = Data((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            var portable = SHA256(portable: true)
            portable.update(data)
            var native = SHA256(portable: false)
            native.update(data)
            #expect(portable.finalize() == native.finalize(), "size \(size), \(seed)")
        }
    }

    @Test func filesOfAwkwardSizesMatchSha256sum() throws {
        let folder = try TemporaryFolder("sha")
        let seed = TestSeed(fixed: 77)
        var generator = seed.generator()
        for size in [0, 55, 56, 63, 64, 65, (1 << 20) + 1] {
            let url = URL(fileURLWithPath: folder.path + "/file-\(size)")
            try Data((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: url)
            let output = try runProcess("/usr/bin/sha256sum", [url.path], in: folder.path, environment: [:])
            let reference = String(output.stdout.prefix(64))
            #expect(try SHA256.hash(fileAt: url.path).hex == reference, "size \(size), \(seed)")
        }
    }

    @Test func anUnreadableFileIsNamed() {
        do {
            _ = try SHA256.hash(fileAt: "/nonexistent/weights.json")
            Issue.record("hashing a missing file succeeded")
        } catch {
            #expect(String(describing: error).contains("/nonexistent/weights.json"))
        }
    }

    @Test func timestampsRoundTripWithMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_795_354_890.123)
        let text = Timestamp.string(from: date)
        #expect(text == "2026-11-22T13:41:30.123Z")
        #expect(Timestamp.date(from: text).map { abs($0.timeIntervalSince(date)) < 0.0005 } == true)
        #expect(Timestamp.date(from: "2026-11-22T13:41:30Z") != nil)
        #expect(Timestamp.date(from: "2026-13-22T13:41:30Z") == nil)
        #expect(Timestamp.date(from: "yesterday") == nil)
    }
}
