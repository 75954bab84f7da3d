// The toy system's limits where its components come from memory (a registry's blobs, an adopted store): each
// component past its limit is refused by name before it is parsed, whatever its source.
import Foundation
import Hashing
import LabTestSupport
import Testing

@testable import ToyModel

@Suite struct ToyInputLimitsTests {
    func components(of bundle: InstalledSystem) throws -> [String: ComponentContent] {
        let system = bundle.root + "/system"
        func file(_ name: String) throws -> ComponentContent {
            .file(try Data(contentsOf: URL(fileURLWithPath: system + "/" + name)))
        }
        var documents: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: system + "/index") {
            documents[name] = try Data(contentsOf: URL(fileURLWithPath: system + "/index/" + name))
        }
        return [
            "prompt.md": try file("prompt.md"), "config.json": try file("config.json"),
            "weights.json": try file("weights.json"), "index": .folder(documents),
        ]
    }

    @Test func aComponentPastItsLimitIsRefusedBeforeItIsParsed() throws {
        let bundle = try InstalledSystem("limits")
        var parts = try components(of: bundle)
        _ = try ToySystem(components: parts, version: "v")
        let cases: [(String, ComponentContent, ToyModelError)] = [
            (
                "prompt.md", .file(Data(count: InputLimits.prompt + 1)),
                .tooLarge(file: "prompt.md", size: InputLimits.prompt + 1, limit: 1 << 20)
            ),
            (
                "weights.json", .file(Data(count: InputLimits.weights + 1)),
                .tooLarge(file: "weights.json", size: InputLimits.weights + 1, limit: 16 << 20)
            ),
            (
                "index", .folder(["big.md": Data(count: InputLimits.indexDocument + 1)]),
                .tooLarge(file: "index/big.md", size: InputLimits.indexDocument + 1, limit: 1 << 20)
            ),
            (
                "index", .folder((0..<17).reduce(into: [:]) { $0["d\($1).md"] = Data(count: 1 << 20) }),
                .tooLarge(file: "index/", size: 17 << 20, limit: 16 << 20)
            ),
        ]
        for (name, content, expected) in cases {
            var oversized = parts
            oversized[name] = content
            #expect(throws: expected) { try ToySystem(components: oversized, version: "v") }
        }
        // Training data past its limit is refused before a row is parsed.
        #expect(throws: ToyModelError.tooLarge(file: "data/train.csv", size: (64 << 20) + 1, limit: 64 << 20)) {
            try Trainer.train(
                csv: Data(count: (64 << 20) + 1), dataName: "data/train.csv", dataSHA256: "x", seed: 1)
        }
        parts["prompt.md"] = .file(Data(count: InputLimits.prompt))
        _ = try ToySystem(components: parts, version: "at the limit")
    }
}
