// `bundle` and `verify` end to end: a fresh bundle verifies; one changed byte in any kind of member, or a
// consistent forgery with a re-hashed statement, fails naming the member; hostile archives are refused with
// nothing written; a signed bundle verifies only against the signer's key.
import Archive
import Foundation
import LabTestSupport
import Synchronization
import Testing

@Suite struct ProofCommandTests {
    static let workspace = LabsTests.workspace

    func verify(_ sandbox: Sandbox, _ file: String, _ extra: [String] = []) throws -> (
        status: Int32, json: JSONValueBox, stderr: String
    ) {
        let result = try sandbox.run(["verify", file, "--json"] + extra)
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) ?? [:]
        return (result.status, JSONValueBox(json), result.stderr)
    }

    func members(_ json: JSONValueBox) -> [String] { json["mismatches"].array.compactMap { $0["member"].string } }

    /// The bundle with `change` applied to its members, written beside it.
    func tampered(
        _ sandbox: Sandbox, _ name: String, rehash: Bool = false, _ change: (inout [ArchiveEntry]) throws -> Void
    ) throws -> String {
        var entries = try Archive.read(contentsOf: sandbox.path + "/history.tar")
        try change(&entries)
        if rehash, let index = entries.firstIndex(where: { $0.path == "statement.json" }) {
            var statement = try #require(
                try JSONSerialization.jsonObject(with: entries[index].data) as? [String: Any])
            statement["subject"] = entries.filter { $0.path != "statement.json" }.map { entry in
                ["name": entry.path, "digest": ["sha256": Self.sha256(entry.data)]]
            }
            entries[index].data = try JSONSerialization.data(withJSONObject: statement, options: [.sortedKeys])
        }
        let file = "\(name).tar"
        try Archive.write(entries).write(to: URL(fileURLWithPath: sandbox.path + "/" + file))
        return file
    }

    /// The digest sha256sum prints, so the forgery does not lean on the kit's own hashing.
    static func sha256(_ data: Data) -> String {
        guard let folder = try? TemporaryFolder("proof-hash") else { return "" }
        try? data.write(to: URL(fileURLWithPath: folder.path + "/member"))
        let result = try? runProcess(
            "/usr/bin/sha256sum", [folder.path + "/member"], in: folder.path, environment: [:])
        return String((result?.stdout ?? "").prefix(64))
    }

    @Test func freshBundleVerifiesAndEveryChangedMemberIsNamed() throws {
        let sandbox = try LabsTests.started("07-run-an-experiment")
        try sandbox.ok(["writeup", "--out", "writeup.md"], in: Self.workspace)
        let made = try sandbox.run(["bundle", "--out", "../history.tar", "--learner", "ada"], in: Self.workspace)
        #expect(made.status == 0, "\(made.stderr)")

        let fresh = try verify(sandbox, "history.tar")
        #expect(fresh.status == 0, "a fresh bundle verifies: \(fresh.json["mismatches"].array.map(\.value))")
        #expect(fresh.json["learner"].string == "ada")
        #expect(fresh.json["labs"].count == 8, "labs 00-07 were started")
        let text = try sandbox.run(["verify", "history.tar"])
        // Unsigned, it is consistent, never "Verified", and says what no check can prove.
        #expect(fresh.json["signature"].string == "unsigned")
        #expect(text.status == 0 && !text.stdout.contains("Verified"), "\(text.stdout)")
        #expect(text.stdout.contains("Consistent history.tar (learner ada, a claim): unsigned"), "\(text.stdout)")
        #expect(text.stdout.contains("Not proven") && text.stdout.contains("who typed the commands"))

        let entries = try Archive.read(contentsOf: sandbox.path + "/history.tar")
        let kinds = [
            "statement.json", "registry/events.jsonl", "registry/versions/", "registry/objects/",
            "registry/requests/log.jsonl", "registry/incidents/", "writeup.md", "report/index.html", "grades.json",
        ]
        for kind in kinds {
            let member = try #require(entries.first { $0.path.hasPrefix(kind) }?.path, "the bundle holds \(kind)")
            let file = try tampered(sandbox, "flip") { entries in
                guard let index = entries.firstIndex(where: { $0.path == member }) else { return }
                // In the statement, the byte is a lab's score in the predicate: a claim verify re-derives.
                let score = entries[index].data.range(of: Data("\"score\" : ".utf8))?.upperBound
                let at = member == "statement.json" ? score ?? 0 : entries[index].data.count / 2
                entries[index].data[at] ^= 0x01
            }
            let result = try verify(sandbox, file)
            #expect(result.status == 1, "one changed byte in \(member) fails verification")
            #expect(
                members(result.json).contains(member),
                "the mismatch names \(member): \(result.json["mismatches"].array.map(\.value))")
        }

        // A forger who also re-hashes the statement is caught by re-deriving what the member claims.
        let forgedGrades = try tampered(sandbox, "forged-grades", rehash: true) { entries in
            guard let index = entries.firstIndex(where: { $0.path == "grades.json" }) else { return }
            let text = String(decoding: entries[index].data, as: UTF8.self)
            let forged = try edited(text) { text in
                let passed = text.replacingOccurrences(of: "\"status\" : \"fail\"", with: "\"status\" : \"pass\"")
                return passed != text ? passed : text.replacingOccurrences(of: "\"score\" : 0", with: "\"score\" : 9")
            }
            entries[index].data = Data(forged.utf8)
        }
        let grades = try verify(sandbox, forgedGrades)
        #expect(grades.status == 1)
        #expect(members(grades.json) == ["grades.json"], "\(grades.json["mismatches"].array.map(\.value))")
        #expect(grades.json["mismatches"][0]["problem"].string?.contains("line ") == true, "names the line")

        let forgedIncident = try tampered(sandbox, "forged-incident", rehash: true) { entries in
            guard let index = entries.firstIndex(where: { $0.path.hasPrefix("registry/incidents/") }) else { return }
            let text = String(decoding: entries[index].data, as: UTF8.self)
            let forged = try edited(text) {
                $0.replacingOccurrences(of: "\"confirmed\" : true", with: "\"confirmed\" : false")
            }
            entries[index].data = Data(forged.utf8)
        }
        let incident = try verify(sandbox, forgedIncident)
        #expect(incident.status == 1)
        #expect(
            members(incident.json).allSatisfy { $0.hasPrefix("registry/incidents/") } && !members(incident.json).isEmpty
        )
    }

    /// A ustar archive of one file whose header is then rewritten to name `path` with member type `type`.
    func hostile(path: String, type: UInt8) throws -> Data {
        var bytes = [UInt8](try Archive.write([ArchiveEntry(path: "placeholder", data: Data("x".utf8))]))
        for index in 0..<100 { bytes[index] = 0 }
        for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        bytes[156] = type
        if type == UInt8(ascii: "2") {
            for (index, byte) in "/etc/passwd".utf8.enumerated() { bytes[157 + index] = byte }
        }
        for index in 148..<156 { bytes[index] = UInt8(ascii: " ") }
        let sum = String(bytes[0..<512].reduce(0) { $0 + Int($1) }, radix: 8)
        let field = Array((String(repeating: "0", count: 6 - sum.count) + sum).utf8) + [0, UInt8(ascii: " ")]
        for (index, byte) in field.enumerated() { bytes[148 + index] = byte }
        return Data(bytes)
    }

    @Test func hostileBundlesAreRefusedWithNothingWritten() throws {
        let sandbox = try Sandbox()
        try hostile(path: "../escaped", type: UInt8(ascii: "0")).write(
            to: URL(fileURLWithPath: sandbox.path + "/traversal.tar"))
        try hostile(path: "registry/link", type: UInt8(ascii: "2")).write(
            to: URL(fileURLWithPath: sandbox.path + "/symlink.tar"))
        let before = sandbox.snapshot("")
        let temporary = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
        for (file, words) in [("traversal.tar", "'..' path component"), ("symlink.tar", "symbolic link")] {
            let result = try sandbox.run(["verify", file])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains(words), "\(result.stderr)")
        }
        #expect(sandbox.snapshot("") == before)
        #expect(
            !FileManager.default.fileExists(atPath: (sandbox.path as NSString).deletingLastPathComponent + "/escaped"))
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
        #expect(after.subtracting(temporary).filter { $0.hasPrefix("labrunner-verify-") }.isEmpty)
    }

    /// Another process cleaning folders under verify (as cleaners of the shared temp folder do) makes verify
    /// fail on its own account: "Could not verify", never a finding of tampering about an honest bundle.
    @Test func verifysOwnFailuresAreNeverCalledTampering() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        try sandbox.ok(["register", "--root", "--owner", "ada", "--reason", "base", "--workspace", "ws"], in: "")
        try sandbox.ok(["bundle", "--out", "honest.tar", "--workspace", "ws"], in: "")
        let cache = sandbox.path + "/cache"
        let scratch = cache + "/labrunner/scratch"
        let fresh = try sandbox.run(["verify", "honest.tar"], in: "", environment: ["XDG_CACHE_HOME": cache])
        #expect(fresh.status == 0, "\(fresh.stdout)\(fresh.stderr)")
        #expect(
            (try? FileManager.default.contentsOfDirectory(atPath: scratch)) == [],
            "verify keeps its scratch copy in the user's cache folder and removes it")

        let cleaning = Cleaning()
        let cleaner = Thread {
            while cleaning.on.withLock({ $0 }) {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] {
                    try? FileManager.default.removeItem(atPath: scratch + "/" + name + "/ws/.labrunner")
                }
            }
        }
        cleaner.start()
        var outcomes: [String] = []
        for _ in 0..<8 {
            let result = try sandbox.run(["verify", "honest.tar"], in: "", environment: ["XDG_CACHE_HOME": cache])
            #expect(!result.stdout.contains("Tampered") && !result.stdout.contains("mismatch"), "\(result.stdout)")
            #expect(
                result.status == 0 || result.stderr.hasPrefix("Error: Could not verify: "),
                "\(result.stdout)\(result.stderr)")
            outcomes.append(result.status == 0 ? "verified" : "could not verify")
        }
        cleaning.on.withLock { $0 = false }
        #expect(outcomes.contains("could not verify"), "the cleaner reached verify's scratch copy: \(outcomes)")

        try "not a folder".write(toFile: sandbox.path + "/cache-file", atomically: false, encoding: .utf8)
        let blocked = try sandbox.run(
            ["verify", "honest.tar"], in: "", environment: ["XDG_CACHE_HOME": sandbox.path + "/cache-file"])
        #expect(blocked.status == 1 && blocked.stderr.hasPrefix("Error: Could not verify: "), "\(blocked.stderr)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")))
    func signedBundleVerifiesOnlyAgainstTheSignersKey() throws {
        let sandbox = try Sandbox()
        try sandbox.ok(["init", "ws"], in: "")
        for name in ["key", "other"] {
            let made = try sandbox.shell("ssh-keygen -q -t ed25519 -N '' -C \(name) -f \(name)", in: "")
            #expect(made.status == 0, "\(made.stderr)")
            let key = sandbox.read(name + ".pub").trimmingCharacters(in: .whitespacesAndNewlines)
            try sandbox.write("ada@example.org \(key)\n", to: name + ".allowed")
        }
        let refused = try sandbox.run(["bundle", "--out", "x.tar", "--sign", "--key", "missing", "--workspace", "ws"])
        #expect(refused.status == 1 && refused.stderr.contains("missing"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/x.tar"), "a refused bundle writes nothing")

        let made = try sandbox.run(["bundle", "--out", "signed.tar", "--sign", "--key", "key", "--workspace", "ws"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("signed"))
        let good = try verify(sandbox, "signed.tar", ["--allowed-signers", "key.allowed"])
        #expect(good.status == 0, "\(good.json["mismatches"].array.map(\.value))")
        #expect(good.json["signature"].string == "verified" && good.json["signer"].string == "ada@example.org")
        let named = try sandbox.run(["verify", "signed.tar", "--allowed-signers", "key.allowed"])
        #expect(named.stdout.contains("Verified signed.tar: signed by ada@example.org; the bundle names "))
        let unchecked = try sandbox.run(["verify", "signed.tar"])
        #expect(unchecked.status == 0 && !unchecked.stdout.contains("Verified"), "\(unchecked.stdout)")
        #expect(unchecked.stdout.contains("signed, but the signature was not checked"))
        var entries = try Archive.read(contentsOf: sandbox.path + "/signed.tar")
        entries.removeAll { $0.path == "statement.json.sig" }
        try Archive.write(entries).write(to: URL(fileURLWithPath: sandbox.path + "/stripped.tar"))
        #expect(try verify(sandbox, "stripped.tar").json["signature"].string == "unsigned")
        let bad = try verify(sandbox, "signed.tar", ["--allowed-signers", "other.allowed"])
        #expect(bad.status == 1)
        #expect(members(bad.json) == ["statement.json.sig"])
        let unsigned = try sandbox.run(["bundle", "--out", "plain.tar", "--workspace", "ws"])
        #expect(unsigned.status == 0)
        let missing = try verify(sandbox, "plain.tar", ["--allowed-signers", "key.allowed"])
        #expect(missing.status == 1 && members(missing.json) == ["statement.json.sig"])
    }
}

/// Whether the cleaner thread of a verify test goes on.
private final class Cleaning: Sendable {
    let on = Mutex(true)
}
