import BenchSupport
import FeatureStore
import Foundation
import Inference
import ModelRegistry
import Tabular

/// `scorebench MODEL.json [STORE_DIR]`: builds the benchmark store (BenchStore,
/// `FS_BENCH_ENTITIES`, default 1M entities) unless STORE_DIR already holds
/// one, registers MODEL.json (xgboost-json over bench_stats f0-f7, f9) and
/// measures, over random entities:
///
/// - `score_single`: `Scorer.score(entity:)` — one read transaction, the
///   vector assembled, the model scored — per call, p50/p99/mean;
/// - `online_read`: the same prepared `OnlineQuery` read alone;
/// - `predict_row`: the model's single-row predict alone;
/// - `score_batch`: `Scorer.score(entities:)` on 10,000 entities, rows/s;
/// - `score_batch_parts`: the same batch's online read alone and a batch
///   predict of as many rows alone, rows/s.
///
/// One JSON line per measurement.
enum ScoreBench {
    static let refs = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f9"].map { "bench_stats:\($0)" }

    static func main(_ args: [String]) -> Int32 {
        guard let modelPath = args.first else {
            FileHandle.standardError.write(Data("usage: scorebench MODEL.json [STORE_DIR]\n".utf8))
            return 2
        }
        do {
            try run(modelPath: modelPath, storeDir: args.count > 1 ? args[1] : nil)
            return 0
        } catch {
            FileHandle.standardError.write(Data("scorebench: \(error)\n".utf8))
            return 1
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func run(modelPath: String, storeDir: String?) throws {
        let entities = BenchPaths.entities
        let dir = try storeDir ?? BenchPaths.tempDir("score")
        let store: Store
        if FileManager.default.fileExists(atPath: dir + "/data.mdb") {
            store = try Store.open(at: dir)
        } else {
            let (built, report) = try BenchStore.build(at: dir, csv: try BenchPaths.csv(entities: entities))
            FileHandle.standardError.write(Data("built store \(dir): \(report.json)\n".utf8))
            store = built
        }
        let registry = try ModelRegistry(store: store)
        var registration = try ModelRegistration(name: "bench_xgb", artifactFile: modelPath, format: .xgboostJSON)
        registration.features = refs
        let version = try registry.register(registration)
        let scorer = try Scorer(registry: registry, reference: "bench_xgb/\(version.version)")
        var rng = SystemRandomNumberGenerator()
        let calls = 100_000
        let ids: [[Value]] = (0..<calls).map { _ in [.int64(Int64.random(in: 1...Int64(entities), using: &rng))] }
        // Hits: how many sampled entities the store has (misses score NaN vectors).
        let probe = try scorer.versions[0].query.read(entities: Array(ids.prefix(1000)))
        let hits = probe.columns[1].statuses.filter { $0 == .present }.count
        for id in ids.prefix(5000) { _ = try scorer.score(entity: id) }   // warm-up

        var times = [UInt64](repeating: 0, count: calls)
        var sink = 0.0
        for (i, id) in ids.enumerated() {
            let t0 = now()
            sink += try scorer.score(entity: id).scores[0]
            times[i] = now() - t0
        }
        report("score_single", times, extra: "\"entities\": \(entities), \"hit_rate\": \(Double(hits) / 1000), \"sink\": \(sink)")

        let query = scorer.versions[0].query
        var result = query.emptyResult()
        for (i, id) in ids.enumerated() {
            let t0 = now()
            try query.read(entities: [id], into: &result)
            times[i] = now() - t0
        }
        report("online_read", times, extra: "\"features\": \(refs.count)")

        let model = scorer.versions[0].model
        let row = (0..<calls).map { i in (0..<model.inputCount).map { Double((i &* 31 &+ $0 &* 7) % 97) - 40 } }
        var out = [Double](repeating: 0, count: 1)
        for i in 0..<calls {
            let t0 = now()
            row[i].withUnsafeBufferPointer { r in out.withUnsafeMutableBufferPointer { o in model.predict(row: r, into: o) } }
            times[i] = now() - t0
            sink += out[0]
        }
        report("predict_row", times, extra: "\"sink\": \(sink)")

        let batch = Array(ids.prefix(10_000))
        _ = try scorer.score(entities: batch)
        let rounds = 10
        let t0 = now()
        for _ in 0..<rounds { sink += try scorer.score(entities: batch)[0].scores[0] }
        let seconds = Double(now() - t0) / 1e9
        print("{\"name\": \"score_batch\", \"rows\": \(batch.count * rounds), \"seconds\": \(seconds), "
              + "\"rows_per_second\": \(Double(batch.count * rounds) / seconds)}")
        // The batch path's parts: the 10,000-entity read alone, the batch predict alone.
        var batchResult = query.emptyResult()
        let r0 = now()
        for _ in 0..<rounds { try query.read(entities: batch, into: &batchResult) }
        let readSeconds = Double(now() - r0) / 1e9
        let matrix = (0..<(batch.count * model.inputCount)).map { Double(($0 &* 31) % 97) - 40 }
        let p0 = now()
        for _ in 0..<rounds { sink += model.predict(batch: matrix, rows: batch.count)[0] }
        let predictSeconds = Double(now() - p0) / 1e9
        print("{\"name\": \"score_batch_parts\", \"rows\": \(batch.count * rounds), \"read_rows_per_second\": "
              + "\(Double(batch.count * rounds) / readSeconds), \"predict_rows_per_second\": "
              + "\(Double(batch.count * rounds) / predictSeconds), \"sink\": \(sink)}")
        if storeDir == nil { BenchPaths.remove(dir) }
    }

    static func report(_ name: String, _ nanos: [UInt64], extra: String) {
        let sorted = nanos.sorted()
        func us(_ q: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]) / 1000 }
        let mean = Double(nanos.reduce(0, +)) / Double(nanos.count) / 1000
        print("{\"name\": \"\(name)\", \"calls\": \(nanos.count), \"p50_us\": \(us(0.5)), \"p99_us\": \(us(0.99)), "
              + "\"mean_us\": \(mean), \(extra)}")
    }
}
