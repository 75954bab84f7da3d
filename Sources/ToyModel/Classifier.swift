// The intent classifier: a linear softmax model over bag-of-words features, read from weights.json.
import Foundation

/// weights.json as stored: sorted keys, weights rounded, provenance of the data and seed that made it.
struct WeightsFile: Codable, Sendable {
    static let formatName = "rollback-lab/intent-classifier/1"

    struct Provenance: Codable, Sendable, Equatable {
        var dataSHA256: String
        var dataRows: Int
        var seed: UInt64
        var epochs: Int
        var learningRate: Double
        var l2: Double
        var trainerVersion: String

        enum CodingKeys: String, CodingKey {
            case seed, epochs, l2
            case dataSHA256 = "data_sha256"
            case dataRows = "data_rows"
            case learningRate = "learning_rate"
            case trainerVersion = "trainer_version"
        }
    }

    var format: String
    var featureSpace: String
    var intents: [String]
    var vocabulary: [String]
    /// One row per intent, one column per vocabulary feature.
    var weights: [[Double]]
    var bias: [Double]
    var provenance: Provenance

    enum CodingKeys: String, CodingKey {
        case format, intents, vocabulary, weights, bias, provenance
        case featureSpace = "feature_space"
    }
}

struct Classifier: Sendable {
    let intents: [String]
    let featureSpace: String
    let provenance: WeightsFile.Provenance
    private let index: [String: Int]
    /// Feature-major: the weights of feature f for every intent are contiguous.
    private let table: [Double]
    private let bias: [Double]

    init(parsing data: Data) throws {
        let file: WeightsFile
        do {
            file = try JSONDecoder().decode(WeightsFile.self, from: data)
        } catch {
            throw ToyModelError.weightsInvalid(reason: "it is not a weights file of the expected shape")
        }
        guard file.format == WeightsFile.formatName else {
            throw ToyModelError.weightsInvalid(
                reason: "its format is '\(file.format)', expected '\(WeightsFile.formatName)'")
        }
        let classes = file.intents.count
        guard classes >= 2, Set(file.intents).count == classes, file.bias.count == classes,
            file.weights.count == classes, file.weights.allSatisfy({ $0.count == file.vocabulary.count }),
            Set(file.vocabulary).count == file.vocabulary.count
        else {
            throw ToyModelError.weightsInvalid(reason: "its matrix does not match its intents and vocabulary")
        }
        guard ToyConfig.featureSpaces.contains(file.featureSpace) else {
            throw ToyModelError.weightsInvalid(reason: "unknown feature space '\(file.featureSpace)'")
        }
        intents = file.intents
        featureSpace = file.featureSpace
        provenance = file.provenance
        bias = file.bias
        var index: [String: Int] = [:]
        for (position, feature) in file.vocabulary.enumerated() { index[feature] = position }
        self.index = index
        var table = [Double](repeating: 0, count: file.vocabulary.count * classes)
        for intent in 0..<classes {
            for feature in 0..<file.vocabulary.count {
                table[feature * classes + intent] = file.weights[intent][feature]
            }
        }
        self.table = table
    }

    /// Softmax probabilities for each intent (in `intents` order), scaled by `1/temperature` when sampling.
    func probabilities(for tokens: [String], temperature: Double = 1) -> [Double] {
        let classes = intents.count
        var logits = bias
        table.withUnsafeBufferPointer { table in
            for feature in Text.features(tokens, bigrams: featureSpace == "words+bigrams") {
                guard let position = index[feature] else { continue }
                let base = position * classes
                for intent in 0..<classes { logits[intent] += table[base + intent] }
            }
        }
        let scale = temperature > 0 ? 1 / temperature : 1
        let peak = logits.max() ?? 0
        var total = 0.0
        for intent in 0..<classes {
            logits[intent] = exp((logits[intent] - peak) * scale)
            total += logits[intent]
        }
        return logits.map { $0 / total }
    }
}
