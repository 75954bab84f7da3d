// What the checks read beside the registry: the write-up's backed facts and the saved baseline.
import Evals
import Foundation
import Hashing
import Playbook
import Registry
import Reports
import Synchronization
import ToyModel

/// What a write-up's own sections may cite for one incident: the facts the registry holds about it.
struct WriteupFacts {
    var versionSeqs: Set<Int>
    var versionIDs: [String]
    var components: Set<String>
    var incidentID: String
    /// Numbers as the kit prints them ("89.7", "37.2", "300"), and durations as printed ("1m 5s").
    var numbers: Set<String>
    var phrases: [String]
    var exampleVersion: String
    var exampleComponent: String
}

extension WriteupFacts {
    /// The facts of one incident, read from the registry (in an extension, so the memberwise init stays).
    init(incident: Incident, evidence: Evidence) throws {
        incidentID = incident.id.lowercased()
        let bad = incident.badVersion.flatMap(evidence.version)
        let good = incident.goodVersion.flatMap(evidence.version)
        // Only the incident's own versions count: any "#1" in filler must not.
        versionSeqs = Set([bad, good].compactMap { $0?.seq })
        versionIDs = [bad, good].compactMap { $0?.id }
        var changed: Set<String> = []
        if let bad, let good {
            let names = Set(bad.manifest.components.keys).union(good.manifest.components.keys)
            changed = names.filter { bad.manifest.components[$0] != good.manifest.components[$0] }
            if bad.manifest.lineage != good.manifest.lineage, let dataset = bad.manifest.lineage?.dataset {
                changed.insert(String(dataset.split(separator: "/").last ?? Substring(dataset)))
            }
        }
        components = Set(changed.map { $0.lowercased() })
        exampleVersion = bad.map { "#\($0.seq)" } ?? "#N"
        exampleComponent = changed.sorted().first ?? "the component"
        var numbers: Set<String> = []
        var phrases: [String] = []
        for version in [bad, good].compactMap(\.self) {
            for eval in try evidence.evals(of: version.id) {
                for rate in [eval.passRate, eval.ciLow, eval.ciHigh] {
                    numbers.insert(String(PromotePlay.percent(rate).dropLast()))
                }
            }
        }
        let durations = [
            incident.timeToRollbackSeconds, incident.tagMovedAt.map { $0.timeIntervalSince(incident.detectedAt) },
            incident.confirmedAt.map { $0.timeIntervalSince(incident.detectedAt) },
        ].compactMap(\.self)
        for seconds in durations {
            let printed = TimeParsing.describe(max(0, seconds))
            if seconds < 60 { numbers.insert(String(printed.dropLast())) } else { phrases.append(printed.lowercased()) }
            if seconds >= 10 { numbers.insert(String(Int(seconds.rounded()))) }
        }
        if let bad {
            let served = try CheckLibrary.requests(evidence).filter { $0.version == bad.id }.count
            if served >= 10 { numbers.insert(String(served)) }
        }
        self.numbers = numbers
        self.phrases = phrases
    }

    /// Whether the text names at least one of the facts.
    func cited(in text: String) -> Bool {
        let lowered = text.lowercased()
        if phrases.contains(where: lowered.contains) { return true }
        let separators = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "#.%-_")).inverted
        for raw in lowered.components(separatedBy: separators) {
            let token = raw.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:-_"))
            guard !token.isEmpty else { continue }
            if token == incidentID || components.contains(token) { return true }
            if token.hasPrefix("#"), let seq = Int(token.dropFirst()), versionSeqs.contains(seq) { return true }
            if token.count >= 8, token.allSatisfy(\.isHexDigit), versionIDs.contains(where: { $0.hasPrefix(token) }) {
                return true
            }
            var number = token
            while let last = number.last, last == "%" || last == "s" { number.removeLast() }
            if numbers.contains(number) { return true }
        }
        return false
    }
}

/// The bundled system exactly as `init` lays it down: lab 00's baseline, recomputed rather than trusted. Built in
/// memory from the embedded files, so grading writes nothing (least of all into the shared temp folder).
enum Baseline {
    /// Results by suite, seed and repeats: the bundled system is the same for the life of the process.
    private static let results = Mutex<[String: EvalResult]>([:])

    static func evaluate(suite name: String, seed: UInt64, repeats: Int) throws -> EvalResult {
        let key = "\(name) \(seed) \(repeats)"
        if let known = results.withLock({ $0[key] }) { return known }
        let result = try compute(suite: name, seed: seed, repeats: repeats)
        results.withLock { $0[key] = result }
        return result
    }

    static func compute(suite name: String, seed: UInt64, repeats: Int) throws -> EvalResult {
        let files = Dictionary(
            DefaultSystem.bundled.map { ($0.path, $0.data) }, uniquingKeysWith: { first, _ in first })
        guard let csv = files["data/train.csv"] else {
            throw LabError.invalid("The bundled system has no training data.")
        }
        let weights = try Trainer.train(
            csv: csv, dataName: "data/train.csv", dataSHA256: SHA256.hash(csv).hex, seed: DefaultSystem.defaultSeed)
        var documents: [String: Data] = [:]
        for (path, data) in files where path.hasPrefix("system/index/") {
            let name = String(path.dropFirst("system/index/".count))
            if !name.contains("/"), !name.hasPrefix(".") { documents[name] = data }
        }
        guard let prompt = files["system/prompt.md"], let config = files["system/config.json"] else {
            throw LabError.invalid("The bundled system is missing its prompt or config.")
        }
        let system = try ToySystem(
            components: [
                "prompt.md": .file(prompt), "config.json": .file(config), "weights.json": .file(weights),
                "index": .folder(documents),
            ], version: "workspace")
        guard !name.contains("/"), let data = files["evals/\(name).jsonl"] else {
            throw LabError.invalid("The bundled system has no eval suite named '\(name)'.")
        }
        let suite = try EvalSuite(
            name: name, data: data, sha256: SHA256.hash(data).hex, fileName: "evals/\(name).jsonl",
            knownIntents: system.intents)
        return try EvalRunner.run(suite: suite, system: system, seed: seed, repeats: max(1, min(repeats, 100)))
    }
}
