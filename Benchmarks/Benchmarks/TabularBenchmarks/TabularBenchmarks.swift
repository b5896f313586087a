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
}
