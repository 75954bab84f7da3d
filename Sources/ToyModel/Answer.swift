// The toy system's public value type: what an answer is.
import Foundation

/// One reply of the toy support assistant. Encoded with snake_case keys on disk and stdout.
public struct Answer: Codable, Sendable, Equatable {
    /// The intent the classifier settled on (after sampling, when temperature > 0).
    public var intent: String
    /// The classifier's probability for `intent`, 0...1.
    public var confidence: Double
    /// The reply text shown to the customer.
    public var text: String
    /// Id of the knowledge-base document cited (its file name without extension), or nil.
    public var citedDocument: String?
    /// True when the assistant handed the conversation to a human.
    public var escalated: Bool
    /// True when the assistant declined the topic because of a `refuse:` directive.
    public var refused: Bool
    /// Id of the version that answered ("workspace" for the live files in `system/`).
    public var version: String

    public init(
        intent: String, confidence: Double, text: String, citedDocument: String?, escalated: Bool,
        refused: Bool, version: String
    ) {
        self.intent = intent
        self.confidence = confidence
        self.text = text
        self.citedDocument = citedDocument
        self.escalated = escalated
        self.refused = refused
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case intent, confidence, text, escalated, refused, version
        case citedDocument = "cited_document"
    }
}
