// Label-free monitoring: each manufacturable regression, promoted under simulated traffic, shifts a signal
// the monitor sees without any answer key; a change that alters no behaviour does not.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Serving
import Testing
import ToyModel

/// A workspace with #1 in production and some traffic on it, without a server.
final class TrafficLab {
    let root: String
    let context: PlayContext
    let baseline: String
    private var originals: [String: Data] = [:]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("signals-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try InstalledSystem.install(into: root)
        try Registry.create(root: Workspace(root: root).registryPath, actor: "tester")
        try Training.recordInstalled(in: Workspace(root: root), seed: DefaultSystem.defaultSeed, by: "tester")
        context = try PlayContext(workspace: Workspace(root: root))
        baseline = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: "baseline", parent: nil, root: true), in: context
        ).record.id
        try context.registry.moveTag("production", to: baseline, by: "ops", reason: "first release")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Rewrites `path` through `change` (failing the test when it changed nothing), remembering the original.
    func edit(_ path: String, sourceLocation: SourceLocation = #_sourceLocation, _ change: (String) throws -> String)
        throws
    {
        let full = root + "/" + path
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let text = try edited(String(decoding: data, as: UTF8.self), sourceLocation: sourceLocation, change)
        if originals[path] == nil { originals[path] = data }
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Remembers `path` as it is, to be put back after a change made some other way (retraining, removal).
    func keepOriginal(_ path: String) throws {
        if originals[path] == nil { originals[path] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)) }
    }

    /// Registers what `system/` holds now, puts the edited files back, and promotes it.
    func promoteEdited(_ reason: String) throws -> String {
        let record = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: reason, parent: baseline, root: false), in: context
        ).record
        for (path, data) in originals { try data.write(to: URL(fileURLWithPath: root + "/" + path)) }
        originals.removeAll()
        try context.registry.moveTag("production", to: record.id, by: "ops", reason: reason)
        return record.id
    }

    /// The label-free monitor's verdict on what production serves now, from the attribution log alone.
    func verdict() throws -> LabelFreeVerdict? {
        var watch = SignalWatch(log: AttributionLog(registryRoot: context.registry.root))
        try watch.refresh()
        return watch.verdict(
            current: try #require(context.registry.tag("production")),
            history: try context.registry.tagHistory("production"), window: 3600, now: Date(),
            alpha: context.settings.alpha)
    }
}

@Suite struct SignalsTests {
    @Test func everyManufacturedRegressionTripsTheLabelFreeMonitorUnderTraffic() throws {
        let lab = try TrafficLab()
        _ = try Traffic.run(requests: 1000, rate: 0, seed: 11, in: lab.context)
        let regressions: [(String, () throws -> Void)] = [
            (
                "escalate trigger dropped",
                {
                    try lab.edit("system/prompt.md") {
                        $0.replacingOccurrences(
                            of: "escalate: refund_over_500, legal_threat, account_takeover",
                            with: "escalate: refund_over_500, account_takeover")
                    }
                }
            ),
            (
                "temperature raised",
                {
                    try lab.edit("system/config.json") {
                        $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 1.0")
                    }
                }
            ),
            (
                "mislabelled training data",
                {
                    try lab.edit("data/train.csv") { csv in
                        csv.split(separator: "\n").map { line in
                            if line.hasSuffix(",refund_request") {
                                return line.dropLast("refund_request".count) + "returns"
                            }
                            if line.hasSuffix(",returns") { return line.dropLast("returns".count) + "refund_request" }
                            return String(line)
                        }.joined(separator: "\n") + "\n"
                    }
                    let workspace = Workspace(root: lab.root)
                    let csv = try Data(contentsOf: URL(fileURLWithPath: workspace.trainingDataPath))
                    try lab.keepOriginal("system/weights.json")
                    _ = try Training.run(
                        csv: csv, dataPath: workspace.trainingDataPath, outPath: workspace.systemPath + "/weights.json",
                        seed: DefaultSystem.defaultSeed, by: "tester", in: workspace)
                }
            ),
            (
                "key document removed",
                {
                    try lab.keepOriginal("system/index/orders.md")
                    try FileManager.default.removeItem(atPath: lab.root + "/system/index/orders.md")
                }
            ),
            (
                "confidence threshold moved",
                {
                    try lab.edit("system/config.json") {
                        $0.replacingOccurrences(
                            of: "\"confidence_threshold\": 0.45", with: "\"confidence_threshold\": 0")
                    }
                }
            ),
        ]
        for (index, (name, manufacture)) in regressions.enumerated() {
            try manufacture()
            _ = try lab.promoteEdited(name)
            _ = try Traffic.run(requests: 1000, rate: 0, seed: UInt64(100 + index), in: lab.context)
            let verdict = try #require(try lab.verdict(), "\(name): the monitor has a baseline")
            #expect(verdict.baseline == lab.baseline, "\(name): compared with the previous production version")
            #expect(
                verdict.alarm, "\(name): \(verdict.comparison.shifts.map { "\($0.signal.rawValue) p=\($0.pValue)" })")
            try lab.context.registry.moveTag("production", to: lab.baseline, by: "ops", reason: "roll back \(name)")
        }
        // Back on the baseline, the restored version is compared with its own earlier traffic: no alarm.
        _ = try Traffic.run(requests: 400, rate: 0, seed: 999, in: lab.context)
        let restored = try #require(try lab.verdict())
        #expect(restored.baseline == lab.baseline && !restored.alarm)
    }

    @Test func aChangeThatAltersNoBehaviourRaisesNoAlarm() throws {
        let lab = try TrafficLab()
        _ = try Traffic.run(requests: 400, rate: 0, seed: 5, in: lab.context)
        try lab.edit("system/prompt.md") { $0 + "\nReviewed by the support team on Monday.\n" }
        _ = try lab.promoteEdited("cosmetic")
        _ = try Traffic.run(requests: 400, rate: 0, seed: 6, in: lab.context)
        let verdict = try #require(try lab.verdict())
        #expect(verdict.comparison.enoughData)
        #expect(!verdict.alarm, "\(verdict.comparison.summary)")
    }

    @Test func theTestsGiveTextbookPValues() {
        // 50/100 against 30/100: z = 2.887, two-sided p = 0.0039.
        #expect(abs(Signals.proportionTest(50, 100, 30, 100) - 0.0039) < 0.0002)
        // Welch with t = 2, df = 20 (two groups of 11, variance 1.375 each): p = 0.0593.
        let variance = 1.375
        #expect(abs(Signals.welchTest(mean: (1, 0), variance: (variance, variance), count: (11, 11)) - 0.0593) < 0.0005)
        // Chi-square 2×2 of [30, 10] against [10, 30]: statistic 20, df 1, p = 7.7e-6.
        let p = Signals.homogeneityTest(["a": 30, "b": 10], ["a": 10, "b": 30])
        #expect(p > 7.0e-6 && p < 8.5e-6)
        #expect(Signals.homogeneityTest(["a": 30, "b": 10], ["a": 30, "b": 10]) > 0.99)
    }
}
