/// SplitMix64: a seeded, cheap generator that gives the same sequence on
/// every run, for the test targets' seeded random tests (one copy for all
/// of them).
///
/// ```swift
/// var rng = SeededRandom(seed: 42)
/// let n = rng.int(10)            // 0..<10
/// let x = Double.random(in: 0..<1, using: &rng)
/// ```
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (`n` > 0), by modulo: cheap and reproducible.
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    /// An element of the non-empty `xs`.
    public mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }
}
