// `pitbench check-csv [ROWS] [SEED]`: CSVWriter's output against the writer's
// previous, String-based algorithm (reimplemented here from `description`),
// on random batches of every type, and a timing of both. Exits 1 on the first
// differing byte.
import Tabular
#if canImport(Glibc)
import Glibc
#endif

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The text the old writer produced for one value (from `description`).
func referenceText(_ v: Double) -> String { v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : v.description }
func referenceText(_ v: Float) -> String { v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : v.description }

func referenceField(_ text: [UInt8], emptyIsQuoted: Bool) -> [UInt8] {
    var needs = text.isEmpty ? emptyIsQuoted : false
    if let f = text.first, let l = text.last, f == 32 || f == 9 || l == 32 || l == 9 { needs = true }
    if text.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) { needs = true }
    guard needs else { return text }
    var out: [UInt8] = [34]
    for c in text { if c == 34 { out.append(34) }; out.append(c) }
    out.append(34)
    return out
}

func referenceCSV(_ batch: RecordBatch) -> [UInt8] {
    var out: [UInt8] = []
    for row in 0..<batch.rowCount {
        for (k, c) in batch.columns.enumerated() {
            if k > 0 { out.append(44) }
            guard c.validity[row] else { continue }
            switch c.storage {
            case .bool(let a): out += Array((a[row] ? "true" : "false").utf8)
            case .int32(let a): out += Array(String(a[row]).utf8)
            case .int64(let a): out += Array((c.type == .timestamp ? Timestamp.format(a[row]) : String(a[row])).utf8)
            case .float32(let a): out += Array(referenceText(a[row]).utf8)
            case .float64(let a): out += Array(referenceText(a[row]).utf8)
            case .binary(let o, let b):
                let v = Array(b[o[row]..<o[row + 1]])
                if c.type == .bytes { out += v.isEmpty ? [34, 34] : Array(Base64.encode(v).utf8) }
                else { out += referenceField(v, emptyIsQuoted: true) }
            case .vector(let n, let v):
                let text = "[" + (0..<n).map { referenceText(v[row * n + $0]) }.joined(separator: ",") + "]"
                out += referenceField(Array(text.utf8), emptyIsQuoted: false)
            }
        }
        out.append(10)
    }
    return out
}

func randomBatch(rows: Int, _ g: inout SplitMix) -> RecordBatch {
    let types: [DataType] = [.bool, .int32, .int64, .timestamp, .float32, .float64, .float64, .float64, .string, .bytes,
                             .float32Vector(1), .float32Vector(3), .float32Vector(0)]
    var columns = types.map { Column(type: $0) }
    let pieces = ["a", "b", ",", "\"", " ", "\t", "\n", "\r", "é", "xyz", ""]
    for _ in 0..<rows {
        for k in columns.indices {
            if g.next() % 9 == 0 { columns[k].appendNull(); continue }
            switch types[k] {
            case .bool: columns[k].appendBool(g.next() & 1 == 0)
            case .int32: columns[k].appendInt32(Int32(truncatingIfNeeded: g.next() >> (g.next() % 32)))
            case .int64: columns[k].appendInt64(Int64(bitPattern: g.next() >> (g.next() % 64)))
            case .timestamp:
                columns[k].appendInt64(g.next() % 50 == 0 ? Int64(bitPattern: g.next()) / 1000
                                       : 1_700_000_000_000_000 + Int64(g.next() % 100_000_000_000_000) - 50_000_000_000_000)
            case .float32: columns[k].appendFloat32(randomFloat(&g))
            case .float64: columns[k].appendFloat64(randomDouble(&g))
            case .string:
                let n = Int(g.next() % 5)
                columns[k].appendString((0..<n).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined())
            case .bytes: columns[k].appendBytes((0..<Int(g.next() % 7)).map { _ in UInt8(truncatingIfNeeded: g.next()) })
            case .float32Vector(let n): columns[k].appendVector((0..<n).map { _ in randomFloat(&g) })
            default: fatalError()
            }
        }
    }
    return RecordBatch(fields: types.enumerated().map { Field("c\($0.offset)", $0.element) }, columns: columns,
                       sourceLines: Array(0..<rows))
}

func randomDouble(_ g: inout SplitMix) -> Double {
    switch g.next() % 6 {
    case 0: return Double(bitPattern: g.next())                                     // anything, NaN and inf included
    case 1: return (Double(Int64(bitPattern: g.next()) % 2_000_000_000) / 1e6)      // round(x, 6)
    case 2: return Double(Int64(bitPattern: g.next()) % 100_000)                     // integers
    case 3: return [0.0, -0.0, .infinity, -.infinity, .nan, 1e16, 1e15, 9007199254740992, 1e-5, 1e-4, 0.1,
                    .leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude][Int(g.next() % 14)]
    case 4: return Double(g.next() % 1_000_000) * pow(10, Double(Int(g.next() % 40) - 20))
    default: return Double.random(in: -1e3...1e3, using: &g)
    }
}

func randomFloat(_ g: inout SplitMix) -> Float {
    switch g.next() % 3 {
    case 0: return Float(bitPattern: UInt32(truncatingIfNeeded: g.next()))
    case 1: return Float(randomDouble(&g))
    default: return Float.random(in: -10...10, using: &g)
    }
}

func checkCSV(rows: Int, seed: UInt64) throws {
    var g = SplitMix(state: seed)
    let path = "/tmp/pitbench-check-\(getpid()).csv"
    defer { unlink(path) }
    var checked = 0
    var tNew = 0.0, tOld = 0.0
    while checked < rows {
        let batch = randomBatch(rows: min(50_000, rows - checked), &g)
        var t0 = seconds()
        let expected = referenceCSV(batch)
        tOld += seconds() - t0
        t0 = seconds()
        let writer = try CSVWriter(path: path)
        try writer.write(batch: batch)
        try writer.close()
        tNew += seconds() - t0
        let got = readFile(path)
        if got != expected {
            let at = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
            let lo = max(0, at - 60)
            print("check-csv: MISMATCH at byte \(at) (after \(checked) rows)")
            print("expected: \(String(decoding: expected[lo..<min(expected.count, at + 60)], as: UTF8.self).debugDescription)")
            print("got:      \(String(decoding: got[lo..<min(got.count, at + 60)], as: UTF8.self).debugDescription)")
            exit(1)
        }
        // The formatter's bytes for a split of the rows, concatenated, are the same.
        let f = CSVFormatter()
        var parts: [UInt8] = []
        let mid = batch.rowCount / 3
        f.format(batch, rows: 0..<mid, into: &parts)
        f.format(batch, rows: mid..<batch.rowCount, into: &parts)
        if parts != expected { print("check-csv: MISMATCH in CSVFormatter on split rows"); exit(1) }
        checked += batch.rowCount
    }
    print("{\"check_csv\":\"ok\",\"rows\":\(checked),\"columns\":13,\"old_seconds\":\((tOld * 1000).rounded() / 1000),\"new_seconds\":\((tNew * 1000).rounded() / 1000)}")
}

func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 1 << 20) }
        if n <= 0 { break }
        out += chunk[0..<n]
    }
    return out
}
