import FeatureClient
import FeatureServer
import FeatureStore
import Foundation
import Inference
import ModelRegistry
import Tabular
import Testing
import WireProtocol

/// PREDICT through the Swift client against an in-process server: the
/// predictions equal the ``Scorer``'s (what `fsctl score` runs) bit for bit,
/// canary routing included; request-time overrides; typed errors; scopes;
/// and `--log-predictions` rows in `predictions__<model>`.
@Suite struct PredictClientTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/registry").path
    static let ids: [Int64] = [1, 2, 3, 4, 99]

    /// churn/1 (XGBoost) and churn/2 (LightGBM) on age and purchases; `production`
    /// on 1 with 30% of entities on 2; `plain` on 1. Returns what `registry` scores.
    static func register(_ store: Store, canary: Bool = true) throws -> ModelRegistry {
        let registry = try ModelRegistry(store: store)
        for (file, format) in [("xgb_binary.json", ModelFormat.xgboostJSON), ("lgb_binary.txt", .lightgbmText)] {
            var r = try ModelRegistration(name: "churn", artifactFile: fixtures + "/" + file, format: format)
            r.features = ["user_stats:age", "user_stats:purchases"]
            _ = try registry.register(r)
        }
        _ = try registry.setAlias("churn", "production", version: 1, canary: canary ? [CanarySplit(version: 2, percent: 30)] : [])
        _ = try registry.setAlias("churn", "plain", version: 1)
        return registry
    }

    @Test func predictionsEqualTheScorersWithTheCanarySplit() async throws {
        let many = (1...300).map { Int64($0) }
        let served = try ServedStore { store in
            let registry = try Self.register(store)
            let cache = ModelCache()
            let production = try Scorer(registry: registry, reference: "churn@production", cache: cache)
            let pinned = try Scorer(registry: registry, reference: "churn/2", cache: cache)
            return (try production.score(entities: many.map { [.int64($0)] }, at: Fixture.at),
                    try pinned.score(entities: Self.ids.map { [.int64($0)] }, at: Fixture.at),
                    try pinned.score(entities: [[.int64(1)]], requestFeatures: [["age": 60]], at: Fixture.at))
        }
        let (production, pinned, overridden) = served.oracle
        let client = try await FeatureClient.connect(port: served.port)
        let p = try await client.predict(model: "churn@production", entities: ["user_id": many], at: Fixture.at)
        #expect(p.model == "churn" && p.outputs == ["prediction"])
        #expect(p.versions.map(\.version) == [1, 2])
        #expect(p.versions[0].inputs == ["user_stats@1:age", "user_stats@1:purchases"])
        #expect(p.rows.map(\.modelVersion) == production.map(\.version))
        #expect(p.rows.map { $0.scores.map(\.bitPattern) } == production.map { $0.scores.map(\.bitPattern) })
        let canary = p.rows.filter { $0.modelVersion == 2 }.count
        #expect((60...120).contains(canary), "\(canary) of 300 on the canary")
        #expect(p.rows[0].keys == ["user_id": .int64(1)])

        let q = try await client.predict(model: "churn/2", entities: ["user_id": Self.ids], at: Fixture.at, returnInputs: true)
        #expect(q.rows.map(\.prediction) == pinned.map { $0.scores[0] })
        // 1: both inputs; 2: age null; 3: outside the ttl; 4: purchases null; 99: unknown.
        #expect(q.rows.map(\.status) == [.complete, .missingInputs, .noInputs, .missingInputs, .noInputs])
        #expect(q.rows[0].inputs == [31.5, 3])
        #expect(q.rows[1].inputs?[0].isNaN == true && q.rows[1].inputs?[1] == 5)

        // A request-time value replaces the stored one (and completes a missing input).
        let o = try await client.predict(model: "churn/2", entities: ["user_id": [1, 99]],
                                         requestFeatures: ["age": [60, nil], "user_stats:purchases": [nil, 2]], at: Fixture.at,
                                         returnInputs: true)
        #expect(o.rows[0].prediction == overridden[0].scores[0])
        #expect(o.rows[0].prediction != q.rows[0].prediction)
        #expect(o.rows[0].inputs == [60, 3] && o.rows[0].status == .complete)
        #expect(o.rows[1].status == .missingInputs && o.rows[1].inputs?[1] == 2)
    }

    @Test func errorsAreTyped() async throws {
        let served = try ServedStore { store in _ = try Self.register(store) }
        let client = try await FeatureClient.connect(port: served.port)
        func error(_ body: () async throws -> Void) async -> FeatureClientError? {
            do { try await body(); return nil } catch let e as FeatureClientError { return e } catch { return nil }
        }
        let unknownModel = await error { _ = try await client.predict(model: "churm@production", entities: ["user_id": [1]]) }
        #expect(unknownModel?.code == .notFound && unknownModel?.operation == "PREDICT", "\(String(describing: unknownModel))")
        #expect(await error { _ = try await client.predict(model: "churn@staging", entities: ["user_id": [1]]) }?.code == .notFound)
        #expect(await error { _ = try await client.predict(model: "churn/9", entities: ["user_id": [1]]) }?.code == .notFound)
        #expect(await error { _ = try await client.predict(model: "churn/x", entities: ["user_id": [1]]) }?.code == .invalidArgument)
        let wrongKey = await error { _ = try await client.predict(model: "churn/1", entities: ["user": [1]]) }
        #expect(wrongKey?.code == .invalidArgument && wrongKey?.message.contains("'user' is not a join key") == true)
        #expect(await error { _ = try await client.predict(model: "churn/1", entities: ["user_id": ["x"]]) }?.code == .invalidArgument)
        let feature = await error {
            _ = try await client.predict(model: "churn/1", entities: ["user_id": [1]], requestFeatures: ["country": [1]])
        }
        #expect(feature?.code == .invalidArgument && feature?.message.contains("'country' is not an input") == true, "\(String(describing: feature))")
        let many = [any EntityKey](repeating: 1, count: 10_001)
        #expect(await error { _ = try await client.predict(model: "churn/1", entities: ["user_id": many]) }?.code == .limitExceeded)
        #expect(await error { _ = try await client.predict(model: "churn/1", entities: ["user_id": [1, 2]], requestFeatures: ["age": [1]]) }?.kind
                == .invalidArgument)
        // Still serving.
        #expect(try await client.predict(model: "churn", entities: ["user_id": [1]], at: Fixture.at).rows[0].modelVersion == 2)
    }

    @Test func aModelThatCannotBeServedIsRefusedByName() async throws {
        let served = try ServedStore { store in
            let registry = try ModelRegistry(store: store)
            // No feature refs: its inputs cannot be read from the store.
            _ = try registry.register(try ModelRegistration(name: "bare", artifactFile: Self.fixtures + "/xgb_binary.json",
                                                             format: .xgboostJSON))
        }
        let client = try await FeatureClient.connect(port: served.port)
        do {
            _ = try await client.predict(model: "bare", entities: ["user_id": [1]])
            Issue.record("a model without feature refs was served")
        } catch let e as FeatureClientError {
            #expect(e.code == .modelNotServable && e.message.contains("without feature refs"), "\(e)")
        }
    }

    @Test func readScopeIsEnoughAndNoTokenIsRefused() async throws {
        let served = try ServedStore(tokens: [.read], configure: { $0.requireAuth = true }) { store in _ = try Self.register(store) }
        let reader = try await FeatureClient.connect(port: served.port, token: served.tokens[.read])
        #expect(try await reader.predict(model: "churn@plain", entities: ["user_id": [1]], at: Fixture.at).rows.count == 1)
        do {
            _ = try await FeatureClient.connect(port: served.port)
            Issue.record("connected without a token")
        } catch let e as FeatureClientError {
            #expect(e.code == .unauthenticated)
        }
    }

    @Test func loggedPredictionsLandInThePredictionsTable() async throws {
        let dir: String
        do {
            let served = try ServedStore(configure: { $0.logPredictions = true }) { store in _ = try Self.register(store, canary: false) }
            dir = served.dir
            let client = try await FeatureClient.connect(port: served.port)
            let a = try await client.predict(model: "churn@production", entities: ["user_id": [1, 2]], at: Fixture.at)
            let b = try await client.predict(model: "churn@production", entities: ["user_id": [4]], at: Fixture.at)
            try await client.close()
            // Kept alive past drain by the copy below: the drain flushes the queue.
            let copy = dir + "-copy"
            try? FileManager.default.removeItem(atPath: copy)
            served.server.drain()
            served.server.waitUntilStopped()
            try FileManager.default.copyItem(atPath: dir + "/store", toPath: copy)
            let store = try Store.open(at: copy)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let batches = try store.batches().filter { $0.table == "predictions__churn" }
            #expect(batches.map(\.rows).reduce(0, +) == 3, "\(batches)")
            #expect(batches.allSatisfy { $0.source == "predict" })
            // Joined back as of now: each user's logged prediction.
            var ids = Column(type: .int64), times = Column(type: .timestamp)
            for id in [Int64(1), 2, 4] { ids.appendInt64(id); times.appendInt64(Clock.nowMicros() + 1_000_000) }
            let joined = try store.historicalFeatures(
                refs: ["predictions__churn:model_version", "predictions__churn:prediction"],
                entities: RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp)],
                                      columns: [ids, times], sourceLines: [1, 2, 3]))
            let expected = a.rows.map(\.prediction) + b.rows.map(\.prediction)
            for row in 0..<3 {
                #expect(joined.columns[2].value(at: row) == .int64(1))
                #expect(joined.columns[3].value(at: row) == .float64(expected[row]))
            }
        }
    }
}
