// These signals live in Playbook, not Serving, because Playbook's canary and investigate play read them, and a
// lower layer cannot import Serving.
//
// Label-free signals: what every answer shows about a version without an answer key (escalation, refusal,
// citation and clarify rates, mean confidence, answer length, intent mix, cited-document mix), computed per version from
// attribution records, and a stated significance test of a shift between two versions' windows.
//
// Real traffic has no answer key and labels arrive late, so the monitor, the canary, investigate and drills
// watch these. Nothing here knows about HTTP: it takes `RequestRecord`s (the logged output is decoded) or
// `Answer`s and returns values.
public import Foundation
public import Registry
public import ToyModel

/// The signals one version showed over a set of answers: counts and sums, so windows can be merged cheaply.
public struct VersionSignals: Codable, Sendable, Equatable {
    public var version: String
    public var requests = 0
    public var escalated = 0
    public var refused = 0
    public var cited = 0
    /// Answers that asked the customer to say more (low confidence, not escalated).
    public var clarified = 0
    public var confidenceSum = 0.0
    public var confidenceSquares = 0.0
    public var wordsSum = 0.0
    public var wordsSquares = 0.0
    /// Answers per intent the model settled on: a shift here is prediction drift.
    public var intents: [String: Int] = [:]
    /// Answers per cited document ("none" for no citation): a shift here is retrieval drift, such as a key
    /// document gone from the index while the citation rate holds.
    public var documents: [String: Int] = [:]
    /// Labels when they exist (an answer key or a late `POST /v1/feedback`); the label-free test ignores them.
    public var labelled = 0
    public var satisfied = 0

    public init(version: String) { self.version = version }

    /// Adds the counts and sums of `other` (another window of the same version, or any answers summed together).
    public mutating func merge(_ other: VersionSignals) {
        requests += other.requests
        escalated += other.escalated
        refused += other.refused
        cited += other.cited
        clarified += other.clarified
        confidenceSum += other.confidenceSum
        confidenceSquares += other.confidenceSquares
        wordsSum += other.wordsSum
        wordsSquares += other.wordsSquares
        intents.merge(other.intents, uniquingKeysWith: +)
        documents.merge(other.documents, uniquingKeysWith: +)
        labelled += other.labelled
        satisfied += other.satisfied
    }

    /// Adds one answer (and its label, when it has one).
    public mutating func add(_ answer: Answer, satisfied label: Bool? = nil) {
        requests += 1
        escalated += answer.escalated ? 1 : 0
        refused += answer.refused ? 1 : 0
        cited += answer.citedDocument == nil ? 0 : 1
        clarified += answer.intent == Signals.clarifyIntent && !answer.escalated ? 1 : 0
        confidenceSum += answer.confidence
        confidenceSquares += answer.confidence * answer.confidence
        let words = Double(Signals.words(in: answer.text))
        wordsSum += words
        wordsSquares += words * words
        intents[answer.intent, default: 0] += 1
        documents[answer.citedDocument ?? "none", default: 0] += 1
        if let label {
            labelled += 1
            satisfied += label ? 1 : 0
        }
    }

    public var escalationRate: Double { share(escalated) }
    public var refusalRate: Double { share(refused) }
    public var citationRate: Double { share(cited) }
    public var clarifyRate: Double { share(clarified) }
    public var meanConfidence: Double { share(confidenceSum) }
    public var meanWords: Double { share(wordsSum) }
    public var satisfiedRate: Double? { labelled == 0 ? nil : Double(satisfied) / Double(labelled) }

    /// The value of one signal (a mix has no single value: the share of its most common category).
    public func value(_ signal: Signal) -> Double {
        switch signal {
        case .escalationRate: return escalationRate
        case .refusalRate: return refusalRate
        case .citationRate: return citationRate
        case .clarifyRate: return clarifyRate
        case .meanConfidence: return meanConfidence
        case .answerWords: return meanWords
        case .intentMix: return share(Double(intents.values.max() ?? 0))
        case .citedMix: return share(Double(documents.values.max() ?? 0))
        }
    }

    private func share(_ count: Int) -> Double { share(Double(count)) }
    private func share(_ sum: Double) -> Double { requests == 0 ? 0 : sum / Double(requests) }

    fileprivate func variance(_ sum: Double, _ squares: Double) -> Double {
        guard requests > 1 else { return 0 }
        let n = Double(requests)
        return max(0, (squares - sum * sum / n) / (n - 1))
    }
}

/// The label-free signals, in the order they are reported.
public enum Signal: String, Codable, Sendable, CaseIterable {
    case escalationRate = "escalation_rate"
    case refusalRate = "refusal_rate"
    case citationRate = "citation_rate"
    case clarifyRate = "clarify_rate"
    case meanConfidence = "mean_confidence"
    case answerWords = "answer_words"
    case intentMix = "intent_mix"
    case citedMix = "cited_mix"

    /// How the shift of this signal is tested.
    public var test: String {
        switch self {
        case .escalationRate, .refusalRate, .citationRate, .clarifyRate: return "two-proportion z test"
        case .meanConfidence, .answerWords: return "Welch t test"
        case .intentMix, .citedMix: return "chi-square test of homogeneity"
        }
    }

    /// A short label for people ("escalation rate").
    public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// One signal's test between a baseline window and a current one.
public struct SignalShift: Codable, Sendable, Equatable {
    public var signal: Signal
    public var baseline: Double
    public var current: Double
    public var test: String
    public var pValue: Double
    public var significant: Bool

    enum CodingKeys: String, CodingKey {
        case signal, baseline, current, test, significant
        case pValue = "p_value"
    }
}

/// Every signal tested between two windows, with the family-wise decision.
public struct SignalComparison: Encodable, Sendable, Equatable {
    public var baseline: VersionSignals
    public var current: VersionSignals
    /// Family-wise significance level; each of the `shifts.count` tests runs at `alpha / shifts.count`.
    public var alpha: Double
    public var perTestAlpha: Double
    public var shifts: [SignalShift]
    /// False when either window has fewer than the minimum requests: no verdict either way.
    public var enoughData: Bool
    public var significant: Bool { enoughData && shifts.contains { $0.significant } }

    enum CodingKeys: String, CodingKey {
        case baseline, current, alpha, shifts, significant
        case perTestAlpha = "per_test_alpha"
        case enoughData = "enough_data"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(current, forKey: .current)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(perTestAlpha, forKey: .perTestAlpha)
        try container.encode(shifts, forKey: .shifts)
        try container.encode(enoughData, forKey: .enoughData)
        try container.encode(significant, forKey: .significant)
    }

    /// "escalation rate 14.0% → 2.0% (p=1.2e-09)" for each significant shift, joined with "; ".
    public var summary: String {
        shifts.filter(\.significant).map { shift in
            let format: (Double) -> String =
                shift.signal == .meanConfidence || shift.signal == .answerWords
                ? { String(format: "%.3g", $0) } : { String(format: "%.1f%%", $0 * 100) }
            return "\(shift.signal.label) \(format(shift.baseline)) → \(format(shift.current)) "
                + String(format: "(p=%.2g)", shift.pValue)
        }.joined(separator: "; ")
    }
}

public enum Signals {
    /// The intent the toy system reports when it asks the customer to clarify.
    public static let clarifyIntent = "unclear"
    /// Fewest requests in each window before a shift is judged.
    public static let minimumRequests = 50
    /// The stated test, for reports.
    public static let testName =
        "two-proportion z tests (rates), Welch t tests (means), chi-square (intent and cited-document mix); two-sided, Bonferroni over the signals"

    /// The answer a record logged, or nil when its output is not an answer.
    public static func answer(of record: RequestRecord) -> Answer? {
        try? JSONDecoder().decode(Answer.self, from: Data(record.output.utf8))
    }

    /// Per-version signals of the records that match: `version` (all when nil) and `at` in `window` (all
    /// when nil). `labels` (late feedback by request id) counts as a label where the record has none.
    public static func compute(
        _ records: some Sequence<RequestRecord>, version: String? = nil, window: ClosedRange<Date>? = nil,
        labels: [String: FeedbackRecord] = [:]
    ) -> [String: VersionSignals] {
        var result: [String: VersionSignals] = [:]
        for record in records {
            if let version, record.version != version { continue }
            if let window, !window.contains(record.at) { continue }
            guard let answer = answer(of: record) else { continue }
            result[record.version, default: VersionSignals(version: record.version)].add(
                answer, satisfied: record.satisfied ?? labels[record.id]?.satisfied)
        }
        return result
    }

    /// Tests every signal for a shift from `baseline` to `current` at family-wise `alpha` (Bonferroni).
    public static func compare(
        baseline: VersionSignals, current: VersionSignals, alpha: Double = 0.01, minimumRequests: Int = minimumRequests
    ) -> SignalComparison {
        let tests = Signal.allCases
        let perTest = alpha / Double(tests.count)
        let shifts = tests.map { signal -> SignalShift in
            let p: Double
            switch signal {
            case .escalationRate:
                p = proportionTest(baseline.escalated, baseline.requests, current.escalated, current.requests)
            case .refusalRate:
                p = proportionTest(baseline.refused, baseline.requests, current.refused, current.requests)
            case .citationRate: p = proportionTest(baseline.cited, baseline.requests, current.cited, current.requests)
            case .clarifyRate:
                p = proportionTest(baseline.clarified, baseline.requests, current.clarified, current.requests)
            case .meanConfidence:
                p = welchTest(
                    mean: (baseline.meanConfidence, current.meanConfidence),
                    variance: (
                        baseline.variance(baseline.confidenceSum, baseline.confidenceSquares),
                        current.variance(current.confidenceSum, current.confidenceSquares)
                    ), count: (baseline.requests, current.requests))
            case .answerWords:
                p = welchTest(
                    mean: (baseline.meanWords, current.meanWords),
                    variance: (
                        baseline.variance(baseline.wordsSum, baseline.wordsSquares),
                        current.variance(current.wordsSum, current.wordsSquares)
                    ), count: (baseline.requests, current.requests))
            case .intentMix: p = homogeneityTest(baseline.intents, current.intents)
            case .citedMix: p = homogeneityTest(baseline.documents, current.documents)
            }
            return SignalShift(
                signal: signal, baseline: baseline.value(signal), current: current.value(signal), test: signal.test,
                pValue: p, significant: p < perTest)
        }
        return SignalComparison(
            baseline: baseline, current: current, alpha: alpha, perTestAlpha: perTest, shifts: shifts,
            enoughData: baseline.requests >= minimumRequests && current.requests >= minimumRequests)
    }

    static func words(in text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
    }

    // MARK: Tests (two-sided p-values)

    /// Pooled two-proportion z test; 1 when both windows are all-or-nothing alike.
    public static func proportionTest(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { return 1 }
        let z = (Double(x1) / Double(n1) - Double(x2) / Double(n2)) / se
        return erfc(abs(z) / 2.0.squareRoot())
    }

    /// Welch's unequal-variance t test with Welch–Satterthwaite degrees of freedom.
    public static func welchTest(mean: (Double, Double), variance: (Double, Double), count: (Int, Int)) -> Double {
        guard count.0 > 1, count.1 > 1 else { return 1 }
        let a = variance.0 / Double(count.0)
        let b = variance.1 / Double(count.1)
        guard a + b > 0 else { return abs(mean.0 - mean.1) < 1e-12 ? 1 : 0 }
        let t = (mean.0 - mean.1) / (a + b).squareRoot()
        let df = (a + b) * (a + b) / (a * a / Double(count.0 - 1) + b * b / Double(count.1 - 1))
        return regularizedBeta(df / (df + t * t), df / 2, 0.5)
    }

    /// Chi-square test that two windows draw from the same distribution over categories.
    public static func homogeneityTest(_ first: [String: Int], _ second: [String: Int]) -> Double {
        let keys = Set(first.keys).union(second.keys).filter { (first[$0] ?? 0) + (second[$0] ?? 0) > 0 }
        let n1 = Double(first.values.reduce(0, +))
        let n2 = Double(second.values.reduce(0, +))
        guard keys.count > 1, n1 > 0, n2 > 0 else { return 1 }
        var statistic = 0.0
        for key in keys {
            let total = Double((first[key] ?? 0) + (second[key] ?? 0))
            for (observed, n) in [(Double(first[key] ?? 0), n1), (Double(second[key] ?? 0), n2)] {
                let expected = total * n / (n1 + n2)
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        return upperGamma(Double(keys.count - 1) / 2, statistic / 2)
    }

    /// The regularized incomplete beta function I_x(a, b) (continued fraction, as in Numerical Recipes).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(1 - x, b, a) }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logBeta + logPowers)
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
        var h = d
        for m in 1...300 {
            let m = Double(m)
            let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            for numerator in [even, odd] {
                d = 1 + numerator * d
                d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
                c = 1 + numerator / c
                if abs(c) < 1e-300 { c = 1e-300 }
                h *= d * c
            }
            if abs(d * c - 1) < 1e-14 { break }
        }
        return front * h / a
    }

    /// The regularized upper incomplete gamma function Q(s, x).
    static func upperGamma(_ s: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        if x < s + 1 {
            var term = 1 / s
            var sum = term
            var n = s
            for _ in 0..<500 {
                n += 1
                term *= x / n
                sum += term
                if term < sum * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(-x + s * log(x) - lgamma(s)))
        }
        var b = x + 1 - s
        var c = 1 / 1e-300
        var d = 1 / b
        var h = d
        for i in 1...500 {
            let an = -Double(i) * (Double(i) - s)
            b += 2
            d = an * d + b
            if abs(d) < 1e-300 { d = 1e-300 }
            c = b + an / c
            if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            h *= d * c
            if abs(d * c - 1) < 1e-15 { break }
        }
        return exp(-x + s * log(x) - lgamma(s)) * h
    }
}
