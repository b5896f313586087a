import Tabular

/// How `ingest` reads its files and where the rows go.
///
/// ```swift
/// var options = IngestOptions()
/// options.destination = .both
/// options.onInvalid = .skip
/// try store.ingest(table: "user_stats", files: ["events.csv"], options: options)
/// ```
public struct IngestOptions: Sendable {
    /// Where rows land: the event log, the online table, or both (push semantics).
    public enum Destination: String, Sendable, CaseIterable {
        case offline, online, both
    }

    /// Input formats; nil in ``format`` picks one from each file's extension.
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl, parquet

        /// The format for a path by extension (`.csv`, `.jsonl`, `.ndjson`, `.json`, `.parquet`, `.pq`).
        public static func infer(from path: String) -> Format? {
            let lower = path.lowercased()
            if lower.hasSuffix(".csv") { return .csv }
            if lower.hasSuffix(".parquet") || lower.hasSuffix(".pq") { return .parquet }
            if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
            return nil
        }
    }

    public var format: Format?
    public var destination: Destination = .offline
    /// `.fail` aborts the whole ingest on the first bad row; `.skip` lands the
    /// good rows and writes the rejected ones to ``rejectsPath``.
    public var onInvalid: InvalidRowPolicy = .fail
    /// Where rejected rows go (JSONL); default `FILE.rejects.jsonl` beside each input.
    public var rejectsPath: String?
    /// Ingest a file even though the same bytes were already ingested into the table.
    public var force = false
    /// Skip columns the table does not have instead of failing.
    public var ignoreExtraColumns = false
    /// Rows per decoded batch (and per sorted write chunk).
    public var batchSize = 65_536
    /// Called after each chunk with rows done so far (for progress bars).
    public var progress: (@Sendable (Int) -> Void)?
    /// Sort a first backfill's events across chunks and append them (see
    /// ``BackfillSorter``); off only in tests that compare with the chunked writes.
    var sortsAcrossChunks = true

    public init() {}
}

/// What one `ingest` call did.
public struct IngestResult: Sendable {
    /// One batch per input file, in order.
    public var batches: [BatchRecord]
    /// Rejects files written (under `--on-invalid skip`), by input file.
    public var rejectsFiles: [String: String]
    public var rows: Int { batches.reduce(0) { $0 + $1.rows } }
    public var rejected: Int { batches.reduce(0) { $0 + $1.rejected } }
}
