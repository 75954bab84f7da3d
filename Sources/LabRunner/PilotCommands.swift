// `incident stats` and `roi`: the pilot's measured numbers and the payback model built on them.
import Drills
import Foundation
import Hashing
import Playbook
import Registry
import Terminal

enum PilotCommands {
    static let quarter = OptionSpec.value(
        "quarter", "YYYY-Qn", help: "One UTC quarter, e.g. 2026-Q4 (default: every quarter with activity).")

    static func parseQuarter(_ invocation: Invocation) throws -> Quarter? {
        guard let text = invocation.value("quarter") else { return nil }
        guard let quarter = Quarter(parsing: text) else {
            throw UsageError("--quarter must be a year and a quarter like 2026-Q4, not '\(text)'.")
        }
        return quarter
    }

    static func statsSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "stats", abstract: "Incident counts, time to rollback and the DORA pair per UTC quarter.",
            discussion: """
                Real incidents and drills are counted apart (a drill incident is one whose opening event carries
                drill_id; each drill recorded by 'drill end' counts once, its time to mitigate as time to restored
                and its time to recovered as time to confirmed). Time to restored is detection to the production tag moving back; time to confirmed is
                detection to the confirming eval passing (what the lab timer stops on); both as median and p90
                (nearest rank). Change failure rate is production deployments (tag moves that are not rollbacks)
                named bad by a real incident, divided by all production deployments in the quarter; recovery is
                the median time to restored of the quarter's real incidents.
                """,
            options: [quarter, Common.workspace, Common.json]
        ) { invocation, console in
            let quarter = try parseQuarter(invocation)
            let context = try PlaybookCommands.context(invocation, console, env)
            let report = try IncidentStats.report(
                events: try context.registry.events(), quarter: quarter,
                drills: try DrillRoom(context.workspace).records())
            if invocation.flag("json") {
                try Common.printJSON(report, console)
                return 0
            }
            guard !report.quarters.isEmpty else {
                console.out("No deployments or incidents yet.")
                return 0
            }
            console.writeOut(render(report))
            return 0
        }
    }

    static func render(_ report: IncidentStatsReport) -> String {
        func time(_ seconds: Double?) -> String { seconds.map { TimePrinting.seconds($0) } ?? "-" }
        var rows: [[String]] = []
        var dora: [[String]] = []
        for stats in report.quarters + (report.quarters.count > 1 ? [report.total] : []) {
            for (kind, group) in [("real", stats.real), ("drill", stats.drills)] {
                rows.append([
                    stats.quarter, kind, String(group.incidents), time(group.toRestored.medianSeconds),
                    time(group.toRestored.p90Seconds), time(group.toConfirmed.medianSeconds),
                    time(group.toConfirmed.p90Seconds),
                ])
            }
            dora.append([
                stats.quarter, String(stats.deployments), String(stats.failedDeployments),
                stats.changeFailureRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
                time(stats.recoveryMedianSeconds),
            ])
        }
        let incidents = Table(
            headers: [
                "QUARTER", "KIND", "INCIDENTS", "TO RESTORED (MEDIAN)", "(P90)", "TO CONFIRMED (MEDIAN)", "(P90)",
            ], rows: rows, alignRight: [2, 3, 4, 5, 6]
        ).render()
        let deployments = Table(
            headers: ["QUARTER", "DEPLOYS", "FAILED", "CHANGE FAILURE RATE", "RECOVERY (MEDIAN)"], rows: dora,
            alignRight: [1, 2, 3, 4]
        ).render()
        return incidents + "\n" + deployments
    }

    static func roiSpec(_ env: AppEnvironment) -> CommandSpec {
        let inputOptions = PaybackInputs.keys.map { key in
            OptionSpec.value(
                key.flag, "n",
                help: "\(key.label), \(key.unit) (default \(PaybackInputs.plain(key.defaultValue)))"
                    + (key.context ? "; context, not in the formula." : "."))
        }
        return CommandSpec(
            name: "roi", abstract: "The one-page payback model: annual cost, avoided loss, payback and sensitivity.",
            discussion: """
                Annual cost = tooling + (setup hours + 12 × monthly maintenance hours) × loaded rate + minutes per
                deploy ÷ 60 × deploys per year × rate. Avoided loss = incidents per year × cost per incident ×
                share now preventable + reproduction hours saved × rate. Monthly net benefit = avoided loss ÷ 12 −
                the running costs per month (tooling, maintenance, process tax); payback = annual cost ÷ monthly net
                benefit. Each input comes from a flag, else the --inputs JSON file (the same keys in snake_case),
                else the workspace's measurement of the pilot quarter (see 'LabRunner incident stats'), else a
                conservative default, and the page says which.
                """,
            options: [
                .value("inputs", "file", help: "A JSON object of inputs, e.g. {\"loaded_rate\": 120}."),
                .value("format", "md|html", help: "The page's format.", default: "md"),
                .value("quarter", "YYYY-Qn", help: "The pilot quarter to measure (default: the current one)."),
            ] + inputOptions + [Common.workspace, Common.json]
        ) { invocation, console in
            let format = invocation.value("format") ?? "md"
            guard format == "md" || format == "html" else {
                throw UsageError("--format must be md or html, not '\(format)'.")
            }
            let quarter = try parseQuarter(invocation)
            var flags: [(String, Double)] = []
            for key in PaybackInputs.keys {
                guard let value = try invocation.double(key.flag) else { continue }
                if let rule = PaybackInputs.rangeRule(key.key, value) {
                    throw UsageError("--\(key.flag) \(invocation.value(key.flag) ?? "") \(rule).")
                }
                flags.append((key.key, value))
            }
            var file: [(String, Double)] = []
            if let given = invocation.value("inputs") {
                let path = Workspace.absolute(given, from: console.currentDirectory)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DrillsError.inputsUnreadable(path: given)
                }
                file = try PaybackInputs.parseFile(data, path: given)
            }
            let inputs = try PaybackInputs.assemble(
                flags: flags, file: file, measured: try measurements(invocation, console, env, quarter: quarter))
            let result = PaybackModel.compute(inputs)
            if invocation.flag("json") {
                try Common.printJSON(result, console)
            } else {
                console.writeOut(format == "html" ? PaybackPage.html(result) : PaybackPage.markdown(result))
            }
            return 0
        }
    }

    /// The pilot's measurements when run inside a workspace; none outside one. A workspace named explicitly
    /// (--workspace, LABRUNNER_WORKSPACE) must exist.
    static func measurements(_ invocation: Invocation, _ console: Console, _ env: AppEnvironment, quarter: Quarter?)
        throws -> [PilotMeasurement]
    {
        let explicit = invocation.value("workspace") ?? console.environment[Workspace.environmentVariable]
        let workspace: Workspace
        do {
            workspace = try Common.workspace(invocation, console)
        } catch RegistryError.workspaceNotFound where explicit == nil {
            return []
        }
        let registry = try Registry(root: workspace.registryPath, now: env.now)
        return try PaybackModel.measure(
            events: try registry.events(), now: env.now(), quarter: quarter, drills: try DrillRoom(workspace).records())
    }
}
