// A UTC quarter as a command-line option takes it: 2026-Q4.
public import Terminal

extension Quarter: OptionValue {
    public init?(optionText: String) { self.init(parsing: optionText) }
    public static var expectation: String { "a year and a quarter like 2026-Q4" }
    public var optionText: String { description }
}
