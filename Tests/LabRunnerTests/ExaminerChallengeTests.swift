// An examiner's challenge end to end: issued and signed, bound by `init --challenge`, two labs done by their
// reference solutions, bundled and verified against it; the same bundle fails against another challenge, a
// bundle from a workspace that was not bound fails, and times outside the examiner's window are named.
import Archive
import Foundation
import LabTestSupport
import Testing

@Suite struct ExaminerChallengeTests {
    static let keygen = FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")

    /// A sandbox with an examiner's and a learner's key and an allowed-signers file holding both.
    func keyed() throws -> Sandbox {
        let sandbox = try Sandbox(time: .live)
        var signers = ""
        for name in ["examiner", "ana"] {
            let made = try sandbox.shell("ssh-keygen -q -t ed25519 -N '' -C \(name) -f \(name)", in: "")
            #expect(made.status == 0, "\(made.stderr)")
            signers += "\(name) " + sandbox.read(name + ".pub").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        }
        try sandbox.write(signers, to: "signers")
        return sandbox
    }

    /// A workspace `folder` (bound to `challenge` when given) with labs 00 and 01 done by their reference
    /// solutions, bundled and signed by ana into `folder`.tar.
    func bundled(_ sandbox: Sandbox, _ folder: String, challenge: String?) throws -> String {
        try sandbox.ok(["init", folder] + (challenge.map { ["--challenge", $0] } ?? []), in: "")
        for lab in ["00-orientation", "01-what-is-a-version"] {
            try sandbox.ok(["lab", "start", String(lab.prefix(2))], in: folder)
            let solved = try sandbox.shell("bash '\(Repository.root)/Solutions/\(lab)/solve.sh'", in: folder)
            #expect(solved.status == 0, "\(lab): \(solved.stderr.suffix(400))")
        }
        try sandbox.ok(
            ["bundle", "--out", "../\(folder).tar", "--sign", "--key", "../ana", "--learner", "ana"], in: folder)
        return folder + ".tar"
    }

    func verify(_ sandbox: Sandbox, _ bundle: String, _ challenge: String, _ extra: [String] = []) throws -> (
        status: Int32, json: JSONValueBox, text: String
    ) {
        let arguments = [
            "verify", bundle, "--challenge", challenge, "--allowed-signers", "signers", "--identity", "ana",
        ]
        let result = try sandbox.run(arguments + extra + ["--json"])
        let text = try sandbox.run(arguments + extra).stdout
        return (result.status, try JSONValueBox(parsing: result.stdout), text)
    }

    func problems(_ json: JSONValueBox) -> [String] {
        json["mismatches"].array.map { ($0["member"].string ?? "") + ": " + ($0["problem"].string ?? "") }
    }

    @Test(.enabled(if: keygen)) func issueInitLabsBundleVerifyAndEveryOtherHistoryFails() throws {
        let sandbox = try keyed()
        let issued = try sandbox.ok(
            ["challenge", "issue", "--to", "ana", "--labs", "00-01", "--sign", "examiner", "--out", "ch.json"], in: "")
        #expect(issued.contains("Wrote ch.json for ana: 2 lab(s)") && issued.contains("signed."), "\(issued)")
        let challenge = try JSONValueBox(parsing: sandbox.read("ch.json"))
        #expect(challenge["nonce"].string?.count == 64, "a 256-bit nonce, hex")
        #expect(challenge["labs"].array.compactMap(\.string) == ["00-orientation", "01-what-is-a-version"])
        #expect(challenge["signature"].string?.contains("BEGIN SSH SIGNATURE") == true)
        try sandbox.ok(
            ["challenge", "issue", "--to", "ana", "--labs", "00-01", "--sign", "examiner", "--out", "other.json"],
            in: "")
        #expect(
            try JSONValueBox(parsing: sandbox.read("other.json"))["nonce"].string != challenge["nonce"].string,
            "every challenge has a nonce of its own")

        let good = try bundled(sandbox, "ws", challenge: "ch.json")
        // The binding is the workspace's first event after its creation, and lab starts take its seeds only.
        let log = try sandbox.ok(["log"], in: "ws")
        let kinds = log.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(2).first }
        #expect(kinds.firstIndex(of: "challenge.bound") == kinds.firstIndex { $0.hasPrefix("lab.") }.map { $0 - 1 })
        let seeded = try sandbox.run(["lab", "start", "01", "--challenge", "--seed", "3"], in: "ws")
        #expect(seeded.status == 1 && seeded.stderr.contains("examiner's challenge"), "\(seeded.stderr)")
        let outside = try sandbox.run(["lab", "start", "02"], in: "ws")
        #expect(outside.status == 1 && outside.stderr.contains("not one of this workspace's challenge's labs"))

        let passed = try verify(sandbox, good, "ch.json")
        #expect(passed.status == 0, "\(problems(passed.json))")
        #expect(passed.text.contains("the challenge's signature, by examiner"), "\(passed.text)")
        #expect(passed.text.contains("the binding to ch.json") && passed.text.contains("2 lab start(s) laid from"))
        #expect(passed.text.contains("on the examiner's clock; the events claim"), "\(passed.text)")
        #expect(passed.text.contains("Verified ws.tar: signed by ana, answering the examiner's challenge ch.json"))
        #expect(passed.json["challenge"].string == "ch.json")
        #expect(
            passed.json["notes"].array.isEmpty,
            "both labs asked for were done: \(passed.json["notes"].array.map(\.value))")

        // The same bundle against another challenge: the binding is named.
        let other = try verify(sandbox, good, "other.json")
        #expect(other.status == 1)
        #expect(problems(other.json).contains { $0.contains("binds the challenge") && $0.contains("not other.json") })

        // A workspace not made for the challenge, its labs done the same way, does not answer it.
        let plain = try bundled(sandbox, "plain", challenge: nil)
        let unbound = try verify(sandbox, plain, "ch.json")
        #expect(unbound.status == 1)
        #expect(
            problems(unbound.json).contains { $0.contains("holds no challenge.bound") }, "\(problems(unbound.json))")

        // Received before the work was done: every event after the receive time is named.
        let issuedAt = try #require(challenge["issued_at"].string)
        let early = try verify(sandbox, good, "ch.json", ["--received-at", issuedAt])
        #expect(early.status == 1)
        #expect(problems(early.json).contains { $0.contains("after the bundle was received") })
        let before = try sandbox.run(
            [
                "verify", good, "--challenge", "ch.json", "--allowed-signers", "signers", "--received-at",
                "2000-01-01T00:00:00Z",
            ])
        #expect(before.status == 64 && before.stderr.contains("before ch.json was issued"), "\(before.stderr)")
    }

    @Test(.enabled(if: keygen)) func aChallengeNotSignedByAnAllowedSignerFails() throws {
        let sandbox = try keyed()
        try sandbox.ok(["challenge", "issue", "--to", "ana", "--labs", "00-02", "--out", "unsigned.json"], in: "")
        let good = try bundled(sandbox, "ws", challenge: "unsigned.json")
        let unsigned = try verify(sandbox, good, "unsigned.json")
        #expect(unsigned.status == 1 && problems(unsigned.json).contains { $0.hasPrefix("challenge: ") })
        // Lab 02 was asked for and not done: said beside the findings.
        #expect(
            unsigned.json["notes"].array.compactMap(\.string).contains(
                "The challenge asks for 3 lab(s); this history starts 2 of them itself: 00, 01."),
            "\(unsigned.json["notes"].array.map(\.value))")
        // A signature by a key that is not in the file.
        _ = try sandbox.shell("ssh-keygen -q -t ed25519 -N '' -C stranger -f stranger", in: "")
        try sandbox.ok(
            ["challenge", "issue", "--to", "bo", "--labs", "00-01", "--sign", "stranger", "--out", "forged.json"],
            in: "")
        let forged = try verify(sandbox, good, "forged.json")
        #expect(forged.status == 1)
        #expect(problems(forged.json).contains { $0.contains("forged.json is not signed by anyone in") })
        #expect(
            forged.json["notes"].array.compactMap(\.string).contains(
                "forged.json was issued to bo; the bundle names ana as the learner."))
    }

    /// The bundle with `edit` applied to its event log's lines, the hash chain and the statement's digests
    /// recomputed after it: a consistent forgery, as a learner who re-hashes everything could make.
    func forged(_ sandbox: Sandbox, _ bundle: String, _ name: String, _ edit: (inout [String]) -> Void) throws
        -> String
    {
        var entries = try Archive.read(contentsOf: sandbox.path + "/" + bundle)
        let log = try #require(entries.firstIndex { $0.path == "registry/events.jsonl" })
        var lines = String(decoding: entries[log].data, as: UTF8.self).split(separator: "\n").map(String.init)
        edit(&lines)
        for index in lines.indices.dropFirst() {
            let prev = ProofCommandTests.sha256(Data(lines[index - 1].utf8))
            lines[index] = lines[index].replacing(/"prev":"[0-9a-f]{64}"/, with: "\"prev\":\"\(prev)\"")
        }
        entries[log].data = Data((lines.joined(separator: "\n") + "\n").utf8)
        let statement = try #require(entries.firstIndex { $0.path == "statement.json" })
        var json = try #require(try JSONSerialization.jsonObject(with: entries[statement].data) as? [String: Any])
        json["subject"] = entries.filter { $0.path != "statement.json" && $0.path != "statement.json.sig" }.map {
            ["name": $0.path, "digest": ["sha256": ProofCommandTests.sha256($0.data)]]
        }
        entries[statement].data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        try Archive.write(entries).write(to: URL(fileURLWithPath: sandbox.path + "/" + name))
        return name
    }

    @Test(.enabled(if: keygen)) func aRehashedHistoryWithAnotherSeedOrABackwardClockIsNamed() throws {
        let sandbox = try keyed()
        try sandbox.ok(
            ["challenge", "issue", "--to", "ana", "--labs", "00-01", "--sign", "examiner", "--out", "ch.json"], in: "")
        let good = try bundled(sandbox, "ws", challenge: "ch.json")
        // Lab 00 laid from a seed of the learner's choosing (a guided walk-through's answers, say).
        let reseeded = try forged(sandbox, good, "reseeded.tar") { lines in
            guard
                let index = lines.firstIndex(where: {
                    $0.contains("\"lab\":\"00-orientation\"") && $0.contains("lab.started")
                })
            else { return }
            lines[index] = lines[index].replacing(/"seed":"[0-9]+"/, with: "\"seed\":\"7\"")
        }
        let seeded = try verify(sandbox, reseeded, "ch.json")
        #expect(seeded.status == 1)
        #expect(
            problems(seeded.json).contains {
                $0.contains("lays lab 00-orientation from seed 7, not the challenge's seed")
            },
            "\(problems(seeded.json))")
        // The clock set back for the last event: named, beside the event it runs behind.
        let backwards = try forged(sandbox, good, "backwards.tar") { lines in
            guard let last = lines.indices.last else { return }
            lines[last] = lines[last].replacing(/"at":"[^"]+"/, with: "\"at\":\"2020-01-01T00:00:00.000Z\"")
        }
        let clock = try verify(sandbox, backwards, "ch.json")
        #expect(clock.status == 1)
        #expect(problems(clock.json).contains { $0.contains("its clock ran backwards") }, "\(problems(clock.json))")
        #expect(problems(clock.json).contains { $0.contains("before the challenge was issued") })
    }

    @Test func refusedIssuesAndInitsWriteNothing() throws {
        let sandbox = try Sandbox(time: .live)
        let cases: [([String], Int32, String)] = [
            (["challenge", "issue", "--labs", "00-01", "--out", "x.json"], 64, "--to"),
            (["challenge", "issue", "--to", "ana", "--labs", "99", "--out", "x.json"], 64, "--labs"),
            (["challenge", "issue", "--to", "ana", "--labs", "05-02", "--out", "x.json"], 64, "--labs"),
            (["challenge", "issue", "--to", " ", "--out", "x.json"], 64, "--to"),
            (["challenge", "issue", "--to", "ana", "--sign", "missing-key", "--out", "x.json"], 1, "missing-key"),
        ]
        for (arguments, status, named) in cases {
            let result = try sandbox.run(arguments)
            #expect(result.status == status && result.stderr.contains(named), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/x.json"), "\(arguments) wrote nothing")
        }
        try sandbox.write("{\"nonce\": \"00\"}", to: "fake.json")
        for file in ["fake.json", "absent.json"] {
            let result = try sandbox.run(["init", "ws", "--challenge", file])
            #expect(result.status == 1 && result.stderr.contains(file), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/ws"), "a refused init writes nothing")
        }
        let verify = try sandbox.run(["verify", "b.tar", "--challenge", "fake.json"])
        #expect(verify.status == 64 && verify.stderr.contains("--allowed-signers"), "\(verify.stderr)")
    }
}
