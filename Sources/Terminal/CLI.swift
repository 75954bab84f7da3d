// Parsing, dispatch and help: runs a command table against arguments and returns the exit status.
import Foundation

public struct CLI: Sendable {
    public let root: CommandSpec
    public let version: String
    /// Options that may come before the subcommand (`LabRunner --workspace DIR tags`): they are carried to the
    /// command that runs, which must declare them. The root's own options are always global.
    public let globalOptions: [OptionSpec]

    static let helpOption = OptionSpec.flag("help", short: "h", help: "Show help information.")
    static let versionOption = OptionSpec.flag("version", help: "Show the version.")
    static let completionOption = OptionSpec.value(
        "generate-completion-script", "shell", help: "Print a completion script for bash, zsh or fish.")

    public init(root: CommandSpec, version: String, globalOptions: [any OptionDeclaration] = []) {
        self.root = root
        self.version = version
        self.globalOptions =
            root.options
            + globalOptions.map(\.spec).filter { option in
                !root.options.contains { $0.name == option.name }
            }
    }

    /// Parses `arguments` (without the program name), runs the command and returns its exit status:
    /// 0 success, 1 a failed operation, 64 a usage error. Never exits the process itself.
    public func run(_ arguments: [String], console: Console) -> Int32 {
        var path = [root]
        var rest = arguments[...]
        if rest.first == "help" {
            rest = rest.dropFirst()
            return showHelp(for: Array(rest), console: console)
        }
        var carried: [String] = []
        while let next = rest.first {
            if !next.hasPrefix("-"), let sub = path[path.count - 1].subcommand(next) {
                path.append(sub)
                rest = rest.dropFirst()
            } else if let words = globalOptionWords(rest) {
                carried += words
                rest = rest.dropFirst(words.count)
            } else {
                break
            }
        }
        let command = path[path.count - 1]
        let names = path.map(\.name)
        // A word where a subcommand belongs is a mistyped command, even with --help after it: printing some
        // other help and exiting 0 would hide the typo from a script.
        if let word = rest.first, !word.hasPrefix("-"), !command.subcommands.isEmpty, command.arguments.isEmpty {
            return usageFailure(UsageError(unknownCommand(word, in: command)), path: path, console: console)
        }
        rest = (carried + rest)[...]
        if rest.contains("--help") || rest.contains("-h") {
            if let index = rest.firstIndex(where: { $0 == "--help" || $0 == "-h" }),
                !rest[..<index].contains("--")
            {
                console.writeOut(help(path))
                return 0
            }
        }
        if path.count == 1, rest.first == "--version" {
            console.out(version)
            return 0
        }
        if path.count == 1, rest.first == "--generate-completion-script" {
            do {
                guard rest.count == 2, let shell = rest.last else {
                    throw UsageError("Give a shell: --generate-completion-script bash|zsh|fish.")
                }
                console.writeOut(try completionScript(shell: shell))
                return 0
            } catch let error as UsageError {
                return usageFailure(error, path: path, console: console)
            } catch {
                console.err("Error: \(SystemErrors.sentence(for: error))")
                return 1
            }
        }
        guard let run = command.run else {
            if let word = rest.first, !word.hasPrefix("-") {
                return usageFailure(UsageError(unknownCommand(word, in: command)), path: path, console: console)
            }
            if path.count == 1, rest.isEmpty {
                console.writeOut(help(path))
                return 0
            }
            if let option = rest.first {
                return usageFailure(UsageError(unknownOption(option, in: command)), path: path, console: console)
            }
            console.writeErr(
                "Error: Missing subcommand: '\(names.joined(separator: " "))' needs one of "
                    + command.subcommands.map(\.name).joined(separator: ", ") + ".\n\n")
            console.writeErr(help(path))
            return 64
        }
        let invocation: Invocation
        do {
            invocation = try parse(Array(rest), for: command, path: names, environment: console.environment)
        } catch let error as UsageError {
            return usageFailure(error, path: path, console: console)
        } catch {
            console.err("Error: \(SystemErrors.sentence(for: error))")
            return 1
        }
        do {
            return try run(invocation, console)
        } catch let error as UsageError {
            return usageFailure(error, path: path, console: console)
        } catch {
            console.err("Error: \(SystemErrors.sentence(for: error))")
            return 1
        }
    }

    /// The words of one global option at the front of `words` (`--workspace DIR`, `--workspace=DIR`, `--json`),
    /// or nil when the front word is not one.
    private func globalOptionWords(_ words: ArraySlice<String>) -> [String]? {
        guard let word = words.first, word.hasPrefix("--") else { return nil }
        let name = word.dropFirst(2).split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        guard let option = globalOptions.first(where: { $0.name == name }) else { return nil }
        if option.isFlag || word.contains("=") { return [word] }
        guard words.count >= 2 else { return nil }
        return [word, words[words.index(after: words.startIndex)]]
    }

    private func usageFailure(_ error: UsageError, path: [CommandSpec], console: Console) -> Int32 {
        let names = path.map(\.name)
        console.err("Error: \(error.message)")
        console.err("Usage: \(usage(path))")
        console.err("  See '\(names.joined(separator: " ")) --help' for more information.")
        return 64
    }

    private func showHelp(for words: [String], console: Console) -> Int32 {
        var path = [root]
        for word in words {
            guard let sub = path[path.count - 1].subcommand(word) else {
                return usageFailure(
                    UsageError(unknownCommand(word, in: path[path.count - 1])), path: path, console: console)
            }
            path.append(sub)
        }
        console.writeOut(help(path))
        return 0
    }

    /// The help text for a command path such as ["eval", "run"], or nil when there is no such command.
    public func helpText(for words: [String]) -> String? {
        var path = [root]
        for word in words {
            guard let sub = path[path.count - 1].subcommand(word) else { return nil }
            path.append(sub)
        }
        return help(path)
    }

    // MARK: Parsing

    func parse(_ words: [String], for command: CommandSpec, path: [String], environment: [String: String] = [:])
        throws -> Invocation
    {
        var invocation = Invocation(
            commandPath: path, flags: [], optionValues: [:],
            defaults: Dictionary(
                command.options.compactMap { option in option.defaultValue.map { (option.name, $0) } },
                uniquingKeysWith: { first, _ in first }),
            argumentValues: [:], declaredOptions: Set(command.options.map(\.name)),
            declaredArguments: Set(command.arguments.map(\.name)), environment: environment)
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let option: OptionSpec
            var attached: String?
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                if let equals = body.firstIndex(of: "=") { attached = String(body[body.index(after: equals)...]) }
                guard let found = command.options.first(where: { $0.name == name }) else {
                    if name.first?.isNumber == true {
                        positionals.append(word)
                        continue
                    }
                    throw UsageError(unknownOption("--" + name, in: command))
                }
                option = found
            } else {
                let letters = Array(word.dropFirst())
                guard letters.count == 1, let found = command.options.first(where: { $0.short == letters[0] }) else {
                    if Double(word) != nil {
                        positionals.append(word)
                        continue
                    }
                    throw UsageError(unknownOption(word, in: command))
                }
                option = found
            }
            switch option.kind {
            case .flag:
                if attached != nil { throw UsageError("The flag '--\(option.name)' does not take a value.") }
                invocation.flags.insert(option.name)
            case .value(let valueName):
                let value: String
                if let attached {
                    value = attached
                } else {
                    guard index < words.count, !isOptionLike(words[index], in: command) else {
                        throw UsageError("Missing value for '--\(option.name) <\(valueName)>'.")
                    }
                    value = words[index]
                    index += 1
                }
                if !option.repeating, invocation.optionValues[option.name] != nil {
                    throw UsageError("'--\(option.name)' was given more than once.")
                }
                invocation.optionValues[option.name, default: []].append(value)
            }
        }
        var remaining = positionals[...]
        for argument in command.arguments {
            if argument.repeating {
                if remaining.isEmpty, !argument.optional { throw UsageError(missing(argument)) }
                invocation.argumentValues[argument.name] = Array(remaining)
                remaining = []
            } else if let value = remaining.first {
                invocation.argumentValues[argument.name] = [value]
                remaining = remaining.dropFirst()
            } else if !argument.optional {
                throw UsageError(missing(argument))
            }
        }
        if let extra = remaining.first {
            if !command.subcommands.isEmpty {
                throw UsageError(unknownCommand(extra, in: command))
            }
            throw UsageError("Unexpected argument '\(extra)'.")
        }
        return invocation
    }

    /// Whether `word` is an option rather than a value: values such as "-15m" or "-3" are allowed.
    private func isOptionLike(_ word: String, in command: CommandSpec) -> Bool {
        if word.hasPrefix("--") { return true }
        guard word.hasPrefix("-"), word.count == 2, let letter = word.last else { return false }
        return command.options.contains { $0.short == letter } || letter == "h"
    }

    private func missing(_ argument: ArgumentSpec) -> String {
        "Missing expected argument '<\(argument.name)>'." + (argument.missingHint.map { " " + $0 } ?? "")
    }

    private func unknownOption(_ word: String, in command: CommandSpec) -> String {
        let names = command.options.map { "--" + $0.name } + ["--help"]
        let suggestion = Fuzzy.closest(to: word, in: names)
        return "Unknown option '\(word)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? "")
    }

    private func unknownCommand(_ word: String, in command: CommandSpec) -> String {
        let suggestion = Fuzzy.closest(to: word, in: command.subcommands.map(\.name))
        return "Unknown command '\(word)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? "")
    }

    // MARK: Help

    func usage(_ path: [CommandSpec]) -> String {
        let command = path[path.count - 1]
        var parts = path.map(\.name)
        if command.run == nil, !command.subcommands.isEmpty {
            parts.append("<subcommand>")
            return parts.joined(separator: " ")
        }
        // A command that runs on its own and also has subcommands (the root) shows both forms in one line.
        let subcommandSlot = command.subcommands.isEmpty ? [] : ["[<subcommand>]"]
        for option in command.options {
            let core: String
            if case .value(let valueName) = option.kind {
                core = "--\(option.name) <\(valueName)>"
            } else {
                core = "--\(option.name)"
            }
            parts.append((option.required ? core : "[\(core)]") + (option.repeating ? " ..." : ""))
        }
        parts += command.arguments.map(\.synopsis) + subcommandSlot
        return parts.joined(separator: " ")
    }

    func help(_ path: [CommandSpec]) -> String {
        let command = path[path.count - 1]
        var text = "OVERVIEW: \(command.abstract)\n"
        if let discussion = command.discussion {
            text +=
                "\n" + discussion.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n")
                + "\n"
        }
        text += "\nUSAGE: \(usage(path))\n"
        if !command.arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            text += columns(command.arguments.map { ("<\($0.name)>" + ($0.repeating ? " ..." : ""), $0.help) })
        }
        var options = command.options
        if path.count == 1 { options += [CLI.versionOption, CLI.completionOption] }
        options.append(CLI.helpOption)
        text += "\nOPTIONS:\n"
        text += columns(
            options.map { option in
                (option.synopsis, option.help + (option.defaultValue.map { " (default: \($0))" } ?? ""))
            })
        if !command.subcommands.isEmpty {
            text += "\nSUBCOMMANDS:\n"
            text += columns(command.subcommands.map { ($0.name, $0.abstract) })
            text +=
                "\n  See '\(path[0].name) help \((path.dropFirst().map(\.name) + ["<subcommand>"]).joined(separator: " "))' for detailed help.\n"
        }
        return text
    }

    private func columns(_ rows: [(String, String)]) -> String {
        let width = min(max(rows.map(\.0.count).max() ?? 0, 8), 28)
        return rows.map { name, help in
            if name.count > width {
                return "  \(name)\n  \(String(repeating: " ", count: width))  \(help)\n"
            }
            return "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(help)\n"
        }.joined()
    }
}

/// Suggestions for mistyped names.
public enum Fuzzy {
    /// The closest candidate by edit distance, when close enough to be a plausible typo. A swap of two
    /// neighbouring letters ("strat" for "start") counts as one edit, as it is one slip of the fingers.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.filter { $0 != word }.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(1, min(3, word.count / 3))
        return best.1 <= limit ? best.0 : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return previous[b.count]
    }
}
