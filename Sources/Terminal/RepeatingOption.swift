// An option that may be given several times (`--component a=x --component b=y`), read as every value in order.

public struct RepeatingOption: OptionDeclaration {
    public let spec: OptionSpec

    public init(_ name: String, _ valueName: String, help: String) {
        spec = .value(name, valueName, help: help, repeating: true)
    }
}

extension Invocation {
    /// Every value given for the option, in the order typed (none: empty).
    public subscript(option: RepeatingOption) -> [String] {
        get throws {
            guard declaredOptions.contains(option.spec.name) else {
                throw UndeclaredOption(name: "--" + option.spec.name)
            }
            return optionValues[option.spec.name] ?? []
        }
    }
}
