/// What a reader does with a row holding a bad value.
public enum InvalidRowPolicy: Sendable, Equatable {
    /// Throw a ``TabularError`` naming the file, line and column (the default).
    case fail
    /// Leave the row out and report it in ``RecordBatch/rejected``. Malformed
    /// rows (wrong field count, unterminated quote, invalid JSON) are rejected
    /// too; an unreadable file still throws.
    case skip
}

/// Options for ``CSVReader/batches(schema:options:)`` and ``JSONLReader/batches(schema:options:)``.
///
/// ```swift
/// var options = ReadOptions()
/// options.batchSize = 10_000
/// options.onInvalid = .skip
/// ```
public struct ReadOptions: Sendable, Equatable {
    /// Rows per batch (at least 1). Column memory for this many rows is reserved up front.
    public var batchSize = 65_536
    /// Fail on the first bad row, or skip bad rows and report them.
    public var onInvalid: InvalidRowPolicy = .fail
    /// JSONL only: keys not in the schema are skipped instead of being an error.
    /// (For CSV the caller compares ``CSVReader/columnNames`` with its schema.)
    public var ignoreUnknownColumns = false

    /// Options with the given values (defaults: 65 536 rows, fail, strict keys).
    public init(batchSize: Int = 65_536, onInvalid: InvalidRowPolicy = .fail, ignoreUnknownColumns: Bool = false) {
        self.batchSize = batchSize
        self.onInvalid = onInvalid
        self.ignoreUnknownColumns = ignoreUnknownColumns
    }
}

/// Anything that yields record batches one at a time: the CSV and JSONL
/// decoders, and whatever a caller wraps in a ``BatchIterator``.
public protocol BatchSource: AnyObject {
    /// The next batch, or nil at the end. After a throw the source is finished.
    func nextBatch() throws(TabularError) -> RecordBatch?
}

/// Yields the typed batches of one file, in file order.
///
/// A batch holds up to `batchSize` good rows. Under ``InvalidRowPolicy/skip``
/// a batch may hold zero rows and only ``RecordBatch/rejected`` entries.
/// After a throw, or once `next()` has returned nil, it returns nil.
///
/// ```swift
/// let reader = try CSVReader(path: "events.csv")
/// let batches = try reader.batches(schema: [Field("user_id", .int64)], options: ReadOptions())
/// while let batch = try batches.next() { print(batch.rowCount) }
/// ```
public final class BatchIterator {
    private var source: (any BatchSource)?

    /// Wraps any batch source.
    public init(_ source: any BatchSource) { self.source = source }

    /// The next batch, or nil when the file is exhausted.
    public func next() throws(TabularError) -> RecordBatch? {
        guard let s = source else { return nil }
        do {
            if let batch = try s.nextBatch() { return batch }
            source = nil
            return nil
        } catch {
            source = nil
            throw error
        }
    }
}
