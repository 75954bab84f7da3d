// The kit's one seeded random generator (SplitMix64): the toy model's sampling, eval repeats, permutation
// tests, simulated traffic, scenarios and drills all draw from it. It lives here, the lowest module, so every
// layer shares one implementation and a seed means the same draws everywhere.

/// SplitMix64 (Steele, Lea and Flood 2014). Seeded explicitly, identical on every platform and run, never the
/// system generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The `stream`-th independent sequence of `seed`: repeats and requests derive their seeds from one run seed
    /// this way, and scenarios and drills draw from stream 1 of theirs.
    public init(seed: UInt64, stream: UInt64) { state = seed &+ Self.increment &* stream }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The first value of stream `stream` of `seed`, in one step.
    public static func mix(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: seed, stream: stream)
        return generator.next()
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A value in `range` (by remainder: the tiny bias is part of what a seed reproduces).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    public mutating func bool() -> Bool { next() & 1 == 1 }

    /// `count` different items of `items` (fewer when it has fewer), in the order drawn.
    public mutating func pick<T>(_ items: [T], count: Int) -> [T] {
        var pool = items
        var chosen: [T] = []
        while chosen.count < count, !pool.isEmpty { chosen.append(pool.remove(at: int(0...(pool.count - 1)))) }
        return chosen
    }
}
