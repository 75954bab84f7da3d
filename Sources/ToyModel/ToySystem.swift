// The toy support assistant of Lumen & Loom, a small online home-goods shop: loads its four components
// and answers. Every component changes measured behaviour: the prompt's directives, the config's knobs,
// the classifier's weights and the knowledge base's documents.
import Foundation
public import Hashing

public struct ToySystem: Sendable {
    let directives: PromptDirectives
    let config: ToyConfig
    let classifier: Classifier
    let knowledge: KnowledgeBase
    public let version: String

    /// Loads `<directory>/prompt.md`, `config.json`, `weights.json` and `index/`, each file within its limit
    /// (`InputLimits`) and only if it is a regular file: a FIFO put there is refused, never opened to wait on.
    public init(directory: String, version: String = "workspace") throws {
        func file(_ name: String) throws -> Data {
            try InputLimits.read(directory + "/" + name, shown: name, limit: InputLimits.files[name] ?? 0)
        }
        var documents: [String: Data] = [:]
        let indexPath = directory + "/index"
        // A folder that cannot be listed is the missing component, and said so.
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: indexPath) else {
            throw ToyModelError.missingComponent("index/")
        }
        var total = 0
        for name in names.sorted() where !name.hasPrefix(".") {
            let data = try InputLimits.read(
                indexPath + "/" + name, shown: "index/" + name, limit: InputLimits.indexDocument)
            total += data.count
            // Reading stops here, so the folder's whole size is not known: the message says "more than".
            guard total <= InputLimits.index else {
                throw ToyModelError.tooLarge(file: "index/", size: nil, limit: InputLimits.index)
            }
            documents[name] = data
        }
        try self.init(
            components: [
                "prompt.md": .file(try file("prompt.md")), "config.json": .file(try file("config.json")),
                "weights.json": .file(try file("weights.json")), "index": .folder(documents),
            ], version: version)
    }

    /// Loads from in-memory components keyed "prompt.md", "config.json", "weights.json", "index".
    /// Every component is checked against its limit before it is parsed.
    public init(components: [String: ComponentContent], version: String) throws {
        func file(_ name: String) throws -> Data {
            guard case .file(let data)? = components[name] else { throw ToyModelError.missingComponent(name) }
            try InputLimits.check(data, name: name, limit: InputLimits.files[name] ?? 0)
            return data
        }
        guard case .folder(let documents)? = components["index"] else { throw ToyModelError.missingComponent("index/") }
        for (path, data) in documents {
            try InputLimits.check(data, name: "index/" + path, limit: InputLimits.indexDocument)
        }
        let total = documents.values.reduce(0) { $0 + $1.count }
        guard total <= InputLimits.index else {
            throw ToyModelError.tooLarge(file: "index/", size: total, limit: InputLimits.index)
        }
        directives = try PromptDirectives(parsing: try Self.text(of: try file("prompt.md"), name: "prompt.md"))
        config = try ToyConfig(parsing: try file("config.json"))
        classifier = try Classifier(parsing: try file("weights.json"))
        guard classifier.featureSpace == config.featureSpace else {
            throw ToyModelError.featureSpaceMismatch(weights: classifier.featureSpace, config: config.featureSpace)
        }
        knowledge = try KnowledgeBase(files: documents)
        self.version = version
    }

    /// A text component as a person's editor may have saved it: a byte order mark is skipped and CRLF line
    /// ends read as LF; a byte that is not UTF-8 is named by its offset.
    static func text(of data: Data, name: String) throws -> String {
        switch UTF8Text.decode(data) {
        case .success(let text): return text.replacingOccurrences(of: "\r\n", with: "\n")
        case .failure(let invalid): throw ToyModelError.notUTF8(file: name, offset: invalid.offset)
        }
    }

    /// Warnings about the components (unknown prompt directives), one sentence each.
    public var warnings: [String] { directives.warnings }
    public var temperature: Double { config.temperature }
    /// The classifier's intents plus `unclear`, the answer when it is not confident enough.
    public var intents: [String] { (classifier.intents + [Responder.unclear]).sorted() }
    /// The training-data SHA-256 recorded in weights.json's provenance.
    public var trainingDataSHA256: String? { classifier.provenance.dataSHA256 }

    /// Answers `text`. At temperature 0 the answer depends only on the components and the text; above 0
    /// the intent and phrasing are sampled from a SplitMix64 generator seeded by `seed` and the text.
    public func ask(_ text: String, seed: UInt64) -> Answer {
        Responder(system: self).answer(text, seed: seed)
    }
}
