import Foundation
import Tabular
import Testing
import TestSupport

/// Malformed files and mismatched schemas give a TabularError naming the file,
/// column and row group, never a crash; a seeded fuzz run mutates valid files
/// and sees only errors or well-formed results.
@Suite struct ParquetErrorTests {
    static let fields = ParquetWriterTests.fields

    static func validFile(codec: ParquetWriteOptions.Codec = .snappy, dictionary: Bool = true,
                          rows: Int = 200, rowGroupSize: Int = 80) throws -> [UInt8] {
        let file = try ParquetWriterTests.write([ParquetWriterTests.randomBatch(rows: rows, seed: 11)],
                                                ParquetWriteOptions(rowGroupSize: rowGroupSize, codec: codec, dictionary: dictionary))
        defer { file.remove() }
        return file.contents()
    }

    /// The error reading `bytes` (as `events.parquet`) with `schema`, if any.
    static func error(_ bytes: [UInt8], schema: [Field]? = nil, options: ReadOptions = ReadOptions()) -> TabularError? {
        let file = TempFile(bytes, name: "events.parquet")
        defer { file.remove() }
        var e = failure { () throws(TabularError) in
            _ = try readParquet(file.path, schema: schema ?? fields, options: options)
        }
        e?.file = "events.parquet"
        return e
    }

    @Test func notParquet() throws {
        #expect(Self.error([])?.description == "events.parquet: not a Parquet file: 0 bytes, too short for the PAR1 header and footer")
        #expect(Self.error(Array("a,b\n1,2\n3,4\n".utf8))?.kind == .malformedFile)
        var bytes = try Self.validFile()
        bytes[0] = UInt8(ascii: "X")
        #expect(Self.error(bytes)?.description == "events.parquet: not a Parquet file: bad magic at the start (expected PAR1)")
        let missing = failure { () throws(TabularError) in _ = try ParquetReader(path: "/nonexistent/x.parquet") }
        #expect(missing?.kind == .cannotOpen)
    }

    @Test func truncated() throws {
        let bytes = try Self.validFile()
        let e = Self.error(Array(bytes.dropLast(100)))
        #expect(e?.description == "events.parquet: not a Parquet file, or truncated: bad magic at the end (expected PAR1)")
        // A footer length that points before the file start.
        var bad = bytes
        bad[bad.count - 5] = 0x7F
        #expect(Self.error(bad)?.message.hasPrefix("corrupt footer: metadata length") == true)
    }

    @Test func corruptPageNamesColumnAndRowGroup() throws {
        var bytes = try Self.validFile(codec: .snappy, dictionary: false)
        // Scribble over the middle of the data (column chunks), keep the footer.
        for k in 300..<340 { bytes[k] ^= 0x5A }
        let e = try #require(Self.error(bytes))
        #expect(e.kind == .malformedFile || e.kind == .invalidValue)
        if e.kind == .malformedFile {
            #expect(e.column != nil)
            #expect(e.message.hasPrefix("row group "), "\(e)")
        }
    }

    @Test func typeMismatchAndMissingColumn() throws {
        let bytes = try Self.validFile()
        let e = Self.error(bytes, schema: [Field("s", .int64)])
        #expect(e?.description == "events.parquet: column 's': is BYTE_ARRAY STRING in the file, cannot be read as int64")
        #expect(e?.kind == .typeMismatch)
        #expect(Self.error(bytes, schema: [Field("ts", .float64)])?.kind == .typeMismatch)
        #expect(Self.error(bytes, schema: [Field("v", .float32)])?.kind == .typeMismatch)
        #expect(Self.error(bytes, schema: [Field("nope", .int64)])?.description == "events.parquet: column 'nope': not found in the file")
    }

    @Test func valuesThatDoNotFit() throws {
        // int64 values read as int32, and 3-vectors read as float32[4].
        var n = Column(type: .int64), v = Column(type: .float32Vector(3))
        for x: Int64 in [1, 5_000_000_000, -2, Int64.min] { n.appendInt64(x); v.appendVector([1, 2, 3]) }
        n.appendNull(); v.appendNull()
        let batch = RecordBatch(fields: [Field("n", .int64), Field("v", .float32Vector(3))], columns: [n, v], sourceLines: Array(1...5))
        let file = try ParquetWriterTests.write([batch], ParquetWriteOptions())
        defer { file.remove() }
        let bytes = file.contents()
        let e = Self.error(bytes, schema: [Field("n", .int32)])
        #expect(e?.description == "events.parquet:2: column 'n': cannot read 5000000000 as int32: out of range")
        let skipped = try readParquet(file.path, schema: [Field("n", .int32)], options: ReadOptions(onInvalid: .skip))
        #expect(skipped.rows == [[.int32(1)], [.int32(-2)], [nil]])
        #expect(skipped.lines == [1, 3, 5])
        #expect(skipped.rejected.map(\.line) == [2, 4])
        let w = Self.error(bytes, schema: [Field("v", .float32Vector(4))])
        #expect(w?.description == "events.parquet:1: column 'v': cannot read list of 3 values as float32[4]: expected 4 numbers, got 3")
        // Good rows before the bad one are delivered first under `fail`.
        let reader = try ParquetReader(path: file.path)
        let it = try reader.batches(schema: [Field("n", .int32)], options: ReadOptions(batchSize: 10))
        #expect(try it.next()?.rowCount == 1)
        #expect(failure { () throws(TabularError) in _ = try it.next() }?.line == 2)
    }

    // MARK: Fuzz

    /// Mutations per file; PARQUET_FUZZ_ITERATIONS / PARQUET_FUZZ_SEED run a longer or different campaign.
    static let iterations = Int(ProcessInfo.processInfo.environment["PARQUET_FUZZ_ITERATIONS"] ?? "") ?? 400
    static let seed = UInt64(ProcessInfo.processInfo.environment["PARQUET_FUZZ_SEED"] ?? "") ?? 4242

    /// Reads every column; returns true when it ended in a TabularError.
    static func readMutated(_ path: String, schema: [Field]) -> Bool {
        do {
            let reader = try ParquetReader(path: path)
            let wanted = schema.filter { reader.columnNames.contains($0.name) }
            let it = try reader.batches(schema: wanted, options: ReadOptions(batchSize: 64, onInvalid: .skip))
            var rows = 0
            while let batch = try it.next() {
                for c in batch.columns { precondition(c.count == batch.rowCount) }
                rows += batch.rowCount + batch.rejected.count
                precondition(rows <= reader.rowCount)
            }
            return false
        } catch {
            precondition(!error.description.isEmpty)
            return true
        }
    }

    static func mutate(_ original: [UInt8], _ g: inout SeededRandom) -> [UInt8] {
        var b = original
        switch Int.random(in: 0..<6, using: &g) {
        case 0:  // flip a few bytes anywhere
            for _ in 0..<Int.random(in: 1...4, using: &g) { b[Int.random(in: 0..<b.count, using: &g)] ^= UInt8.random(in: 1...255, using: &g) }
        case 1:  // flip bytes in the footer, where the lengths and offsets live
            let footer = max(0, b.count - 400)
            for _ in 0..<Int.random(in: 1...3, using: &g) { b[Int.random(in: footer..<b.count - 8, using: &g)] ^= UInt8.random(in: 1...255, using: &g) }
        case 2:  // truncate
            b = Array(b.prefix(Int.random(in: 0..<b.count, using: &g)))
        case 3:  // truncate the data but keep a valid-looking tail
            let cut = Int.random(in: 4..<b.count - 8, using: &g)
            b.removeSubrange(cut..<min(b.count - 8, cut + Int.random(in: 1...50, using: &g)))
        case 4:  // overwrite 4 bytes with a random little-endian length
            let at = Int.random(in: 0..<(b.count - 4), using: &g)
            let v = [UInt32.random(in: 0...UInt32.max, using: &g), 0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF].randomElement(using: &g)!
            for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
        default:  // a varint byte in the footer set to extreme values
            let at = Int.random(in: max(0, b.count - 400)..<(b.count - 8), using: &g)
            b[at] = [0x00, 0x7F, 0x80, 0xFF, 0x15, 0x19, 0x1C].randomElement(using: &g)!
        }
        return b
    }

    @Test(arguments: [(ParquetWriteOptions.Codec.snappy, true), (.zstd, false), (.gzip, true), (.none, false)])
    func fuzzOurFiles(codec: ParquetWriteOptions.Codec, dictionary: Bool) throws {
        let original = try Self.validFile(codec: codec, dictionary: dictionary, rows: 120, rowGroupSize: 50)
        var g = SeededRandom(seed: Self.seed)
        var errors = 0
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(original, &g)
            let temp = TempFile(bytes, name: "fuzz.parquet")
            if Self.readMutated(temp.path, schema: Self.fields) { errors += 1 }
            temp.remove()
        }
        #expect(errors > Self.iterations / 4)
    }

    @Test func fuzzOtherToolsFiles() throws {
        guard let fixtures = ParquetInteropTests.fixtures else { return }
        var g = SeededRandom(seed: Self.seed &+ 1)
        for fixture in fixtures where fixture.rows.count < 100 {
            guard let original = FileManager.default.contents(atPath: fixture.file).map(Array.init) else { continue }
            for _ in 0..<(Self.iterations / 6) {
                let temp = TempFile(Self.mutate(original, &g), name: "fuzz.parquet")
                _ = Self.readMutated(temp.path, schema: fixture.schema)
                temp.remove()
            }
        }
    }
}
