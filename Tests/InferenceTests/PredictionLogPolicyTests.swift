import FeatureStore
import Inference
import ModelRegistry
import Tabular
import Testing

/// Per-alias logging as the scorer sees it: an alias set with
/// `logPredictions` logs by default, `log: false` suppresses it, a version
/// reference never logs by default, and the policy is what a server reads.
@Suite struct PredictionLogPolicyTests {
    func logged(_ s: InferenceStore) throws -> [Int] {
        try s.store.batches().filter { $0.table == "predictions__churn" }.map(\.rows)
    }

    @Test func anAliasWithLoggingOnLogsByDefault() throws {
        let s = try InferenceStore()
        try s.ingest(["1,2026-01-01T00:00:00Z,30,2,fr,true"])
        try s.register()
        try s.registry.setAlias("churn", "production", version: 1, logPredictions: true)
        try s.registry.setAlias("churn", "staging", version: 1)
        let entities: [[Value]] = [[.int64(1)], [.int64(2)]]

        let production = try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache())
        #expect(production.logPolicy == PredictionLogPolicy(logsByDefault: true, alias: "production", table: "predictions__churn"))
        let p = try production.score(entities: entities, log: nil)
        #expect(try logged(s) == [2])
        #expect(try production.score(entities: entities, log: false) == p)
        #expect(try logged(s) == [2], "log: false suppresses the alias's logging")
        #expect(try production.score(entities: entities) == p)
        #expect(try logged(s) == [2], "the plain score never writes")

        let staging = try Scorer(registry: s.registry, reference: "churn@staging", cache: ModelCache())
        #expect(!staging.logPolicy.logsByDefault && staging.logPolicy.alias == "staging")
        _ = try staging.score(entities: entities, log: nil)
        let version = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        #expect(version.logPolicy == PredictionLogPolicy(logsByDefault: false, alias: nil, table: "predictions__churn"))
        _ = try version.score(entities: entities, log: nil)
        #expect(try logged(s) == [2])
        _ = try version.score(entities: entities, log: true)
        #expect(try logged(s) == [2, 2])
    }

    @Test func shouldLogFollowsTheRequestThenTheDefault() {
        let on = PredictionLogPolicy(logsByDefault: true, alias: "production", table: "predictions__churn")
        let off = PredictionLogPolicy(logsByDefault: false, alias: nil, table: "predictions__churn")
        #expect([on.shouldLog(requested: nil), on.shouldLog(requested: true), on.shouldLog(requested: false)] == [true, true, false])
        #expect([off.shouldLog(requested: nil), off.shouldLog(requested: true), off.shouldLog(requested: false)] == [false, true, false])
    }

    @Test func theScorerReadsThePolicyWhenItIsMade() throws {
        let s = try InferenceStore()
        try s.register()
        try s.registry.setAlias("churn", "production", version: 1)
        let before = try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache())
        try s.registry.setAlias("churn", "production", version: 1, logPredictions: true)
        #expect(!before.logPolicy.logsByDefault)
        #expect(try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache()).logPolicy.logsByDefault)
    }
}
