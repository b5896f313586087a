// The point-in-time join through the library (what a training job linking
// FeatureStore calls), on the shared benchmark store: 100,000 entity rows of
// random users over all entities, at random times across the events' two days
// and one day either side (so some rows precede their user's event and get
// nulls), joined with all 10 features of `bench_stats`, streamed as batches.
// tools/pit_bench (`make bench-pit`) runs the file-to-file export against
// DuckDB and polars.
import FeatureStore
import Tabular

/// Entity rows for the point-in-time benchmark, made once.
public struct PointInTimeLoop: @unchecked Sendable {
    public let store: Store
    public let rows: RecordBatch
    public static let refs = ["bench_stats:*"]

    /// `count` entity rows (seeded) over `entities` users.
    public init(store: Store, entities: Int, count: Int = 100_000, seed: UInt64 = 11) {
        self.store = store
        var rng = SplitMix(seed: seed)
        var ids = Column(type: .int64, capacity: count), times = Column(type: .timestamp, capacity: count)
        let from: Int64 = 1_763_078_400_000_000  // 2025-11-14T00:00:00Z, µs
        let span: Int64 = 4 * 86_400_000_000
        for _ in 0..<count {
            ids.appendInt64(Int64(rng.next() % UInt64(entities)) + 1)
            times.appendInt64(from + Int64(rng.next() % UInt64(span)))
        }
        rows = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                           columns: [ids, times], sourceLines: Array(1...count))
    }

    /// Runs the join once; returns the output rows and the rows that matched an event.
    public func run() throws -> (rows: Int, matched: Int) {
        var out = 0
        let summary = try store.historicalFeatures(refs: Self.refs, entitySchema: rows.fields,
                                                   entities: BatchIterator(OneBatch(rows))) { out += $0.rowCount }
        return (out, summary.tables.reduce(0) { $0 + $1.matchedRows })
    }
}

/// One in-memory batch as a `BatchSource`.
final class OneBatch: BatchSource {
    private var batch: RecordBatch?
    init(_ batch: RecordBatch) { self.batch = batch }
    func nextBatch() throws(TabularError) -> RecordBatch? {
        defer { batch = nil }
        return batch
    }
}
