#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tabular

/// ParquetBench read FILE [--reps N] [--batch-size B]
///     Decodes every readable column of FILE into RecordBatches, N times.
/// ParquetBench write FILE OUT [--reps N] [--codec snappy|zstd|none] [--no-dictionary]
///     Reads FILE into memory once (not timed), then writes it to OUT N times.
///
/// Prints one JSON object per timed repetition:
/// {"tool":"ours","op":"read","file":…,"rows":…,"seconds":…,"cpu_seconds":…,…}
enum ParquetBench {
    static func main(_ args: [String]) -> Int32 {
        guard let op = args.first, op == "read" || op == "write" else { return usage() }
        var positional: [String] = []
        var reps = 3
        var batchSize = ReadOptions().batchSize
        var codec = "snappy"
        var dictionary = true
        var i = 1
        while i < args.count {
            let a = args[i]
            func value() -> String? { i += 1; return i < args.count ? args[i] : nil }
            switch a {
            case "--reps": guard let v = value(), let n = Int(v), n > 0 else { return usage() }; reps = n
            case "--batch-size": guard let v = value(), let n = Int(v), n > 0 else { return usage() }; batchSize = n
            case "--codec": guard let v = value() else { return usage() }; codec = v
            case "--no-dictionary": dictionary = false
            default: positional.append(a)
            }
            i += 1
        }
        do {
            if op == "read" {
                guard positional.count == 1 else { return usage() }
                for _ in 0..<reps { try read(positional[0], batchSize: batchSize) }
            } else {
                guard positional.count == 2 else { return usage() }
                let options: ParquetWriteOptions
                switch codec {
                case "snappy": options = ParquetWriteOptions(codec: .snappy, dictionary: dictionary)
                case "zstd": options = ParquetWriteOptions(codec: .zstd, dictionary: dictionary)
                case "none": options = ParquetWriteOptions(codec: .none, dictionary: dictionary)
                default: return usage()
                }
                let (fields, batches) = try load(positional[0])
                for _ in 0..<reps { try write(positional[1], source: positional[0], fields: fields, batches: batches, options: options, codec: codec) }
            }
        } catch {
            warn("ParquetBench: \(error)\n")
            return 1
        }
        return 0
    }

    static func usage() -> Int32 {
        warn("""
        usage: ParquetBench read FILE [--reps N] [--batch-size B]
               ParquetBench write FILE OUT [--reps N] [--codec snappy|zstd|none] [--no-dictionary]

        """)
        return 2
    }

    static func warn(_ text: String) {
        var t = text
        #if canImport(Glibc)
        t.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        #else
        t.withUTF8 { _ = Darwin.write(2, $0.baseAddress, $0.count) }
        #endif
    }

    struct Clock {
        let wall: Double
        let cpu: Double
        static func now() -> Clock {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            var ru = rusage()
            #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
            #else
            getrusage(RUSAGE_SELF, &ru)
            #endif
            let cpu = Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6
                + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
            return Clock(wall: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9, cpu: cpu)
        }
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : -1
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    @inline(never)
    static func read(_ path: String, batchSize: Int) throws(TabularError) {
        let t0 = Clock.now()
        let reader = try ParquetReader(path: path)
        let iterator = try reader.batches(schema: reader.schema, options: ReadOptions(batchSize: batchSize))
        var rows = 0
        var batches = 0
        var check = 0
        while let batch = try iterator.next() {
            rows += batch.rowCount
            batches += 1
            check &+= batch.columns.count
        }
        let t1 = Clock.now()
        print("{\"tool\":\"ours\",\"op\":\"read\",\"variant\":\"batch\(batchSize)\",\"file\":\(quoted(path)),\"file_bytes\":\(fileSize(path)),\"rows\":\(rows),\"batches\":\(batches),\"columns\":\(reader.schema.count),\"seconds\":\(t1.wall - t0.wall),\"cpu_seconds\":\(t1.cpu - t0.cpu),\"check\":\(check)}")
        fflush(nil)
    }

    static func load(_ path: String) throws(TabularError) -> ([Field], [RecordBatch]) {
        let reader = try ParquetReader(path: path)
        let iterator = try reader.batches(schema: reader.schema)
        var batches: [RecordBatch] = []
        while let batch = try iterator.next() { batches.append(batch) }
        return (reader.schema, batches)
    }

    @inline(never)
    static func write(_ out: String, source: String, fields: [Field], batches: [RecordBatch],
                      options: ParquetWriteOptions, codec: String) throws(TabularError) {
        let t0 = Clock.now()
        let writer = try ParquetWriter(path: out, fields: fields, options: options)
        var rows = 0
        for batch in batches {
            try writer.write(batch: batch)
            rows += batch.rowCount
        }
        try writer.close()
        let t1 = Clock.now()
        print("{\"tool\":\"ours\",\"op\":\"write\",\"variant\":\"\(codec)\(options.dictionary ? "" : "-nodict")\",\"file\":\(quoted(source)),\"out\":\(quoted(out)),\"out_bytes\":\(fileSize(out)),\"rows\":\(rows),\"seconds\":\(t1.wall - t0.wall),\"cpu_seconds\":\(t1.cpu - t0.cpu)}")
        fflush(nil)
    }
}
