/// The record of one ingested batch: which file, which table version, how many
/// rows, and where they went. Stored in the `batches` database under its id.
public struct BatchRecord: Codable, Sendable, Equatable {
    /// Monotonically increasing across the store, starting at 1.
    public var id: UInt64
    public var table: String
    public var tableId: UInt32
    public var tableVersion: Int
    /// The path as given to `ingest` (or `push` for events pushed by a client).
    public var source: String
    /// Lowercase hex SHA-256 of the source file's bytes.
    public var sha256: String
    /// Rows landed.
    public var rows: Int
    /// Rows rejected under `--on-invalid skip`.
    public var rejected: Int
    /// Per column, how many rows failed a check (expect, null key, parse), for `validate`.
    public var failures: [String: Int]
    /// `offline`, `online` or `both`.
    public var destination: String
    /// Commit time, UTC microseconds (also the created timestamp of rows whose
    /// file has no created-timestamp column).
    public var createdAtMicros: Int64
    /// Smallest and largest event timestamp of the landed rows (nil when none landed).
    public var minEventMicros: Int64?
    public var maxEventMicros: Int64?
}
