// Seeds for tests that draw random numbers: a failing run says its seed, and LABRUNNER_TEST_SEED replays it.
public import Foundation
public import Testing

/// A test's seed: LABRUNNER_TEST_SEED when set, else `fixed` when the test pins one, else a fresh one. A seed not
/// pinned in the source is printed, and `comment` carries it into failure messages, so any run can be replayed.
public struct TestSeed: Sendable, CustomStringConvertible {
    public static let variable = "LABRUNNER_TEST_SEED"

    public let value: UInt64

    public init(fixed: UInt64? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let given = environment[Self.variable].flatMap({ UInt64($0) }) {
            value = given
        } else if let fixed {
            value = fixed
            return
        } else {
            value = UInt64.random(in: 0...UInt64(UInt32.max))
        }
        print("test seed \(value) (rerun with \(Self.variable)=\(value))")
    }

    public var description: String { "seed \(value); rerun with \(Self.variable)=\(value)" }

    /// For failure messages: `#expect(ok, seed.comment)`.
    public var comment: Comment { Comment(rawValue: description) }

    /// A generator drawing from this seed.
    public func generator() -> SplitMix { SplitMix(seed: value) }
}

/// SplitMix64: small, fast and the same on every platform, so a seed replays the same numbers anywhere.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
