// Timestamp parsing and formatting sit on the ingest and export hot paths:
// every CSV/JSONL row carries two timestamps in and every exported row writes
// them out, so their per-call cost bounds rows/s.
import Benchmark
import Tabular

/// A fixed set of inputs in the shapes ingest sees: whole seconds, a
/// microsecond fraction, and an explicit zone offset.
private let inputs: [[UInt8]] = [
    "2025-11-15T01:00:00Z",
    "2025-11-15T13:37:42.123456Z",
    "2025-11-15T23:59:59.5+02:00",
    "2024-02-29T12:00:00Z",
].map { Array($0.utf8) }

/// Microsecond timestamps spread over a day, with and without fractions.
private let micros: [Int64] = (0..<1024).map { i in
    1_763_164_800_000_000 + Int64(i) * 84_375_123 + (i % 2 == 0 ? 0 : 123_456)
}

/// 64k float64 values as a training set holds them: decimals of 6 places
/// (an integer over 10⁶, as parsing their text gives them), magnitudes
/// 10⁻³–10⁴, a sign either way: the CSV writer's short-decimal fast path.
private let decimals: RecordBatch = {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var column = Column(type: .float64)
    let ranges: [Int64] = [1_000_000_000, 100_000_000, 10_000_000, 5_000_000, 10_000_000_000]
    for i in 0..<65_536 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        column.appendFloat64(Double(Int64(bitPattern: state >> 11) % ranges[i % ranges.count]) / 1e6)
    }
    return RecordBatch(fields: [Field("x", .float64)], columns: [column], sourceLines: Array(0..<65_536))
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )

    Benchmark("timestampParseUTF8") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let bytes = inputs[index & 3]
            index &+= 1
            bytes.withUnsafeBytes { blackHole(Timestamp.parse(utf8: $0)) }
        }
    }

    Benchmark("timestampFormatString") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(Timestamp.format(micros[index & 1023]))
            index &+= 1
        }
    }

    Benchmark("timestampFormatInto") { benchmark in
        var buffer = [UInt8](repeating: 0, count: 32)
        var index = 0
        for _ in benchmark.scaledIterations {
            let count = buffer.withUnsafeMutableBytes { Timestamp.format(micros[index & 1023], into: $0) }
            blackHole(count)
            index &+= 1
        }
    }

    // One iteration formats the 64k values (a column of a training set) as CSV.
    Benchmark("csvFormatFloat64Decimals64k", configuration: .init(scalingFactor: .one)) { benchmark in
        let formatter = CSVFormatter()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 21)
        for _ in benchmark.scaledIterations {
            bytes.removeAll(keepingCapacity: true)
            formatter.format(decimals, rows: 0..<65_536, into: &bytes)
            blackHole(bytes.count)
        }
    }
}
