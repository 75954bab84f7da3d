// The one error type of Proof: each description is the sentence the user reads.
import Foundation

public enum ProofError: Error, CustomStringConvertible, Equatable, Sendable {
    case registryDamaged(String)
    case unreadableBundle(path: String, reason: String)
    case keyNotFound(String)
    case signerMissing
    case signingFailed(String)
    case allowedSignersUnreadable(String)
    case writeFailed(path: String, reason: String)
    case couldNotVerify(String)
    case unreadableChallenge(path: String, reason: String)

    public var description: String {
        switch self {
        case .registryDamaged(let problem):
            return "The registry fails fsck (\(problem)); a bundle must stand on a sound history, so run "
                + "'LabRunner fsck' and repair it first."
        case .unreadableBundle(let path, let reason):
            return "\(path) is not a bundle LabRunner can check: \(reason)"
        case .keyNotFound(let path):
            return "The signing key \(path) does not exist; give your SSH private key with --key FILE."
        case .signerMissing:
            return "ssh-keygen is not installed; install OpenSSH (apt-get install openssh-client) to sign or "
                + "check signatures."
        case .signingFailed(let reason):
            return "ssh-keygen could not sign the statement: \(reason); check the key with 'ssh-keygen -y -f KEY'."
        case .allowedSignersUnreadable(let path):
            return "Cannot read the allowed-signers file \(path); give a file of 'PRINCIPAL KEYTYPE KEY' lines."
        case .writeFailed(let path, let reason):
            return "Cannot write \(path): \(reason); nothing was written."
        case .unreadableChallenge(let path, let reason):
            return "\(path) is not an examiner's challenge LabRunner can read: \(reason); give the file "
                + "'LabRunner challenge issue' wrote."
        case .couldNotVerify(let reason):
            return "Could not verify: \(reason). This is a failure of verify itself, not a finding about the "
                + "bundle; free some space or stop what cleans the folder, then run 'LabRunner verify' again."
        }
    }
}
