// pitbench: the FeatureStore side of tools/pit_bench/run.sh.
//
//   pitbench ingest STORE DEFINITIONS.yaml TABLE=FILE...   (setup, not timed by run.sh)
//   pitbench backup STORE DIR                              (setup: Store.backup, a compacting copy)
//   pitbench export STORE ENTITIES.csv OUT.csv              (the timed part)
//   pitbench check-csv [ROWS] [SEED]                        (CSVWriter vs its old algorithm)
//
// `export` calls Store.exportTrainingSet (entity file → point-in-time join of
// both tables → CSV file, with the training-set record) and prints one JSON
// line: the call's wall time, its CPU time (user + system, all threads),
// the process's peak RSS (getrusage's ru_maxrss,
// the same measure as the Python tools': anonymous memory plus the mapped
// file pages resident — the LMDB map's pages the join touched and has not
// released, the binary) and, sampled every 20 ms on a thread from
// /proc/self/status, the peaks of RssAnon (heap and stacks) and RssFile
// (mapped file pages) — separate peaks, so they need not add up to the RSS.
import FeatureStore
import Tabular
#if canImport(Glibc)
import Glibc
#endif

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// kB of the RssAnon and RssFile lines of /proc/self/status.
func residentKB() -> (anon: Int, file: Int) {
    guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
    defer { fclose(f) }
    var anon = 0, file = 0
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("RssAnon:") { anon = Int(text.filter { $0.isNumber }) ?? 0 }
        if text.hasPrefix("RssFile:") { file = Int(text.filter { $0.isNumber }) ?? 0 }
    }
    return (anon, file)
}

/// User + system CPU seconds of the process so far (every thread, the sampler's too).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(0, &usage)   // RUSAGE_SELF
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

nonisolated(unsafe) var peakAnonKB = 0
nonisolated(unsafe) var peakFileKB = 0
nonisolated(unsafe) var sampling = true

func startSampler() -> pthread_t {
    var thread = pthread_t()
    pthread_create(&thread, nil, { _ in
        while sampling {
            let (anon, file) = residentKB()
            peakAnonKB = max(peakAnonKB, anon)
            peakFileKB = max(peakFileKB, file)
            usleep(20_000)   // each read of /proc/self/status costs the export ~0.1 ms of CPU
        }
        return nil
    }, nil)
    return thread
}

func fail(_ message: String) -> Never {
    fputs("pitbench: \(message)\n", stderr)
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("usage: pitbench ingest|export …") }
do {
    switch command {
    case "ingest":
        guard args.count >= 4 else { fail("usage: pitbench ingest STORE DEFINITIONS TABLE=FILE…") }
        let store = try Store.create(at: args[1])
        _ = try store.apply(definitionsFile: args[2])
        for pair in args[3...] {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { fail("expected TABLE=FILE, got \(pair)") }
            let t0 = seconds()
            let result = try store.ingest(table: parts[0], files: [parts[1]])
            print("{\"ingest\":\"\(parts[0])\",\"rows\":\(result.rows),\"seconds\":\(((seconds() - t0) * 1000).rounded() / 1000)}")
        }
    case "backup":
        guard args.count == 3 else { fail("usage: pitbench backup STORE DIR") }
        let t0 = seconds()
        let report = try Store.open(at: args[1]).backup(to: args[2], compact: true)
        print("{\"backup\":\"\(report.path)\",\"bytes\":\(report.bytes),\"seconds\":\(((seconds() - t0) * 1000).rounded() / 1000)}")
    case "export":
        guard args.count == 4 else { fail("usage: pitbench export STORE ENTITIES OUT") }
        let store = try Store.open(at: args[1])
        var options = PointInTimeOptions()
        options.fullFeatureNames = true
        // PITBENCH_BLOCK_ROWS / PITBENCH_BATCH_SIZE: try other block and batch sizes.
        if let v = getenv("PITBENCH_BLOCK_ROWS").flatMap({ Int(String(cString: $0)) }) { options.blockRows = v }
        if let v = getenv("PITBENCH_BATCH_SIZE").flatMap({ Int(String(cString: $0)) }) { options.batchSize = v }
        let sampler = startSampler()
        let cpu0 = cpuSeconds()
        let t0 = seconds()
        let record = try store.exportTrainingSet(entities: args[2], refs: ["bench_stats:*", "bench_stats_6h:*"],
                                                 to: args[3], options: options)
        let wall = seconds() - t0
        let cpu = cpuSeconds() - cpu0
        sampling = false
        pthread_join(sampler, nil)
        var usage = rusage()
        getrusage(0, &usage)   // RUSAGE_SELF
        let matched = record.tables.map { "\"\($0.name)\":\($0.matchedRows)" }.joined(separator: ",")
        print("{\"tool\":\"featurestore\",\"seconds\":\((wall * 1000).rounded() / 1000),\"cpu_seconds\":\((cpu * 1000).rounded() / 1000),\"rows\":\(record.rows),"
              + "\"max_rss_mb\":\(usage.ru_maxrss / 1024),\"peak_anon_mb\":\(peakAnonKB / 1024),\"peak_file_mb\":\(peakFileKB / 1024),"
              + "\"matched\":{\(matched)},\"output\":\"\(args[3])\"}")
    case "check-csv":
        try checkCSV(rows: args.count > 1 ? Int(args[1])! : 1_000_000, seed: args.count > 2 ? UInt64(args[2])! : 1)
    default:
        fail("unknown command \(command)")
    }
} catch {
    fail("\(error)")
}
