// The benchmark store: examples/bench.yaml's `bench_stats` (1 int64 join key,
// 10 features), the events of `tools/gen_data.py bench` (the same CSV Feast
// reads in tools/feast_bench), ingested with `store.ingest` and materialized
// with `store.materialize` — built only through the public library API.
import FeatureStore
import Foundation
import LMDB
import Tabular

/// Paths the benchmarks need, found from this file's location in the repo.
public enum BenchPaths {
    /// The repository root (this file is Benchmarks/Sources/BenchSupport/BenchStore.swift).
    public static let repoRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    public static var benchYAML: String { repoRoot + "/examples/bench.yaml" }

    /// Entities in the benchmark store: `FS_BENCH_ENTITIES`, default 1,000,000.
    public static var entities: Int {
        ProcessInfo.processInfo.environment["FS_BENCH_ENTITIES"].flatMap { Int($0) } ?? 1_000_000
    }

    /// The events CSV: `FS_BENCH_CSV` if set, else `bench-data/<N>x1/bench_stats.csv`
    /// (what `make bench-data` writes), generated with tools/gen_data.py when missing.
    public static func csv(entities: Int = entities) throws -> String {
        if let path = ProcessInfo.processInfo.environment["FS_BENCH_CSV"], !path.isEmpty { return path }
        let dir = repoRoot + "/bench-data/\(entities)x1"
        let path = dir + "/bench_stats.csv"
        if FileManager.default.fileExists(atPath: path) { return path }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/tools/gen_data.py", "bench", "--entities", "\(entities)",
                       "--events-per-entity", "1", "--out", dir, "--no-parquet"]
        p.standardOutput = FileHandle.standardError
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: path) else {
            throw BenchError("tools/gen_data.py bench failed (status \(p.terminationStatus))")
        }
        return path
    }

    /// A fresh directory under `FS_BENCH_TMP` (default the system temp dir).
    public static func tempDir(_ tag: String) throws -> String {
        let base = ProcessInfo.processInfo.environment["FS_BENCH_TMP"] ?? NSTemporaryDirectory()
        let dir = (base.hasSuffix("/") ? base : base + "/") + "fsbench-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    public static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Wall-clock and CPU timings of building the store.
public struct BuildReport: Sendable {
    public var rows = 0
    public var ingestSeconds = 0.0
    public var ingestCPUSeconds = 0.0
    public var eventsScanned = 0
    public var onlineUpdated = 0
    public var materializeSeconds = 0.0
    public var materializeCPUSeconds = 0.0
    public init() {}

    public var json: String {
        func r(_ x: Double) -> String { String(format: "%.3f", x) }
        return """
            {"rows":\(rows),"ingest_s":\(r(ingestSeconds)),"ingest_cpu_s":\(r(ingestCPUSeconds)),\
            "ingest_rows_per_s":\(Int(Double(rows) / ingestSeconds)),\
            "events_scanned":\(eventsScanned),"online_updated":\(onlineUpdated),\
            "materialize_s":\(r(materializeSeconds)),"materialize_cpu_s":\(r(materializeCPUSeconds)),\
            "materialize_events_per_s":\(Int(Double(eventsScanned) / materializeSeconds))}
            """
    }
}

public enum BenchStore {
    public static let table = "bench_stats"

    /// An empty store at `dir` with examples/bench.yaml applied.
    public static func create(at dir: String) throws -> Store {
        let store = try Store.create(at: dir)
        _ = try store.apply(definitionsFile: BenchPaths.benchYAML)
        return store
    }

    /// Ingests `csv` (timed) into the event log of `store`.
    public static func ingest(_ store: Store, csv: String, report: inout BuildReport) throws {
        let t = Stopwatch()
        let r = try store.ingest(table: table, files: [csv])
        report.ingestSeconds = t.seconds
        report.ingestCPUSeconds = t.cpuSeconds
        report.rows = r.rows
    }

    /// Materializes all history (timed) into the online table.
    public static func materialize(_ store: Store, report: inout BuildReport) throws {
        let t = Stopwatch()
        let r = try store.materialize(start: Int64.min, end: Clock.nowMicros())
        report.materializeSeconds = t.seconds
        report.materializeCPUSeconds = t.cpuSeconds
        report.eventsScanned = r.tables.reduce(0) { $0 + $1.eventsScanned }
        report.onlineUpdated = r.tables.reduce(0) { $0 + $1.onlineUpdated }
    }

    /// Creates, ingests and materializes the whole store at `dir`.
    public static func build(at dir: String, csv: String) throws -> (Store, BuildReport) {
        let store = try create(at: dir)
        var report = BuildReport()
        try ingest(store, csv: csv, report: &report)
        try materialize(store, report: &report)
        return (store, report)
    }

    /// Empties the online table (so materialize can be timed again on the same
    /// events). Uses the storage layout's database name, `online`.
    public static func clearOnline(_ store: Store) throws {
        let online = try store.environment.openDatabase("online", create: false)
        try store.environment.write { txn in try txn.clear(online) }
    }
}

/// The store the lookup benchmarks read, built once per process: the
/// directory in `FS_BENCH_STORE` when set (tools/bench_store.sh builds it with
/// `fsbench build`), else a fresh temporary one removed at exit.
public final class SharedStore: @unchecked Sendable {
    public let store: Store
    public let entities: Int
    public let report: BuildReport?

    public static let shared: SharedStore = {
        do { return try SharedStore() } catch { fatalError("benchmark store: \(error)") }
    }()

    private init() throws {
        entities = BenchPaths.entities
        if let dir = ProcessInfo.processInfo.environment["FS_BENCH_STORE"], !dir.isEmpty {
            store = try Store.open(at: dir)
            report = nil
        } else {
            let dir = try BenchPaths.tempDir("store")
            let csv = try BenchPaths.csv(entities: entities)
            (store, report) = try BenchStore.build(at: dir, csv: csv)
            atexitDirectory = dir
            atexit { if let d = atexitDirectory { BenchPaths.remove(d) } }
        }
    }
}

nonisolated(unsafe) private var atexitDirectory: String?

/// Wall-clock and process CPU time since creation.
public struct Stopwatch {
    let wall: UInt64
    let cpu: UInt64
    public init() { wall = Self.now(CLOCK_MONOTONIC); cpu = Self.now(CLOCK_PROCESS_CPUTIME_ID) }
    public var seconds: Double { Double(Self.now(CLOCK_MONOTONIC) - wall) / 1e9 }
    public var cpuSeconds: Double { Double(Self.now(CLOCK_PROCESS_CPUTIME_ID) - cpu) / 1e9 }
    public var nanoseconds: UInt64 { Self.now(CLOCK_MONOTONIC) - wall }
    @inline(__always) public static func now(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
