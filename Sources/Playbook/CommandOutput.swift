// How a module's command prints its result: pretty JSON with sorted keys under --json, its text otherwise.
import Hashing
public import Terminal

public enum CommandOutput {
    public static func emit<T: Encodable & TextRendering>(_ value: T, json: Bool, on console: Console) throws -> Int32 {
        if json {
            console.writeOut(try CanonicalJSON.prettyString(value))
        } else {
            console.show(value)
        }
        return 0
    }
}
