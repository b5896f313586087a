import Tabular

/// How a point-in-time join (``Store/historicalFeatures(refs:services:entitySchema:entities:options:body:)``)
/// reads its entity rows and which events it may see (SPEC 7).
///
/// ```swift
/// var options = PointInTimeOptions()
/// options.timestampColumn = "label_time"
/// options.fullFeatureNames = true                        // user_stats__age
/// options.asOf = Timestamp.parse("2025-11-01T00:00:00Z")  // the store as it was then
/// ```
public struct PointInTimeOptions: Sendable, Equatable {
    /// The entity rows' timestamp column (`event_timestamp` by default).
    public var timestampColumn = "event_timestamp"
    /// Name feature columns `table__feature` instead of `feature`.
    public var fullFeatureNames = false
    /// Bitemporal cut (UTC µs): ignore every event the store did not know at
    /// `asOf` — events of batches committed after it, and events whose
    /// created_timestamp is after it. See docs/point-in-time.md.
    public var asOf: Int64?
    /// Leak guard: for a row at time t, ignore events whose created_timestamp
    /// is after t (late-arriving data).
    public var createdBeforeEntity = false
    /// Ignore events of batches with a larger id: how a training-set record
    /// is reproduced exactly (its ``TrainingSetRecord/batchHighWaterMark``).
    public var throughBatch: UInt64?
    /// Entity rows joined together (sorted, then one forward walk of each
    /// table's event log). Memory is proportional to this, not to the number
    /// of events or of entity rows.
    public var blockRows = 1_048_576
    /// Rows per entity batch read from a file (and so per output batch).
    public var batchSize = 65_536
    /// The entity file's name in error messages (set by the file readers).
    public var sourceName: String?
    /// Bytes of keys and values each table's walk reads between two releases
    /// of the map's pages from the resident set
    /// (``LMDB/Environment/releaseMappedPages()``); 0: never. Internal: the
    /// tests set it small to release often.
    var releaseMapEvery = 16 << 20
    /// Blocks of at least this many rows walk each table in two parts, one
    /// per thread (smaller ones: one part per table). Internal: the tests set
    /// it to 0 and to a huge value to check that both give the same result.
    var walkSplitMinimumRows = 16_384

    /// The defaults: `event_timestamp`, short names, no `asOf`, no leak guard.
    public init() {}
}

/// What a point-in-time join did and against which store state: enough to
/// fingerprint it (``TrainingSetRecord``).
public struct PointInTimeSummary: Sendable, Equatable {
    /// One feature table of the join.
    public struct Table: Sendable, Equatable {
        public var name: String
        public var tableId: UInt32
        /// The TTL applied (µs; 0 = none).
        public var ttlMicros: Int64
        /// Entity rows that found an event.
        public var matchedRows: Int
    }

    /// Output columns: the entity columns, then the features in requested order.
    public var fields: [Field]
    /// The features, resolved in the join's own read transaction.
    public var features: [ResolvedFeature]
    /// The tables, in order of first appearance among the features.
    public var tables: [Table]
    /// Entity rows read (= output rows).
    public var rows: Int
    /// The largest batch id in the store when the join ran.
    public var batchHighWaterMark: UInt64
    /// The largest batch id the join could see (after `asOf`/`throughBatch`).
    public var visibleBatchHighWaterMark: UInt64
}

/// Progress of a running export (for progress bars).
public struct ExportProgress: Sendable {
    /// Entity rows joined and written so far.
    public var rows: Int
}
