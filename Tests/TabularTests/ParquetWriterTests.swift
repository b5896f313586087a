import Foundation
import Tabular
import Testing
import TestSupport

/// ParquetWriter → ParquetReader round trips (no Python needed), and our files
/// read by pyarrow, polars and DuckDB value for value (needs `make venv`).
@Suite struct ParquetWriterTests {
    static let fields = [
        Field("b", .bool), Field("i", .int32), Field("n", .int64), Field("f", .float32), Field("d", .float64),
        Field("s", .string), Field("by", .bytes), Field("ts", .timestamp), Field("v", .float32Vector(3)),
    ]

    /// Seeded rows of every type with nulls, repeats (for dictionaries) and edge values.
    static func randomBatch(rows: Int, seed: UInt64, fields: [Field] = fields) -> RecordBatch {
        var g = SeededRandom(seed: seed)
        var columns = fields.map { Column(type: $0.type) }
        for _ in 0..<rows {
            for (k, field) in fields.enumerated() {
                if Int.random(in: 0..<6, using: &g) == 0 { columns[k].appendNull(); continue }
                let small = Bool.random(using: &g)  // small domains make dictionaries pay
                switch field.type {
                case .bool: columns[k].appendBool(Bool.random(using: &g))
                case .int32: columns[k].appendInt32(small ? Int32.random(in: -3...3, using: &g) : Int32.random(in: .min ... .max, using: &g))
                case .int64: columns[k].appendInt64(small ? Int64.random(in: 0...5, using: &g) : Int64.random(in: .min ... .max, using: &g))
                case .timestamp:
                    columns[k].appendInt64(Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &g))
                case .float32:
                    let specials: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
                    columns[k].appendFloat32(small ? specials.randomElement(using: &g)! : Float.random(in: -1e6...1e6, using: &g))
                case .float64:
                    columns[k].appendFloat64(small ? [0.1, -0.0, .nan, 1e308].randomElement(using: &g)! : Double.random(in: -1...1, using: &g))
                case .string:
                    let words = ["", "héllo", "日本", "a,b", String(repeating: "x", count: 100)]
                    columns[k].appendString(small ? words.randomElement(using: &g)! : "s\(UInt32.random(in: 0...UInt32.max, using: &g))")
                case .bytes:
                    columns[k].appendBytes((0..<Int.random(in: 0...5, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
                case .float32Vector(let n):
                    columns[k].appendVector((0..<n).map { _ in Float.random(in: -1...1, using: &g) })
                }
            }
        }
        return RecordBatch(fields: fields, columns: columns, sourceLines: Array(1...max(rows, 1)).prefix(rows).map { $0 })
    }

    static func rows(_ batch: RecordBatch) -> [[Value?]] {
        (0..<batch.rowCount).map { r in batch.columns.map { $0.value(at: r) } }
    }

    static func write(_ batches: [RecordBatch], _ options: ParquetWriteOptions, name: String = "out.parquet") throws -> TempFile {
        let file = TempFile(name)
        let writer = try ParquetWriter(path: file.path, fields: batches[0].fields, options: options)
        for b in batches { try writer.write(batch: b) }
        try writer.close()
        return file
    }

    @Test(arguments: [ParquetWriteOptions.Codec.snappy, .zstd, .gzip, .none])
    func roundTripEachCodec(codec: ParquetWriteOptions.Codec) throws {
        for dictionary in [true, false] {
            let batch = Self.randomBatch(rows: 700, seed: 7)
            let file = try Self.write([batch], ParquetWriteOptions(rowGroupSize: 256, codec: codec, dictionary: dictionary))
            defer { file.remove() }
            let reader = try ParquetReader(path: file.path)
            #expect(reader.schema == Self.fields)
            #expect(reader.rowGroupCount == 3)
            let result = try readParquet(file.path, schema: Self.fields, options: ReadOptions(batchSize: 100))
            #expect(result.lines == Array(1...700))
            let want = Self.rows(batch)
            #expect(result.rows.count == want.count)
            for (g, w) in zip(result.rows, want) {
                #expect(zip(g, w).allSatisfy(CSVWriterTests.same), "\(g) vs \(w)")
            }
        }
    }

    @Test func manyBatchesAcrossRowGroupsAndPages() throws {
        let batches = (0..<5).map { Self.randomBatch(rows: 333, seed: UInt64(100 + $0)) }
        var options = ParquetWriteOptions(rowGroupSize: 400)
        options.pageSize = 500  // many small pages
        let file = try Self.write(batches, options)
        defer { file.remove() }
        let result = try readParquet(file.path, schema: Self.fields, options: ReadOptions(batchSize: 77))
        let want = batches.flatMap(Self.rows)
        #expect(result.rows.count == want.count)
        for (g, w) in zip(result.rows, want) { #expect(zip(g, w).allSatisfy(CSVWriterTests.same)) }
    }

    @Test func emptyFileAndByteDeterminism() throws {
        let empty = RecordBatch(fields: Self.fields, columns: Self.fields.map { Column(type: $0.type) }, sourceLines: [])
        let file = try Self.write([empty], ParquetWriteOptions())
        defer { file.remove() }
        let reader = try ParquetReader(path: file.path)
        #expect(reader.rowCount == 0)
        #expect(reader.columnNames == Self.fields.map(\.name))
        #expect(try readParquet(file.path, schema: Self.fields).rows.isEmpty)

        let batch = Self.randomBatch(rows: 300, seed: 3)
        let a = try Self.write([batch], ParquetWriteOptions()), b = try Self.write([batch], ParquetWriteOptions())
        defer { a.remove(); b.remove() }
        #expect(a.contents() == b.contents())
    }

    // MARK: Other tools read our files

    @Test(arguments: ["pyarrow", "polars", "duckdb"])
    func otherToolsReadOurFiles(tool: String) throws {
        guard ParquetOracle.available else { return }
        for (codec, dictionary) in [(ParquetWriteOptions.Codec.snappy, true), (.zstd, false), (.none, true), (.gzip, false)] {
            let batches = (0..<3).map { Self.randomBatch(rows: 150, seed: UInt64(40 + $0)) }
            let file = try Self.write(batches, ParquetWriteOptions(rowGroupSize: 200, codec: codec, dictionary: dictionary))
            defer { file.remove() }
            guard let data = ParquetOracle.run(["read", tool, file.path]),
                  let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
            #expect(doc["columns"] as? [String] == Self.fields.map(\.name))
            let got = (doc["rows"] as! [[Any]]).map { cells in zip(cells, Self.fields).map { ParquetOracle.value($0, $1.type) } }
            ParquetInteropTests.compare(got, batches.flatMap(Self.rows), Self.fields, "\(tool) reading \(codec) dictionary=\(dictionary)")
        }
    }
}

extension ParquetWriterTests {
    /// pyarrow reads our statistics as the true null count, min and max of each column.
    @Test func statisticsAsPyarrowReadsThem() throws {
        guard ParquetOracle.available else { return }
        let batch = Self.randomBatch(rows: 300, seed: 21)
        let file = try Self.write([batch], ParquetWriteOptions())
        defer { file.remove() }
        guard let data = ParquetOracle.run(["stats", file.path]),
              let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        for (k, field) in Self.fields.enumerated() {
            let column = batch.columns[k]
            let values = (0..<batch.rowCount).compactMap { column.value(at: $0) }
            let nulls = batch.rowCount - values.count
            if case .float32Vector = field.type {
                let s = doc["\(field.name).list.element"] as? [String: Any]
                #expect(s?["null_count"] as? Int == nulls, "\(field.name)")
                continue
            }
            let s = try #require(doc[field.name] as? [String: Any], "\(field.name)")
            #expect(s["null_count"] as? Int == nulls, "\(field.name)")
            let lo = s["min"].flatMap { ParquetOracle.value($0, field.type) }
            let hi = s["max"].flatMap { ParquetOracle.value($0, field.type) }
            func less(_ a: Value, _ b: Value) -> Bool {
                switch (a, b) {
                case let (.bool(x), .bool(y)): return !x && y
                case let (.int32(x), .int32(y)): return x < y
                case let (.int64(x), .int64(y)), let (.timestamp(x), .timestamp(y)): return x < y
                case let (.float32(x), .float32(y)): return x < y
                case let (.float64(x), .float64(y)): return x < y
                case let (.string(x), .string(y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
                case let (.bytes(x), .bytes(y)): return x.lexicographicallyPrecedes(y)
                default: return false
                }
            }
            let ordered = values.filter {
                if case .float32(let x) = $0 { return !x.isNaN }
                if case .float64(let x) = $0 { return !x.isNaN }
                return true
            }
            let wantLo = ordered.min(by: less), wantHi = ordered.max(by: less)
            // Zeros compare equal whatever their sign (the spec writes -0 / +0).
            #expect(lo.map { !less($0, wantLo!) && !less(wantLo!, $0) } ?? false, "\(field.name) min \(String(describing: lo)) vs \(String(describing: wantLo))")
            #expect(hi.map { !less($0, wantHi!) && !less(wantHi!, $0) } ?? false, "\(field.name) max \(String(describing: hi)) vs \(String(describing: wantHi))")
        }
    }
}
