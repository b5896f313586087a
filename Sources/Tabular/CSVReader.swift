/// A streaming RFC 4180 CSV reader that decodes straight into typed columns.
///
/// The file is read in chunks (4 MiB by default), never whole. The first
/// record is the header; a UTF-8 byte-order mark, CRLF or LF line ends and a
/// missing final newline are all accepted. Blank lines are skipped but still
/// counted, so line numbers are physical lines (the header is line 1).
///
/// ```swift
/// let reader = try CSVReader(path: "events.csv")
/// print(reader.columnNames)                       // ["user_id", "event_timestamp", "age"]
/// let batches = try reader.batches(
///     schema: [Field("user_id", .int64), Field("age", .float64)], options: ReadOptions())
/// while let batch = try batches.next() {
///     // batch.columns[1] holds the ages; batch.sourceLines the line of each row
/// }
/// ```
///
/// Values are parsed from the read buffer, with no String per field:
/// - an empty unquoted field is null for every type; a quoted empty field
///   (`""`) is an empty `string` or `bytes` value (so empty values survive a
///   ``CSVWriter`` round trip) and null for the other types;
/// - bool: `true`/`false`/`1`/`0`, any case (`True` as pandas writes);
/// - int32/int64: `[+-]digits`, range-checked; `12.0` and `1e3` are refused;
/// - float32/float64: decimal with optional exponent, `nan`, `inf`,
///   `infinity` (any case, optional sign), correctly rounded; no hex floats;
/// - timestamp: ISO-8601 only (``Timestamp/parse(_:)``), not epoch numbers;
/// - bytes: standard base64 with padding;
/// - float32[N]: `[x, y, …]` with exactly N numbers, whitespace allowed;
/// - string: verbatim, must be valid UTF-8.
///
/// Non-string values may carry spaces or tabs around them. A `"` inside an
/// unquoted field is kept as data; text after a closing quote is an error.
public final class CSVReader {
    private let tokenizer: CSVTokenizer
    private let path: String
    private var started = false

    /// The header's column names, in file order.
    public let columnNames: [String]

    /// Opens `path` and reads its header.
    ///
    /// - Parameter chunkSize: bytes per read; tests use tiny ones to split
    ///   records across reads.
    /// - Throws: ``TabularError`` when the file cannot be opened or read, is
    ///   empty, or its header is malformed or repeats a name.
    public convenience init(path: String, chunkSize: Int = 4 << 20) throws(TabularError) {
        try self.init(input: ChunkedInput(path: path, chunkSize: chunkSize))
    }

    /// Reads CSV text from memory; `name` stands for the file name in errors.
    public convenience init(bytes: [UInt8], name: String, chunkSize: Int = 4 << 20) throws(TabularError) {
        try self.init(input: ChunkedInput(bytes: bytes, name: name, chunkSize: chunkSize))
    }

    /// Reads the rest of the CSV file at `path` from byte `offset` on, which
    /// must be where a record starts, as records of a file with header
    /// `columnNames` (there is no header at `offset`); `line` is the physical
    /// line number there, for row lines and errors. With ``endInput(at:)`` on
    /// a reader of the same file, two threads can read the halves of a file.
    public init(path: String, from offset: Int, columnNames: [String], line: Int,
                chunkSize: Int = 4 << 20) throws(TabularError) {
        let input = try ChunkedInput(path: path, chunkSize: chunkSize, offset: offset)
        self.path = path
        tokenizer = CSVTokenizer(input: input, line: line)
        self.columnNames = columnNames
    }

    /// Makes input end at byte `offset` of the file, which must be where a
    /// record starts: the rows are those starting before it. Unless the
    /// reader meets a quoted field first (it may hold a newline, and then
    /// `offset` need not be a record boundary): it then reads on to the end
    /// of the file, as it would without the limit, and ``endedAtLimit`` is
    /// false. Returns false (and sets nothing) when bytes past `offset` were
    /// already read.
    @discardableResult
    public func endInput(at offset: Int) -> Bool {
        guard tokenizer.input.offset <= offset else { return false }
        tokenizer.input.limit = offset
        return true
    }

    /// After the last batch: whether input ended at the ``endInput(at:)`` offset.
    public var endedAtLimit: Bool { tokenizer.input.limit != nil && tokenizer.input.eof }

    /// The physical line number where the next record would start (after the
    /// last batch: one more than the lines read, blank ones included).
    public var nextLine: Int { tokenizer.line }

    private init(input: ChunkedInput) throws(TabularError) {
        path = input.name
        try input.skipByteOrderMark()
        tokenizer = CSVTokenizer(input: input)
        switch try tokenizer.next() {
        case .end:
            throw TabularError(kind: .emptyFile, file: path, message: "empty file: expected a header row")
        case .malformed(let line, let message):
            throw TabularError(kind: .malformedRow, file: path, line: line, message: message)
        case .record:
            break
        }
        var names: [String] = []
        var seen = Set<String>()
        for k in 0..<tokenizer.fieldCount {
            let name = String(decoding: Self.unescaped(tokenizer.fields[k], input.buffer), as: UTF8.self)
            guard seen.insert(name).inserted else {
                throw TabularError(kind: .duplicateColumn, file: path, line: tokenizer.recordLine,
                                   column: name, message: "appears twice in the header")
            }
            names.append(name)
        }
        columnNames = names
    }

    /// A field's content with `""` collapsed.
    static func unescaped(_ span: FieldSpan, _ buffer: UnsafeMutablePointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.end - span.start)
        var i = span.start
        while i < span.end {
            out.append(buffer[i])
            i += buffer[i] == UInt8(ascii: "\"") && span.escaped ? 2 : 1
        }
        return out
    }

    /// Starts typed decoding of the columns in `schema` (a subset of the
    /// header, in any order); other header columns are skipped unparsed.
    /// Each batch has `schema`'s fields, in `schema`'s order. Call once.
    ///
    /// - Throws: ``TabularError`` (`missingColumn`) when a schema name is not
    ///   in the header, naming line 1.
    public func batches(schema: [Field], options: ReadOptions = ReadOptions()) throws(TabularError) -> BatchIterator {
        precondition(!started, "CSVReader.batches(schema:options:) called twice")
        started = true
        var slots: [Int] = []
        for field in schema {
            guard let index = columnNames.firstIndex(of: field.name) else {
                throw TabularError(kind: .missingColumn, file: path, line: 1, column: field.name,
                                   message: "not found in header")
            }
            slots.append(index)
        }
        return BatchIterator(CSVDecoder(tokenizer: tokenizer, file: path, headerCount: columnNames.count,
                                        schema: schema, slots: slots, options: options))
    }
}

/// Turns tokenized records into typed batches.
final class CSVDecoder: BatchSource {
    private let tokenizer: CSVTokenizer
    private let file: String
    private let headerCount: Int
    private let slots: UnsafeMutablePointer<Int>
    private let batch: BatchBuilder
    private let skip: Bool
    private var finished = false
    /// Scratch for fields holding `""` escapes.
    private var scratch: [UInt8] = []

    init(tokenizer: CSVTokenizer, file: String, headerCount: Int, schema: [Field], slots: [Int], options: ReadOptions) {
        self.tokenizer = tokenizer
        self.file = file
        self.headerCount = headerCount
        self.slots = .allocate(capacity: max(slots.count, 1))
        self.slots.initialize(from: slots, count: slots.count)
        batch = BatchBuilder(fields: schema, capacity: options.batchSize)
        skip = options.onInvalid == .skip
    }

    deinit { slots.deallocate() }

    func nextBatch() throws(TabularError) -> RecordBatch? {
        if finished { return nil }
        batch.reset()
        let columnCount = batch.fields.count
        let builders = batch.builders
        while !batch.isFull {
            switch try tokenizer.next() {
            case .end:
                finished = true
                return batch.makeBatch()
            case .malformed(let line, let message):
                try reject(TabularError(kind: .malformedRow, file: file, line: line, message: message))
                continue
            case .record:
                break
            }
            guard tokenizer.fieldCount == headerCount else {
                try reject(TabularError(kind: .malformedRow, file: file, line: tokenizer.recordLine,
                                        message: "expected \(headerCount) fields, found \(tokenizer.fieldCount)"))
                continue
            }
            let buffer = tokenizer.input.buffer
            let fields = tokenizer.fields
            let row = batch.rows
            var k = 0
            while k < columnCount {
                let span = fields[slots[k]]
                let n = span.end - span.start
                if n == 0 {
                    if span.quoted && builders[k].isBinary {
                        builders[k].setBinary(buffer, 0, row: row)
                    } else {
                        builders[k].setNull(row: row)
                    }
                } else if let issue = span.escaped
                    ? parseEscaped(span, buffer, k, row)
                    : builders[k].parseText(buffer + span.start, n, row: row) {
                    batch.abandonRow()
                    let value = span.escaped
                        ? CSVReader.unescaped(span, buffer)
                        : Array(UnsafeBufferPointer(start: buffer + span.start, count: n))
                    let error = value.withUnsafeBufferPointer {
                        TabularError.invalidValue(issue, file: file, line: tokenizer.recordLine,
                                                  field: batch.fields[k], value: $0)
                    }
                    try reject(error)
                    break
                }
                k += 1
            }
            if k < columnCount {
                continue
            }
            batch.commitRow(line: tokenizer.recordLine)
        }
        return batch.makeBatch()
    }

    private func parseEscaped(_ span: FieldSpan, _ buffer: UnsafeMutablePointer<UInt8>, _ k: Int, _ row: Int) -> ValueIssue? {
        scratch = CSVReader.unescaped(span, buffer)
        return scratch.withUnsafeBufferPointer { batch.builders[k].parseText($0.baseAddress!, $0.count, row: row) }
    }

    /// Fails, or records the current record as rejected.
    private func reject(_ error: TabularError) throws(TabularError) {
        guard skip else { finished = true; throw error }
        batch.rejected.append(RejectedRow(error, raw: tokenizer.rawText))
    }
}
