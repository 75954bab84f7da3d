// Signatures over statement.json with the user's SSH key through `ssh-keygen -Y`, as git signs commits:
// the signature binds the bundle to a key; the allowed-signers file says whose key that is.
public import Foundation
import Registry

public enum SSHSignature {
    /// The signature namespace: a signature made for bundles cannot be replayed as a git or file signature.
    public static let namespace = "rollback-lab-bundle"

    /// The ssh-keygen on PATH, if any.
    static func tool(environment: [String: String]) -> String? {
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        return (folders + ["/usr/bin"]).map { $0 + "/ssh-keygen" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Signs `message` with the private key at `keyPath`; returns the armored signature.
    public static func sign(_ message: Data, keyPath: String, environment: [String: String]) throws -> Data {
        guard FileManager.default.fileExists(atPath: keyPath) else { throw ProofError.keyNotFound(keyPath) }
        guard let tool = tool(environment: environment) else { throw ProofError.signerMissing }
        let scratch = try ScratchFolder.make("sign", workspace: nil, environment: environment)
        defer { scratch.remove() }
        let folder = scratch.path
        let file = folder + "/statement.json"
        try message.write(to: URL(fileURLWithPath: file))
        let result = try run(tool, ["-Y", "sign", "-f", keyPath, "-n", namespace, file], input: nil)
        guard result.status == 0, let signature = FileManager.default.contents(atPath: file + ".sig") else {
            throw ProofError.signingFailed(result.errorText)
        }
        return signature
    }

    /// Nil when `signature` is a good signature of `message` by `identity` under the allowed signers; else why not.
    /// A signature checked: good, by this principal, or bad, with the reason.
    public enum Checked: Sendable, Equatable {
        case good(signer: String)
        case bad(String)
    }

    public static func check(
        _ message: Data, signature: Data, allowedSigners: String, identity: String?, environment: [String: String]
    ) throws -> Checked {
        guard let signers = FileManager.default.contents(atPath: allowedSigners) else {
            throw ProofError.allowedSignersUnreadable(allowedSigners)
        }
        guard let principal = identity ?? firstPrincipal(String(decoding: signers, as: UTF8.self)) else {
            return .bad("the allowed-signers file \(allowedSigners) names no principal")
        }
        guard let tool = tool(environment: environment) else { throw ProofError.signerMissing }
        let scratch = try ScratchFolder.make("sign", workspace: nil, environment: environment)
        defer { scratch.remove() }
        let folder = scratch.path
        try signature.write(to: URL(fileURLWithPath: folder + "/statement.json.sig"))
        let result = try run(
            tool,
            [
                "-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", namespace, "-s",
                folder + "/statement.json.sig",
            ], input: message)
        return result.status == 0
            ? .good(signer: principal)
            : .bad("the signature is not a good signature by \(principal) in \(allowedSigners) (\(result.errorText))")
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

    struct ToolResult {
        var status: Int32
        var errorText: String
    }

    static func run(_ tool: String, _ arguments: [String], input: Data?) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let feed = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : feed
        try process.run()
        if let input {
            feed.fileHandleForWriting.write(input)
            // Closing only tells the tool its input ended; if it already exited, its status says why.
            try? feed.fileHandleForWriting.close()
        }
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reason = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ToolResult(
            status: process.terminationStatus,
            errorText: reason.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)")
    }
}
