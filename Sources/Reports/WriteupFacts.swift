// What the write-up reads besides the report page's model: who did the labs (handed in from above, since
// grading lives in LabKit), the live signals of the incident's versions from the attribution log, and the
// footnotes that tie every generated number to the event or log lines it came from.
import Foundation
import Hashing
public import Registry
import Playbook
import ToyModel

/// How one lab was done, as the grader sees it, with the events that show it.
public struct LabProvenance: Sendable, Equatable {
    public var lab: String
    /// Each start (the first and every reset) is one attempt.
    public var starts: [Event]
    public var hints: [Event]
    /// Set when the reference solution laid down the lab's latest attempt (it earns no points).
    public var laidDown: Event?
    /// The seed the latest attempt was laid from in challenge mode; nil in guided mode.
    public var seed: Int?

    public init(lab: String, starts: [Event], hints: [Event], laidDown: Event?, seed: Int? = nil) {
        self.lab = lab
        self.starts = starts
        self.hints = hints
        self.laidDown = laidDown
        self.seed = seed
    }
}

/// Label-free and labelled live signals of one version, from the attribution log up to the incident's end.
/// One version's live evidence for the write-up: the shared label-free signals of its answers (Playbook's
/// `Signals`), plus what a postmortem cites beside them: where in the attribution log its requests are, and
/// the escalations the answer key expected that it missed.
struct VersionLiveSignals: Equatable {
    var signals: VersionSignals
    /// Every logged request, answered or not.
    var requests = 0
    /// 1-based lines of the attribution log holding this version's first and last request.
    var firstLine = 0
    var lastLine = 0
    /// Requests whose answer key (the traffic case named by the request) expects a hand-off to a person.
    var expectedEscalation = 0
    /// Of those, the ones the version did not escalate, by log line.
    var missedEscalationLines: [Int] = []

    init(version: String) { signals = VersionSignals(version: version) }

    var version: String { signals.version }
    var answers: Int { signals.requests }
    var labelled: Int { signals.labelled }
    var satisfied: Int { signals.satisfied }
    var escalated: Int { signals.escalated }
    var refused: Int { signals.refused }
    var cited: Int { signals.cited }
    var clarified: Int { signals.clarified }

    func share(_ part: Int, of whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
    var satisfiedShare: Double? { signals.satisfiedRate }
    var meanConfidence: Double? { answers == 0 ? nil : signals.meanConfidence }
    var meanWords: Double? { answers == 0 ? nil : signals.meanWords }
}

/// The answer key the traffic generator labels requests with, as read for the write-up.
struct AnswerKey {
    var file: String
    var sha256: String
    /// Case id → whether the case expects an escalation.
    var mustEscalate: [String: Bool]
}

/// Footnotes keyed by what they cite; rendered in a fixed order so the same registry gives the same bytes.
struct Footnotes {
    let events: [Int: Event]
    private var notes: [String: String] = [:]

    init(events: [Event]) {
        self.events = Dictionary(events.map { ($0.seq, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `[^e12]` for event #12 (nothing for an event the log does not hold).
    mutating func event(_ seq: Int?) -> String {
        guard let seq, let event = events[seq] else { return "" }
        let key = "e\(seq)"
        notes[key] = "event #\(seq) (`\(event.kind)`, \(Timestamp.string(from: event.at)))"
        return "[^\(key)]"
    }

    mutating func events(_ seqs: [Int]) -> String { seqs.map { event($0) }.joined() }

    /// `[^log-3-80]` for lines 3 to 80 of the attribution log.
    mutating func lines(_ first: Int, _ last: Int) -> String {
        guard first > 0 else { return "" }
        let key = "log-\(first)-\(last)"
        notes[key] =
            first == last
            ? "attribution log (`requests/log.jsonl`) line \(first)"
            : "attribution log (`requests/log.jsonl`) lines \(first)–\(last)"
        return "[^\(key)]"
    }

    mutating func answerKey(_ key: AnswerKey) -> String {
        notes["key"] = "answer key `\(key.file)` as built into LabRunner (sha256 `\(key.sha256.prefix(12))`)"
        return "[^key]"
    }

    /// The definitions: events by number, then log lines by first line, then the rest.
    func rendered() -> [String] {
        func order(_ key: String) -> (Int, Int, String) {
            if key.hasPrefix("e"), let seq = Int(key.dropFirst()) { return (0, seq, key) }
            if key.hasPrefix("log-"), let first = Int(key.dropFirst(4).prefix { $0 != "-" }) { return (1, first, key) }
            return (2, 0, key)
        }
        return notes.keys.sorted { order($0) < order($1) }.map { "[^\($0)]: \(notes[$0] ?? "")" }
    }
}

extension Writeup {
    /// The answer key of the kit's traffic cases, as built into LabRunner: never the workspace's copy, which a
    /// learner can edit (an edited key made "54 of 73 not handed to a person" read "0 of 0", and verified).
    static func answerKey(file: String) -> AnswerKey? {
        guard let data = DefaultSystem.bundled.first(where: { $0.path == file })?.data else { return nil }
        var mustEscalate: [String: Bool] = [:]
        let decoder = JSONDecoder()
        struct Case: Decodable {
            struct Expect: Decodable {
                var mustEscalate: Bool?
                enum CodingKeys: String, CodingKey { case mustEscalate = "must_escalate" }
            }
            var id: String
            var expect: Expect?
        }
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let item = try? decoder.decode(Case.self, from: Data(line)) else { continue }
            mustEscalate[item.id] = item.expect?.mustEscalate ?? false
        }
        return AnswerKey(file: file, sha256: SHA256.hash(data).hex, mustEscalate: mustEscalate)
    }

    /// Live signals of `versions` for requests logged up to `until`, one pass over the attribution log.
    static func liveSignals(registryRoot: String, versions: [String], until: Date, key: AnswerKey?) throws
        -> [String: VersionLiveSignals]
    {
        var signals: [String: VersionLiveSignals] = [:]
        for version in versions { signals[version] = VersionLiveSignals(version: version) }
        var line = 0
        try AttributionLog(registryRoot: registryRoot).forEach { record in
            line += 1
            guard record.at <= until, var entry = signals[record.version] else { return true }
            entry.requests += 1
            if entry.firstLine == 0 { entry.firstLine = line }
            entry.lastLine = line
            if let answer = Signals.answer(of: record) {
                entry.signals.add(answer, satisfied: record.satisfied)
                if let id = record.caseID, key?.mustEscalate[id] == true {
                    entry.expectedEscalation += 1
                    if !answer.escalated { entry.missedEscalationLines.append(line) }
                }
            }
            signals[record.version] = entry
            return true
        }
        return signals
    }
}
