// `LabRunner report`: the static HTML report page with inline SVG charts, every number read from the registry.
import Foundation
import Playbook
import Registry
import Reports
import Terminal

enum ReportCommand {
    /// What `--json` prints: where the page went and the numbers it shows.
    struct Output: Encodable {
        var path: String
        var report: ReportModel
    }

    static let folder = Option<String?>(
        "out", "dir", help: "The folder to write index.html into (default: report/ in the workspace).")

    static func spec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "report",
            abstract: "Write the report page: one static HTML file with charts, every number citing its event.",
            discussion: """
                Writes DIR/index.html (default: report/ in the workspace). The page has no scripts, fonts or
                links, works offline and prints; the same registry always gives the same bytes.
                """,
            options: [folder, Common.workspace, Common.json]
        ) { invocation, console in
            let workspace = try Common.workspace(invocation, console)
            let given = try invocation[folder]
            let target = given.map { Common.path($0, console) } ?? workspace.root + "/report"
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), !isFolder.boolValue {
                throw UsageError("--out \(given ?? target) is a file; give a folder to write index.html into.")
            }
            let model = try ReportPage.model(context: try PlayContext(workspace: workspace, now: env.now))
            let path = target + "/" + ReportPage.fileName
            try Common.write(Data(ReportPage.html(model).utf8), to: path)
            return try Common.emit(Output(path: path, report: model), invocation, console) { $0.line(path) }
        }
    }
}
