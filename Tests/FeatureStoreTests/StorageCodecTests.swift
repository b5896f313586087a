import Testing
import Foundation
@testable import FeatureStore
import Tabular
import TestSupport

/// The storage codecs, tested as NIO tests its codecs (STYLE item 3): golden
/// bytes, seeded random round trips, order preservation, truncated input.
@Suite struct StorageCodecTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]

    static func memcmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func encode(_ values: [Value]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values {
            switch v {
            case .int32(let x): KeyCodec.appendInt32(x, to: &out)
            case .int64(let x): KeyCodec.appendInt64(x, to: &out)
            case .string(let s): KeyCodec.appendEscaped(s.utf8, to: &out)
            case .bytes(let b): KeyCodec.appendEscaped(b, to: &out)
            default: preconditionFailure()
            }
        }
        return out
    }

    /// Value order of join keys: numbers numerically, strings and bytes by their bytes.
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.int32(let x), .int32(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int64(let x), .int64(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.string(let x), .string(let y)): return memcmp(Array(x.utf8), Array(y.utf8))
        case (.bytes(let x), .bytes(let y)): return memcmp(x, y)
        default: preconditionFailure()
        }
    }

    static func compare(_ a: [Value], _ b: [Value]) -> Int {
        for (x, y) in zip(a, b) { let c = compare(x, y); if c != 0 { return c } }
        return 0
    }

    // MARK: KeyCodec

    @Test func goldenKeyBytes() {
        #expect(Self.encode([.int64(0)]) == [0x80, 0, 0, 0, 0, 0, 0, 0])
        #expect(Self.encode([.int64(-1)]) == [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Self.encode([.int32(Int32.min)]) == [0, 0, 0, 0])
        #expect(Self.encode([.int32(1)]) == [0x80, 0, 0, 1])
        #expect(Self.encode([.string("")]) == [0, 1])
        #expect(Self.encode([.bytes([0, 0xFF, 1])]) == [0, 0xFF, 0xFF, 1, 0, 1])
        #expect(KeyCodec.tablePrefix(2) == [1, 0, 0, 0, 2])
    }

    static func randomKeyValue(_ type: DataType, _ rng: inout SeededRandom) -> Value {
        switch type {
        case .int32: return .int32(rng.chance(0.3) ? rng.pick([Int32.min, -1, 0, 1, Int32.max]) : Int32.random(in: .min ... .max, using: &rng))
        case .int64: return .int64(rng.chance(0.3) ? rng.pick([Int64.min, -1, 0, 1, Int64.max]) : Int64.random(in: .min ... .max, using: &rng))
        case .string: return .string(rng.string())
        default:
            // Bytes from a tiny alphabet around the escape bytes, so prefixes and 00 / FF / 01 runs abound.
            return .bytes((0..<Int.random(in: 0...6, using: &rng)).map { _ in rng.pick([0, 1, 2, 0xFE, 0xFF]) })
        }
    }

    @Test(arguments: seeds)
    func encodingOrderIsValueOrderAndPrefixFree(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for types in [[DataType.int32], [.int64], [.string], [.bytes], [.int64, .string], [.bytes, .int32, .string]] {
            let keys = (0..<120).map { _ in types.map { Self.randomKeyValue($0, &rng) } }
            let encoded = keys.map(Self.encode)
            for i in keys.indices {
                for j in keys.indices {
                    let byValue = Self.compare(keys[i], keys[j]), byBytes = Self.memcmp(encoded[i], encoded[j])
                    if byValue != byBytes {
                        Issue.record("\(types): \(keys[i]) vs \(keys[j]): value order \(byValue), byte order \(byBytes)")
                        return
                    }
                    // Prefix-free: a distinct key's encoding never starts with another's.
                    if byValue != 0 && encoded[j].starts(with: encoded[i]) {
                        Issue.record("\(types): encoding of \(keys[i]) is a prefix of \(keys[j])'s")
                        return
                    }
                }
            }
        }
    }

    @Test(arguments: seeds)
    func entityKeysRoundTrip(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let types: [DataType] = [.int64, .string, .int32, .bytes, .string]
        for _ in 0..<200 {
            let key = types.map { Self.randomKeyValue($0, &rng) }
            var bytes = Self.encode(key)
            let trailer: [UInt8] = [9, 9, 9]   // an order suffix follows in event keys
            let length = bytes.count
            bytes += trailer
            let decoded = bytes.withUnsafeBytes { KeyCodec.decodeEntityKey($0, types: types) }
            guard let decoded else { Issue.record("\(key) does not decode"); return }
            #expect(decoded.length == length)
            #expect(zip(decoded.values, key).allSatisfy { modelSame($0, $1) }, "\(decoded.values) != \(key)")
            // Any truncation inside the key fails to decode rather than misreading.
            let cut = Int.random(in: 0..<length, using: &rng)
            #expect(Array(bytes[..<cut]).withUnsafeBytes { KeyCodec.decodeEntityKey($0, types: types) } == nil)
        }
    }

    @Test func decodeRefusesBadEscapesAndInvalidUTF8() {
        func decode(_ bytes: [UInt8], _ type: DataType) -> [Value]? {
            bytes.withUnsafeBytes { KeyCodec.decodeEntityKey($0, types: [type]) }?.values
        }
        #expect(decode([0x61, 0, 2], .string) == nil)         // 00 must be followed by FF or 01
        #expect(decode([0x61, 0], .string) == nil)            // unterminated
        #expect(decode([0xC3, 0, 1], .string) == nil)         // not UTF-8
        #expect(decode([0xC3, 0, 1], .bytes) == [.bytes([0xC3])])
        #expect(decode([0, 0xFF, 0, 1], .string) == [.string("\u{0}")])
        #expect(decode([1, 2, 3], .int32) == nil)             // too short
    }

    @Test(arguments: seeds)
    func eventOrderSuffixSortsLikeEventOrder(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let stamps: [Int64] = [Int64.min, -1, 0, 1, Int64.max, 1_763_164_800_000_000]
        let orders = (0..<150).map { _ in
            EventOrder(eventTimestamp: rng.pick(stamps), createdTimestamp: rng.pick(stamps),
                       batchId: rng.pick([0, 1, 2, UInt64.max]), sequence: rng.pick([0, 1, UInt32.max]))
        }
        let encoded = orders.map { o -> [UInt8] in var b: [UInt8] = []; o.append(to: &b); return b }
        #expect(encoded.allSatisfy { $0.count == KeyCodec.orderSuffixBytes })
        for i in orders.indices {
            #expect(encoded[i].withUnsafeBytes { EventOrder($0, at: 0) } == orders[i])
            for j in orders.indices {
                let byOrder = orders[i] < orders[j] ? -1 : (orders[j] < orders[i] ? 1 : 0)
                if byOrder != Self.memcmp(encoded[i], encoded[j]) {
                    Issue.record("\(orders[i]) vs \(orders[j])")
                    return
                }
            }
        }
    }

    // MARK: RowLayout / RowEncoder

    static let allTypes: [DataType] = [.bool, .int32, .int64, .float32, .float64, .string, .bytes, .timestamp,
                                       .float32Vector(4), .float32Vector(1), .string, .bool]

    /// Rows of random values (about a third null) as one record batch.
    static func batch(rows: Int, _ rng: inout SeededRandom) -> (RecordBatch, [[Value?]]) {
        var columns = allTypes.map { Column(type: $0) }
        var expected: [[Value?]] = []
        for _ in 0..<rows {
            var row: [Value?] = []
            for (c, t) in allTypes.enumerated() {
                if rng.chance(0.33) {
                    columns[c].appendNull()
                    row.append(nil)
                    continue
                }
                let v = rng.value(t)
                switch v {
                case .bool(let x): columns[c].appendBool(x)
                case .int32(let x): columns[c].appendInt32(x)
                case .int64(let x), .timestamp(let x): columns[c].appendInt64(x)
                case .float32(let x): columns[c].appendFloat32(x)
                case .float64(let x): columns[c].appendFloat64(x)
                case .string(let s): columns[c].appendString(s)
                case .bytes(let b): columns[c].appendBytes(b)
                case .vector(let xs): columns[c].appendVector(xs)
                }
                row.append(v)
            }
            expected.append(row)
        }
        let fields = allTypes.enumerated().map { Field("f\($0.offset)", $0.element) }
        return (RecordBatch(fields: fields, columns: columns, sourceLines: Array(1...rows)), expected)
    }

    @Test(arguments: seeds)
    func rowsRoundTripEveryTypeWithNulls(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let (batch, expected) = Self.batch(rows: 200, &rng)
        let layout = RowLayout(types: Self.allTypes)
        let encoder = RowEncoder(layout: layout, columnIndex: Array(Self.allTypes.indices))
        for r in 0..<batch.rowCount {
            var row: [UInt8] = []
            encoder.encode(row: r, of: batch, to: &row)
            row.withUnsafeBytes { p in
                #expect(layout.validate(p))
                for f in Self.allTypes.indices {
                    let got = layout.value(p, f)
                    #expect(layout.isPresent(p, f) == (expected[r][f] != nil))
                    if !modelSame(got, expected[r][f]) {
                        Issue.record("row \(r) feature \(f) (\(Self.allTypes[f])): \(String(describing: got)) != \(String(describing: expected[r][f]))")
                    }
                }
            }
            // Every truncation is refused (the variable area ends the row, so any cut
            // leaves a slot pointing past the end, or cuts the fixed part).
            let hasVariableBytes = row.count > layout.fixedBytes
            for cut in stride(from: row.count - 1, through: 0, by: -1) {
                let ok = Array(row[..<cut]).withUnsafeBytes { layout.validate($0) }
                if ok && (hasVariableBytes || cut < layout.fixedBytes) {
                    Issue.record("row \(r) truncated to \(cut) of \(row.count) bytes validates")
                    break
                }
            }
        }
    }

    @Test func absentColumnsEncodeAsNull() {
        var rng = SeededRandom(seed: 99)
        let (batch, _) = Self.batch(rows: 3, &rng)
        let layout = RowLayout(types: Self.allTypes)
        let encoder = RowEncoder(layout: layout, columnIndex: Self.allTypes.indices.map { _ in nil })
        var row: [UInt8] = []
        encoder.encode(row: 0, of: batch, to: &row)
        #expect(row.count == layout.fixedBytes)
        #expect(row.allSatisfy { $0 == 0 })
        row.withUnsafeBytes { p in #expect(Self.allTypes.indices.allSatisfy { layout.value(p, $0) == nil }) }
    }

    @Test func layoutGoldenOffsets() {
        let layout = RowLayout(types: [.bool, .int32, .string, .float32Vector(3), .int64, .bool, .bool, .bool, .bool])
        #expect(layout.bitmapBytes == 2)
        #expect(layout.slotOffsets == [2, 3, 7, 15, 27, 35, 36, 37, 38])
        #expect(layout.fixedBytes == 39)
    }

    @Test func validateRefusesSlotsPointingOutside() {
        let layout = RowLayout(types: [.string])
        // present, offset 0, length 3, but only 2 variable bytes.
        let row: [UInt8] = [1, 0, 0, 0, 0, 3, 0, 0, 0, 0x61, 0x62]
        #expect(!row.withUnsafeBytes { layout.validate($0) })
        #expect((row + [0x63]).withUnsafeBytes { layout.validate($0) })
        // A huge offset must not wrap around.
        let huge: [UInt8] = [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x61]
        #expect(!huge.withUnsafeBytes { layout.validate($0) })
        // A null slot is not checked.
        let null: [UInt8] = [0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(null.withUnsafeBytes { layout.validate($0) })
    }
}
