// An examiner's challenge: a nonce from the OS's randomness, the salt seeds derive with, the labs asked for,
// the learner's name and the issue time on the examiner's clock, signed with the examiner's SSH key. A workspace
// made with `init --challenge` binds the nonce in its first event, and every lab there is laid from the seed the
// challenge derives, so the work answers this challenge and no other.
public import Foundation
import Hashing
public import LabKit
import Playbook
public import Registry
public import Terminal

public struct ExaminerChallenge: Codable, Sendable, Equatable {
    public static let formatName = "rollback-lab-challenge/v1"
    /// The signature namespace: a challenge signature cannot be replayed as a bundle's, a commit's or a file's.
    public static let namespace = "labrunner-challenge"

    public var format: String
    /// 256 bits of OS randomness, hex.
    public var nonce: String
    /// The seed-derivation salt (128 bits of OS randomness), hex.
    public var salt: String
    /// The labs asked for, by id.
    public var labs: [String]
    public var learner: String
    public var issuedAt: Date
    /// The armored `ssh-keygen -Y sign` signature over `signedBytes`; nil when issued unsigned.
    public var signature: String?

    enum CodingKeys: String, CodingKey {
        case format, nonce, salt, labs, learner, signature
        case issuedAt = "issued_at"
    }

    /// What the signature covers: the challenge without its signature, in canonical JSON.
    public var signedBytes: Data {
        var unsigned = self
        unsigned.signature = nil
        return (try? CanonicalJSON.encode(unsigned)) ?? Data()
    }

    /// Issues a challenge for `learner` over the labs `labs` names ("00-12", "03", "02,05"), signed with the key
    /// at `keyPath` when given. Every argument is checked before anything is signed.
    public static func issue(
        to learner: String, labs: String, catalog: LabCatalog, keyPath: String?, environment: [String: String],
        now: Date
    ) throws -> ExaminerChallenge {
        let name = learner.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw UsageError("--to must name the learner the challenge is for.") }
        var challenge = ExaminerChallenge(
            format: formatName, nonce: randomHex(bytes: 32), salt: randomHex(bytes: 16),
            labs: try labIDs(labs, in: catalog), learner: name, issuedAt: now, signature: nil)
        if let keyPath {
            let signature = try SSHSignature.sign(
                challenge.signedBytes, keyPath: keyPath, environment: environment, namespace: namespace)
            challenge.signature = String(decoding: signature, as: UTF8.self)
        }
        return challenge
    }

    /// The challenge file's bytes.
    public func data() throws -> Data { try CanonicalJSON.encoder(pretty: true).encode(self) }

    /// Reads a challenge file; anything else is refused, naming the file.
    public static func load(_ path: String) throws -> ExaminerChallenge {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProofError.unreadableChallenge(path: path, reason: "it cannot be read")
        }
        guard let challenge = try? CanonicalJSON.decoder().decode(ExaminerChallenge.self, from: data),
            challenge.format == formatName
        else {
            throw ProofError.unreadableChallenge(path: path, reason: "it is not a challenge file (\(formatName))")
        }
        return challenge
    }

    /// init's option: the challenge the new workspace answers.
    public static let option = Option<String?>(
        "challenge", "file", help: "Answer this examiner's challenge: every lab is laid from the seed it derives.")

    /// `init [--challenge FILE]`: the challenge is read before anything is written, then the new workspace's
    /// first event after its creation binds it.
    public static func createWorkspace(
        at target: String, _ invocation: Invocation, _ console: Console, now: @escaping @Sendable () -> Date
    ) throws -> Workspace {
        let challenge = try invocation[option].map { try load(Workspace.absolute($0, from: console.currentDirectory)) }
        let workspace = try WorkspaceSetup.create(at: target, actor: console.userName, now: now)
        try challenge?.bind(workspace, actor: console.userName, now: now)
        return workspace
    }

    /// The event that binds a workspace to this challenge.
    public var binding: ChallengeBound {
        ChallengeBound(
            nonce: nonce, salt: salt, labs: labs.joined(separator: ","), learner: learner, issuedAt: issuedAt,
            challengeSHA256: SHA256.hash(signedBytes).hex)
    }

    /// Records the binding as the workspace's first event after its creation.
    public func bind(_ workspace: Workspace, actor: String, now: @escaping @Sendable () -> Date) throws {
        try Registry(root: workspace.registryPath, now: now).write { writer in
            _ = try writer.append(binding, actor: actor)
        }
    }

    /// The seed this challenge derives for a lab.
    public func seed(for labID: String) -> Int { ChallengeBound.seed(nonce: nonce, salt: salt, labID: labID) }

    /// "00-12", "03" or "02,05" as lab ids of the catalog.
    static func labIDs(_ text: String, in catalog: LabCatalog) throws -> [String] {
        let numbers = catalog.labs.map(\.manifest.number)
        var chosen: [String] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let ends = part.split(separator: "-", maxSplits: 1).map(String.init)
            guard let first = ends.first, let low = numbers.firstIndex(of: first),
                let high = numbers.firstIndex(of: ends.last ?? first), low <= high
            else {
                throw UsageError(
                    "--labs must be lab numbers or a range of them, like 00-12 or 02,05, not '\(text)'; "
                        + "'LabRunner lab list' shows the numbers.")
            }
            chosen += catalog.labs[low...high].map(\.id).filter { !chosen.contains($0) }
        }
        guard !chosen.isEmpty else { throw UsageError("--labs must name at least one lab, like 00-12.") }
        return chosen
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }
}

/// A time on the examiner's clock, given as ISO 8601 UTC (`2026-12-03T20:45:00Z`).
public struct ExaminerTime: OptionValue {
    public var date: Date

    public init?(optionText: String) {
        guard let date = Timestamp.date(from: optionText) else { return nil }
        self.date = date
    }

    public static var expectation: String { "a UTC time like 2026-12-03T20:45:00Z" }
    public var optionText: String { Timestamp.string(from: date) }
}

extension ExaminerChallenge {
    /// What `challenge issue` prints about the file it wrote, `named` as the examiner named it.
    public func render(_ out: inout TextOutput, named: String) {
        out.line(
            "Wrote \(named) for \(learner): \(labs.count) lab(s), nonce \(nonce.prefix(12))…, issued "
                + "\(Timestamp.string(from: issuedAt))" + (signature == nil ? ", unsigned." : ", signed."))
        out.line("The learner starts with: LabRunner init --challenge \(named)")
        out.line("Check their bundle with: LabRunner verify BUNDLE --challenge \(named) --allowed-signers FILE")
    }
}
