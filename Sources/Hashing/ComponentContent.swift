// A component's bytes in memory: the one shape in which the registry hands components over and the toy model
// loads them. It lives here, below both, so neither has to know the other.
public import Foundation

/// One component's bytes: a single file, or a folder of files.
public enum ComponentContent: Sendable, Equatable {
    /// A single file, e.g. `prompt.md`.
    case file(Data)
    /// A folder, keyed by path relative to the folder (e.g. `refunds.md` in `index/`).
    case folder([String: Data])
}
