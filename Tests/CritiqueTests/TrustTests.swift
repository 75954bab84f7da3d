// What a cheat can learn without the key: rebuilding the folder from what it holds (family, mode, any seed) gives
// another scenario, and across many scenarios no file's presence, size or time tells which flaws were planted.
@testable import Critique
import Foundation
import Synchronization
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct TrustTests {
    static func versionIDs(_ folder: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder + "/.labrunner/registry/versions")) ?? [])
    }

    /// Evidence a rebuild must reproduce: everything but request ids, which the server draws afresh.
    static func lasting(_ key: AnswerKey) -> [[String]] {
        key.flaws.map { $0.evidence.filter { !$0.hasPrefix("request:") } }
    }

    @Test func aRebuildFromTheFolderAloneFailsAndOnlyTheKeyReproducesIt() throws {
        let built = try Built.scenario("hand-deploys", seed: 11)
        let info = try ScenarioFolder.info(in: built.folder)
        let temp = try TemporaryFolder("critique")
        let ids = Self.versionIDs(built.folder)
        #expect(ids.count > 5)
        // Everything the folder says about itself, and even the true seed: a fresh build shares no version with it.
        for (index, seed) in [built.key.seed, 0].enumerated() {
            let guess = try Scenarios.create(
                family: info.family, seed: seed, mode: info.mode, folder: temp.path + "/guess\(index)",
                keyPath: temp.path + "/guess\(index).json")
            #expect(Self.versionIDs(guess.folder).isDisjoint(with: ids), "a guess with seed \(seed) shares versions")
            #expect(Self.lasting(guess.key) != Self.lasting(built.key))
        }
        let again = try Scenarios.rebuild(from: built.key, folder: temp.path + "/again", keyPath: temp.path + "/a.json")
        #expect(Self.versionIDs(again.folder) == ids)
        #expect(Self.lasting(again.key) == Self.lasting(built.key))
        #expect(again.key.flaws.map(\.code) == built.key.flaws.map(\.code))
        #expect(built.key.secret.count == 64, "256 bits of secret")
    }

    /// The two unlisted flaws the issue found in the base history: incidents left mitigated, inputs kept past
    /// retention. Neither is left in any family.
    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func theBaseHistoryHoldsNoUnlistedFlaw(family: String) throws {
        let built = try Built.scenario(family, seed: 5, everyFlaw: true)
        let context = try PlayContext(workspace: Workspace(root: built.folder))
        let events = try context.registry.events()
        let incidents = try Incidents.all(events: events)
        #expect(!incidents.isEmpty)
        #expect(incidents.allSatisfy { $0.status == .closed }, "\(incidents.filter { $0.status != .closed }.map(\.id))")
        let end = try #require(events.last?.at)
        let cutoff = context.settings.inputCutoff(now: end)
        var kept = 0
        try AttributionLog(registryRoot: context.registry.root).forEach { record in
            if record.at < cutoff, !record.input.isEmpty { kept += 1 }
            return true
        }
        #expect(kept == 0, "\(kept) requests keep their input past retention")
    }

    struct Sample {
        var planted: Set<String>
        var files: [String: (size: Int, time: Double)]
    }

    static func sample(_ built: NewScenario) -> Sample {
        var files: [String: (size: Int, time: Double)] = [:]
        let manager = FileManager.default
        for path in manager.subpaths(atPath: built.folder) ?? [] {
            guard let attributes = try? manager.attributesOfItem(atPath: built.folder + "/" + path) else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            files[path] = (size, time)
        }
        return Sample(planted: Set(built.key.flaws.map(\.code)), files: files)
    }

    /// Whether one value of each sample separates planted from clean: equal sets, or ranges that do not overlap.
    static func separates(_ values: [Double], _ planted: [Bool]) -> Bool {
        let yes = zip(values, planted).filter(\.1).map(\.0)
        let no = zip(values, planted).filter { !$0.1 }.map(\.0)
        guard let yesMin = yes.min(), let yesMax = yes.max(), let noMin = no.min(), let noMax = no.max() else {
            return false
        }
        return yesMax < noMin || noMax < yesMin
    }

    /// The cheat's script of the issue, generalised: any file's presence, size, time, or time against the event log.
    static func predictors(_ samples: [Sample], pool: [String]) -> [String] {
        let paths = Set(samples.flatMap(\.files.keys)).sorted()
        var found: [String] = []
        for code in pool {
            let planted = samples.map { $0.planted.contains(code) }
            guard planted.contains(true), planted.contains(false) else { continue }
            for path in paths {
                let present = samples.map { $0.files[path] != nil ? 1.0 : 0.0 }
                let size = samples.map { Double($0.files[path]?.size ?? -1) }
                let time = samples.map { $0.files[path]?.time ?? -1 }
                let newer = samples.map { sample -> Double in
                    guard let file = sample.files[path], let log = sample.files[".labrunner/registry/events.jsonl"]
                    else { return -1 }
                    return file.time > log.time ? 1 : 0
                }
                for (name, values) in [("presence", present), ("size", size), ("time", time), ("newer", newer)]
                where separates(values, planted) {
                    found.append("\(path) \(name) predicts \(code)")
                }
            }
        }
        return found
    }

    /// Scenarios per family: 6 in the everyday run (a build takes seconds), `CRITIQUE_SAMPLES=20` for the full check.
    static let samples = Int(ProcessInfo.processInfo.environment["CRITIQUE_SAMPLES"] ?? "") ?? 6

    /// Builds `count` scenarios of `family` (test secrets of seeds 100…) side by side: building waits on the disk.
    static func many(_ family: String, count: Int) throws -> [NewScenario] {
        let results = Mutex<[UInt64: Result<NewScenario, any Error>]>([:])
        let temp = try TemporaryFolder("critique")
        let group = DispatchGroup()
        for seed in UInt64(100)..<UInt64(100 + count) {
            DispatchQueue.global().async(group: group) {
                let result = Result {
                    try Scenarios.create(
                        family: family, seed: seed, mode: .interview, folder: temp.path + "/c\(seed)",
                        keyPath: temp.path + "/k\(seed).json", forcing: nil, secret: Built.secret(seed))
                }
                results.withLock { $0[seed] = result }
            }
        }
        group.wait()
        return try results.withLock { $0 }.sorted { $0.key < $1.key }.map { try $0.value.get() }
    }

    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func noFilesPresenceSizeOrTimePredictsAFlawAndOtherKeysDoNotHelp(family: String) throws {
        let built = try Self.many(family, count: Self.samples)
        let samples = built.map(Self.sample)
        let found = Self.predictors(samples, pool: try Families.family(family).pool)
        #expect(
            found.isEmpty,
            "\(found.prefix(12).joined(separator: "; ")) (test secrets of seeds 100-\(99 + Self.samples))")
        // The cheat with other scenarios' keys: every strong line of the first half (8 with CRITIQUE_SAMPLES=16 or
        // more), as one fixed file, graded on the second half without opening it.
        let half = min(8, built.count / 2)
        let fixed = built.prefix(half).map { CalibrationPack.make(for: $0.key, folder: $0.folder).strong }.joined()
        let scores = try built.suffix(half).map {
            try Grader.grade(folder: $0.folder, findingsText: fixed, key: $0.key).score
        }.sorted()
        #expect(scores[scores.count / 2] <= 35, "a fixed file from other keys scored \(scores)")
    }
}
