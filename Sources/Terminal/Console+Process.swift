// Who runs this process and which binary it is, read from the console's environment, so a test running the
// command table in its own process can name both.
import Foundation

extension Console {
    /// The person running the command when no name is given: LABRUNNER_USER (set once per terminal, so each
    /// person in a drill is recorded by name), else the login name.
    public var userName: String { Self.userName(in: environment) }

    /// `userName` for an environment alone (an option's default is computed from the environment).
    @Sendable public static func userName(in environment: [String: String]) -> String {
        for key in ["LABRUNNER_USER", "USER", "LOGNAME"] {
            if let name = environment[key], !name.trimmingCharacters(in: .whitespaces).isEmpty { return name }
        }
        return "labrunner"
    }

    /// This binary, so children and lab scripts run the same kit. `$LABRUNNER`, when set, names it instead:
    /// inside a lab script it is this binary already, and a test running the command table in its own process
    /// names the built binary with it.
    public var executablePath: String? {
        if let named = environment["LABRUNNER"], !named.isEmpty { return named }
        // No /proc (not Linux): the bundle's path is the fallback, so absence here is meant.
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath
    }
}
