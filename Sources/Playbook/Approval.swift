// Signed approvals: `approve V --as NAME --key KEY` signs a promotion request (the version, production as it is
// now, the approver, the time) with `ssh-keygen -Y sign` under the namespace `labrunner-approval`, and
// `promote V --approval FILE` checks it against the key the roster holds for that name. A signature binds the
// approval to one version over one production: it cannot be replayed for another.
public import Foundation
import Hashing
public import Registry

/// What an approver signs.
public struct ApprovalRequest: Codable, Sendable, Equatable {
    public var version: String
    /// Production when it was signed ("none" before the first promotion).
    public var production: String
    public var approver: String
    public var at: String
    public var namespace: String

    /// The bytes signed: the request's canonical JSON.
    public func message() throws -> Data { try CanonicalJSON.encode(self) }
}

/// An approval file: the request and its armored signature.
public struct SignedApproval: Codable, Sendable, Equatable {
    public var approval: ApprovalRequest
    public var signature: String
}

public enum Approvals {
    public static let namespace = "labrunner-approval"

    /// Reads an approval file; a file that is not one is refused by name.
    public static func load(_ path: String) throws -> SignedApproval {
        guard let data = FileManager.default.contents(atPath: path),
            let approval = try? CanonicalJSON.decoder().decode(SignedApproval.self, from: data)
        else {
            throw PlaybookError.approvalRefused(
                "\(path) is not an approval file made by 'LabRunner approve'")
        }
        return approval
    }

    /// Signs the promotion of `ref` over today's production as `name`, with the private key at `keyPath`. The
    /// approver must be on the roster with a public key, be a second person to the owner, and the key must be
    /// theirs (the new signature is checked against the roster before it is handed back).
    public static func sign(
        ref: String, as name: String, keyPath: String, environment: [String: String], in context: PlayContext
    ) throws -> SignedApproval {
        let registry = context.registry
        let candidate = try registry.resolve(ref)
        let roster = try registry.roster()
        guard let person = roster.person(name), person.key != nil else {
            throw PlaybookError.approvalRefused(
                "'\(name)' has no public key on the roster, so their approval cannot be checked; add one with "
                    + "'LabRunner people add \(name) --key KEY.pub --by SOMEONE_ELSE'")
        }
        try roster.secondPerson(approver: name, owner: candidate.metadata.owner, actor: nil)
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw PlaybookError.approvalRefused("there is no private key at \(keyPath)")
        }
        let tool = try self.tool(environment)
        let request = ApprovalRequest(
            version: candidate.id, production: registry.tag("production") ?? "none", approver: person.name,
            at: Timestamp.string(from: context.now()), namespace: namespace)
        let (signature, outcome) = try SSHKeygen.sign(
            try request.message(), keyPath: keyPath, namespace: namespace, tool: tool,
            workspace: context.workspace, environment: environment)
        guard let signature else {
            throw PlaybookError.approvalRefused("ssh-keygen could not sign: \(outcome.errorText)")
        }
        let approval = SignedApproval(approval: request, signature: String(decoding: signature, as: UTF8.self))
        if let problem = try problem(approval, roster: roster, environment: environment, workspace: context.workspace) {
            throw PlaybookError.approvalRefused(problem)
        }
        return approval
    }

    /// Checks `approval` is `approver`'s, for `candidate` over `production`, and a good signature by the key the
    /// roster holds for them. Throws the one sentence when it is not.
    public static func check(
        _ approval: SignedApproval, approver: String, candidate: String, production: String?, roster: Roster,
        environment: [String: String], in context: PlayContext
    ) throws {
        let request = approval.approval
        if Roster.identity(request.approver) != Roster.identity(approver) {
            throw PlaybookError.approvalRefused(
                "the approval is signed by '\(request.approver)', not by the --approver '\(approver)'")
        }
        if request.version != candidate {
            throw PlaybookError.approvalRefused(
                "the approval is for version \(request.version.prefix(12)), not \(candidate.prefix(12))")
        }
        if request.production != (production ?? "none") {
            throw PlaybookError.approvalRefused(
                "the approval was signed when production was \(request.production.prefix(12)), and it is now "
                    + "\((production ?? "none").prefix(12)); ask for a new one")
        }
        if let problem = try problem(approval, roster: roster, environment: environment, workspace: context.workspace) {
            throw PlaybookError.approvalRefused(problem)
        }
    }

    /// The approval a promotion recorded, rebuilt from its tag move (the signature and its time are on the move,
    /// the version and production are the move's own), or nil when it recorded none.
    public static func recorded(on move: TagMove) throws -> SignedApproval? {
        let facts = try move.facts()
        guard let signature = facts.approvalSignature, let at = facts.approvalSignedAt, let approver = facts.approver
        else { return nil }
        return SignedApproval(
            approval: ApprovalRequest(
                version: move.to, production: move.from ?? "none", approver: approver, at: at, namespace: namespace),
            signature: signature)
    }

    /// Nil when the signature is good by the roster's key for its approver; else why not.
    public static func problem(
        _ approval: SignedApproval, roster: Roster, environment: [String: String], workspace: Workspace?
    ) throws -> String? {
        let request = approval.approval
        guard request.namespace == namespace else { return "the approval is not a LabRunner approval" }
        guard let person = roster.person(request.approver), person.key != nil else {
            return "'\(request.approver)' has no public key on the roster to check the approval against"
        }
        let outcome = try SSHKeygen.verify(
            try request.message(), signature: Data(approval.signature.utf8), principal: person.identity,
            namespace: namespace,
            allowedSigners: .text(roster.allowedSigners(namespace: namespace, only: person.identity)),
            tool: try tool(environment), workspace: workspace, environment: environment)
        return outcome.succeeded
            ? nil
            : "the signature is not a good signature by \(person.name)'s key on the roster (\(outcome.errorText))"
    }

    static func tool(_ environment: [String: String]) throws -> String {
        guard let tool = SSHKeygen.tool(environment: environment) else {
            throw PlaybookError.approvalRefused("signed approvals need ssh-keygen (OpenSSH) on PATH")
        }
        return tool
    }
}
