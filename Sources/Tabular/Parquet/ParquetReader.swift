#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming Parquet reader that decodes row group by row group into typed
/// ``RecordBatch``es, reading only the columns asked for.
///
/// ```swift
/// let reader = try ParquetReader(path: "events.parquet")
/// print(reader.columnNames)          // ["user_id", "event_timestamp", "age", "embedding"]
/// print(reader.schema)               // natural types: int64, timestamp, float64, float32[8]
/// let batches = try reader.batches(
///     schema: [Field("user_id", .int64), Field("embedding", .float32Vector(8))], options: ReadOptions())
/// while let batch = try batches.next() {
///     // batch.sourceLines holds each row's 1-based row number in the file
/// }
/// ```
///
/// Supported: data pages v1 and v2, dictionary pages; PLAIN,
/// PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT; codecs
/// UNCOMPRESSED, SNAPPY, ZSTD and GZIP; required and optional top-level
/// columns, and LIST columns (three-level or legacy two-level) of FLOAT or
/// DOUBLE read as `float32[N]`.
///
/// Types (``schema`` reports the natural one; ``batches(schema:options:)``
/// also accepts the conversions listed there):
/// - BOOLEAN → bool; FLOAT → float32; DOUBLE → float64;
/// - INT32 (plain, INT(8/16/32, signed), INT(8/16, unsigned)) → int32;
///   INT32 INT(32, unsigned) → int64; INT64 (plain, INT(64, ±)) → int64
///   (unsigned values above `Int64.max` are out of range);
/// - INT64 TIMESTAMP(MILLIS / MICROS / NANOS), adjusted to UTC or not (a
///   timestamp without a zone is taken as UTC) → timestamp in µs; nanoseconds
///   are truncated toward negative infinity (floor); INT96 (Spark, Impala)
///   → timestamp; INT32 DATE → timestamp at midnight UTC;
/// - BYTE_ARRAY STRING / ENUM / JSON → string; other BYTE_ARRAY and
///   FIXED_LEN_BYTE_ARRAY → bytes;
/// - LIST<FLOAT | DOUBLE> → float32[N], N taken from the first non-null list
///   in the first row group that has one (the column is left out of ``schema``
///   when every list is null).
///
/// Not supported (listed in ``columnNames``, absent from ``schema``, an error
/// when asked for): DECIMAL, TIME, FLOAT16, INTERVAL, structs, maps, other
/// lists; LZO, BROTLI, LZ4 codecs; encrypted files; external column chunks.
///
/// Errors never crash or hang: a truncated file, bad magic, corrupt or
/// inconsistent metadata, a page that does not decompress or decode is a
/// ``TabularError`` (`malformedFile`, or `unsupported`) naming the file and,
/// where it applies, the column and row group:
///
/// ```text
/// events.parquet: column 'age': row group 1 (rows 65537-131072): page 3: SNAPPY page does not decompress
/// ```
///
/// Memory: one row group of the requested columns is decoded at a time.
public final class ParquetReader {
    /// The path as given.
    public let path: String
    /// Every top-level column name, in file order.
    public let columnNames: [String]
    /// The readable columns with their natural types, in file order (see the type list above).
    public private(set) var schema: [Field] = []
    /// Rows in the file.
    public let rowCount: Int
    /// Row groups in the file.
    public var rowGroupCount: Int { metadata.rowGroups.count }
    /// The writer's `created_by` string, if any.
    public var createdBy: String? { metadata.createdBy }

    let file: ParquetFile
    let metadata: FileMetaData
    let columns: [ParquetTopColumn]
    private var started = false
    private let zstd = ZstdContexts()

    /// Opens `path` and reads its footer (file metadata) and schema.
    ///
    /// - Throws: ``TabularError``: `cannotOpen` / `io`, `malformedFile` (too
    ///   short, bad magic, corrupt or inconsistent metadata), `unsupported`
    ///   (encrypted footer), `duplicateColumn`.
    public init(path: String) throws(TabularError) {
        self.path = path
        file = try ParquetFile(path: path)
        func malformed(_ message: String) -> TabularError {
            TabularError(kind: .malformedFile, file: path, message: message)
        }
        let size = file.size
        guard size >= 12 else {
            throw malformed("not a Parquet file: \(size) bytes, too short for the PAR1 header and footer")
        }
        let head = try file.read(at: 0, count: 4)
        let tail = try file.read(at: size - 8, count: 8)
        if Array(tail[4..<8]) == Array("PARE".utf8) {
            throw TabularError(kind: .unsupported, file: path, message: "encrypted Parquet files are not supported")
        }
        guard head == Array("PAR1".utf8) else { throw malformed("not a Parquet file: bad magic at the start (expected PAR1)") }
        guard Array(tail[4..<8]) == Array("PAR1".utf8) else {
            throw malformed("not a Parquet file, or truncated: bad magic at the end (expected PAR1)")
        }
        let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLength > 0, footerLength <= size - 12 else {
            throw malformed("corrupt footer: metadata length \(footerLength) does not fit a file of \(size) bytes")
        }
        let footer = try file.read(at: size - 8 - footerLength, count: footerLength)
        var r = ThriftReader(footer, from: 0, to: footer.count)
        let meta: FileMetaData
        let columns: [ParquetTopColumn]
        let leafCount: Int
        do throws(ParquetIssue) {
            meta = try FileMetaData.decode(&r)
            if meta.encrypted { throw ParquetIssue("encrypted Parquet files are not supported", unsupported: true) }
            (columns, leafCount) = try ParquetSchema.columns(meta.schema)
        } catch {
            throw TabularError(kind: error.unsupported ? .unsupported : .malformedFile, file: path, message: error.message)
        }
        metadata = meta
        self.columns = columns
        var names: [String] = []
        var seen = Set<String>()
        for c in columns {
            guard seen.insert(c.name).inserted else {
                throw TabularError(kind: .duplicateColumn, file: path, column: c.name, message: "appears twice in the schema")
            }
            names.append(c.name)
        }
        columnNames = names
        // Cross-check the row groups against the schema and the file size, so
        // that decoding can trust counts and offsets from here on.
        let dataEnd = Int64(size - 8 - footerLength)
        var total: Int64 = 0
        let leaves = Self.leaves(columns, leafCount)
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.numRows >= 0 else { throw malformed("corrupt metadata: row group \(g) has \(group.numRows) rows") }
            let (sum, overflow) = total.addingReportingOverflow(group.numRows)
            guard !overflow else { throw malformed("corrupt metadata: row count overflows") }
            total = sum
            guard group.columns.count == leafCount else {
                throw malformed("corrupt metadata: row group \(g) has \(group.columns.count) column chunks, the schema \(leafCount) columns")
            }
            for (k, chunk) in group.columns.enumerated() {
                let name = leaves[k]?.name ?? "#\(k)"
                func bad(_ message: String) -> TabularError {
                    TabularError(kind: .malformedFile, file: path, column: name, message: "row group \(g): \(message)")
                }
                guard chunk.filePath == nil else {
                    throw TabularError(kind: .unsupported, file: path, column: name,
                                       message: "row group \(g): column chunk in another file is not supported")
                }
                guard let m = chunk.metaData else { throw bad("corrupt metadata: column chunk without metadata") }
                if let leaf = leaves[k]?.leaf {
                    guard m.type == leaf.physical else {
                        throw bad("corrupt metadata: column chunk is \(m.type.name), the schema says \(leaf.physical.name)")
                    }
                    if leaf.maxRepetition == 0 && m.numValues != group.numRows {
                        throw bad("corrupt metadata: column chunk holds \(m.numValues) values, the row group \(group.numRows) rows")
                    }
                }
                let start = Self.chunkStart(m)
                guard m.numValues >= 0, m.totalCompressedSize >= 0, start >= 4, start <= dataEnd,
                      m.totalCompressedSize <= dataEnd - start else {
                    throw bad("corrupt metadata: column chunk at \(start) of \(m.totalCompressedSize) bytes lies outside the data")
                }
            }
        }
        guard total == meta.numRows else {
            throw malformed("corrupt metadata: row groups hold \(total) rows, the footer says \(meta.numRows)")
        }
        rowCount = Int(total)
        schema = try inferSchema()
    }

    /// The top-level column owning each leaf index (nil for leaves of unreadable columns).
    private static func leaves(_ columns: [ParquetTopColumn], _ count: Int) -> [ParquetTopColumn?] {
        var out = [ParquetTopColumn?](repeating: nil, count: count)
        for c in columns { if let leaf = c.leaf, leaf.index < count { out[leaf.index] = c } }
        return out
    }

    /// Where a chunk's first page starts: the dictionary page when there is one.
    static func chunkStart(_ m: ColumnMetaData) -> Int64 {
        if let d = m.dictionaryPageOffset, d > 0, d < m.dataPageOffset { return d }
        return m.dataPageOffset
    }

    private func inferSchema() throws(TabularError) -> [Field] {
        var fields: [Field] = []
        for c in columns {
            guard let natural = c.kind.naturalType, c.leaf != nil else { continue }
            if case .list(let present, let slot) = c.shape {
                guard c.kind == .float32 || c.kind == .float64 else { continue }
                var length: Int?
                for g in 0..<metadata.rowGroups.count where length == nil {
                    let chunk = try decodeChunk(c, group: g)
                    length = ParquetColumnConverter.firstListLength(chunk, present: present, slot: slot)
                }
                if let n = length, n > 0 { fields.append(Field(c.name, .float32Vector(n))) }
            } else {
                fields.append(Field(c.name, natural))
            }
        }
        return fields
    }

    /// The first 1-based row of row group `g`.
    func firstRow(ofGroup g: Int) -> Int {
        var row = 1
        for k in 0..<g { row += Int(metadata.rowGroups[k].numRows) }
        return row
    }

    func groupText(_ g: Int) -> String {
        let first = firstRow(ofGroup: g)
        let n = Int(metadata.rowGroups[g].numRows)
        return n == 0 ? "row group \(g) (no rows)" : "row group \(g) (rows \(first)-\(first + n - 1))"
    }

    /// Reads and decodes the chunk of column `c` in row group `g`.
    func decodeChunk(_ c: ParquetTopColumn, group g: Int) throws(TabularError) -> DecodedChunk {
        guard let leaf = c.leaf else { preconditionFailure("decodeChunk on an unreadable column") }
        let meta = metadata.rowGroups[g].columns[leaf.index].metaData!
        let bytes = try file.read(at: Int(Self.chunkStart(meta)), count: Int(meta.totalCompressedSize))
        do throws(ParquetIssue) {
            return try ColumnChunkDecoder.decode(bytes, meta: meta, leaf: leaf, zstd: zstd)
        } catch {
            throw TabularError(kind: error.unsupported ? .unsupported : .malformedFile, file: path, column: c.name,
                               message: "\(groupText(g)): \(error.message)")
        }
    }

    /// Starts typed decoding of the columns in `schema` (any subset of
    /// ``columnNames``, in any order); other columns are not read at all.
    /// Each batch has `schema`'s fields in `schema`'s order, up to
    /// `options.batchSize` rows; ``RecordBatch/sourceLines`` are 1-based row
    /// numbers in the file. Call once.
    ///
    /// Besides each column's natural type, a column may be read as: any
    /// integer or float type from an integer column (range-checked), float32
    /// from DOUBLE (rounded) and float64 from FLOAT, string from binary (UTF-8
    /// checked) and bytes from strings. A value out of range, invalid UTF-8 or
    /// a list whose length is not N is an `invalidValue` error naming the row
    /// and column (or, under ``InvalidRowPolicy/skip``, a rejected row with an
    /// empty `raw`).
    ///
    /// - Throws: ``TabularError``: `missingColumn` for a name not in the file;
    ///   `typeMismatch` for a column that cannot be read as the requested type;
    ///   `unsupported` for a column of a type this reader cannot read.
    public func batches(schema: [Field], options: ReadOptions = ReadOptions()) throws(TabularError) -> BatchIterator {
        precondition(!started, "ParquetReader.batches(schema:options:) called twice")
        started = true
        var projected: [ParquetTopColumn] = []
        for field in schema {
            guard let c = columns.first(where: { $0.name == field.name }) else {
                throw TabularError(kind: .missingColumn, file: path, column: field.name, message: "not found in the file")
            }
            if case .unsupported(let what) = c.kind {
                throw TabularError(kind: .unsupported, file: path, column: field.name,
                                   message: "Parquet type \(what) is not supported")
            }
            guard c.leaf != nil, ParquetColumnConverter.canRead(c, as: field.type) else {
                throw TabularError(kind: .typeMismatch, file: path, column: field.name,
                                   expected: field.type.description,
                                   message: "is \(c.typeText) in the file, cannot be read as \(field.type)")
            }
            projected.append(c)
        }
        return BatchIterator(ParquetBatchSource(reader: self, schema: schema, columns: projected, options: options))
    }
}

/// Yields batches row group by row group.
final class ParquetBatchSource: BatchSource {
    private let reader: ParquetReader
    private let fields: [Field]
    private let columns: [ParquetTopColumn]
    private let batchSize: Int
    private let skip: Bool
    private var group = -1
    private var groupFirstRow = 1
    private var groupRows = 0
    private var cursor = 0
    private var decoded: [Column] = []
    /// Rows (within the group) with a bad value, and the first error of each.
    private var bad: [Int: TabularError] = [:]
    private var badRows: [Int] = []
    private var badCursor = 0
    private var finished = false

    init(reader: ParquetReader, schema: [Field], columns: [ParquetTopColumn], options: ReadOptions) {
        self.reader = reader
        fields = schema
        self.columns = columns
        batchSize = max(1, options.batchSize)
        skip = options.onInvalid == .skip
    }

    func nextBatch() throws(TabularError) -> RecordBatch? {
        if finished { return nil }
        while cursor >= groupRows {
            group += 1
            guard group < reader.rowGroupCount else { finished = true; return nil }
            do { try load(group) } catch { finished = true; throw error }
        }
        var end = min(groupRows, cursor + batchSize)
        // Under `fail`, hand out the good rows before a bad one, then throw.
        if !skip, badCursor < badRows.count {
            let first = badRows[badCursor]
            if first == cursor { finished = true; throw bad[first]! }
            end = min(end, first)
        }
        var keep: [Int] = []
        var rejected: [RejectedRow] = []
        if skip && badCursor < badRows.count && badRows[badCursor] < end {
            var k = badCursor
            var excluded = Set<Int>()
            while k < badRows.count && badRows[k] < end {
                let row = badRows[k]
                excluded.insert(row)
                rejected.append(RejectedRow(bad[row]!, raw: ""))
                k += 1
            }
            badCursor = k
            keep = (cursor..<end).filter { !excluded.contains($0) }
        }
        let range = cursor..<end
        cursor = end
        if rejected.isEmpty {
            let first = groupFirstRow + range.lowerBound
            let lines = [Int](unsafeUninitializedCapacity: range.count) { out, initialized in
                for k in 0..<range.count { out[k] = first + k }
                initialized = range.count
            }
            return RecordBatch(fields: fields, columns: decoded.map { $0.slice(range) }, sourceLines: lines)
        }
        let lines = keep.map { groupFirstRow + $0 }
        return RecordBatch(fields: fields, columns: decoded.map { $0.gather(keep) }, sourceLines: lines, rejected: rejected)
    }

    private func load(_ g: Int) throws(TabularError) {
        let rows = Int(reader.metadata.rowGroups[g].numRows)
        groupFirstRow = reader.firstRow(ofGroup: g)
        decoded = []
        bad = [:]
        for (k, c) in columns.enumerated() {
            var chunk = try reader.decodeChunk(c, group: g)
            let field = fields[k]
            let column: Column
            let issues: [ParquetRowIssue]
            do {
                (column, issues) = try ParquetColumnConverter.convert(&chunk, c, as: field.type, rows: rows)
            } catch {
                throw TabularError(kind: error.unsupported ? .unsupported : .malformedFile, file: reader.path,
                                   column: c.name, message: "\(reader.groupText(g)): \(error.message)")
            }
            for issue in issues where bad[issue.row] == nil {
                bad[issue.row] = Self.error(issue, field: field, file: reader.path, line: groupFirstRow + issue.row)
            }
            decoded.append(column)
        }
        badRows = bad.keys.sorted()
        badCursor = 0
        groupRows = rows
        cursor = 0
    }

    static func error(_ issue: ParquetRowIssue, field: Field, file: String, line: Int) -> TabularError {
        var expected = field.type.description
        var message = "cannot read \(issue.shown) as \(expected)"
        switch issue.issue {
        case .invalid: break
        case .outOfRange: message += ": out of range"
        case .invalidUTF8: message = "cannot read \"\(issue.shown)\" as string: invalid UTF-8"
        case .invalidBase64: break
        case .vectorLength(let got):
            if case .float32Vector(let n) = field.type { expected = "\(n) numbers" }
            message += ": expected \(expected), got \(got)"
        }
        return TabularError(kind: .invalidValue, file: file, line: line, column: field.name,
                            value: issue.shown, expected: expected, message: message)
    }
}

/// An open file read with `pread(2)`, retried on `EINTR` and short reads.
final class ParquetFile {
    let path: String
    let size: Int
    private let fd: Int32

    init(path: String) throws(TabularError) {
        self.path = path
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw TabularError(kind: .cannotOpen, file: path, message: "cannot open: \(errnoText(errno))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            closeDescriptor(fd)
            throw TabularError(kind: .io, file: path, message: "cannot stat: \(errnoText(code))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            closeDescriptor(fd)
            throw TabularError(kind: .cannotOpen, file: path, message: "cannot open: not a regular file")
        }
        self.fd = fd
        size = Int(st.st_size)
    }

    deinit { closeDescriptor(fd) }

    /// `count` bytes at `offset`; the range must lie inside the file.
    func read(at offset: Int, count: Int) throws(TabularError) -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset + count <= size)
        var done = 0
        var failure: Int32 = 0
        // Not zero-filled first: every byte is read (or the array is dropped on error).
        let out = [UInt8](unsafeUninitializedCapacity: count) { b, initialized in
            while done < count {
                let n = pread(fd, b.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                if n == 0 { failure = -1; break }
                done += n
            }
            // Bytes past a failed read are never looked at; mark them initialised
            // only when all were read, and zero the rest otherwise.
            if done < count { (b.baseAddress! + done).initialize(repeating: 0, count: count - done) }
            initialized = count
        }
        if failure == -1 { throw TabularError(kind: .io, file: path, message: "file shrank while being read") }
        if failure != 0 { throw TabularError(kind: .io, file: path, message: "cannot read: \(errnoText(failure))") }
        return out
    }
}
