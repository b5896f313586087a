#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    private let zstd = ZstdContexts()

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
        let nulls = rows - Self.validCount(column.validity, 0..<rows)
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
            var levelCount = 0
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
                reps.withUnsafeBufferPointer { Self.appendLevels($0, bitWidth: 1, &body) }
                defs.withUnsafeBufferPointer { Self.appendLevels($0, bitWidth: 2, &body) }
                levelCount = defs.count
            } else {
                // Definition levels are the validity bytes themselves (false 0, true 1).
                nonNull = Self.validCount(column.validity, start..<end)
                levelCount = end - start
                body.reserveCapacity(levelCount / 4 + 64 + nonNull * (rowWidth > 4 ? rowWidth - 1 : rowWidth))
                column.validity.withUnsafeBytes { v in
                    Self.appendLevels(UnsafeBufferPointer(rebasing: v.bindMemory(to: UInt8.self)[start..<end]), bitWidth: 1, &body)
                }
            }
            let encoding: PageEncoding
            if let dict {
                let width = max(1, Encodings.bitWidth(UInt64(max(dict.count - 1, 0))))
                body.append(UInt8(width))
                dict.indices.withUnsafeBufferPointer { ix in
                    Encodings.encodeHybrid(UnsafeBufferPointer(rebasing: ix[denseStart..<(denseStart + nonNull)]),
                                           bitWidth: width, into: &body)
                }
                encoding = .rleDictionary
            } else {
                Self.plain(column, rows: start..<end, into: &body)
                encoding = .plain
            }
            denseStart += nonNull
            let entries = levelCount
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
        let compressed = PageCodec.compress(codec, body, zstd: zstd)
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
    private static func appendLevels(_ levels: UnsafeBufferPointer<UInt8>, bitWidth: Int, _ out: inout [UInt8]) {
        // Encoded in place after a 4-byte placeholder for the length.
        let at = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        Encodings.encodeHybrid(levels, bitWidth: bitWidth, into: &out)
        let n = UInt32(out.count - at - 4)
        out[at] = UInt8(n & 0xFF); out[at + 1] = UInt8(n >> 8 & 0xFF)
        out[at + 2] = UInt8(n >> 16 & 0xFF); out[at + 3] = UInt8(n >> 24)
    }

    /// Valid rows in `rows` (Bool is one byte, 0 or 1).
    static func validCount(_ validity: [Bool], _ rows: Range<Int>) -> Int {
        validity.withUnsafeBytes { v in
            Encodings.levelStats(UnsafeBufferPointer(rebasing: v.bindMemory(to: UInt8.self)[rows]), 1).count
        }
    }

    /// PLAIN encoding of the non-null values in `rows`.
    static func plain(_ column: Column, rows: Range<Int>, into out: inout [UInt8]) {
        let valid = column.validity
        let present = validCount(valid, rows)
        func raw<T: BitwiseCopyable>(_ a: [T]) {
            let w = MemoryLayout<T>.stride
            a.withUnsafeBufferPointer { src in
                valid.withUnsafeBufferPointer { v in
                    Encodings.appendFilled(&out, present * w, zero: 0) { p in
                        let dst = UnsafeMutableRawPointer(p)
                        if present == rows.count {
                            dst.copyMemory(from: src.baseAddress! + rows.lowerBound, byteCount: present * w)
                        } else {
                            var at = 0
                            for r in rows where v[r] {
                                dst.storeBytes(of: src[r], toByteOffset: at, as: T.self)
                                at += w
                            }
                        }
                    }
                }
            }
        }
        switch column.storage {
        case .bool(let a):
            // Bit-packed, LSB first, the non-null values only.
            a.withUnsafeBufferPointer { src in
                valid.withUnsafeBufferPointer { v in
                    Encodings.appendFilled(&out, (present + 7) / 8, zero: 0) { p in
                        var k = 0
                        for r in rows where v[r] {
                            if src[r] { p[k >> 3] |= 1 << UInt8(k & 7) }
                            k += 1
                        }
                    }
                }
            }
        case .int32(let a): raw(a)
        case .int64(let a): raw(a)
        case .float32(let a): raw(a)
        case .float64(let a): raw(a)
        case .binary(let o, let b):
            o.withUnsafeBufferPointer { o in
                b.withUnsafeBufferPointer { b in
                    valid.withUnsafeBufferPointer { v in
                        var total = 0
                        for r in rows where v[r] { total += 4 + o[r + 1] - o[r] }
                        Encodings.appendFilled(&out, total, zero: 0) { p in
                            var at = 0
                            for r in rows where v[r] {
                                let n = o[r + 1] - o[r]
                                UnsafeMutableRawPointer(p + at).storeBytes(of: UInt32(n).littleEndian, as: UInt32.self)
                                if n > 0 { (p + at + 4).update(from: b.baseAddress! + o[r], count: n) }
                                at += 4 + n
                            }
                        }
                    }
                }
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
    /// dictionary would pass 1 MiB. Values are numbered in order of first
    /// appearance.
    static func build(_ column: Column) -> ParquetDictionary? {
        var d = ParquetDictionary()
        let valid = column.validity
        d.indices.reserveCapacity(ParquetWriter.validCount(valid, 0..<valid.count))
        let ok: Bool
        switch column.storage {
        case .int32(let a): ok = fixed(a, valid, &d) { UInt64(UInt32(bitPattern: $0)) }
        case .int64(let a): ok = fixed(a, valid, &d) { UInt64(bitPattern: $0) }
        case .float32(let a): ok = fixed(a, valid, &d) { UInt64($0.bitPattern) }
        case .float64(let a): ok = fixed(a, valid, &d) { $0.bitPattern }
        case .binary(let o, let b): ok = binary(o, b, valid, &d)
        case .bool, .vector: return nil
        }
        guard ok, d.count > 0, d.count < d.indices.count else { return nil }
        return d
    }

    /// Fixed-width values, told apart by `key` (their bits). False when the
    /// dictionary passes `maxBytes`.
    private static func fixed<T: BitwiseCopyable>(_ a: [T], _ valid: [Bool], _ d: inout ParquetDictionary,
                                                  _ key: (T) -> UInt64) -> Bool {
        let table = KeyIndex()
        let maxCount = maxBytes / MemoryLayout<T>.stride
        let distinct = UnsafeMutablePointer<T>.allocate(capacity: maxCount + 1)
        defer { distinct.deallocate() }
        var count = 0
        var ok = true
        let present = ParquetWriter.validCount(valid, 0..<valid.count)
        d.indices = [UInt32](unsafeUninitializedCapacity: present) { ix, initialized in
            var j = 0
            a.withUnsafeBufferPointer { src in
                valid.withUnsafeBufferPointer { v in
                    for r in 0..<min(src.count, v.count) where v[r] {
                        let x = src[r]
                        let (i, inserted) = table.index(key(x), next: UInt32(count))
                        ix[j] = i
                        j += 1
                        if inserted {
                            distinct[count] = x
                            count += 1
                            if count > maxCount { ok = false; return }
                        }
                    }
                }
            }
            initialized = j
        }
        guard ok else { return false }
        d.count = count
        d.values = Array(UnsafeRawBufferPointer(start: distinct, count: count * MemoryLayout<T>.stride))
        return true
    }

    /// Binary values, compared by bytes. False when the dictionary passes `maxBytes`.
    private static func binary(_ o: [Int], _ b: [UInt8], _ valid: [Bool], _ d: inout ParquetDictionary) -> Bool {
        var table = HashIndex()
        // Where each distinct value starts in the column's bytes, and its length.
        var firsts: [(start: Int, count: Int)] = []
        var indices = d.indices
        var values = d.values
        d.indices = []
        d.values = []
        defer { d.indices = indices; d.values = values; d.count = firsts.count }
        return o.withUnsafeBufferPointer { o in
            b.withUnsafeBufferPointer { b in
                let base = b.baseAddress
                return valid.withUnsafeBufferPointer { v in
                    for r in 0..<v.count where v[r] {
                        let start = o[r], n = o[r + 1] - o[r]
                        let h = HashIndex.hash(base.map { $0 + start }, n)
                        let (i, inserted) = firsts.withUnsafeBufferPointer { f in
                            table.index(hash: h, next: UInt32(f.count)) { k in
                                f[k].count == n && (n == 0 || memcmp(base! + f[k].start, base! + start, n) == 0)
                            }
                        }
                        indices.append(i)
                        if inserted {
                            firsts.append((start, n))
                            let len = UInt32(n)
                            values += [UInt8(len & 0xFF), UInt8(len >> 8 & 0xFF), UInt8(len >> 16 & 0xFF), UInt8(len >> 24)]
                            if n > 0 { values.append(contentsOf: UnsafeBufferPointer(start: base! + start, count: n)) }
                            if values.count > maxBytes { return false }
                        }
                    }
                    return true
                }
            }
        }
    }
}

/// An open-addressing hash table from 64-bit keys to their numbers (0, 1, 2,
/// … in insertion order): the dictionary lookups of fixed-width values,
/// without Dictionary's per-key SipHash (a class over raw storage, so lookups
/// pay no copy-on-write checks).
final class KeyIndex {
    /// Number + 1 per slot; 0 is empty.
    private var slots: UnsafeMutablePointer<UInt32>
    private var keys: UnsafeMutablePointer<UInt64>
    private var size = 1024
    private var count = 0

    init() {
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
    }

    deinit {
        slots.deallocate()
        keys.deallocate()
    }

    /// The number of `key`; when it has none, `next` is recorded for it and returned with `inserted`.
    @inline(__always)
    func index(_ key: UInt64, next: UInt32) -> (UInt32, inserted: Bool) {
        if 2 * (count + 1) > size { grow() }
        let mask = size - 1
        var at = Int(truncatingIfNeeded: HashIndex.mix(key)) & mask
        while true {
            let n = slots[at]
            if n == 0 {
                slots[at] = next + 1
                keys[at] = key
                count += 1
                return (next, true)
            }
            if keys[at] == key { return (n - 1, false) }
            at = (at + 1) & mask
        }
    }

    private func grow() {
        let newSize = size * 2
        let newSlots = UnsafeMutablePointer<UInt32>.allocate(capacity: newSize)
        newSlots.initialize(repeating: 0, count: newSize)
        let newKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: newSize)
        newKeys.initialize(repeating: 0, count: newSize)
        let mask = newSize - 1
        for j in 0..<size where slots[j] != 0 {
            var at = Int(truncatingIfNeeded: HashIndex.mix(keys[j])) & mask
            while newSlots[at] != 0 { at = (at + 1) & mask }
            newSlots[at] = slots[j]
            newKeys[at] = keys[j]
        }
        slots.deallocate()
        keys.deallocate()
        slots = newSlots
        keys = newKeys
        size = newSize
    }
}

/// An open-addressing hash table from values (kept by the caller, numbered
/// 0, 1, 2, … in insertion order) to their numbers: the writer's dictionary
/// lookups, without Dictionary's per-key SipHash and boxing.
struct HashIndex {
    /// Number + 1 per slot; 0 is empty.
    private var slots: [UInt32] = []
    private var hashes: [UInt64] = []
    private var count = 0

    /// A 64-bit finalizer (MurmurHash3 fmix64).
    @inline(__always)
    static func mix(_ k: UInt64) -> UInt64 {
        var h = k
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// A hash of `n` bytes at `p`.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        guard let p, n > 0 else { return mix(h) }
        let raw = UnsafeRawPointer(p)
        var k = 0
        while k + 8 <= n {
            h = mix(h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            k += 8
        }
        if k < n {
            var tail: UInt64 = 0
            for j in k..<n { tail |= UInt64(p[j]) << (8 * UInt64(j - k)) }
            h = mix(h ^ tail)
        }
        return h
    }

    /// The number of the value with `hash` for which `equals(number)` holds;
    /// when there is none, `next` is recorded for it and returned with `inserted`.
    @inline(__always)
    mutating func index(hash: UInt64, next: UInt32, _ equals: (Int) -> Bool) -> (UInt32, inserted: Bool) {
        if 2 * (count + 1) > slots.count { grow() }
        let mask = slots.count - 1
        var at = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[at]
            if s == 0 {
                slots[at] = next + 1
                hashes[at] = hash
                count += 1
                return (next, true)
            }
            if hashes[at] == hash && equals(Int(s - 1)) { return (s - 1, false) }
            at = (at + 1) & mask
        }
    }

    private mutating func grow() {
        let size = max(1024, slots.count * 2)
        var newSlots = [UInt32](repeating: 0, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        for k in 0..<slots.count where slots[k] != 0 {
            var at = Int(truncatingIfNeeded: hashes[k]) & mask
            while newSlots[at] != 0 { at = (at + 1) & mask }
            newSlots[at] = slots[k]
            newHashes[at] = hashes[k]
        }
        slots = newSlots
        hashes = newHashes
    }
}

/// Column chunk statistics: null count, and min/max (`min_value`/`max_value`,
/// little-endian for numbers, bytes compared unsigned) where the type has an order.
enum ParquetStatistics {
    static func compute(_ column: Column, nulls: Int) -> Statistics {
        var s = Statistics(nullCount: Int64(nulls))
        let valid = column.validity
        func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        /// The smallest and largest valid value (the first of equals), `skip`ped values left out
        /// (`skip` is for NaN, which compares false: only the first pick needs the test).
        func minMax<T: Comparable>(_ a: [T], skip: (T) -> Bool = { _ in false }) -> (T, T)? {
            a.withUnsafeBufferPointer { p in
                valid.withUnsafeBufferPointer { v in
                    let n = Swift.min(p.count, v.count)
                    var r = 0
                    while r < n && !(v[r] && !skip(p[r])) { r += 1 }
                    guard r < n else { return nil }
                    var lo = p[r], hi = p[r]
                    r += 1
                    // Selects, not branches: `x < lo` keeps the first of equal values, as
                    // before. `skip` (NaN) needs no test here: NaN compares false.
                    while r < n {
                        let x = p[r]
                        lo = v[r] && x < lo ? x : lo
                        hi = v[r] && x > hi ? x : hi
                        r += 1
                    }
                    return (lo, hi)
                }
            }
        }
        switch column.storage {
        case .bool(let a):
            var (anyFalse, anyTrue) = (false, false)
            for r in 0..<a.count where valid[r] { if a[r] { anyTrue = true } else { anyFalse = true } }
            if anyFalse || anyTrue { s.minValue = [anyFalse ? 0 : 1]; s.maxValue = [anyTrue ? 1 : 0] }
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
            // Unsigned byte order, a prefix first: memcmp over the common length, then length.
            var lo = -1, hi = -1  // rows
            b.withUnsafeBufferPointer { bytes in
                o.withUnsafeBufferPointer { o in
                    func precedes(_ x: Int, _ y: Int) -> Bool {
                        let nx = o[x + 1] - o[x], ny = o[y + 1] - o[y]
                        let common = Swift.min(nx, ny)
                        let c = common == 0 ? 0 : memcmp(bytes.baseAddress! + o[x], bytes.baseAddress! + o[y], common)
                        return c < 0 || (c == 0 && nx < ny)
                    }
                    for r in 0..<valid.count where valid[r] {
                        if lo < 0 || precedes(r, lo) { lo = r }
                        if hi < 0 || precedes(hi, r) { hi = r }
                    }
                }
            }
            // Long values would bloat the footer; their bounds are left out.
            if lo >= 0, hi >= 0, o[lo + 1] - o[lo] <= 1024, o[hi + 1] - o[hi] <= 1024 {
                s.minValue = Array(b[o[lo]..<o[lo + 1]]); s.maxValue = Array(b[o[hi]..<o[hi + 1]])
            }
        case .vector:
            break
        }
        return s
    }
}
