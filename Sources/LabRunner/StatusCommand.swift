// `LabRunner` with no arguments: where you are, and the one command to run next.
import Drills
import Foundation
import LabKit
import Terminal

enum StatusCommand {
    static func run(_ env: AppEnvironment, _ invocation: Invocation, _ console: Console) throws -> Int32 {
        console.out(
            console.styled("Rollback Lab", .bold) + " — practise AI model version control on a toy support assistant.")
        var catalog: LabCatalog?
        do {
            catalog = try LabCommands.catalog(console)
        } catch let error as LabError {
            // An author's broken LABRUNNER_LABS must neither stop the kit being used by hand nor hide silently.
            if case .badManifest = error { console.err("warning: \(error)") }
        }
        let whereabouts = try Whereabouts.find(
            catalog: catalog, workspace: try? Common.workspace(invocation, console), user: Common.currentUser(console),
            now: env.now)
        let drillLine = whereabouts.workspace.flatMap { DrillSession.statusLine(in: $0, now: env.now()) }
        console.show {
            whereabouts.render(
                &$0, drillLine: drillLine, pathTip: whereabouts.workspace == nil ? pathTip(console) : nil,
                currentDirectory: console.currentDirectory)
        }
        return 0
    }

    /// The tour's commands say `LabRunner`; after `swift run` it may not be on PATH yet.
    static func pathTip(_ console: Console) -> String? {
        let folders = (console.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard !folders.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/LabRunner") }),
            let binary = Common.executablePath()
        else { return nil }
        return
            "Tip: LabRunner is not on your PATH yet; run: export PATH=\"\((binary as NSString).deletingLastPathComponent):$PATH\""
    }
}
