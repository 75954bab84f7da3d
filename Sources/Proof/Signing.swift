// Signatures over statement.json with the user's SSH key through `ssh-keygen -Y`, as git signs commits:
// the signature binds the bundle to a key; the allowed-signers file says whose key that is.
public import Foundation
import Registry

public enum SSHSignature {
    /// The signature namespace: a signature made for bundles cannot be replayed as a git or file signature.
    public static let namespace = "rollback-lab-bundle"

    /// Signs `message` with the private key at `keyPath`; returns the armored signature.
    public static func sign(
        _ message: Data, keyPath: String, environment: [String: String], namespace: String = namespace
    ) throws -> Data {
        guard FileManager.default.fileExists(atPath: keyPath) else { throw ProofError.keyNotFound(keyPath) }
        guard let tool = SSHKeygen.tool(environment: environment) else { throw ProofError.signerMissing }
        let (signature, outcome) = try SSHKeygen.sign(
            message, keyPath: keyPath, namespace: namespace, tool: tool, workspace: nil, environment: environment)
        guard let signature else { throw ProofError.signingFailed(outcome.errorText) }
        return signature
    }

    /// Nil when `signature` is a good signature of `message` by `identity` under the allowed signers; else why not.
    /// A signature checked: good, by this principal, or bad, with the reason.
    public enum Checked: Sendable, Equatable {
        case good(signer: String)
        case bad(String)
    }

    public static func check(
        _ message: Data, signature: Data, allowedSigners: String, identity: String?, environment: [String: String],
        namespace: String = namespace
    ) throws -> Checked {
        guard let signers = FileManager.default.contents(atPath: allowedSigners) else {
            throw ProofError.allowedSignersUnreadable(allowedSigners)
        }
        guard let principal = identity ?? firstPrincipal(String(decoding: signers, as: UTF8.self)) else {
            return .bad("the allowed-signers file \(allowedSigners) names no principal")
        }
        guard let tool = SSHKeygen.tool(environment: environment) else { throw ProofError.signerMissing }
        let outcome = try SSHKeygen.verify(
            message, signature: signature, principal: principal, namespace: namespace,
            allowedSigners: .file(allowedSigners), tool: tool, workspace: nil, environment: environment)
        return outcome.succeeded
            ? .good(signer: principal)
            : .bad("the signature is not a good signature by \(principal) in \(allowedSigners) (\(outcome.errorText))")
    }

    /// Every principal of an allowed-signers file, in order.
    static func principals(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { firstPrincipal(String($0)) }
    }

    /// The first principal of an allowed-signers file: the first field of its first entry, up to a comma.
    static func firstPrincipal(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"),
                let field = trimmed.split(separator: " ").first?.split(separator: ",").first
            else { continue }
            return String(field).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
