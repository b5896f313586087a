import FeatureStore
import Inference
import ModelFormats
import ModelRegistry
import Tabular
import Testing

/// Predictions appended to `predictions__<model>`: the table is created on
/// first use keyed like the model's features, one batch per call, and the
/// events join back point-in-time like any feature.
@Suite struct PredictionLogTests {
    @Test func predictionsAreLoggedAsEventsAndJoinBack() throws {
        let s = try InferenceStore()
        try s.ingest(["1,2026-01-01T00:00:00Z,30,2,fr,true", "2,2026-01-01T00:00:00Z,50,7,fr,true"])
        try s.register()
        let scorer = try Scorer(registry: s.registry, reference: "churn", cache: ModelCache())
        let entities: [[Value]] = [[.int64(1)], [.int64(2)], [.int64(3)]]
        let predictions = try scorer.score(entities: entities)
        let at = Timestamp.parse("2026-03-01T12:00:00Z")!
        let before = try s.store.batches().count
        let record = try PredictionLog.append(store: s.store, scorer: scorer, entities: entities, predictions: predictions, at: at)
        #expect(record?.rows == 3)
        #expect(record?.table == "predictions__churn")
        #expect(try s.store.batches().count == before + 1)
        let table = try #require(try s.store.catalog().currentVersion(of: "predictions__churn"))
        #expect(table.definition.entities == ["user"])
        #expect(table.definition.features.map(\.name) == ["model_version", "prediction"])

        // Joined with "labels" later, as of a time after the scoring.
        var ids = Column(type: .int64), times = Column(type: .timestamp)
        for id in [Int64(1), 2, 3] { ids.appendInt64(id); times.appendInt64(at + 1) }
        let labels = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                                 columns: [ids, times], sourceLines: [1, 2, 3])
        let joined = try s.store.historicalFeatures(refs: ["predictions__churn:model_version", "predictions__churn:prediction"],
                                                    entities: labels)
        for row in 0..<3 {
            #expect(joined.columns[2].value(at: row) == .int64(1))
            #expect(joined.columns[3].value(at: row) == .float64(predictions[row].scores[0]))
        }
        // Before the scoring time there is no prediction.
        var early = labels
        early.columns[1] = Column(type: .timestamp)
        for _ in 0..<3 { early.columns[1].appendInt64(at - 1) }
        #expect(try s.store.historicalFeatures(refs: ["predictions__churn:prediction"], entities: early).columns[2].value(at: 0) == nil)

        // A second call appends to the same table (no new table version).
        try PredictionLog.append(store: s.store, scorer: scorer, entities: entities, predictions: predictions, at: at + 10)
        #expect(try s.store.catalog().tables["predictions__churn"]?.count == 1)
        #expect(try s.store.batches().filter { $0.table == "predictions__churn" }.map(\.rows) == [3, 3])
    }

    @Test func theScorersLogFlagAppendsOneBatch() throws {
        let s = try InferenceStore()
        try s.register()
        let scorer = try Scorer(registry: s.registry, reference: "churn", cache: ModelCache())
        let quiet = try scorer.score(entities: [[.int64(1)]], log: false)
        #expect(try s.store.catalog().currentVersion(of: "predictions__churn") == nil)
        let logged = try scorer.score(entities: [[.int64(1)], [.int64(2)]], log: true)
        #expect(logged[0] == quiet[0])
        #expect(try s.store.batches().filter { $0.table == "predictions__churn" }.map(\.rows) == [2])
    }

    @Test func tableNamesAndMulticlassColumns() {
        #expect(PredictionLog.tableName(model: "churn-v2.1") == "predictions__churn_v2_1")
        #expect(PredictionLog.featureNames(kind: .multiclass(3)) == ["prediction_0", "prediction_1", "prediction_2"])
        #expect(PredictionLog.featureNames(kind: .regressor) == ["prediction"])
    }
}
