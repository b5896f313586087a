import Foundation
import ModelFormats

/// The Swift half of tools/model_bench/run.sh.
///
///     modelbench DIR [--single N] [--reps R]
///
/// For each model in DIR: load time (parse + compile), single-row latency
/// (one `predict(row:into:)` per row, each call timed, p50/p99 over N rows),
/// and batch throughput (`predict(batch:rows:into:)`, two threads) on 10k rows
/// and all rows, best of R.
enum ModelBench {
    static let models: [(file: String, format: ModelFormat)] = [
        ("xgb_binary.json", .xgboostJSON), ("lgb_binary.txt", .lightgbmText), ("linear_logreg.json", .linearJSON),
        ("sk_logreg.onnx", .onnx), ("sk_mlp.onnx", .onnx),
    ]

    static func main(_ args: [String]) -> Int32 {
        guard let dir = args.first else {
            FileHandle.standardError.write("usage: modelbench DIR [--single N] [--reps R]\n".data(using: .utf8)!)
            return 2
        }
        var single = 5000, reps = 5
        var i = 1
        while i + 1 < args.count {
            if args[i] == "--single" { single = Int(args[i + 1]) ?? single }
            if args[i] == "--reps" { reps = Int(args[i + 1]) ?? reps }
            i += 2
        }
        do {
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/meta.json"))) as! [String: Any]
            let rows = meta["rows"] as! Int, features = meta["features"] as! Int
            let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/rows.f64"))
            precondition(raw.count == rows * features * 8, "rows.f64 has \(raw.count) bytes")
            let values: [Double] = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            for (file, format) in models {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
                var loadNs = UInt64.max
                var model: (any LoadedModel)?
                for _ in 0..<3 {
                    let t = now()
                    model = try ModelLoader.load(bytes, format: format)
                    loadNs = min(loadNs, now() - t)
                }
                let m = model!
                emit(["kind": "load", "model": file, "format": format.rawValue, "ms": Double(loadNs) / 1e6, "bytes": bytes.count])
                if format == .xgboostJSON || format == .linearJSON {
                    // Foundation's parser alone on the same bytes, for the choice of a
                    // parser of our own (ModelFormats' load above = parse + compile).
                    var foundationNs = UInt64.max
                    let data = Data(bytes)
                    for _ in 0..<3 {
                        let t = now()
                        _ = try JSONSerialization.jsonObject(with: data)
                        foundationNs = min(foundationNs, now() - t)
                    }
                    emit(["kind": "json", "model": file, "foundation_parse_ms": Double(foundationNs) / 1e6])
                }
                let lat = singleRow(m, values, features: features, rows: min(single, rows))
                emit(["kind": "single", "model": file, "format": format.rawValue, "peer": "ModelFormats predict(row:into:)",
                      "rows": min(single, rows), "p50_us": lat.p50, "p99_us": lat.p99, "mean_us": lat.mean])
                for n in Set([10_000, rows]).sorted() where n <= rows {
                    let s = batch(m, values, features: features, rows: n, reps: reps)
                    emit(["kind": "batch", "model": file, "peer": "ModelFormats predict(batch:), 2 threads", "rows": n,
                          "seconds": s.wall, "rows_per_s": Double(n) / s.wall, "cpu_seconds": s.cpu])
                }
            }
        } catch {
            FileHandle.standardError.write("modelbench: \(error)\n".data(using: .utf8)!)
            return 1
        }
        return 0
    }

    static func cpuNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func emit(_ fields: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Each call timed on its own; warm-up pass first.
    static func singleRow(_ model: any LoadedModel, _ values: [Double], features: Int, rows: Int) -> (p50: Double, p99: Double, mean: Double) {
        var out = [Double](repeating: 0, count: model.outputCount)
        var ns = [UInt64](repeating: 0, count: rows)
        var sink = 0.0
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for pass in 0..<2 {
                    for r in 0..<rows {
                        let row = UnsafeBufferPointer(rebasing: v[(r * features)..<((r + 1) * features)])
                        let t = now()
                        model.predict(row: row, into: o)
                        let dt = now() - t
                        if pass == 1 { ns[r] = dt }
                        sink += o[0]
                    }
                }
            }
        }
        if sink == -1 { print(sink) }   // keep the results alive
        ns.sort()
        let us = { (q: Double) in Double(ns[min(rows - 1, Int(q * Double(rows)))]) / 1000 }
        return (us(0.5), us(0.99), Double(ns.reduce(0, +)) / Double(rows) / 1000)
    }

    /// Best wall time and best process CPU time (both threads) over `reps` runs.
    static func batch(_ model: any LoadedModel, _ values: [Double], features: Int, rows: Int, reps: Int) -> (wall: Double, cpu: Double) {
        var out = [Double](repeating: 0, count: rows * model.outputCount)
        var best = UInt64.max, bestCPU = UInt64.max
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                let input = UnsafeBufferPointer(rebasing: v[0..<(rows * features)])
                model.predict(batch: input, rows: rows, into: o)
                for _ in 0..<reps {
                    let t = now(), c = cpuNow()
                    model.predict(batch: input, rows: rows, into: o)
                    best = min(best, now() - t)
                    bestCPU = min(bestCPU, cpuNow() - c)
                }
            }
        }
        return (Double(best) / 1e9, Double(bestCPU) / 1e9)
    }
}
