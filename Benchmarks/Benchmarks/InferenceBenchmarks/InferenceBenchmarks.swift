// The scorer's hot paths (issue 7's targets: single-row scoring of a 100-tree
// depth-6 XGBoost model under 3 µs; batch throughput above XGBoost's) on a
// model of that shape made in code (BenchSupport.SyntheticModels), so the
// benchmark needs no Python. tools/model_bench/run.sh (`make bench-models`)
// compares trained models with xgboost, lightgbm and onnxruntime side by side.
//
// Rows: 9 features in 0..<100, every 7th value NaN (default directions).
import Benchmark
import BenchSupport
import ModelFormats

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3)
    )

    // One `predict(row:into:)` per row, cycling over 4,096 rows: no allocation.
    Benchmark(
        "xgboost100TreesDepth6SingleRow",
        configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(4), maxIterations: 2_000)
    ) { benchmark in
        let box = try SharedModel.shared()
        benchmark.startMeasurement()
        var sink = 0.0
        for i in benchmark.scaledIterations { sink += box.scoreOne(i & 4_095) }
        blackHole(sink)
    }

    // `predict(batch:rows:into:)` of 10,000 rows (split over two threads).
    Benchmark(
        "xgboost100TreesDepth6Batch10kRows",
        configuration: .init(scalingFactor: .one, maxDuration: .seconds(4), maxIterations: 400)
    ) { benchmark in
        let box = try SharedModel.shared()
        benchmark.startMeasurement()
        var sink = 0.0
        for _ in benchmark.scaledIterations { sink += box.scoreBatch() }
        blackHole(sink)
    }

    // Parse + compile of the model's JSON (what registration and the server's
    // first use of a version pay once).
    Benchmark(
        "xgboost100TreesDepth6Load",
        configuration: .init(scalingFactor: .one, maxDuration: .seconds(4), maxIterations: 200)
    ) { benchmark in
        let bytes = SyntheticModels.xgboostJSON(trees: 100, depth: 6, features: 9)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try ModelLoader.load(bytes, format: .xgboostJSON).inputCount) }
    }
}

/// The model and its rows, made once per process.
final class SharedModel: @unchecked Sendable {
    let model: any LoadedModel
    let rows: [Double]
    let batchRows = 10_000
    private var out: [Double]

    private static let made: Result<SharedModel, any Error> = Result { try SharedModel() }
    static func shared() throws -> SharedModel { try made.get() }

    private init() throws {
        model = try ModelLoader.load(SyntheticModels.xgboostJSON(trees: 100, depth: 6, features: 9), format: .xgboostJSON)
        rows = SyntheticModels.rows(batchRows, features: 9, missingEvery: 7)
        out = [Double](repeating: 0, count: batchRows)
    }

    /// Scores row `i`; returns the probability.
    func scoreOne(_ i: Int) -> Double {
        let n = model.inputCount
        return rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                model.predict(row: UnsafeBufferPointer(rebasing: r[i * n..<(i + 1) * n]),
                              into: UnsafeMutableBufferPointer(rebasing: o[0..<1]))
                return o[0]
            }
        }
    }

    /// Scores all rows as one batch; returns the last probability.
    func scoreBatch() -> Double {
        rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                model.predict(batch: r, rows: batchRows, into: o)
                return o[batchRows - 1]
            }
        }
    }
}
