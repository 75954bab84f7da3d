// config.json: the knobs that change how the assistant decides, each validated with the key named.
import Foundation

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

    init(parsing data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data), let members = object as? [String: Any] else {
            throw ToyModelError.configInvalid(reason: "it is not a JSON object")
        }
        if let unknown = members.keys.sorted().first(where: { !ToyConfig.knownKeys.contains($0) }) {
            throw ToyModelError.unknownConfigKey(unknown)
        }
        func number(_ key: String, _ range: ClosedRange<Double>, _ allowed: String) throws -> Double? {
            guard let value = members[key] else { return nil }
            guard let number = value as? NSNumber, !(value is Bool), range.contains(number.doubleValue) else {
                throw ToyModelError.configOutOfRange(key: key, allowed: allowed)
            }
            return number.doubleValue
        }
        if let value = try number("temperature", 0...2, "a number from 0 to 2") { temperature = value }
        if let value = try number("confidence_threshold", 0...1, "a number from 0 to 1") { confidenceThreshold = value }
        if let value = try number("retrieval_top_k", 0...10, "a whole number from 0 to 10") {
            guard value.rounded() == value else {
                throw ToyModelError.configOutOfRange(key: "retrieval_top_k", allowed: "a whole number from 0 to 10")
            }
            retrievalTopK = Int(value)
        }
        if let value = try number("min_retrieval_score", 0...100, "a number from 0 to 100") { minRetrievalScore = value }
        if let value = try number("refund_escalation_amount", 1...100_000, "a number from 1 to 100000") {
            refundEscalationAmount = value
        }
        if let value = members["low_confidence_action"] {
            guard let text = value as? String, ["clarify", "escalate"].contains(text) else {
                throw ToyModelError.configOutOfRange(key: "low_confidence_action", allowed: "\"clarify\" or \"escalate\"")
            }
            lowConfidenceAction = text
        }
        if let value = members["feature_space"] {
            guard let text = value as? String, ToyConfig.featureSpaces.contains(text) else {
                throw ToyModelError.configOutOfRange(key: "feature_space", allowed: "\"words\" or \"words+bigrams\"")
            }
            featureSpace = text
        }
    }
}
