// The command table as data: commands, arguments and options, from which parsing, help and completion follow.

public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case flag
        case value(valueName: String)
    }

    public var name: String
    public var short: Character?
    public var kind: Kind
    public var help: String
    public var repeating: Bool
    public var defaultValue: String?
    /// Shown without brackets in the usage line. The command checks for it itself, with a sentence saying why
    /// it is needed (a refused command writes nothing either way).
    public var required: Bool

    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(
            name: name, short: short, kind: .flag, help: help, repeating: false, defaultValue: nil, required: false)
    }

    public static func value(
        _ name: String, _ valueName: String, short: Character? = nil, help: String, default defaultValue: String? = nil,
        repeating: Bool = false, required: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            name: name, short: short, kind: .value(valueName: valueName), help: help, repeating: repeating,
            defaultValue: defaultValue, required: required)
    }

    var isFlag: Bool { kind == .flag }

    /// `-y, --yes` or `--approver <name>` as help and usage show it.
    var synopsis: String {
        var text = short.map { "-\($0), " } ?? ""
        text += "--\(name)"
        if case .value(let valueName) = kind { text += " <\(valueName)>" }
        return text
    }
}

public struct ArgumentSpec: Sendable {
    public var name: String
    public var help: String
    public var optional: Bool
    public var repeating: Bool
    /// A sentence added when the argument is missing, for a likely cause the program cannot see (a shell that
    /// took an unquoted `#1` for a comment).
    public var missingHint: String?

    public static func required(_ name: String, help: String, missingHint: String? = nil) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, optional: false, repeating: false, missingHint: missingHint)
    }

    public static func optional(_ name: String, help: String) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, optional: true, repeating: false, missingHint: nil)
    }

    public static func repeating(_ name: String, help: String, optional: Bool = false) -> ArgumentSpec {
        ArgumentSpec(name: name, help: help, optional: optional, repeating: true, missingHint: nil)
    }

    var synopsis: String {
        let core = "<\(name)>" + (repeating ? " ..." : "")
        return optional ? "[\(core)]" : core
    }
}

public struct CommandSpec: Sendable {
    public var name: String
    public var abstract: String
    public var discussion: String?
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    public var subcommands: [CommandSpec]
    public var run: (@Sendable (Invocation, Console) throws -> Int32)?

    public init(
        name: String, abstract: String, discussion: String? = nil, arguments: [any ArgumentDeclaration] = [],
        options: [any OptionDeclaration] = [], subcommands: [CommandSpec] = [],
        run: (@Sendable (Invocation, Console) throws -> Int32)? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments.map(\.spec)
        self.options = options.map(\.spec)
        self.subcommands = subcommands
        self.run = run
    }

    func subcommand(_ name: String) -> CommandSpec? { subcommands.first { $0.name == name } }
}

/// A usage error: exit status 64, printed with the usage line and a pointer to --help.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a command's run closure receives: the parsed options and arguments, read through their declarations.
public struct Invocation: Sendable {
    public var commandPath: [String]
    var flags: Set<String>
    var optionValues: [String: [String]]
    var defaults: [String: String]
    var argumentValues: [String: [String]]
    var declaredOptions: Set<String> = []
    var declaredArguments: Set<String> = []
    /// Where defaults such as "the current user" come from.
    var environment: [String: String] = [:]

    public subscript(flag: Flag) -> Bool {
        get throws {
            try requireDeclared(option: flag.spec.name)
            return flags.contains(flag.spec.name)
        }
    }

    /// The option's value: parsed and checked as declared, its default applied.
    public subscript<Value>(option: Option<Value>) -> Value {
        get throws {
            try requireDeclared(option: option.spec.name)
            return try option.value(given: optionValues[option.spec.name]?.last, environment: environment)
        }
    }

    public subscript<Value>(argument: Argument<Value>) -> Value {
        get throws {
            guard declaredArguments.contains(argument.spec.name) else {
                throw UndeclaredOption(name: "<\(argument.spec.name)>")
            }
            return argument.value(given: argumentValues[argument.spec.name] ?? [])
        }
    }

    private func requireDeclared(option name: String) throws {
        guard declaredOptions.contains(name) else { throw UndeclaredOption(name: "--" + name) }
    }

    // Reads by name, for the command-line machinery and its tests; commands read through declarations.

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func value(_ name: String) -> String? { optionValues[name]?.last ?? defaults[name] }

    func values(_ name: String) -> [String] { optionValues[name] ?? [] }

    func argument(_ name: String) -> String? { argumentValues[name]?.first }

    func arguments(_ name: String) -> [String] { argumentValues[name] ?? [] }

    func int(_ name: String) throws -> Int? { try value(name).map { try Int.parse($0, option: name) } }

    func double(_ name: String) throws -> Double? { try value(name).map { try Double.parse($0, option: name) } }

    func uint64(_ name: String) throws -> UInt64? { try value(name).map { try UInt64.parse($0, option: name) } }
}
