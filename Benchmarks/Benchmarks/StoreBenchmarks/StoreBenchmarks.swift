// The store's hot paths on 1M entities of examples/bench.yaml's `bench_stats`
// (10 features): online lookups (1 and 100 entities × 10 features, prepared
// query, result reused, random keys over all entities), the point-in-time
// join of 100k entity rows through the library, CSV ingest and materialize. Loops live in BenchSupport (shared with `fsbench lookup`).
//
// Ingest and materialize: one benchmark iteration = one whole 1M-row run, and
// `scalingFactor: .mega` makes the reported time per row and the throughput
// rows/s in millions (1 iteration = 1M scaled "operations"; exact only at
// FS_BENCH_ENTITIES=1000000).
import Benchmark
import BenchSupport
import FeatureStore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3)
    )

    Benchmark(
        "lookupOneEntity10Features",
        configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(4), maxIterations: 400)
    ) { benchmark in
        let box = try SharedLookup.shared()
        benchmark.startMeasurement()
        var sink = 0
        for _ in benchmark.scaledIterations { sink &+= try box.loop.lookupOne() }
        blackHole(sink)
    }

    Benchmark(
        "lookupHundredEntities10Features",
        configuration: .init(scalingFactor: .one, maxDuration: .seconds(4), maxIterations: 20_000)
    ) { benchmark in
        let box = try SharedLookup.shared()
        benchmark.startMeasurement()
        var sink = 0
        for _ in benchmark.scaledIterations { sink &+= try box.loop.lookupHundred() }
        blackHole(sink)
    }

    // `store.historicalFeatures` of 100,000 entity rows × all 10 features
    // (BenchSupport.PointInTimeLoop), streamed and counted; throughput in
    // entity rows (scalingFactor .kilo: 1 iteration = 100 scaled "operations").
    Benchmark(
        "pointInTime100kEntityRows",
        configuration: .init(warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 20)
    ) { benchmark in
        let shared = SharedStore.shared
        let loop = PointInTimeLoop(store: shared.store, entities: shared.entities)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let r = try loop.run()
            guard r.rows == loop.rows.rowCount, r.matched > 0, r.matched < r.rows else {
                throw BenchError("\(r.rows) output rows (\(r.matched) matched) for \(loop.rows.rowCount)")
            }
        }
    }

    // Each iteration: a fresh store with the definitions applied (not timed),
    // then `store.ingest` of the whole CSV into the event log (timed).
    Benchmark(
        "ingestCSV1MRows",
        configuration: .init(warmupIterations: 0, scalingFactor: .mega, maxDuration: .seconds(30), maxIterations: 3)
    ) { benchmark in
        let csv = try BenchPaths.csv()
        for _ in 0..<benchmark.scaledIterations.count / 1_000_000 {
            let dir = try BenchPaths.tempDir("ingest")
            defer { BenchPaths.remove(dir) }
            let store = try BenchStore.create(at: dir)
            var report = BuildReport()
            benchmark.startMeasurement()
            try BenchStore.ingest(store, csv: csv, report: &report)
            benchmark.stopMeasurement()
            guard report.rows == BenchPaths.entities else { throw BenchError("ingested \(report.rows) rows") }
        }
    }

    // The shared store (events ingested once per process, not timed); each
    // iteration empties its online table (not timed) and materializes all 1M
    // events into it (timed). Runs last: the lookups read the same store.
    Benchmark(
        "materialize1MEvents",
        configuration: .init(warmupIterations: 0, scalingFactor: .mega, maxDuration: .seconds(30), maxIterations: 3)
    ) { benchmark in
        let store = SharedStore.shared.store
        var report = BuildReport()
        for _ in 0..<benchmark.scaledIterations.count / 1_000_000 {
            try BenchStore.clearOnline(store)
            benchmark.startMeasurement()
            try BenchStore.materialize(store, report: &report)
            benchmark.stopMeasurement()
            guard report.onlineUpdated == BenchPaths.entities else { throw BenchError("materialized \(report.onlineUpdated) rows") }
        }
    }
}
