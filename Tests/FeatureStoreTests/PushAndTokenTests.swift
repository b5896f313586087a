import Foundation
import Testing
@testable import FeatureStore
import Tabular

/// `Store.push` (rows from memory, ingest's checks, one transaction), the
/// catalog generation, and the token book.
@Suite struct PushAndTokenTests {
    static let t0: Int64 = 1_763_164_800_000_000   // 2025-11-15T00:00:00Z

    static func rows(ids: [Int64], times: [Int64], scores: [Double?], extra: (String, Column)? = nil) -> RecordBatch {
        var idColumn = Column(type: .int64), ts = Column(type: .timestamp), score = Column(type: .float64)
        for i in ids { idColumn.appendInt64(i) }
        for t in times { ts.appendInt64(t) }
        for s in scores { if let s { score.appendFloat64(s) } else { score.appendNull() } }
        var fields = [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("credit_score", .float64)]
        var columns = [idColumn, ts, score]
        if let extra { fields.append(Field(extra.0, extra.1.type)); columns.append(extra.1) }
        return RecordBatch(fields: fields, columns: columns, sourceLines: ids.indices.map { $0 + 1 })
    }

    @Test func pushLandsOnlineAndOfflineAsOneBatch() throws {
        let t = try TempStore(userStatsYAML)
        let record = try t.store.push(table: "user_stats", rows: Self.rows(ids: [1, 2], times: [Self.t0, Self.t0 + 1], scores: [700, nil]),
                                      destination: .both)
        #expect(record.id == 1 && record.rows == 2 && record.source == "push" && record.destination == "both")
        #expect(record.sha256.count == 64)
        let r = try t.store.onlineFeatures(refs: ["user_stats:credit_score"], entities: [["user_id": .int64(1)], ["user_id": .int64(2)]],
                                           at: Self.t0 + 10)
        #expect(r.column("credit_score")?.values == [.float64(700), nil])
        #expect(r.column("credit_score")?.statuses == [.present, .nullValue])
        #expect(try t.store.batches().map(\.rows) == [2])
        // Offline only: the event log grows, the online row keeps its value.
        try t.store.push(table: "user_stats", rows: Self.rows(ids: [1], times: [Self.t0 + 5], scores: [650]), destination: .offline)
        let again = try t.store.onlineFeatures(refs: ["user_stats:credit_score"], entities: [["user_id": .int64(1)]], at: Self.t0 + 10)
        #expect(again.column("credit_score")?.values == [.float64(700)])
    }

    @Test func aBadRowRejectsThePushAndNamesRowAndColumn() throws {
        let t = try TempStore(userStatsYAML)
        #expect(throws: FeatureStoreError.invalid("push to 'user_stats': row 2: column 'credit_score': 900 is above the maximum 850 (expect max)")) {
            try t.store.push(table: "user_stats", rows: Self.rows(ids: [1, 2], times: [Self.t0, Self.t0], scores: [700, 900]), destination: .both)
        }
        #expect(try t.store.batches().isEmpty)
        let nothing = try t.store.onlineFeatures(refs: ["user_stats:credit_score"], entities: [["user_id": .int64(1)]], at: Self.t0)
        #expect(nothing.column("credit_score")?.statuses == [.notFound])

        var nullTime = Column(type: .timestamp); nullTime.appendInt64(Self.t0); nullTime.appendNull()
        var batch = Self.rows(ids: [1, 2], times: [0, 0], scores: [700, 700])
        batch.columns[1] = nullTime
        #expect(throws: FeatureStoreError.invalid("push to 'user_stats': row 2: column 'event_timestamp': timestamp is null")) {
            try t.store.push(table: "user_stats", rows: batch, destination: .online)
        }
        var extra = Column(type: .int64); extra.appendInt64(1)
        #expect(throws: FeatureStoreError.self) {
            try t.store.push(table: "user_stats", rows: Self.rows(ids: [1], times: [Self.t0], scores: [700], extra: ("agee", extra)), destination: .online)
        }
        var wrongType = Column(type: .int64); wrongType.appendInt64(3)
        let typed = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("age", .int64)],
                                columns: [Self.rows(ids: [1], times: [Self.t0], scores: [nil]).columns[0],
                                          Self.rows(ids: [1], times: [Self.t0], scores: [nil]).columns[1], wrongType],
                                sourceLines: [1])
        #expect(throws: FeatureStoreError.invalid("push to 'user_stats': column 'age' is int64, the table has float64")) {
            try t.store.push(table: "user_stats", rows: typed, destination: .online)
        }
        #expect(throws: FeatureStoreError.self) {
            try t.store.push(table: "user_stat", rows: Self.rows(ids: [1], times: [Self.t0], scores: [700]), destination: .online)
        }
        #expect(try t.store.batches().isEmpty)
    }

    @Test func pushFieldsListTheTable() throws {
        let t = try TempStore(userStatsYAML)
        #expect(try t.store.pushFields(table: "user_stats").map(\.name)
                == ["user_id", "event_timestamp", "created_timestamp", "age", "country", "credit_score"])
    }

    @Test func catalogGenerationMovesOnlyOnChange() throws {
        let t = try TempStore(userStatsYAML)
        let g1 = try t.store.catalogGeneration()
        #expect(g1 >= 1)
        try t.store.apply(DefinitionsParser.parse(yaml: userStatsYAML, file: "same.yaml"))
        #expect(try t.store.catalogGeneration() == g1)
        try t.store.apply(DefinitionsParser.parse(yaml: userStatsYAML + "\n      - {name: tenure, type: int64}\n", file: "more.yaml"))
        #expect(try t.store.catalogGeneration() == g1 + 1)
    }

    @Test func tokensAreStoredHashedAndScoped() throws {
        let t = try TempStore()
        let book = try t.store.tokenBook()
        let (token, record) = try book.create(scope: .write, name: "ingest job")
        let (other, _) = try book.create(scope: .read)
        #expect(token.hasPrefix("fst_") && token.count == 68 && token != other)
        #expect(try book.authenticate(token) == record)
        #expect(try book.authenticate(token + "0") == nil)
        #expect(try book.authenticate("fst_" + String(repeating: "a", count: 64)) == nil)
        #expect(try book.list().map(\.scope) == [.write, .read])
        #expect(TokenScope.read < .write && TokenScope.write < .admin)
        let data = try Data(contentsOf: URL(fileURLWithPath: t.dir + "/data.mdb"))
        #expect(data.range(of: Data(token.utf8)) == nil)
        #expect(throws: FeatureStoreError.self) { try book.revoke(id: "ab") }
        try book.revoke(id: String(record.id.prefix(6)))
        #expect(try book.authenticate(token) == nil)
        #expect(try book.list().count == 1)
        #expect(throws: FeatureStoreError.self) { try book.revoke(id: record.id) }
    }
}
