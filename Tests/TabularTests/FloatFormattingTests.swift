import Testing
import Tabular
import TestSupport

/// The CSV writer's float64 fast path (short decimals, written without the
/// standard library's formatter) must give exactly `Double.description`'s
/// bytes — the shortest round-trip form — for every value, short or not.
@Suite struct FloatFormattingTests {
    /// Each value formatted as CSV (one column, one row per value), split into lines.
    func csvLines(_ values: [Double]) -> [String] {
        var c = Column(type: .float64)
        for v in values { c.appendFloat64(v) }
        let batch = RecordBatch(fields: [Field("x", .float64)], columns: [c], sourceLines: Array(0..<values.count))
        var bytes: [UInt8] = []
        CSVFormatter().format(batch, rows: 0..<values.count, into: &bytes)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    func expectSameAsDescription(_ values: [Double]) {
        let lines = csvLines(values)
        #expect(lines.count == values.count)
        var mismatches = 0
        for (v, line) in zip(values, lines) where line != ValueFormatting.text(v) {
            mismatches += 1
            if mismatches <= 10 {
                Issue.record("\(v.bitPattern): wrote \(line), description is \(ValueFormatting.text(v))")
            }
        }
        #expect(mismatches == 0)
    }

    @Test func shortDecimalsOfEveryMagnitude() {
        var g = SeededRandom(seed: 42)
        var values: [Double] = []
        for digits in 1...17 {
            for exponent in -8...18 {
                for _ in 0..<60 {
                    var mantissa: UInt64 = 0
                    for _ in 0..<digits { mantissa = mantissa * 10 + g.next() % 10 }
                    let text = "\(mantissa)e\(exponent - digits)"
                    let v = Double(text)!
                    values.append(g.next() & 1 == 0 ? v : -v)
                }
            }
        }
        expectSameAsDescription(values)
    }

    @Test func boundariesAndNeighbours() {
        var values: [Double] = [0, -0.0, 3, 1500, 0.1, 0.001, 0.00099999, 1e-3, 1e-4, 1e14, 1e15, 1e16,
                                999_999_999_999_999, 999_999_999_999_999.9, 123_456_789_012_345,
                                9_007_199_254_740_992, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, .pi, .ulpOfOne,
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude]
        var p = 1e-6
        for _ in 0...24 {
            for v in [p, p.nextUp, p.nextDown, p * 9.999999999999999, p * 1.000000000000001, p * 0.5] {
                values.append(v)
                values.append(-v)
            }
            p *= 10
        }
        expectSameAsDescription(values)
    }

    @Test func randomBitPatternsAndRandomDoubles() {
        var g = SeededRandom(seed: 7)
        var values: [Double] = []
        for _ in 0..<50_000 {
            let v = Double(bitPattern: g.next())
            if v.isFinite { values.append(v) }
            values.append(Double(g.next() % 2_000_000_000) / 1e6 - 1000)
            values.append(Double(g.next() >> 11) * 0x1p-53 * 1e4)
        }
        expectSameAsDescription(values)
    }
}
