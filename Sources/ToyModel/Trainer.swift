// Training the intent classifier: deterministic SGD on softmax regression, from a CSV and a seed.
public import Foundation
import Hashing

public enum Trainer {
    public static let version = "1.0"
    // What a run's weights depend on besides data and seed, for whoever records the training as a witness.
    public static let epochs = 30
    public static let learningRate = 0.2
    public static let l2 = 0.002

    /// Returns the bytes of weights.json (sorted keys, ends with a newline). The same data and seed give the
    /// same bytes: rows are shuffled by the seeded generator and every sum runs in a fixed order.
    public static func train(csv: Data, dataName: String, dataSHA256: String, seed: UInt64) throws -> Data {
        try InputLimits.check(csv, name: dataName, limit: InputLimits.trainingData)
        let rows = try parse(csv, name: dataName)
        let intents = Array(Set(rows.map(\.intent))).sorted()
        guard intents.count >= 2 else { throw ToyModelError.trainingDataTooSmall(file: dataName) }
        let bigrams = true
        var counts: [String: Int] = [:]
        let examples = rows.map { row in Text.features(Text.tokens(row.text), bigrams: bigrams) }
        for features in examples { for feature in Set(features) { counts[feature, default: 0] += 1 } }
        // Bigrams seen once are noise; single words are kept.
        let vocabulary = counts.filter { $0.value >= 2 || !$0.key.contains("_") }.map(\.key).sorted()
        var index: [String: Int] = [:]
        for (position, feature) in vocabulary.enumerated() { index[feature] = position }
        let classes = intents.count
        let intentIndex = Dictionary(uniqueKeysWithValues: intents.enumerated().map { ($1, $0) })
        var weights = [[Double]](repeating: [Double](repeating: 0, count: vocabulary.count), count: classes)
        var bias = [Double](repeating: 0, count: classes)
        let encoded = examples.map { features in features.compactMap { index[$0] } }
        let labels = rows.map { intentIndex[$0.intent] ?? 0 }
        var order = Array(0..<rows.count)
        var generator = SeededGenerator(seed: seed)
        for epoch in 0..<epochs {
            for position in stride(from: order.count - 1, to: 0, by: -1) {
                let other = Int(generator.next() % UInt64(position + 1))
                order.swapAt(position, other)
            }
            let rate = learningRate / (1 + Double(epoch) * 0.1)
            for row in order {
                var logits = bias
                for feature in encoded[row] { for intent in 0..<classes { logits[intent] += weights[intent][feature] } }
                let peak = logits.max() ?? 0
                var total = 0.0
                for intent in 0..<classes {
                    logits[intent] = exp(logits[intent] - peak)
                    total += logits[intent]
                }
                for intent in 0..<classes {
                    let gradient = logits[intent] / total - (intent == labels[row] ? 1 : 0)
                    bias[intent] -= rate * gradient
                    for feature in encoded[row] {
                        weights[intent][feature] -= rate * (gradient + l2 * weights[intent][feature])
                    }
                }
            }
        }
        func rounded(_ value: Double) -> Double {
            let result = (value * 10_000).rounded() / 10_000
            return result == 0 ? 0 : result
        }
        let file = WeightsFile(
            format: WeightsFile.formatName, featureSpace: "words+bigrams", intents: intents, vocabulary: vocabulary,
            weights: weights.map { $0.map(rounded) }, bias: bias.map(rounded),
            provenance: .init(
                dataSHA256: dataSHA256, dataRows: rows.count, seed: seed, epochs: epochs, learningRate: learningRate,
                l2: l2, trainerVersion: version))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(file) + Data("\n".utf8)
    }

    struct Row {
        var text: String
        var intent: String
    }

    /// `text,intent` rows after an optional header, read as RFC 4180 CSV (see CSV.swift).
    static func parse(_ data: Data, name: String) throws -> [Row] {
        let records: [CSV.Record]
        do {
            records = try CSV.records(data)
        } catch .notUTF8(let line, let offset) {
            throw ToyModelError.badTrainingRow(
                file: name, line: line,
                reason: "the byte at offset \(offset) is not UTF-8 text (save the file as UTF-8)")
        } catch .unclosedQuote(let line) {
            throw ToyModelError.badTrainingRow(file: name, line: line, reason: "a quoted field is not closed")
        } catch .textAfterQuote(let line) {
            throw ToyModelError.badTrainingRow(
                file: name, line: line, reason: "text follows a closing quote (write a quote inside quotes as \"\")")
        }
        var rows: [Row] = []
        for (position, record) in records.enumerated() {
            let fields = record.fields
            if position == 0, fields.map({ $0.lowercased() }) == ["text", "intent"] { continue }
            guard fields.count == 2 else {
                throw ToyModelError.badTrainingRow(
                    file: name, line: record.line, reason: "expected 2 fields, found \(fields.count)")
            }
            let intent = fields[1].trimmingCharacters(in: .whitespaces)
            guard !fields[0].trimmingCharacters(in: .whitespaces).isEmpty, !intent.isEmpty,
                intent.allSatisfy({ ($0 >= "a" && $0 <= "z") || $0 == "_" })
            else {
                throw ToyModelError.badTrainingRow(
                    file: name, line: record.line, reason: "empty text or an intent that is not snake_case")
            }
            rows.append(Row(text: fields[0], intent: intent))
        }
        guard rows.count >= 2 else { throw ToyModelError.trainingDataTooSmall(file: name) }
        return rows
    }
}
