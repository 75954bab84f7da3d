// The key never appears in the candidate folder or its export, the commitment binds it, and seeds vary the scenario.
@testable import Critique
import Foundation
import Hashing
import LabTestSupport
import Testing

@Suite struct SecrecyTests {
    @Test func theKeyIsOutsideTheFolderAndNothingOfItIsInside() throws {
        let built = try Built.scenario("hand-deploys", seed: 1)
        #expect(!built.keyPath.hasPrefix(built.folder + "/"))
        let temp = try TemporaryFolder("critique")
        let bundle = temp.path + "/bundle.tar"
        _ = try Sharing.export(folder: built.folder, to: bundle)
        let keyText = try String(contentsOfFile: built.keyPath, encoding: .utf8)
        let secrets =
            [built.key.salt, keyText.trimmingCharacters(in: .whitespacesAndNewlines)]
            + built.key.flaws.map(\.location) + built.key.flaws.map(\.code)
        var haystacks = [try Data(contentsOf: URL(fileURLWithPath: bundle))]
        for path in FileManager.default.subpaths(atPath: built.folder) ?? [] {
            if let data = FileManager.default.contents(atPath: built.folder + "/" + path) { haystacks.append(data) }
        }
        for secret in secrets {
            #expect(!haystacks.contains { $0.range(of: Data(secret.utf8)) != nil }, "found '\(secret.prefix(40))'")
        }
    }

    @Test func theKeyIsReadableByItsOwnerOnly() throws {
        let built = try Built.scenario("hand-deploys", seed: 1)
        let mode = try #require(
            try FileManager.default.attributesOfItem(atPath: built.keyPath)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600, "the key is mode \(String(mode & 0o777, radix: 8))")
    }

    @Test func aKeyIsNeverWrittenThroughALink() throws {
        let temp = try TemporaryFolder("critique")
        let elsewhere = temp.path + "/elsewhere.json"
        try FileManager.default.createSymbolicLink(atPath: temp.path + "/key.json", withDestinationPath: elsewhere)
        #expect(throws: CritiqueError.self) {
            try Scenarios.create(
                family: "hand-deploys", seed: 3, mode: .interview, folder: temp.path + "/c",
                keyPath: temp.path + "/key.json")
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/c"))
    }

    @Test func aTamperedKeyFailsTheCommitment() throws {
        let built = try Built.scenario("weights-only", seed: 1)
        #expect(try AnswerKey.verified(built.keyPath, folder: built.folder) == built.key)
        let temp = try TemporaryFolder("critique")
        var tampered = built.key
        tampered.flaws[0].evidence.append("event:1")
        let path = temp.path + "/tampered.json"
        try CanonicalJSON.encode(tampered).write(to: URL(fileURLWithPath: path))
        #expect(throws: CritiqueError.commitmentMismatch(key: path)) {
            try AnswerKey.verified(path, folder: built.folder)
        }
    }

    @Test func aKeyInsideTheFolderIsRefusedAndNothingIsWritten() throws {
        let temp = try TemporaryFolder("critique")
        #expect(throws: CritiqueError.keyInsideFolder(key: temp.path + "/c/key.json", folder: temp.path + "/c")) {
            try Scenarios.create(
                family: "weights-only", seed: 1, mode: .interview, folder: temp.path + "/c",
                keyPath: temp.path + "/c/key.json")
        }
        #expect(throws: CritiqueError.unknownFamily("nope")) {
            try Scenarios.create(family: "nope", seed: 1, mode: .interview, folder: temp.path + "/d", keyPath: nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test func twoSeedsOfOneFamilyDifferInFlawsAndPlaces() throws {
        let one = try Built.scenario("weights-only", seed: 1).key
        let two = try Built.scenario("weights-only", seed: 2).key
        #expect(one.secret != two.secret)
        #expect(one.flaws.map(\.evidence) != two.flaws.map(\.evidence))
    }

    @Test func aKeyLedIntoTheFolderThroughALinkIsRefusedAndNothingIsLeft() throws {
        let temp = try TemporaryFolder("critique")
        // The link leads where the candidate folder will be: it dangles until the folder is built.
        try FileManager.default.createSymbolicLink(atPath: temp.path + "/keys", withDestinationPath: temp.path + "/c")
        #expect(throws: CritiqueError.keyInsideFolder(key: temp.path + "/keys/k.json", folder: temp.path + "/c")) {
            try Scenarios.create(
                family: "hand-deploys", seed: 3, mode: .interview, folder: temp.path + "/c",
                keyPath: temp.path + "/keys/k.json", forcing: nil, secret: Built.secret(3))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["keys"])
    }

    @Test func aKeyWithAMemberGivenTwiceIsRefused() throws {
        let built = try Built.scenario("weights-only", seed: 1)
        let text = try String(contentsOfFile: built.keyPath, encoding: .utf8)
        let temp = try TemporaryFolder("critique")
        let path = temp.path + "/twice.json"
        try text.replacingOccurrences(of: "{\n", with: "{\n  \"flaws\" : [],\n", options: [.anchored])
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CritiqueError.keyUnreadable(path: path, reason: "the member 'flaws' appears twice")) {
            try AnswerKey.verified(path, folder: built.folder)
        }
    }
}
