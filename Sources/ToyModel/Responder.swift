// How the assistant composes an answer: refuse, escalate, ask for clarity, or answer from the knowledge base.
import Foundation
import Hashing

struct Responder {
    static let unclear = "unclear"
    let system: ToySystem

    /// What each intent searches the knowledge base for, and what it says before quoting it.
    static let playbook: [String: (query: String, reply: String)] = [
        "order_status": (
            "order tracking status delivery parcel",
            "You can follow your parcel from the tracking link in your dispatch email."
        ),
        "shipping_options": (
            "shipping options cost express standard delivery times", "We offer standard and express shipping."
        ),
        "returns": ("return returns label exchange 30 days", "You can start a return from your order page."),
        "refund_request": ("refund refunds money back original payment", "I can help you with your refund."),
        "damaged_item": (
            "damaged broken arrived photo replacement", "I'm sorry your item arrived damaged; we will put it right."
        ),
        "warranty_claim": ("warranty repair faulty stopped working years", "Our lamps and textiles carry a warranty."),
        "cancel_order": (
            "cancel cancellation order before dispatch", "Orders can be cancelled until they are dispatched."
        ),
        "change_address": (
            "change address delivery address order before dispatch",
            "You can change the delivery address until your order is dispatched."
        ),
        "account_access": ("login password reset account sign in", "Let's get you back into your account."),
        "account_takeover": (
            "security hacked account unauthorised access locked", "Your account's security comes first."
        ),
        "payment_issue": ("payment card declined charged twice billing", "Let's sort out the payment."),
        "privacy_request": ("privacy personal data delete export", "You have full control over your personal data."),
        "product_question": ("product size materials care dimensions", "Here is what we know about our products."),
        "off_topic": (
            "",
            "That is outside what Lumen & Loom support can help with; I can help with orders, returns, refunds and your account."
        ),
    ]

    static let queryTokens: [String: [String]] = playbook.mapValues { Text.tokens($0.query) }

    static let topicKeywords: [String: [String]] = [
        "medical_advice": ["doctor", "medicine", "medication", "allergic", "allergy", "symptoms", "rash", "pregnant"],
        "legal_advice": ["landlord", "tenancy", "contract", "divorce", "visa"],
        "competitor_prices": ["cheaper", "competitor", "competitors", "ikea", "amazon", "match"],
        "investment_advice": ["invest", "investing", "stocks", "shares", "crypto", "bitcoin"],
    ]
    static let topicNames: [String: String] = [
        "medical_advice": "medical questions", "legal_advice": "legal advice",
        "competitor_prices": "other shops' prices", "investment_advice": "investment advice",
    ]
    static let legalThreatWords: Set<String> = [
        "lawyer", "lawyers", "sue", "suing", "court", "attorney", "solicitor", "lawsuit",
    ]

    func answer(_ text: String, seed: UInt64) -> Answer {
        let config = system.config
        let directives = system.directives
        let tokens = Text.tokens(text)
        var generator = SeededGenerator(seed: seed ^ Text.stableHash(text))
        let probabilities = system.classifier.probabilities(for: tokens)
        var chosen = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        if config.temperature > 0 {
            // Sampling flattens the classifier's distribution by 2×temperature, as a sampled language model
            // drifts: at 1.0 a visible share of answers take a wrong turn.
            let sampling = system.classifier.probabilities(for: tokens, temperature: 2 * config.temperature)
            var draw = generator.unit()
            for (index, probability) in sampling.enumerated() {
                draw -= probability
                if draw < 0 {
                    chosen = index
                    break
                }
            }
        }
        let variant = config.temperature > 0 ? Int(generator.next() % 3) : 0
        let confidence = probabilities[chosen]
        var intent = system.classifier.intents[chosen]
        let tokenSet = Set(tokens)

        if let topic = directives.refuse.first(where: { topic in
            Self.topicKeywords[topic, default: []].contains(where: tokenSet.contains)
        }) {
            let reply =
                "I'm sorry, but I can't help with \(Self.topicNames[topic] ?? topic). I can help with orders, returns, refunds and your account."
            return finish(
                intent: intent, confidence: confidence, body: reply, document: nil, escalated: false, refused: true,
                variant: variant)
        }
        let triggered = directives.escalate.filter { trigger in
            switch trigger {
            case "legal_threat": return !tokenSet.isDisjoint(with: Self.legalThreatWords)
            case "account_takeover": return intent == "account_takeover"
            case "refund_over_500":
                return ["refund_request", "damaged_item", "returns"].contains(intent)
                    && (Self.largestAmount(in: text) ?? 0) > config.refundEscalationAmount
            default: return false
            }
        }
        let lowConfidence = confidence < config.confidenceThreshold
        if lowConfidence, triggered.isEmpty {
            intent = Self.unclear
            if config.lowConfidenceAction == "escalate" {
                return finish(
                    intent: intent, confidence: confidence,
                    body: "I'm passing your message to a member of our team, who will reply within one business day.",
                    document: nil, escalated: true, refused: false, variant: variant)
            }
            return finish(
                intent: intent, confidence: confidence,
                body:
                    "Could you tell me a little more about what you need? For example, is it about an order, a return, a refund or your account?",
                document: nil, escalated: false, refused: false, variant: variant)
        }
        let plan = Self.playbook[intent] ?? ("", "")
        let expansion = Self.queryTokens[intent] ?? []
        var document: KnowledgeBase.Document?
        if directives.citeSources, !plan.query.isEmpty {
            let hits = system.knowledge.search(tokens + expansion, limit: config.retrievalTopK)
                .filter { $0.score >= config.minRetrievalScore }
            document = hits.first?.document
            if config.temperature > 0, hits.count > 1 {
                // Sampled retrieval: a runner-up is cited with probability growing with temperature.
                let top = hits[0].score
                let weights = hits.map { exp(($0.score - top) / (config.temperature * 4)) }
                var draw = generator.unit() * weights.reduce(0, +)
                for (hit, weight) in zip(hits, weights) {
                    draw -= weight
                    if draw < 0 {
                        document = hit.document
                        break
                    }
                }
            }
        }
        var body = plan.reply
        if !triggered.isEmpty {
            body = "I've passed this to a specialist on our support team, who will contact you within one business day."
        }
        if let document { body += " From our \(document.title) guide: \(document.summary)" }
        return finish(
            intent: intent, confidence: confidence, body: body, document: document?.id, escalated: !triggered.isEmpty,
            refused: false, variant: variant)
    }

    private func finish(
        intent: String, confidence: Double, body: String, document: String?, escalated: Bool, refused: Bool,
        variant: Int
    ) -> Answer {
        let openings: [String]
        let closing: String
        switch system.directives.tone {
        case .friendly:
            openings = ["Happy to help!", "Thanks for reaching out!", "Hi there, glad you asked!"]
            closing = "Anything else I can do for you?"
        case .formal:
            openings = ["Thank you for contacting Lumen & Loom.", "We appreciate your message.", "Good day."]
            closing = "Kind regards, Lumen & Loom Support."
        case .neutral:
            openings = ["", "", ""]
            closing = ""
        }
        var text = [openings[variant % openings.count], body, closing].filter { !$0.isEmpty }.joined(separator: " ")
        if let limit = system.directives.maxWords { text = Text.truncate(text, words: limit) }
        return Answer(
            intent: intent, confidence: (confidence * 10_000).rounded() / 10_000, text: text,
            citedDocument: document, escalated: escalated, refused: refused, version: system.version)
    }

    /// The largest money amount written with a currency sign or word, e.g. "$650", "€1,200", "700 dollars".
    static func largestAmount(in text: String) -> Double? {
        let bytes = Array(text.utf8)
        var amounts: [Double] = []
        var index = 0
        while index < bytes.count {
            // "$" is one byte; "£" is C2 A3 and "€" is E2 82 AC in UTF-8.
            var signLength = 0
            if bytes[index] == 0x24 {
                signLength = 1
            } else if bytes[index] == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA3 {
                signLength = 2
            } else if bytes[index] == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x82, bytes[index + 2] == 0xAC
            {
                signLength = 3
            }
            guard signLength > 0 else {
                index += 1
                continue
            }
            var cursor = index + signLength
            while cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
            var value = 0.0
            var digits = 0
            var fraction = 0.0
            var scale = 0.0
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if byte >= 0x30, byte <= 0x39 {
                    if scale > 0 {
                        fraction += Double(byte - 0x30) * scale
                        scale /= 10
                    } else {
                        value = value * 10 + Double(byte - 0x30)
                    }
                    digits += 1
                } else if byte == 0x2E, scale == 0, cursor + 1 < bytes.count, bytes[cursor + 1] >= 0x30,
                    bytes[cursor + 1] <= 0x39
                {
                    scale = 0.1
                } else if byte != 0x2C {
                    break
                }
                cursor += 1
            }
            if digits > 0 { amounts.append(value + fraction) }
            index = cursor
        }
        let tokens = Text.tokens(text)
        for (position, token) in tokens.enumerated() where position + 1 < tokens.count {
            if ["dollars", "euros", "pounds", "usd", "eur", "gbp"].contains(tokens[position + 1]),
                let value = Double(token)
            {
                amounts.append(value)
            }
        }
        return amounts.max()
    }
}
