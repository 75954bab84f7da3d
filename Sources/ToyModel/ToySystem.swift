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

    /// Loads `<directory>/prompt.md`, `config.json`, `weights.json` and `index/`.
    public init(directory: String, version: String = "workspace") throws {
        let manager = FileManager.default
        func file(_ name: String) throws -> Data {
            let path = directory + "/" + name
            guard manager.fileExists(atPath: path) else { throw ToyModelError.missingComponent(name) }
            guard let data = manager.contents(atPath: path) else { throw ToyModelError.unreadable(path: path) }
            return data
        }
        var documents: [String: Data] = [:]
        let indexPath = directory + "/index"
        // A folder that cannot be listed is the missing component, and said so.
        guard let names = try? manager.contentsOfDirectory(atPath: indexPath) else {
            throw ToyModelError.missingComponent("index/")
        }
        for name in names where !name.hasPrefix(".") {
            let path = indexPath + "/" + name
            guard let data = manager.contents(atPath: path) else { throw ToyModelError.unreadable(path: path) }
            documents[name] = data
        }
        try self.init(
            components: [
                "prompt.md": .file(try file("prompt.md")), "config.json": .file(try file("config.json")),
                "weights.json": .file(try file("weights.json")), "index": .folder(documents),
            ], version: version)
    }

    /// Loads from in-memory components keyed "prompt.md", "config.json", "weights.json", "index".
    public init(components: [String: ComponentContent], version: String) throws {
        func file(_ name: String) throws -> Data {
            guard case .file(let data)? = components[name] else { throw ToyModelError.missingComponent(name) }
            return data
        }
        guard case .folder(let documents)? = components["index"] else { throw ToyModelError.missingComponent("index/") }
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
