// The one place the kit runs `ssh-keygen -Y` (as git signs commits): signing a message with a private key, and
// checking a signature against an allowed-signers file, each in a private scratch folder. Bundles (Proof) and
// approvals (Playbook) use it under their own namespaces, so a signature made for one cannot pass as the other.
public import Foundation

public enum SSHKeygen {
    /// What one run of ssh-keygen said: its status and the last line it wrote to stderr.
    public struct Outcome: Sendable {
        public var status: Int32
        public var errorText: String
        public var succeeded: Bool { status == 0 }
    }

    /// The ssh-keygen on PATH, if any.
    public static func tool(environment: [String: String]) -> String? {
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        return (folders + ["/usr/bin"]).map { $0 + "/ssh-keygen" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Signs `message` with the private key at `keyPath` under `namespace`: the armored signature, or nil and
    /// why not. Nil tool means ssh-keygen is not installed.
    public static func sign(
        _ message: Data, keyPath: String, namespace: String, tool: String, workspace: Workspace?,
        environment: [String: String]
    ) throws -> (signature: Data?, outcome: Outcome) {
        let scratch = try ScratchFolder.make("sign", workspace: workspace, environment: environment)
        defer { scratch.remove() }
        let file = scratch.path + "/message"
        try message.write(to: URL(fileURLWithPath: file))
        let outcome = try run(tool, ["-Y", "sign", "-f", keyPath, "-n", namespace, file], input: nil)
        return (outcome.succeeded ? FileManager.default.contents(atPath: file + ".sig") : nil, outcome)
    }

    /// Checks that `signature` is `principal`'s signature of `message` under `namespace`, by the allowed-signers
    /// text given (written to the scratch folder) or the file at `allowedSignersPath`.
    public static func verify(
        _ message: Data, signature: Data, principal: String, namespace: String, allowedSigners: AllowedSigners,
        tool: String, workspace: Workspace?, environment: [String: String]
    ) throws -> Outcome {
        let scratch = try ScratchFolder.make("sign", workspace: workspace, environment: environment)
        defer { scratch.remove() }
        let signatureFile = scratch.path + "/message.sig"
        try signature.write(to: URL(fileURLWithPath: signatureFile))
        let signersFile: String
        switch allowedSigners {
        case .file(let path): signersFile = path
        case .text(let text):
            signersFile = scratch.path + "/allowed_signers"
            try Data(text.utf8).write(to: URL(fileURLWithPath: signersFile))
        }
        return try run(
            tool,
            ["-Y", "verify", "-f", signersFile, "-I", principal, "-n", namespace, "-s", signatureFile],
            input: message)
    }

    /// Whose keys a verification trusts: a file the user keeps, or lines the kit builds (from the roster).
    public enum AllowedSigners: Sendable {
        case file(String)
        case text(String)
    }

    /// Whether `text` reads as one SSH public key line (`type base64 [comment]`), as `ssh-keygen -l` accepts.
    public static func looksLikePublicKey(_ text: String) -> Bool {
        let fields = text.split(separator: " ")
        guard fields.count >= 2,
            fields[0].hasPrefix("ssh-") || fields[0].hasPrefix("ecdsa-")
                || fields[0].hasPrefix("sk-")
        else { return false }
        return Data(base64Encoded: String(fields[1])) != nil
    }

    static func run(_ tool: String, _ arguments: [String], input: Data?) throws -> Outcome {
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
        return Outcome(
            status: process.terminationStatus,
            errorText: reason.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)")
    }
}
