// The one source of everything that varies in a scenario: a SHA-256 counter generator keyed by the key's secret
// (256 bits from the operating system) and the seed. The candidate folder never holds the secret, so no search over
// seeds rebuilds it; the key holds both, so the interviewer can.
import Foundation
import Hashing

struct ScenarioRandom: RandomNumberGenerator, Sendable {
    private let secret: Data
    private var counter: UInt64 = 0
    private var buffer: [UInt64] = []

    init(secret: String, seed: UInt64) {
        var bytes = Data(secret.utf8)
        withUnsafeBytes(of: seed.littleEndian) { bytes.append(contentsOf: $0) }
        self.secret = Data(SHA256.hash(bytes).hex.utf8)
    }

    /// 256 bits from the operating system, as 64 hex digits.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    mutating func next() -> UInt64 {
        if buffer.isEmpty {
            counter += 1
            var block = secret
            withUnsafeBytes(of: counter.littleEndian) { block.append(contentsOf: $0) }
            let hex = Array(SHA256.hash(block).hex)
            buffer = stride(from: 0, to: 64, by: 16).compactMap { UInt64(String(hex[$0..<$0 + 16]), radix: 16) }
        }
        return buffer.removeLast()
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    mutating func bool() -> Bool { next() & 1 == 1 }

    mutating func element<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[int(0...(items.count - 1))] }

    mutating func hex(_ digits: Int) -> String { String(String(format: "%016llx", next()).prefix(digits)) }

    /// `count` different items of `items` (fewer when it has fewer), in the order drawn.
    mutating func pick<T>(_ items: [T], count: Int) -> [T] {
        var pool = items
        var chosen: [T] = []
        while chosen.count < count, !pool.isEmpty { chosen.append(pool.remove(at: int(0...(pool.count - 1)))) }
        return chosen
    }
}

/// One neutral pool of words for every reason, comment and commit message, flawed and clean placements alike: none
/// of them says what a change does wrong or right.
enum Neutral {
    static let reasons = [
        "routine update", "wording pass", "customer feedback round", "weekly refresh", "support team request",
        "follow-up from the review", "small cleanup", "sprint change", "requested by support leads",
        "quarterly refresh", "backlog item", "as discussed in stand-up", "tidy-up", "pre-launch pass",
    ]
    static let comments = [
        "maintained by the platform team", "see the runbook", "run from the ops box", "owner: infra",
        "do not run on Fridays", "kept for the on-call rotation", "ask in #assistant before changing",
        "used by the nightly job", "documented in the team wiki", "reviewed in the last retro",
    ]
    static let people = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "harry", "ivy", "jack", "kim"]

    static func reason(_ random: inout ScenarioRandom) -> String {
        let base = random.element(reasons) ?? "update"
        return random.bool() ? base : "\(base) (SUP-\(random.int(100...9999)))"
    }

    static func comment(_ random: inout ScenarioRandom) -> String { random.element(comments) ?? "" }
}
