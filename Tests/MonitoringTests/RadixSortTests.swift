import Testing
@testable import Monitoring

/// The radix sort behind normed Wasserstein and KS gives the standard
/// library's order, including negatives, zeros of both signs, infinities,
/// subnormals, duplicates and runs where whole digits are constant.
@Suite struct RadixSortTests {
    /// Deterministic values from a 64-bit LCG.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    static func expectSameOrder(_ values: [Double], _ label: String) {
        let radix = RadixSort.sorted(values)
        let standard = values.map { $0 + 0.0 }.sorted()
        #expect(radix.count == values.count, "\(label)")
        let firstDifference = radix.indices.first { radix[$0].bitPattern != standard[$0].bitPattern }
        #expect(firstDifference == nil, "\(label): first difference at \(firstDifference ?? -1)")
    }

    @Test func matchesTheStandardLibrarysOrder() {
        var g = Seeded(state: 11)
        Self.expectSameOrder((0..<50_000).map { _ in (g.unit() - 0.5) * 2e6 }, "uniform, both signs")
        let specials: [Double] = [0, -0.0, 1, -1, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, 2.5e-310]
        Self.expectSameOrder((0..<20_000).map { _ in specials[Int(g.next() >> 33) % specials.count] }, "special values")
        Self.expectSameOrder((0..<40_000).map { _ in (g.unit() * 60 * 1e4).rounded() / 1e4 }, "rounded, many duplicates")
        Self.expectSameOrder([Double](repeating: 7.25, count: 5000), "constant: every pass skipped")
        Self.expectSameOrder((0..<3000).map { Double($0 % 7) }, "few distinct")
        Self.expectSameOrder((0..<100).map { _ in g.unit() }, "below the radix threshold")
        Self.expectSameOrder((0..<10_000).map { _ in Double(bitPattern: g.next()) }.filter { !$0.isNaN }, "any bit pattern")
    }

    @Test func negativeZeroComesBackAsPositiveZero() {
        let sorted = RadixSort.sorted([Double](repeating: -0.0, count: 1000) + [-1, 1])
        #expect(sorted.first == -1 && sorted.last == 1)
        #expect(sorted[1...1000].allSatisfy { $0 == 0 && $0.sign == .plus })
    }
}
