// Export and import: a candidate folder travels as one file and comes back byte for byte; hostile bundles (path
// traversal, absolute paths, links, oversize members, wrong hashes, unlisted members) are refused with nothing written.
import Archive
import LabTestSupport
@testable import Critique
import Foundation
import Hashing
import Testing

/// Hand-made ustar members, to build bundles the project's own writer would never produce.
enum RawTar {
    static func member(_ name: String, _ data: Data = Data(), type: Character = "0", claimedSize: Int? = nil) -> Data {
        var bytes = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int) {
            for (i, b) in Array(text.utf8).enumerated() { bytes[offset + i] = b }
        }
        func octal(_ value: Int, _ width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, 0)
        put(octal(0o644, 8), 100)
        put(octal(0, 8), 108)
        put(octal(0, 8), 116)
        put(octal(claimedSize ?? data.count, 12), 124)
        put(octal(0, 12), 136)
        bytes[156] = type.asciiValue ?? 48
        if type == "2" || type == "1" { put("/etc/passwd", 157) }
        put("ustar", 257)
        put("00", 263)
        put("        ", 148)
        put(octal(bytes.reduce(0) { $0 + Int($1) }, 7) + " ", 148)
        var out = Data(bytes) + data
        out.append(Data(count: (512 - data.count % 512) % 512))
        return out
    }

    static func bundle(_ members: [Data]) -> Data { members.reduce(Data(), +) + Data(count: 1024) }

    /// A manifest naming `files` with their true hashes (so only the hostile part is wrong).
    static func manifest(_ files: [String: Data]) -> Data {
        let hashes = files.mapValues { SHA256.hash($0).hex }
        let body = hashes.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        return Data("{\"files\":{\(body)},\"format\":\"rollback-lab-critique/1\"}".utf8)
    }
}

@Suite struct SharingTests {
    @Test func exportThenImportGivesTheSameFolderAndTheKeyStillMatches() throws {
        let built = try Built.scenario("weights-only", seed: 1)
        let temp = try TemporaryFolder("critique")
        let count = try Sharing.export(folder: built.folder, to: temp.path + "/c.tar")
        #expect(try Sharing.importBundle(temp.path + "/c.tar", into: temp.path + "/copy") == count)
        let original = (FileManager.default.subpaths(atPath: built.folder) ?? []).sorted()
        for path in original {
            let a = FileManager.default.contents(atPath: built.folder + "/" + path)
            #expect(a == FileManager.default.contents(atPath: temp.path + "/copy/" + path), "\(path)")
        }
        #expect(try AnswerKey.verified(built.keyPath, folder: temp.path + "/copy") == built.key)
    }

    static let commitment = Data("abc\n".utf8)

    static let hostile: [(String, Data)] = {
        let good = [".critique/commitment": commitment]
        let manifest = RawTar.member("critique-bundle.json", RawTar.manifest(good))
        let okMember = RawTar.member(".critique/commitment", commitment)
        return [
            ("traversal", RawTar.bundle([manifest, okMember, RawTar.member("../escaped.txt", Data("x".utf8))])),
            ("absolute", RawTar.bundle([manifest, okMember, RawTar.member("/tmp/absolute.txt", Data("x".utf8))])),
            ("symlink", RawTar.bundle([manifest, okMember, RawTar.member("link", type: "2")])),
            ("hardlink", RawTar.bundle([manifest, okMember, RawTar.member("hard", type: "1")])),
            ("oversize", RawTar.bundle([manifest, okMember, RawTar.member("big.bin", Data(), claimedSize: 1 << 30)])),
            (
                "wrong hash",
                RawTar.bundle([manifest, RawTar.member(".critique/commitment", Data("tampered\n".utf8))])
            ),
            ("unlisted member", RawTar.bundle([manifest, okMember, RawTar.member("extra.txt", Data("x".utf8))])),
            ("no manifest", RawTar.bundle([okMember])),
            (
                "case-only clash",
                RawTar.bundle([
                    RawTar.member(
                        "critique-bundle.json",
                        RawTar.manifest(good.merging(["a.txt": Data("x".utf8), "A.txt": Data("x".utf8)]) { a, _ in a })
                    ),
                    okMember, RawTar.member("a.txt", Data("x".utf8)), RawTar.member("A.txt", Data("x".utf8)),
                ])
            ),
            (
                "missing member",
                RawTar.bundle([
                    RawTar.member(
                        "critique-bundle.json", RawTar.manifest(good.merging(["gone.txt": Data()]) { a, _ in a })),
                    okMember,
                ])
            ),
        ]
    }()

    @Test(arguments: hostile.map(\.0))
    func hostileBundlesAreRefusedAndNothingIsWritten(name: String) throws {
        let bytes = try #require(Self.hostile.first { $0.0 == name }?.1)
        let temp = try TemporaryFolder("critique")
        try bytes.write(to: URL(fileURLWithPath: temp.path + "/evil.tar"))
        #expect(throws: CritiqueError.self) {
            try Sharing.importBundle(temp.path + "/evil.tar", into: temp.path + "/out")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["evil.tar"])
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path + "/escaped.txt"))
    }

    @Test func theSameBundleWithHonestMembersIsAccepted() throws {
        let temp = try TemporaryFolder("critique")
        let good = [".critique/commitment": Self.commitment]
        let bytes = RawTar.bundle([
            RawTar.member("critique-bundle.json", RawTar.manifest(good)),
            RawTar.member(".critique/commitment", Self.commitment),
        ])
        try bytes.write(to: URL(fileURLWithPath: temp.path + "/ok.tar"))
        #expect(try Sharing.importBundle(temp.path + "/ok.tar", into: temp.path + "/out") == 1)
    }
}
