// The terminal a command talks to: output streams, questions, colour rules and the environment.
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum Style: Sendable {
    case bold, dim, red, green, yellow, cyan

    var code: String {
        switch self {
        case .bold: return "1"
        case .dim: return "2"
        case .red: return "31"
        case .green: return "32"
        case .yellow: return "33"
        case .cyan: return "36"
        }
    }
}

public struct Console: Sendable {
    public var writeOut: @Sendable (String) -> Void
    public var writeErr: @Sendable (String) -> Void
    public var readLine: @Sendable () -> String?
    public var stdoutIsTerminal: Bool
    public var stdinIsTerminal: Bool
    public var stderrIsTerminal: Bool
    public var environment: [String: String]
    public var currentDirectory: String

    public init(
        writeOut: @escaping @Sendable (String) -> Void, writeErr: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { nil }, stdoutIsTerminal: Bool = false,
        stdinIsTerminal: Bool = false, stderrIsTerminal: Bool = false, environment: [String: String] = [:],
        currentDirectory: String = "/"
    ) {
        self.writeOut = writeOut
        self.writeErr = writeErr
        self.readLine = readLine
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stdinIsTerminal = stdinIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    /// The process's real standard streams.
    public static func standard() -> Console {
        Console(
            writeOut: { text in StandardStream.write(text, to: STDOUT_FILENO) },
            writeErr: { text in StandardStream.write(text, to: STDERR_FILENO) },
            readLine: { Swift.readLine(strippingNewline: true) },
            stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, stdinIsTerminal: isatty(STDIN_FILENO) == 1,
            stderrIsTerminal: isatty(STDERR_FILENO) == 1, environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
    }

    public func out(_ line: String) { writeOut(line + "\n") }
    public func err(_ line: String) { writeErr(line + "\n") }

    /// Colour only on a terminal, never with NO_COLOR (any value) or TERM=dumb.
    public var colourEnabled: Bool {
        stdoutIsTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    public func styled(_ text: String, _ style: Style) -> String {
        colourEnabled ? Style.wrap(text, style) : text
    }

    /// Asks a yes/no question on a terminal. Returns nil without asking when stdin is not a terminal,
    /// so the caller refuses with a sentence saying to add --yes rather than wait forever.
    public func confirm(_ question: String) -> Bool? {
        guard stdinIsTerminal else { return nil }
        writeErr(question + " [y/N] ")
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

/// Unbuffered writes to a file descriptor, so output interleaves correctly with child processes and crashes.
enum StandardStream {
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }
}
