// The report page and the write-up as the commands write them to files: what `report --json` says it wrote, and
// a write-up refreshed over a file the learner has written in.
import Foundation

/// What `report --json` prints: where the page went and the numbers it shows.
public struct WrittenReport: Encodable, Sendable {
    public var path: String
    public var report: ReportModel

    public init(path: String, report: ReportModel) {
        self.path = path
        self.report = report
    }
}

extension Writeup {
    /// `text` with the sections marked 'your words' kept from the write-up already at `path`, if there is one.
    public static func keepingLearnerSections(ofFileAt path: String, in text: String) -> String {
        guard let previous = FileManager.default.contents(atPath: path) else { return text }
        return keepingLearnerSections(of: String(decoding: previous, as: UTF8.self), in: text)
    }
}
