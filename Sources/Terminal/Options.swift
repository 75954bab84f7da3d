// Typed options and arguments, each declared once with its name, type, default and validation. The OptionSpec
// that help, usage and completion render is derived from the same declaration, so they cannot drift from what a
// command reads, and a command reads a declaration, never a string key: a misspelt option does not compile.

/// Anything listed in a command's options: what help, usage and completion show of it.
public protocol OptionDeclaration: Sendable {
    var spec: OptionSpec { get }
}

/// Anything listed in a command's arguments.
public protocol ArgumentDeclaration: Sendable {
    var spec: ArgumentSpec { get }
}

extension OptionSpec: OptionDeclaration {
    public var spec: OptionSpec { self }
}

extension ArgumentSpec: ArgumentDeclaration {
    public var spec: ArgumentSpec { self }
}

// So a list of declarations can still be written with `.flag(…)` and `.value(…)`.
extension OptionDeclaration where Self == OptionSpec {
    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec.flag(name, short: short, help: help)
    }

    public static func value(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, default defaultValue: String? = nil,
        repeating: Bool = false, required: Bool = false
    ) -> OptionSpec {
        OptionSpec.value(
            name, valueName, short: short, help: help, default: defaultValue, repeating: repeating, required: required)
    }
}

extension ArgumentDeclaration where Self == ArgumentSpec {
    public static func required(_ name: String, help: String, missingHint: String? = nil) -> ArgumentSpec {
        ArgumentSpec.required(name, help: help, missingHint: missingHint)
    }

    public static func optional(_ name: String, help: String) -> ArgumentSpec {
        ArgumentSpec.optional(name, help: help)
    }

    public static func repeating(_ name: String, help: String, optional: Bool = false) -> ArgumentSpec {
        ArgumentSpec.repeating(name, help: help, optional: optional)
    }
}

/// A type an option's text parses to, with the phrase naming what was expected ("a whole number").
public protocol OptionValue: Sendable {
    init?(optionText: String)
    static var expectation: String { get }
    /// The value as help shows it as a default.
    var optionText: String { get }
}

extension OptionValue {
    /// `text` given to `--name` as a value, or the usage error naming both.
    public static func parse(_ text: String, option name: String) throws -> Self {
        guard let value = Self(optionText: text) else {
            throw UsageError("--\(name) must be \(expectation), not '\(text)'.")
        }
        return value
    }
}

extension String: OptionValue {
    public init?(optionText: String) { self = optionText }
    public static var expectation: String { "text" }
    public var optionText: String { self }
}

extension Int: OptionValue {
    public init?(optionText: String) { self.init(optionText) }
    public static var expectation: String { "a whole number" }
    public var optionText: String { String(self) }
}

extension UInt64: OptionValue {
    public init?(optionText: String) { self.init(optionText) }
    public static var expectation: String { "a non-negative whole number" }
    public var optionText: String { String(self) }
}

extension Double: OptionValue {
    public init?(optionText: String) {
        guard let value = Double(optionText), value.isFinite else { return nil }
        self = value
    }
    public static var expectation: String { "a number" }
    /// Whole numbers without a trailing ".0", as a person would type them.
    public var optionText: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}

/// An option whose value is one of a few words, such as a format: its cases' raw values are what the user types,
/// and a mistyped one is refused with the list ("--format must be md or html, not 'pdf'.").
public protocol OptionChoice: OptionValue, CaseIterable, RawRepresentable<String> {}

extension OptionChoice {
    public init?(optionText: String) { self.init(rawValue: optionText) }

    public static var expectation: String {
        let words = allCases.map(\.rawValue)
        guard let last = words.last, words.count > 1 else { return words.joined() }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }

    public var optionText: String { rawValue }
}

/// An on/off option such as `--json`.
public struct Flag: OptionDeclaration {
    public let spec: OptionSpec

    public init(_ name: String, short: Character? = nil, help: String) {
        spec = .flag(name, short: short, help: help)
    }
}

/// An option with a value, read as `Value`: optional when it has no default, the default applied otherwise.
public struct Option<Value: Sendable>: OptionDeclaration {
    public let spec: OptionSpec
    private let read: @Sendable (_ given: String?, _ environment: [String: String]) throws -> Value

    private init(
        spec: OptionSpec, read: @escaping @Sendable (_ given: String?, _ environment: [String: String]) throws -> Value
    ) {
        self.spec = spec
        self.read = read
    }

    func value(given: String?, environment: [String: String]) throws -> Value { try read(given, environment) }

    /// Checks a parsed value: nil when it is fine, else the sentence of the usage error.
    public typealias Check<T> = @Sendable (T) -> String?

    /// An option without a default: nil when it is not given. `required` only shows it without brackets in the
    /// usage line; the command says why it is needed when it is missing.
    public init<Wrapped: OptionValue>(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, required: Bool = false,
        check: Check<Wrapped>? = nil
    ) where Value == Wrapped? {
        self.init(
            spec: .value(name, valueName, short: short, help: help, required: required),
            read: { given, _ in
                guard let given else { return nil }
                return try Self.checked(try Wrapped.parse(given, option: name), check)
            })
    }

    /// An option with a default, which help shows as "(default: …)".
    public init(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, default defaultValue: Value,
        check: Check<Value>? = nil
    ) where Value: OptionValue {
        self.init(
            spec: .value(name, valueName, short: short, help: help, default: defaultValue.optionText),
            read: { given, _ in
                guard let given else { return defaultValue }
                return try Self.checked(try Value.parse(given, option: name), check)
            })
    }

    /// An option without a default whose text is parsed by `parse` (which throws the error a user reads).
    public init<Wrapped: Sendable>(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, required: Bool = false,
        parse: @escaping @Sendable (String) throws -> Wrapped
    ) where Value == Wrapped? {
        self.init(
            spec: .value(name, valueName, short: short, help: help, required: required),
            read: { given, _ in try given.map(parse) })
    }

    /// An option whose text, given or the default as a user would type it, is parsed by `parse`.
    public init(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, default defaultText: String,
        parse: @escaping @Sendable (String) throws -> Value
    ) {
        self.init(
            spec: .value(name, valueName, short: short, help: help, default: defaultText),
            read: { given, _ in try parse(given ?? defaultText) })
    }

    /// An option that must be given: reading it without one throws `missing`, the sentence saying why it is
    /// needed, as a usage error. The usage line shows it without brackets.
    public init(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, missing: String,
        parse: @escaping @Sendable (String) throws -> Value
    ) {
        self.init(
            spec: .value(name, valueName, short: short, help: help, required: true),
            read: { given, _ in
                guard let given else { throw UsageError(missing) }
                return try parse(given)
            })
    }

    /// An option that must be given, parsed as its type parses.
    public init(_ name: String, _ valueName: String, short: Character? = nil, help: String, missing: String)
    where Value: OptionValue {
        self.init(name, valueName, short: short, help: help, missing: missing) { try Value.parse($0, option: name) }
    }

    /// A text option whose default comes from the environment (such as the user's name); `help` says which.
    public init(
        _ name: String, _ valueName: String, short: Character? = nil, help: String,
        defaultFrom fallback: @escaping @Sendable (_ environment: [String: String]) -> String
    ) where Value == String {
        self.init(
            spec: .value(name, valueName, short: short, help: help),
            read: { given, environment in given ?? fallback(environment) })
    }

    private static func checked<T>(_ value: T, _ check: Check<T>?) throws -> T {
        if let problem = check?(value) { throw UsageError(problem) }
        return value
    }
}

/// A positional argument: `String` when required, `String?` when optional, `[String]` when repeating.
public struct Argument<Value: Sendable>: ArgumentDeclaration {
    public let spec: ArgumentSpec
    private let read: @Sendable ([String]) -> Value

    func value(given: [String]) -> Value { read(given) }

    /// A required argument (parsing refuses a command line without it).
    public init(_ name: String, help: String, missingHint: String? = nil) where Value == String {
        spec = .required(name, help: help, missingHint: missingHint)
        read = { $0.first ?? "" }
    }

    public init(optional name: String, help: String) where Value == String? {
        spec = .optional(name, help: help)
        read = { $0.first }
    }

    public init(repeating name: String, help: String, optional: Bool = false) where Value == [String] {
        spec = .repeating(name, help: help, optional: optional)
        read = { $0 }
    }
}

/// A command read an option or argument it does not declare: a mistake in the command table, which its tests see.
public struct UndeclaredOption: Error, CustomStringConvertible, Sendable {
    public var name: String
    public var description: String {
        "The command reads '\(name)' without declaring it; this is a bug in the command table."
    }
}
