// Command output as text built beside the result it shows, styled for the console it goes to, and the terminal
// control a live view needs (rewriting a status line, redrawing a screen): every escape sequence lives here.

/// Lines of output being built, coloured only when the console they are for wants colour.
public struct TextOutput: Sendable {
    public let colour: Bool
    public private(set) var text = ""

    public init(colour: Bool) { self.colour = colour }

    public init(for console: Console) { colour = console.colourEnabled }

    /// One line, ended with a newline.
    public mutating func line(_ line: String = "") { text += line + "\n" }

    /// Text as it is (a rendered table ends its own lines).
    public mutating func write(_ raw: String) { text += raw }

    public func styled(_ text: String, _ style: Style) -> String {
        colour ? Style.wrap(text, style) : text
    }
}

/// A result that knows how it reads as text.
public protocol TextRendering {
    func render(_ out: inout TextOutput)
}

extension Style {
    static func wrap(_ text: String, _ style: Style) -> String { "\u{1B}[\(style.code)m\(text)\u{1B}[0m" }
}

extension Console {
    /// Prints a result's text on standard output.
    public func show(_ value: some TextRendering) {
        var out = TextOutput(for: self)
        value.render(&out)
        writeOut(out.text)
    }

    /// Builds text with `body` and prints it on standard output.
    public func show(_ body: (inout TextOutput) throws -> Void) rethrows {
        var out = TextOutput(for: self)
        try body(&out)
        writeOut(out.text)
    }

    /// Replaces the current line of a terminal with `text` (a status line updated in place).
    public func rewriteLine(_ text: String) { writeOut("\r\u{1B}[K" + text) }

    /// Draws `frame` over the previous one from the top of the screen, each line cleared to its end and the rest
    /// of the screen below, so a view redrawn every second does not flicker. The first frame clears the screen.
    public func redraw(_ frame: String, first: Bool) {
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\u{1B}[K" }
        writeOut((first ? "\u{1B}[2J" : "") + "\u{1B}[H" + lines.joined(separator: "\n") + "\n\u{1B}[J")
    }
}

extension Console {
    /// Runs `work`, which reports `(done, total)` as it goes, with a progress bar labelled `label` (drawn only on a
    /// terminal, for work over a second), finished once the work is done.
    public func withProgress<T>(_ label: String, _ work: (@escaping @Sendable (Int, Int) -> Void) throws -> T)
        rethrows -> T
    {
        let feed = ProgressFeed(console: self, label: label)
        let result = try work { feed.update($0, $1) }
        feed.finish()
        return result
    }
}
