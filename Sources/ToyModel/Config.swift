// config.json: the knobs that change how the assistant decides, each validated with the key named.
import Foundation
import Hashing

public struct ToyConfig: Sendable, Equatable {
    static let knownKeys = [
        "confidence_threshold", "feature_space", "low_confidence_action", "min_retrieval_score",
        "refund_escalation_amount", "retrieval_top_k", "temperature",
    ]
    static let featureSpaces = ["words", "words+bigrams"]

    /// 0 answers with the most likely intent (bit-for-bit reproducible); above 0 samples with the seed.
    public var temperature = 0.0
    /// Below this classifier confidence the assistant does not guess.
    public var confidenceThreshold = 0.45
    /// What it does when unsure: "clarify" (ask a question) or "escalate" (hand to a human).
    public var lowConfidenceAction = "clarify"
    /// How many knowledge-base documents retrieval returns (0 turns retrieval off).
    public var retrievalTopK = 2
    /// BM25 score a document needs before it may be cited.
    public var minRetrievalScore = 1.0
    /// A refund request above this amount triggers `refund_over_500` escalation.
    public var refundEscalationAmount = 500.0
    /// The classifier's features; must match what weights.json was trained on.
    public var featureSpace = "words+bigrams"

    public init() {}

    /// Any JSON value: lets decoding list the keys present without caring about their types.
    private struct AnyValue: Decodable {}

    private struct Raw: Decodable {
        var temperature: Double?
        var confidenceThreshold: Double?
        var lowConfidenceAction: String?
        var retrievalTopK: Double?
        var minRetrievalScore: Double?
        var refundEscalationAmount: Double?
        var featureSpace: String?

        enum CodingKeys: String, CodingKey {
            case temperature
            case confidenceThreshold = "confidence_threshold"
            case lowConfidenceAction = "low_confidence_action"
            case retrievalTopK = "retrieval_top_k"
            case minRetrievalScore = "min_retrieval_score"
            case refundEscalationAmount = "refund_escalation_amount"
            case featureSpace = "feature_space"
        }
    }

    static let allowed: [String: String] = [
        "temperature": "a number from 0 to 2", "confidence_threshold": "a number from 0 to 1",
        "retrieval_top_k": "a whole number from 0 to 10", "min_retrieval_score": "a number from 0 to 100",
        "refund_escalation_amount": "a number from 1 to 100000",
        "low_confidence_action": "\"clarify\" or \"escalate\"", "feature_space": "\"words\" or \"words+bigrams\"",
    ]

    init(parsing data: Data) throws {
        // JSONDecoder keeps the last of two equal keys without a word; which one the person meant is unknown.
        if let key = JSONReader.duplicateKey(in: data) {
            throw ToyModelError.configInvalid(reason: "the key '\(key)' is given more than once")
        }
        let decoder = JSONDecoder()
        // Any failure here means the same thing to the person: the file is not a JSON object.
        guard let keys = try? decoder.decode([String: AnyValue].self, from: data) else {
            throw ToyModelError.configInvalid(reason: "it is not a JSON object")
        }
        if let unknown = keys.keys.sorted().first(where: { !ToyConfig.knownKeys.contains($0) }) {
            throw ToyModelError.unknownConfigKey(unknown)
        }
        let raw: Raw
        do {
            raw = try decoder.decode(Raw.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            let key = context.codingPath.first?.stringValue ?? "?"
            throw ToyModelError.configOutOfRange(key: key, allowed: ToyConfig.allowed[key] ?? "a valid value")
        } catch {
            throw ToyModelError.configInvalid(reason: "it is not valid JSON")
        }
        func check(_ value: Double?, _ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let value else { return nil }
            guard range.contains(value) else {
                throw ToyModelError.configOutOfRange(key: key, allowed: ToyConfig.allowed[key] ?? "")
            }
            return value
        }
        if let value = try check(raw.temperature, "temperature", 0...2) { temperature = value }
        if let value = try check(raw.confidenceThreshold, "confidence_threshold", 0...1) { confidenceThreshold = value }
        if let value = try check(raw.retrievalTopK, "retrieval_top_k", 0...10) {
            guard value.rounded() == value else {
                throw ToyModelError.configOutOfRange(
                    key: "retrieval_top_k", allowed: ToyConfig.allowed["retrieval_top_k"] ?? "")
            }
            retrievalTopK = Int(value)
        }
        if let value = try check(raw.minRetrievalScore, "min_retrieval_score", 0...100) { minRetrievalScore = value }
        if let value = try check(raw.refundEscalationAmount, "refund_escalation_amount", 1...100_000) {
            refundEscalationAmount = value
        }
        if let value = raw.lowConfidenceAction {
            guard ["clarify", "escalate"].contains(value) else {
                throw ToyModelError.configOutOfRange(
                    key: "low_confidence_action", allowed: ToyConfig.allowed["low_confidence_action"] ?? "")
            }
            lowConfidenceAction = value
        }
        if let value = raw.featureSpace {
            guard ToyConfig.featureSpaces.contains(value) else {
                throw ToyModelError.configOutOfRange(
                    key: "feature_space", allowed: ToyConfig.allowed["feature_space"] ?? "")
            }
            featureSpace = value
        }
    }
}
