/// Options for ``ParquetWriter``.
///
/// ```swift
/// var options = ParquetWriteOptions()
/// options.codec = .zstd
/// options.rowGroupSize = 100_000
/// ```
public struct ParquetWriteOptions: Sendable, Equatable {
    /// Page compression.
    public enum Codec: Sendable, Equatable {
        case none, snappy, zstd, gzip
    }

    /// Rows per row group (at least 1). A row group is buffered in memory until full.
    public var rowGroupSize = 1 << 20
    /// SNAPPY (the default, as pyarrow), ZSTD, GZIP or none.
    public var codec: Codec = .snappy
    /// Dictionary-encode a column chunk when it repeats values (its dictionary
    /// under 1 MiB); PLAIN otherwise. Booleans and vectors are always PLAIN.
    public var dictionary = true
    /// Target uncompressed bytes per data page.
    public var pageSize = 1 << 20

    /// Options with the given values (defaults: 1 Mi rows per group, SNAPPY, dictionary on).
    public init(rowGroupSize: Int = 1 << 20, codec: Codec = .snappy, dictionary: Bool = true) {
        self.rowGroupSize = rowGroupSize
        self.codec = codec
        self.dictionary = dictionary
    }
}

/// Writes record batches as a Parquet file that pyarrow, polars, DuckDB and
/// Spark read: byte-deterministic for the same batches and options.
///
/// Every column is OPTIONAL (every value is nullable). Types:
/// bool → BOOLEAN; int32 → INT32; int64 → INT64; float32 → FLOAT;
/// float64 → DOUBLE; string → BYTE_ARRAY STRING; bytes → BYTE_ARRAY;
/// timestamp → INT64 TIMESTAMP(MICROS, isAdjustedToUTC = true);
/// float32[N] → LIST<FLOAT> (three-level: `list` / required `element`).
/// Data pages v1, PLAIN or RLE_DICTIONARY values, RLE levels, and statistics
/// (null count, min/max where defined) per column chunk.
///
/// ```swift
/// let writer = try ParquetWriter(path: "training.parquet", fields: batch.fields)
/// try writer.write(batch: batch)
/// try writer.close()
/// ```
public final class ParquetWriter {
    private let out: OutputFile
    private let fields: [Field]
    private let options: ParquetWriteOptions
    private let codec: CompressionCodec
    private var pending: [Column]
    private var pendingRows = 0
    private var offset = 0
    private var rowGroups: [RowGroup] = []
    private var totalRows: Int64 = 0
    private var closed = false

    /// Creates (or truncates) `path` for a file with columns `fields`.
    public init(path: String, fields: [Field], options: ParquetWriteOptions = ParquetWriteOptions()) throws(TabularError) {
        #if !_endian(little)
        fatalError("ParquetWriter assumes a little-endian host")
        #endif
        out = try OutputFile(path: path)
        self.fields = fields
        self.options = options
        switch options.codec {
        case .none: codec = .uncompressed
        case .snappy: codec = .snappy
        case .zstd: codec = .zstd
        case .gzip: codec = .gzip
        }
        pending = fields.map { Column(type: $0.type) }
        try emit(Array("PAR1".utf8))
    }

    /// Buffers the rows of `batch` (columns in `fields` order, same types) and
    /// writes each row group as it fills.
    public func write(batch: RecordBatch) throws(TabularError) {
        precondition(!closed, "ParquetWriter.write(batch:) after close()")
        precondition(batch.columns.count == fields.count, "batch has \(batch.columns.count) columns, writer \(fields.count)")
        for (k, column) in batch.columns.enumerated() {
            precondition(column.type == fields[k].type, "column '\(fields[k].name)' is \(column.type), expected \(fields[k].type)")
            pending[k].append(column)
        }
        pendingRows += batch.rowCount
        let size = max(1, options.rowGroupSize)
        while pendingRows >= size {
            if pendingRows == size {
                try flushRowGroup(pending, rows: size)
                pending = fields.map { Column(type: $0.type) }
            } else {
                try flushRowGroup(pending.map { $0.slice(0..<size) }, rows: size)
                pending = pending.map { $0.slice(size..<pendingRows) }
            }
            pendingRows -= size
        }
    }

    /// Writes the last row group and the footer, then closes the file.
    public func close() throws(TabularError) {
        guard !closed else { return }
        closed = true
        if pendingRows > 0 { try flushRowGroup(pending, rows: pendingRows) }
        pending = []
        var schema = [SchemaElement(name: "schema", numChildren: Int32(fields.count))]
        var leafCount = 0
        for f in fields {
            schema += Self.schemaElements(f)
            leafCount += 1
        }
        let meta = FileMetaData(version: 1, schema: schema, numRows: totalRows, rowGroups: rowGroups,
                                keyValues: [], createdBy: "FeatureStore Tabular Parquet writer")
        var w = ThriftWriter()
        w.write(meta, columnCount: leafCount)
        try emit(w.bytes)
        let n = UInt32(w.bytes.count)
        try emit([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + Array("PAR1".utf8))
        try out.close()
    }

    private func emit(_ bytes: [UInt8]) throws(TabularError) {
        try out.append(bytes)
        offset += bytes.count
    }

    static func schemaElements(_ f: Field) -> [SchemaElement] {
        switch f.type {
        case .bool: return [SchemaElement(type: .boolean, repetition: .optional, name: f.name)]
        case .int32: return [SchemaElement(type: .int32, repetition: .optional, name: f.name)]
        case .int64: return [SchemaElement(type: .int64, repetition: .optional, name: f.name)]
        case .float32: return [SchemaElement(type: .float, repetition: .optional, name: f.name)]
        case .float64: return [SchemaElement(type: .double, repetition: .optional, name: f.name)]
        case .bytes: return [SchemaElement(type: .byteArray, repetition: .optional, name: f.name)]
        case .string:
            return [SchemaElement(type: .byteArray, repetition: .optional, name: f.name,
                                  convertedType: ConvertedType.utf8, logicalType: .string)]
        case .timestamp:
            return [SchemaElement(type: .int64, repetition: .optional, name: f.name,
                                  convertedType: ConvertedType.timestampMicros,
                                  logicalType: .timestamp(adjustedToUTC: true, unit: .micros))]
        case .float32Vector:
            return [SchemaElement(repetition: .optional, name: f.name, numChildren: 1,
                                  convertedType: ConvertedType.list, logicalType: .list),
                    SchemaElement(repetition: .repeated, name: "list", numChildren: 1),
                    SchemaElement(type: .float, repetition: .required, name: "element")]
        }
    }

    private func flushRowGroup(_ columns: [Column], rows: Int) throws(TabularError) {
        var chunks: [ColumnChunk] = []
        var groupBytes: Int64 = 0
        for (k, column) in columns.enumerated() {
            let meta = try writeChunk(column, field: fields[k], rows: rows)
            groupBytes += meta.totalUncompressedSize
            chunks.append(ColumnChunk(filePath: nil, metaData: meta))
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: groupBytes, numRows: Int64(rows)))
        totalRows += Int64(rows)
    }

    // MARK: Column chunks

    /// A column's non-null values, encoded for one page or the dictionary.
    private struct Encoded {
        var encoding: PageEncoding
        var bytes: [UInt8]
    }

    private func writeChunk(_ column: Column, field: Field, rows: Int) throws(TabularError) -> ColumnMetaData {
        var meta = ColumnMetaData()
        let isVector: Bool
        if case .float32Vector = field.type { isVector = true } else { isVector = false }
        meta.type = Self.schemaElements(field).last!.type!
        meta.path = isVector ? [field.name, "list", "element"] : [field.name]
        meta.codec = codec
        var encodings: [PageEncoding] = [.rle]
        let nulls = column.validity.reduce(0) { $0 + ($1 ? 0 : 1) }
        meta.statistics = ParquetStatistics.compute(column, nulls: nulls)

        // Dictionary: indices per non-null row, or nil for PLAIN.
        let dict = options.dictionary && !isVector ? ParquetDictionary.build(column) : nil
        if let dict {
            let page = dict.values
            meta.dictionaryPageOffset = Int64(offset)
            let (u, c) = try writePage(PageHeader(type: PageType.dictionaryPage.rawValue, numValues: Int32(dict.count),
                                                  encoding: PageEncoding.plain.rawValue), body: page)
            meta.totalUncompressedSize += u
            meta.totalCompressedSize += c
            encodings.append(.plain)
            encodings.append(.rleDictionary)
        } else {
            encodings.append(.plain)
        }
        meta.dataPageOffset = Int64(offset)

        // Pages cover row ranges of about `pageSize` uncompressed bytes.
        let rowWidth: Int
        switch column.storage {
        case .binary(let o, _): rowWidth = max(1, (o.last ?? 0) / max(rows, 1) + 4)
        case .vector(let n, _): rowWidth = 4 * n + 1
        default: rowWidth = field.type.fixedWidth ?? 8
        }
        let pageRows = max(1, options.pageSize / rowWidth)
        var start = 0
        var denseStart = 0  // index of the first non-null row's value in dict indices
        var levelEntries: Int64 = 0
        while start < rows {
            let end = min(rows, start + pageRows)
            var body: [UInt8] = []
            var defs: [UInt8] = []
            var reps: [UInt8] = []
            var nonNull = 0
            if case .vector(let n, _) = column.storage {
                for r in start..<end {
                    if column.validity[r] {
                        nonNull += 1
                        reps.append(0); reps.append(contentsOf: repeatElement(1, count: n - 1))
                        defs.append(contentsOf: repeatElement(2, count: n))
                    } else {
                        reps.append(0); defs.append(0)
                    }
                }
                Self.appendLevels(reps, bitWidth: 1, &body)
                Self.appendLevels(defs, bitWidth: 2, &body)
            } else {
                for r in start..<end {
                    let valid = column.validity[r]
                    defs.append(valid ? 1 : 0)
                    if valid { nonNull += 1 }
                }
                Self.appendLevels(defs, bitWidth: 1, &body)
            }
            let encoding: PageEncoding
            if let dict {
                let indices = Array(dict.indices[denseStart..<(denseStart + nonNull)])
                let width = max(1, Encodings.bitWidth(UInt64(max(dict.count - 1, 0))))
                body.append(UInt8(width))
                Encodings.encodeHybrid(indices, bitWidth: width, into: &body)
                encoding = .rleDictionary
            } else {
                Self.plain(column, rows: start..<end, into: &body)
                encoding = .plain
            }
            denseStart += nonNull
            let entries = defs.count
            levelEntries += Int64(entries)
            let (u, c) = try writePage(PageHeader(type: PageType.dataPage.rawValue, numValues: Int32(entries),
                                                  encoding: encoding.rawValue), body: body)
            meta.totalUncompressedSize += u
            meta.totalCompressedSize += c
            start = end
        }
        meta.numValues = levelEntries
        meta.encodings = encodings.map(\.rawValue)
        return meta
    }

    /// Writes one page (header + compressed body); returns (uncompressed, compressed) sizes with the header.
    private func writePage(_ header: PageHeader, body: [UInt8]) throws(TabularError) -> (Int64, Int64) {
        let compressed = PageCodec.compress(codec, body)
        var h = header
        h.uncompressedSize = Int32(body.count)
        h.compressedSize = Int32(compressed.count)
        var w = ThriftWriter()
        w.write(h)
        try emit(w.bytes)
        try emit(compressed)
        return (Int64(w.bytes.count + body.count), Int64(w.bytes.count + compressed.count))
    }

    /// RLE levels with their 4-byte length prefix (data page v1).
    private static func appendLevels(_ levels: [UInt8], bitWidth: Int, _ out: inout [UInt8]) {
        var encoded: [UInt8] = []
        Encodings.encodeHybrid(levels, bitWidth: bitWidth, into: &encoded)
        let n = UInt32(encoded.count)
        out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
        out += encoded
    }

    /// PLAIN encoding of the non-null values in `rows`.
    static func plain(_ column: Column, rows: Range<Int>, into out: inout [UInt8]) {
        let valid = column.validity
        func raw<T>(_ a: [T]) {
            a.withUnsafeBytes { b in
                let w = MemoryLayout<T>.stride
                for r in rows where valid[r] { out.append(contentsOf: b[(r * w)..<((r + 1) * w)]) }
            }
        }
        switch column.storage {
        case .bool(let a):
            var bits: [Bool] = []
            for r in rows where valid[r] { bits.append(a[r]) }
            Encodings.plainBools(bits, into: &out)
        case .int32(let a): raw(a)
        case .int64(let a): raw(a)
        case .float32(let a): raw(a)
        case .float64(let a): raw(a)
        case .binary(let o, let b):
            for r in rows where valid[r] {
                let n = UInt32(o[r + 1] - o[r])
                out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
                out += b[o[r]..<o[r + 1]]
            }
        case .vector(let n, let v):
            v.withUnsafeBytes { b in
                for r in rows where valid[r] { out.append(contentsOf: b[(r * n * 4)..<((r + 1) * n * 4)]) }
            }
        }
    }
}

/// A column's distinct non-null values (PLAIN-encoded) and each non-null row's index.
struct ParquetDictionary {
    var values: [UInt8] = []
    var count = 0
    var indices: [UInt32] = []

    static let maxBytes = 1 << 20

    /// The dictionary, or nil when the column does not repeat values or the
    /// dictionary would pass 1 MiB.
    static func build(_ column: Column) -> ParquetDictionary? {
        var d = ParquetDictionary()
        let valid = column.validity
        func fixed<T>(_ a: [T], _ key: (T) -> UInt64) -> Bool {
            var seen: [UInt64: UInt32] = [:]
            for r in 0..<a.count where valid[r] {
                let k = key(a[r])
                if let i = seen[k] { d.indices.append(i); continue }
                let i = UInt32(seen.count)
                seen[k] = i
                d.indices.append(i)
                withUnsafeBytes(of: a[r]) { d.values += $0 }
                if d.values.count > maxBytes { return false }
            }
            d.count = seen.count
            return true
        }
        let ok: Bool
        switch column.storage {
        case .int32(let a): ok = fixed(a) { UInt64(UInt32(bitPattern: $0)) }
        case .int64(let a): ok = fixed(a) { UInt64(bitPattern: $0) }
        case .float32(let a): ok = fixed(a) { UInt64($0.bitPattern) }
        case .float64(let a): ok = fixed(a) { $0.bitPattern }
        case .binary(let o, let b):
            var seen: [ArraySlice<UInt8>: UInt32] = [:]
            var fits = true
            for r in 0..<valid.count where valid[r] {
                let v = b[o[r]..<o[r + 1]]
                if let i = seen[v] { d.indices.append(i); continue }
                let i = UInt32(seen.count)
                seen[v] = i
                d.indices.append(i)
                let n = UInt32(v.count)
                d.values += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
                d.values += v
                if d.values.count > maxBytes { fits = false; break }
            }
            d.count = seen.count
            ok = fits
        case .bool, .vector: return nil
        }
        guard ok, d.count > 0, d.count < d.indices.count else { return nil }
        return d
    }
}

/// Column chunk statistics: null count, and min/max (`min_value`/`max_value`,
/// little-endian for numbers, bytes compared unsigned) where the type has an order.
enum ParquetStatistics {
    static func compute(_ column: Column, nulls: Int) -> Statistics {
        var s = Statistics(nullCount: Int64(nulls))
        let valid = column.validity
        func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        func minMax<T: Comparable>(_ a: [T], skip: (T) -> Bool = { _ in false }) -> (T, T)? {
            var lo: T?, hi: T?
            for r in 0..<a.count where valid[r] && !skip(a[r]) {
                let v = a[r]
                if lo == nil || v < lo! { lo = v }
                if hi == nil || v > hi! { hi = v }
            }
            guard let lo, let hi else { return nil }
            return (lo, hi)
        }
        switch column.storage {
        case .bool(let a):
            if let (lo, hi) = minMax(a.map { $0 ? 1 : 0 } as [UInt8]) { s.minValue = [lo]; s.maxValue = [hi] }
        case .int32(let a):
            if let (lo, hi) = minMax(a) { s.minValue = bytes(lo); s.maxValue = bytes(hi) }
        case .int64(let a):
            if let (lo, hi) = minMax(a) { s.minValue = bytes(lo); s.maxValue = bytes(hi) }
        case .float32(let a):
            // NaN is left out; a zero minimum is written -0 and a zero maximum +0 (the spec's rule).
            if let (lo, hi) = minMax(a, skip: { $0.isNaN }) {
                s.minValue = bytes(lo == 0 ? -Float(0) : lo); s.maxValue = bytes(hi == 0 ? Float(0) : hi)
            }
        case .float64(let a):
            if let (lo, hi) = minMax(a, skip: { $0.isNaN }) {
                s.minValue = bytes(lo == 0 ? -Double(0) : lo); s.maxValue = bytes(hi == 0 ? Double(0) : hi)
            }
        case .binary(let o, let b):
            var lo: ArraySlice<UInt8>?, hi: ArraySlice<UInt8>?
            for r in 0..<valid.count where valid[r] {
                let v = b[o[r]..<o[r + 1]]
                if lo == nil || v.lexicographicallyPrecedes(lo!) { lo = v }
                if hi == nil || hi!.lexicographicallyPrecedes(v) { hi = v }
            }
            // Long values would bloat the footer; their bounds are left out.
            if let lo, let hi, lo.count <= 1024, hi.count <= 1024 { s.minValue = Array(lo); s.maxValue = Array(hi) }
        case .vector:
            break
        }
        return s
    }
}
