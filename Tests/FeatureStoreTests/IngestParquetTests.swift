import Testing
@testable import FeatureStore
import Tabular

@Suite struct IngestParquetTests {
    func writeParquet(_ path: String, fields: [Field], rows: [[Value?]]) throws {
        var columns = fields.map { Column(type: $0.type) }
        for row in rows {
            for (i, v) in row.enumerated() {
                switch v {
                case nil: columns[i].appendNull()
                case .int64(let x)?: columns[i].appendInt64(x)
                case .timestamp(let x)?: columns[i].appendInt64(x)
                case .float64(let x)?: columns[i].appendFloat64(x)
                case .string(let x)?: columns[i].appendString(x)
                default: Issue.record("unsupported test value \(String(describing: v))")
                }
            }
        }
        let w = try ParquetWriter(path: path, fields: fields)
        try w.write(batch: RecordBatch(fields: fields, columns: columns, sourceLines: Array(1...rows.count)))
        try w.close()
    }

    @Test func parquetFilesIngestLikeCSV() throws {
        let t = try TempStore(userStatsYAML)
        let path = t.dir + "-events.parquet"
        let t0 = Timestamp.parse("2025-11-15T01:00:00Z")!
        try writeParquet(path, fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp),
                                        Field("age", .float64), Field("country", .string)],
                         rows: [[.int64(1), .timestamp(t0), .float64(31.5), .string("FR")],
                                [.int64(2), .timestamp(t0 + 1), nil, .string("DE")]])
        let r = try t.store.ingest(table: "user_stats", files: [path])
        #expect(r.rows == 2)
        try t.store.materialize(start: t0, end: t0 + 10)
        let got = try t.store.onlineFeatures(refs: ["user_stats:age", "user_stats:country"],
                                             entities: [["user_id": "1"], ["user_id": "2"]], at: t0 + 10)
        #expect(got.column("age")?.values == [.float64(31.5), nil])
        #expect(got.column("country")?.values == [.string("FR"), .string("DE")])
    }

    @Test func aParquetValueBreakingACheckNamesTheRow() throws {
        let t = try TempStore(userStatsYAML)
        let path = t.dir + "-bad.parquet"
        let t0 = Timestamp.parse("2025-11-15T01:00:00Z")!
        try writeParquet(path, fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("credit_score", .float64)],
                         rows: [[.int64(1), .timestamp(t0), .float64(500)], [.int64(2), .timestamp(t0), .float64(900)]])
        #expect(throws: FeatureStoreError.invalid("\(path):2: column 'credit_score': 900 is above the maximum 850 (expect max)")) {
            try t.store.ingest(table: "user_stats", files: [path])
        }
        #expect(try t.store.batches().isEmpty)
    }

    @Test func anUnknownParquetColumnIsRefused() throws {
        let t = try TempStore(userStatsYAML)
        let path = t.dir + "-extra.parquet"
        try writeParquet(path, fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("agee", .float64)],
                         rows: [[.int64(1), .timestamp(0), .float64(1)]])
        #expect(throws: FeatureStoreError.invalid("\(path):1: unknown column 'agee': table 'user_stats' has no such feature (did you mean 'age'?) (use --ignore-extra to skip it)")) {
            try t.store.ingest(table: "user_stats", files: [path])
        }
    }
}
