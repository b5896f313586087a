import FeatureStore
import Inference
import ModelFormats
import ModelRegistry
import Tabular
import Testing

/// Request-time features from entity-file columns (`Scorer+RequestColumns`):
/// which names are features and their types, which columns of a file they
/// are, nulls keeping the stored value, and the point-in-time path.
@Suite struct RequestColumnsTests {
    @Test func namesTypesAndColumns() throws {
        let s = try InferenceStore()
        try s.register(file: "linear_logistic.json", format: .linearJSON, features: ["user_stats:age", "user_stats:active"])
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        let types = scorer.requestFeatureTypes
        #expect(types["user_stats:age"] == .float64 && types["age"] == .float64 && types["user_stats__age"] == .float64
                && types["user_stats@1:age"] == .float64)
        #expect(types["active"] == .bool && types["country"] == nil && types["user_id"] == nil)
        let fields = [Field("user_id", .int64), Field("age", .float64), Field("note", .string), Field("user_stats:active", .bool)]
        #expect(try scorer.requestFeatureColumns(fields, reserved: ["user_id"]) == [1, 3])
        #expect(try scorer.requestFeatureColumns(fields, reserved: ["user_id", "age"]) == [3])
        #expect(thrownMessage { _ = try scorer.requestFeatureColumns([Field("age", .string)], file: "e.parquet") }
                == "e.parquet: column 'age' is string; as a request-time feature it must be float64")
        #expect(thrownMessage { _ = try scorer.requestFeatureColumns([Field("user_stats__age", .float64), Field("age", .float64)],
                                                                     file: "e.csv") }
                == "e.csv: columns 'user_stats__age' and 'age' both give input 'user_stats@1:age' of churn/1; keep one")

        var age = Column(type: .float64), active = Column(type: .bool)
        age.appendFloat64(50); active.appendNull()
        age.appendNull(); active.appendBool(true)
        let batch = RecordBatch(fields: [Field("age", .float64), Field("active", .bool)], columns: [age, active], sourceLines: [2, 3])
        #expect(scorer.requestFeatures(of: batch, columns: [0, 1]) == [["age": 50], ["active": 1]])
        #expect(scorer.requestFeatures(of: batch, columns: []).isEmpty)
    }

    @Test func pointInTimeRowsTakeTheOverrides() throws {
        let s = try InferenceStore()
        try s.ingest(["1,2026-01-01T00:00:00Z,30,2,fr,true"])
        try s.register()
        let model = try ModelLoader.load(try InferenceStore.bytes("xgb_binary.json"), format: .xgboostJSON)
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        var ids = Column(type: .int64), times = Column(type: .timestamp), clash = Column(type: .float64)
        for _ in 0..<2 { ids.appendInt64(1); times.appendInt64(Timestamp.parse("2026-01-02T00:00:00Z")!); clash.appendFloat64(0) }
        // A pass-through column named like a joined feature does not clash with the join.
        let batch = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("user_stats__age", .float64)],
                                columns: [ids, times, clash], sourceLines: [2, 3])
        let p = try scorer.scorePointInTime(store: s.store, entities: batch, keys: try scorer.entityKeys(of: batch),
                                            requestFeatures: [["num_purchases": 8], [:]])
        #expect(p.map(\.scores) == [model.predict([30, 8]), model.predict([30, 2])])
        #expect(thrownMessage { _ = try scorer.scorePointInTime(store: s.store, entities: batch, keys: try scorer.entityKeys(of: batch),
                                                                requestFeatures: [["agee": 1], [:]]) }
                == "entity 1: request feature 'agee' is not an input of churn/1 (its inputs: user_stats:age, user_stats:num_purchases)")
    }
}
