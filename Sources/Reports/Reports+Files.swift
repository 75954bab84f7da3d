// The report page and the write-up as the commands write them to files: what `report --json` says it wrote, and
// a write-up refreshed over a file the learner has written in.
import Foundation
public import Playbook
import Registry

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

    /// Writes `text` to `path`, keeping what the learner wrote in the write-up already there; all or nothing.
    public static func save(_ text: String, to path: String) throws {
        try StagedOutput.write(Data((keepingLearnerSections(ofFileAt: path, in: text) + "\n").utf8), to: path)
    }
}

extension ReportPage {
    /// Writes the page as `folder`/index.html, the folder made if missing; a file in the folder's place is
    /// refused by name, before anything is read or written.
    public static func write(context: PlayContext, folder: String) throws -> WrittenReport {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw RegistryError.writeFailed(
                path: folder, reason: "it is a file; give a folder to write \(fileName) into")
        }
        let model = try model(context: context)
        let path = folder + "/" + fileName
        try StagedOutput.write(Data(html(model).utf8), to: path)
        return WrittenReport(path: path, report: model)
    }
}
