import Testing
import Tabular
import TestSupport

/// The CSV writer's integers (eight digits at a time, 8-byte stores) must be
/// exactly `String(v)` for every value: each digit count, each boundary
/// between the one-, two- and three-group forms, both signs, the extremes.
@Suite struct IntegerFormattingTests {
    /// Each value formatted as CSV (one column, one row per value), split into lines.
    func csvLines(_ column: Column, _ count: Int) -> [String] {
        let batch = RecordBatch(fields: [Field("x", column.type)], columns: [column], sourceLines: Array(0..<count))
        var bytes: [UInt8] = []
        CSVFormatter().format(batch, rows: 0..<count, into: &bytes)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    func expectSameAsString(_ values: [Int64]) {
        var c = Column(type: .int64)
        for v in values { c.appendInt64(v) }
        let lines = csvLines(c, values.count)
        #expect(lines.count == values.count)
        var mismatches = 0
        for (v, line) in zip(values, lines) where line != String(v) {
            mismatches += 1
            if mismatches <= 10 { Issue.record("\(v): wrote \(line)") }
        }
        #expect(mismatches == 0)
    }

    @Test func everyDigitCountAndBoundary() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            for v in [p - 1, p, p + 1, 2 * p - 1, 9 * p / 10 * 10 + 9] { values += [v, -v] }
        }
        expectSameAsString(values)
    }

    @Test func seededRandomOfEveryMagnitude() {
        var g = SeededRandom(seed: 11)
        var values: [Int64] = []
        for bits in 1...63 {
            for _ in 0..<200 {
                let v = Int64(g.next() >> UInt64(64 - bits))
                values += [v, -v]
            }
        }
        expectSameAsString(values)
    }

    /// Values next to each other in one buffer: the scratch bytes a store
    /// writes past a value's end are overwritten by the next one, and the
    /// last one's stay past the end (nulls and int32 columns too).
    @Test func neighboursNullsAndInt32() {
        var c = Column(type: .int32)
        let values: [Int32?] = [7, nil, -123_456_789, Int32.max, Int32.min, nil, 0, 42]
        for v in values { if let v { c.appendInt32(v) } else { c.appendNull() } }
        let lines = csvLines(c, values.count)
        #expect(lines == values.map { $0.map(String.init) ?? "" })
    }
}
