import FeatureStore
import Foundation

/// The `fsbench` command line.
///
///     fsbench build DIR [--csv PATH]       create, apply examples/bench.yaml, ingest, materialize; JSON timings
///     fsbench lookup DIR [--lookups N] [--batches N] [--passes P] [--only one|hundred]
///                                          random lookups, min/median ns over passes; JSON
public enum FSBench {
    public static func main(_ args: [String]) -> Int32 {
        do {
            guard args.count >= 2 else { throw BenchError("usage: fsbench build|lookup DIR [options]") }
            var options: [String: String] = [:]
            var i = 2
            while i < args.count {
                guard args[i].hasPrefix("--"), i + 1 < args.count else { throw BenchError("bad option \(args[i])") }
                options[String(args[i].dropFirst(2))] = args[i + 1]
                i += 2
            }
            switch args[0] {
            case "build": try build(dir: args[1], options)
            case "lookup": try lookup(dir: args[1], options)
            default: throw BenchError("unknown command \(args[0])")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("fsbench: \(error)\n".utf8))
            return 1
        }
    }

    static func build(dir: String, _ options: [String: String]) throws {
        let csv = try options["csv"] ?? BenchPaths.csv()
        let (_, report) = try BenchStore.build(at: dir, csv: csv)
        print("{\"tool\":\"fsbench build\",\"store\":\"\(dir)\",\"csv\":\"\(csv)\",\(report.json.dropFirst())")
    }

    static func lookup(dir: String, _ options: [String: String]) throws {
        let store = try Store.open(at: dir)
        let entities = try store.statistics().tables.first { $0.name == BenchStore.table }.map { $0.onlineRows } ?? BenchPaths.entities
        var loop = try LookupLoop(store: store, entities: entities)
        try loop.verify()
        let passes = Int(options["passes"] ?? "") ?? 10
        let lookups = Int(options["lookups"] ?? "") ?? 200_000
        let batches = Int(options["batches"] ?? "") ?? 2_000
        let only = options["only"]
        var out = "{\"tool\":\"fsbench lookup\",\"store\":\"\(dir)\",\"entities\":\(entities),\"passes\":\(passes)"
        func r(_ x: Double) -> String { String(format: "%.1f", x) }
        if only == nil || only == "one" {
            _ = try LookupTiming.one(&loop, lookups: min(lookups, 20_000), passes: 1)  // warm-up
            let f = try LookupTiming.one(&loop, lookups: lookups, passes: passes)
            out += ",\"lookups_per_pass\":\(lookups),\"one_ns_min\":\(r(f.min)),\"one_ns_median\":\(r(f.median))"
        }
        if only == nil || only == "hundred" {
            let f = try LookupTiming.hundred(&loop, batches: batches, passes: passes)
            out += ",\"batches_per_pass\":\(batches),\"hundred_ns_min\":\(r(f.min)),\"hundred_ns_median\":\(r(f.median))"
        }
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        out += ",\"loadavg_1m\":\(String(format: "%.2f", load[0]))}"
        print(out)
    }
}
