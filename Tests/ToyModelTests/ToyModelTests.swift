// The toy assistant as a learner meets it: deterministic answers, obeyed directives, validated components.
import Foundation
import LabTestSupport
import Testing

@testable import ToyModel

/// The bundled system as the model reads it.
extension InstalledSystem {
    func system() throws -> ToySystem { try ToySystem(directory: root + "/system") }
}

@Suite struct ToyModelTests {
    @Test func theShippedDataMeetsItsSizes() throws {
        let bundle = try InstalledSystem("toy")
        let system = try bundle.system()
        #expect(system.intents.count >= 13)
        let rows =
            try String(contentsOfFile: bundle.root + "/data/train.csv", encoding: .utf8).split(separator: "\n").count
            - 1
        #expect(rows >= 600)
        let documents = try FileManager.default.contentsOfDirectory(atPath: bundle.root + "/system/index")
        #expect(documents.count >= 10)
        #expect(system.warnings.isEmpty)
    }

    @Test func temperatureZeroGivesTheSameBytesEveryTime() throws {
        let bundle = try InstalledSystem("toy")
        let a = try bundle.system().ask("I want a refund of $650 for my lamp", seed: 1)
        let b = try bundle.system().ask("I want a refund of $650 for my lamp", seed: 99)
        #expect(a == b)
        #expect(a.intent == "refund_request" && a.escalated && a.citedDocument == "refunds")
    }

    @Test func samplingReproducesFromTheSeed() throws {
        let bundle = try InstalledSystem("toy")
        try bundle.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 1.0")
        }
        let system = try bundle.system()
        let inputs = ["where is my order", "my lamp arrived broken", "I can't log in", "how much is shipping"]
        for input in inputs {
            #expect(system.ask(input, seed: 7) == system.ask(input, seed: 7))
        }
        let varied = Set((0..<40).map { system.ask("my lamp arrived broken", seed: $0).text })
        #expect(varied.count > 1)
    }

    @Test func trainingIsByteIdenticalForTheSameDataAndSeed() throws {
        let bundle = try InstalledSystem("toy")
        let csv = try Data(contentsOf: URL(fileURLWithPath: bundle.root + "/data/train.csv"))
        let first = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "abc", seed: 42)
        let second = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "abc", seed: 42)
        let other = try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "abc", seed: 43)
        #expect(first == second)
        #expect(first != other)
        #expect(String(decoding: first, as: UTF8.self).contains("\"data_sha256\":\"abc\""))
    }

    @Test func directivesAreObeyed() throws {
        let bundle = try InstalledSystem("toy")
        #expect(try bundle.system().ask("should I invest in bitcoin", seed: 1).refused)
        #expect(try bundle.system().ask("my lawyer will contact you about order LL-48213", seed: 1).escalated)
        try bundle.edit("system/prompt.md") {
            $0.replacingOccurrences(of: "cite_sources: yes", with: "cite_sources: no")
        }
        #expect(try bundle.system().ask("where is my order LL-48213", seed: 1).citedDocument == nil)
        try bundle.edit("system/prompt.md") { $0.replacingOccurrences(of: "tone: friendly", with: "tone: formal") }
        #expect(
            try bundle.system().ask("where is my order LL-48213", seed: 1).text.hasPrefix("Thank you for contacting"))
    }

    @Test func badComponentsAreNamed() throws {
        let bundle = try InstalledSystem("toy")
        try bundle.edit("system/prompt.md") { $0 + "\nmood: cheerful\n" }
        #expect(try bundle.system().warnings.first?.contains("unknown directive 'mood'") == true)
        try bundle.edit("system/prompt.md") { $0.replacingOccurrences(of: "max_words: 60", with: "max_words: lots") }
        #expect(throws: ToyModelError.self) { try bundle.system() }
        do {
            _ = try bundle.system()
        } catch {
            #expect(String(describing: error).contains("prompt.md line"))
        }
        try bundle.edit("system/prompt.md") { $0.replacingOccurrences(of: "max_words: lots", with: "max_words: 60") }
        try bundle.edit("system/config.json") { $0.replacingOccurrences(of: "{", with: "{\n  \"creativity\": 3,") }
        #expect(throws: ToyModelError.unknownConfigKey("creativity")) { try bundle.system() }
        try bundle.edit("system/config.json") { $0.replacingOccurrences(of: "\"creativity\": 3,", with: "") }
        try bundle.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 9")
        }
        #expect(throws: ToyModelError.configOutOfRange(key: "temperature", allowed: "a number from 0 to 2")) {
            try bundle.system()
        }
        try bundle.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 9", with: "\"temperature\": 0")
        }
        try bundle.edit("system/config.json") { $0.replacingOccurrences(of: "\"words+bigrams\"", with: "\"words\"") }
        #expect(throws: ToyModelError.featureSpaceMismatch(weights: "words+bigrams", config: "words")) {
            try bundle.system()
        }
        try bundle.edit("system/weights.json") { _ in "{\"not\": \"weights\"}" }
        #expect(throws: ToyModelError.self) { try bundle.system() }
    }

    @Test func aBadTrainingRowIsNamedWithItsLine() {
        let csv = Data("text,intent\nwhere is my order,order_status\nthis row has no intent\n".utf8)
        #expect(
            throws: ToyModelError.badTrainingRow(file: "data/train.csv", line: 3, reason: "expected 2 fields, found 1")
        ) {
            try Trainer.train(csv: csv, dataName: "data/train.csv", dataSHA256: "x", seed: 1)
        }
    }

    @Test func amountsAreReadWithTheirCurrency() {
        #expect(Responder.largestAmount(in: "refund $1,200 for order LL-48213") == 1200)
        #expect(Responder.largestAmount(in: "I paid 700 dollars") == 700)
        #expect(Responder.largestAmount(in: "order LL-48213 is late") == nil)
    }
}
