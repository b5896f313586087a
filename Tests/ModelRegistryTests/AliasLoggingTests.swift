import FeatureStore
import Foundation
import LMDB
import ModelRegistry
import Testing

/// Per-alias prediction logging (`alias set --log-predictions`): stored on the
/// alias, kept across moves unless changed, recorded in the history, and
/// alias records written before the setting existed still read (as off).
@Suite struct AliasLoggingTests {
    /// The stored bytes of `churn@alias`.
    static func stored(_ t: TestRegistry, _ alias: String) throws -> String {
        let db = try t.store.environment.openDatabase("model_aliases")
        return try t.store.environment.read { txn in
            try txn.withValue(forKey: Array("churn".utf8) + [0] + Array(alias.utf8), in: db) { v in
                String(decoding: v.map { Array($0) } ?? [], as: UTF8.self)
            }
        }
    }

    @Test func theSettingRoundTripsAndEveryChangeIsAMove() throws {
        let t = try AliasTests.registry()
        let on = try t.registry.setAlias("churn", "production", version: 1, logPredictions: true, by: "alice")
        #expect(on.alias.logPredictions && on.changed)
        #expect(try t.registry.alias("churn", "production").logPredictions)
        #expect(try Self.stored(t, "production").contains("\"logPredictions\":true"))
        // Moving the alias without saying keeps the setting.
        let moved = try t.registry.setAlias("churn", "production", version: 2, by: "bob")
        #expect(moved.alias.logPredictions)
        // Turning it off alone is a move; saying it again is not.
        let off = try t.registry.setAlias("churn", "production", version: 2, logPredictions: false, by: "carol")
        #expect(off.changed && !off.alias.logPredictions && off.previous?.logPredictions == true)
        #expect(!(try t.registry.setAlias("churn", "production", version: 2, logPredictions: false).changed))
        #expect(!(try t.registry.setAlias("churn", "production", version: 2).changed))
        // A new alias without the flag does not log.
        #expect(!(try t.registry.setAlias("churn", "staging", version: 3).alias.logPredictions))
        try t.registry.setAlias("churn", "production", version: 2, logPredictions: true)
        try t.registry.deleteAlias("churn", "production")

        let history = try t.registry.history("churn")
        #expect(history.map(\.fromLogPredictions) == [nil, true, true, nil, false, true])
        #expect(history.map(\.toLogPredictions) == [true, true, false, false, true, nil])
        #expect(history.map(\.by).prefix(3) == ["alice", "bob", "carol"])
    }

    @Test func recordsWrittenBeforeTheSettingStillRead() throws {
        let t = try AliasTests.registry()
        try t.registry.setAlias("churn", "production", version: 1)   // the model's history counter moves to 2
        // Rewrite the alias and its history entry as the registry wrote them before logPredictions existed.
        let aliases = try t.store.environment.openDatabase("model_aliases")
        let history = try t.store.environment.openDatabase("model_alias_history")
        let key = Array("churn".utf8) + [0]
        try t.store.environment.write { txn in
            try txn.put(key + Array("production".utf8), Array("""
                {"alias":"production","canary":[{"percent":10,"version":3}],"model":"churn","setAtMicros":1767225600000000,"setBy":"old","version":2}
                """.utf8), in: aliases)
            try txn.put(key + [0, 0, 0, 0, 0, 0, 0, 1], Array("""
                {"action":"set","alias":"production","atMicros":1767225600000000,"by":"old","fromCanary":[],"gates":[],"model":"churn","sequence":1,"toCanary":[{"percent":10,"version":3}],"toVersion":2}
                """.utf8), in: history)
        }
        let old = try t.registry.alias("churn", "production")
        #expect(old == ModelAlias(model: "churn", alias: "production", version: 2, canary: [CanarySplit(version: 3, percent: 10)],
                                  setAtMicros: 1_767_225_600_000_000, setBy: "old", logPredictions: false))
        let first = try #require(try t.registry.history("churn").first)
        #expect(first.fromLogPredictions == nil && first.toLogPredictions == nil && first.toVersion == 2)
        #expect(try t.registry.model("churn").aliases.map(\.logPredictions) == [false])
        // Scoring resolves it, and it can be turned on (a move from off).
        #expect(try t.registry.version(ModelRef(parsing: "churn@production")).version == 2)
        let on = try t.registry.setAlias("churn", "production", version: 2, canary: [CanarySplit(version: 3, percent: 10)],
                                         logPredictions: true)
        #expect(on.changed && on.move?.fromLogPredictions == false && on.move?.toLogPredictions == true)
        #expect(try t.registry.check().problems.isEmpty)
    }

    @Test func refusalsWithTheFlagChangeNothing() throws {
        let t = try AliasTests.registry()
        try t.registry.setAlias("churn", "production", version: 2)
        let before = try t.dump()
        #expect(thrownMessage { try t.registry.setAlias("chrun", "production", version: 2, logPredictions: true) }
                == "no model named 'chrun' (did you mean 'churn'?)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "production", version: 9, logPredictions: true) }
                == "model 'churn' has no version 9; its versions are 1, 2, 3")
        #expect(thrownMessage { try t.registry.setAlias("churn", "latest", version: 2, logPredictions: true) }
                == "invalid alias 'latest': it is reserved for the newest version (NAME@latest)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "production", version: 1, logPredictions: true,
                                                        require: [QualityGate(parsing: "auc>=0.85")]) }
                == "quality gate failed: churn/1 has auc=0.8, required auc>=0.85; alias 'production' not changed")
        #expect(try t.dump() == before)
        #expect(!(try t.registry.alias("churn", "production").logPredictions))
    }
}
