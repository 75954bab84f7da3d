// The toy system's one error type: each case names the file, line or key at fault and the way out.
import Hashing

public enum ToyModelError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingComponent(String)
    case unreadable(path: String)
    /// A FIFO, socket, device or folder where the toy system reads a file.
    case notAFile(path: String, kind: String)
    /// A file (or the index folder) larger than the toy system's limit for it (see `InputLimits`); `size` is
    /// nil when reading stopped at the limit.
    case tooLarge(file: String, size: Int?, limit: Int)
    case notUTF8(file: String, offset: Int)
    case malformedDirective(line: Int, text: String, reason: String)
    case configInvalid(reason: String)
    case unknownConfigKey(String)
    case configOutOfRange(key: String, allowed: String)
    case weightsInvalid(reason: String)
    case featureSpaceMismatch(weights: String, config: String)
    case badTrainingRow(file: String, line: Int, reason: String)
    case trainingDataTooSmall(file: String)
    case destinationExists(path: String)
    case resourcesMissing

    public var description: String {
        switch self {
        case .missingComponent(let name):
            return
                "The toy system has no \(name); restore it from 'LabRunner checkout REF DIR' or a fresh 'LabRunner init'."
        case .unreadable(let path):
            return "Cannot read \(path); check that it exists and is readable."
        case .notAFile(let path, let kind):
            return "\(path) is \(kind), not a file; replace it with a regular file."
        case .tooLarge(let file, let size, let limit):
            return
                "\(file) holds \(size.map { BoundedFile.count($0) + ", " } ?? "")more than the \(BoundedFile.size(limit)) "
                + "the toy system reads "
                + "for it (see 'Input limits' in the README); make it smaller."
        case .notUTF8(let file, let offset):
            return "\(file) is not UTF-8 text: the byte at offset \(offset) is invalid; save the file as UTF-8."
        case .malformedDirective(let line, let text, let reason):
            return "prompt.md line \(line) ('\(text)') is a malformed directive: \(reason)."
        case .configInvalid(let reason):
            return "config.json is invalid: \(reason); fix it or restore it from a registered version."
        case .unknownConfigKey(let key):
            return
                "config.json has an unknown key '\(key)'; remove it (known keys: \(ToyConfig.knownKeys.joined(separator: ", ")))."
        case .configOutOfRange(let key, let allowed):
            return "config.json key '\(key)' is out of range: it must be \(allowed)."
        case .weightsInvalid(let reason):
            return "weights.json is invalid: \(reason); retrain it with 'LabRunner train'."
        case .featureSpaceMismatch(let weights, let config):
            return "weights.json was trained for feature space '\(weights)' but config.json asks for '\(config)'; "
                + "retrain with 'LabRunner train' or set feature_space back."
        case .badTrainingRow(let file, let line, let reason):
            return "\(file) line \(line): \(reason); each row must be 'text,intent' with a known intent name."
        case .trainingDataTooSmall(let file):
            return "\(file) has too few rows to train on; it needs at least two intents with examples."
        case .destinationExists(let path):
            return "\(path) already exists; the bundled system is only laid into a new workspace."
        case .resourcesMissing:
            return "The bundled toy system is missing from this build; rebuild LabRunner with 'swift build'."
        }
    }
}
