// The drills module's one error type: each case is the sentence a person reads, with the way out.

public enum DrillsError: Error, CustomStringConvertible, Equatable, Sendable {
    case inputsUnreadable(path: String)
    case inputsNotJSON(path: String)
    case inputsDuplicateKey(path: String, key: String)
    case inputsUnknownKey(path: String, key: String)
    case inputsNotNumber(path: String, key: String)
    case inputOutOfRange(key: String, value: String, source: String, rule: String)

    public var description: String {
        switch self {
        case .inputsUnreadable(let path):
            return "Cannot read the inputs file \(path); check the path, or give the inputs as flags instead."
        case .inputsNotJSON(let path):
            return "The inputs file \(path) is not one JSON object of numbers; write it as "
                + "{\"loaded_rate\": 100, ...} (see 'LabRunner roi --help' for the keys)."
        case .inputsDuplicateKey(let path, let key):
            return "The inputs file \(path) gives '\(key)' twice; keep one, since which would win is not obvious."
        case .inputsUnknownKey(let path, let key):
            return "The inputs file \(path) has an unknown key '\(key)'; the keys are "
                + PaybackInputs.keys.map(\.key).joined(separator: ", ") + "."
        case .inputsNotNumber(let path, let key):
            return "'\(key)' in the inputs file \(path) must be a number; write it without quotes or units."
        case .inputOutOfRange(let key, let value, let source, let rule):
            return "\(key) = \(value) (from \(source)) is out of range: it \(rule)."
        }
    }
}
