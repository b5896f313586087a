import FeatureStore
import Inference
import ModelFormats
import ModelRegistry
import Tabular
import Testing

/// The Scorer against a real store: its scores are ModelFormats' scores on
/// vectors assembled by hand from the same rows; missing entities and
/// features are NaN; request-time features override; canary routing is
/// deterministic, documented and splits in proportion.
@Suite struct ScorerTests {
    /// 300 users; every 7th has no age, every 11th no purchase count.
    static func rows() -> [(id: Int64, age: Double?, purchases: Int64?)] {
        (1...300).map { (i: Int) -> (id: Int64, age: Double?, purchases: Int64?) in
            let age: Double? = i % 7 == 0 ? nil : 18 + Double((i * 37) % 620) / 10
            let purchases: Int64? = i % 11 == 0 ? nil : Int64((i * 13) % 25)
            return (Int64(i), age, purchases)
        }
    }

    static func seed(_ s: InferenceStore) throws {
        try s.ingest(rows().map { r in
            "\(r.id),2026-01-01T00:00:00Z,\(r.age.map { "\($0)" } ?? ""),\(r.purchases.map { "\($0)" } ?? ""),fr,true"
        })
    }

    @Test(arguments: [("xgb_binary.json", ModelFormat.xgboostJSON), ("lgb_binary.txt", .lightgbmText),
                      ("linear_logistic.json", .linearJSON), ("sk_logreg.onnx", .onnx)])
    func scoresEqualTheLoadersOnHandAssembledVectors(file: String, format: ModelFormat) throws {
        let s = try InferenceStore()
        try Self.seed(s)
        try s.register(file: file, format: format)
        let model = try ModelLoader.load(try InferenceStore.bytes(file), format: format)
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        #expect(scorer.joinKeys.map(\.name) == ["user_id"])
        let rows = Self.rows()
        let predictions = try scorer.score(entities: rows.map { [.int64($0.id)] })
        for (r, p) in zip(rows, predictions) {
            let expected = model.predict([r.age ?? .nan, r.purchases.map(Double.init) ?? .nan])
            #expect(p.version == 1)
            #expect(same(p.scores, expected), "user \(r.id): \(p.scores) vs \(expected)")
        }
        // The single-entity path gives the same as the batch path.
        for r in rows.prefix(20) {
            let single = try scorer.score(entity: [.int64(r.id)]), batch = predictions[Int(r.id) - 1]
            #expect(single.version == batch.version)
            #expect(same(single.scores, batch.scores), "user \(r.id)")
        }
    }

    @Test func aMissingEntityIsScoredWithNaNFeatures() throws {
        let s = try InferenceStore()
        try Self.seed(s)
        try s.register()
        let model = try ModelLoader.load(try InferenceStore.bytes("xgb_binary.json"), format: .xgboostJSON)
        let scorer = try Scorer(registry: s.registry, reference: "churn", cache: ModelCache())
        let p = try scorer.score(entity: [.int64(99_999)])
        #expect(p.scores == model.predict([.nan, .nan]))
        #expect(p.version == 1)
        // A null stored value is NaN too (user 7 has no age).
        let seven = Self.rows()[6]
        #expect(seven.age == nil)
        #expect(try scorer.score(entity: [.int64(7)]).scores == model.predict([.nan, Double(seven.purchases!)]))
    }

    @Test func requestFeaturesOverrideStoredValues() throws {
        let s = try InferenceStore()
        try Self.seed(s)
        try s.register()
        let model = try ModelLoader.load(try InferenceStore.bytes("xgb_binary.json"), format: .xgboostJSON)
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        let r = Self.rows()[0]
        for name in ["age", "user_stats:age", "user_stats__age", "user_stats@1:age"] {
            let p = try scorer.score(entity: [.int64(r.id)], requestFeatures: [name: 77.5])
            #expect(p.scores == model.predict([77.5, Double(r.purchases!)]), "\(name)")
        }
        // For an entity the store does not have, request features fill in.
        let unknown = try scorer.score(entity: [.int64(-1)], requestFeatures: ["age": 40, "num_purchases": 3])
        #expect(unknown.scores == model.predict([40, 3]))
        #expect(thrownMessage { _ = try scorer.score(entity: [.int64(1)], requestFeatures: ["agee": 1]) }
                == "entity 1: request feature 'agee' is not an input of churn/1 (its inputs: user_stats:age, user_stats:num_purchases)")
        #expect(thrownMessage { _ = try scorer.score(entity: []) }
                == "entity 1: expected 1 join key value(s) (user_id), got 0")
    }

    @Test func inputsAModelCannotTakeAreRefusedAtLoad() throws {
        let s = try InferenceStore()
        try s.register(features: ["user_stats:age", "user_stats:country"])
        #expect(thrownMessage { _ = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache()) }
                == "model version churn/1: input 2 'user_stats@1:country' is string; a model takes numbers and booleans (bool, int32, int64, float32, float64)")
        // Booleans are 0/1.
        try s.ingest(["1,2026-01-01T00:00:00Z,30,1,fr,true", "2,2026-01-01T00:00:00Z,30,1,fr,false"])
        try s.register("flag", features: ["user_stats:age", "user_stats:active"])
        let model = try ModelLoader.load(try InferenceStore.bytes("xgb_binary.json"), format: .xgboostJSON)
        let scorer = try Scorer(registry: s.registry, reference: "flag/1", cache: ModelCache())
        #expect(try scorer.score(entity: [.int64(1)]).scores == model.predict([30, 1]))
        #expect(try scorer.score(entity: [.int64(2)]).scores == model.predict([30, 0]))
        #expect(thrownMessage { _ = try Scorer(registry: s.registry, reference: "nope@production") } != nil)
    }

    @Test func theCanaryHashIsTheDocumentedOne() {
        // Values from an independent implementation of docs/inference.md (Python).
        #expect(CanaryHash.bucket(model: "churn", keys: [("user_id", .int64(42))]) == 634_626)
        #expect(CanaryHash.bucket(model: "churn", keys: [("user_id", .int32(-7))]) == 763_393)
        #expect(CanaryHash.bucket(model: "fraud", keys: [("user_id", .string("u-1")), ("merchant", .string("m9"))]) == 228_292)
    }

    @Test func canaryWeightsSplitEntitiesDeterministically() throws {
        let s = try InferenceStore()
        try Self.seed(s)
        try s.register()
        try s.register(file: "lgb_binary.txt", format: .lightgbmText)
        try s.register(file: "linear_logistic.json", format: .linearJSON)
        _ = try s.registry.setAlias("churn", "production", version: 1,
                                    canary: [CanarySplit(version: 2, percent: 20), CanarySplit(version: 3, percent: 5)],
                                    by: "tester")
        let scorer = try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache())
        let entities: [[Value]] = (1...20_000).map { [.int64(Int64($0))] }
        let predictions = try scorer.score(entities: entities)
        var counts: [Int: Int] = [:]
        for p in predictions { counts[p.version, default: 0] += 1 }
        let share = counts.mapValues { Double($0) / Double(entities.count) }
        #expect(abs((share[2] ?? 0) - 0.20) < 0.015, "\(share)")
        #expect(abs((share[3] ?? 0) - 0.05) < 0.008, "\(share)")
        #expect(abs((share[1] ?? 0) - 0.75) < 0.015, "\(share)")
        // Each entity's version is the documented bucket's, in any scorer, row by row or in a batch.
        let again = try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache())
        for (i, entity) in entities.prefix(500).enumerated() {
            let bucket = CanaryHash.bucket(model: "churn", keys: [("user_id", entity[0])])
            let expected = bucket < 200_000 ? 2 : bucket < 250_000 ? 3 : 1
            #expect(predictions[i].version == expected)
            #expect(try again.score(entity: entity).version == expected)
        }
        // Each version's score is that version's model on the entity's features.
        let models = try [("xgb_binary.json", ModelFormat.xgboostJSON), ("lgb_binary.txt", .lightgbmText),
                          ("linear_logistic.json", .linearJSON)].map { try ModelLoader.load(try InferenceStore.bytes($0.0), format: $0.1) }
        for r in Self.rows() {
            let p = predictions[Int(r.id) - 1]
            #expect(same(p.scores, models[p.version - 1].predict([r.age ?? .nan, r.purchases.map(Double.init) ?? .nan])))
        }
    }

    @Test func pointInTimeScoringUsesTheFeaturesAsOfEachRow() throws {
        let s = try InferenceStore()
        try s.ingest(["1,2026-01-01T00:00:00Z,30,2,fr,true", "1,2026-02-01T00:00:00Z,60,9,fr,true"])
        try s.register()
        let model = try ModelLoader.load(try InferenceStore.bytes("xgb_binary.json"), format: .xgboostJSON)
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        let jan15 = Timestamp.parse("2026-01-15T00:00:00Z")!, feb15 = Timestamp.parse("2026-02-15T00:00:00Z")!
        let before = Timestamp.parse("2025-12-01T00:00:00Z")!
        var ids = Column(type: .int64), times = Column(type: .timestamp)
        for t in [jan15, feb15, before] { ids.appendInt64(1); times.appendInt64(t) }
        let batch = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                                columns: [ids, times], sourceLines: [2, 3, 4])
        let keys = try scorer.entityKeys(of: batch)
        let p = try scorer.scorePointInTime(store: s.store, entities: batch, keys: keys)
        #expect(p.map(\.scores) == [model.predict([30, 2]), model.predict([60, 9]), model.predict([.nan, .nan])])
        // Online scoring sees the latest values.
        #expect(try scorer.score(entity: [.int64(1)]).scores == model.predict([60, 9]))
    }
}

/// Equal value for value, NaN equal to NaN (linear-json without `impute` scores a missing input as NaN).
func same(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}
