import FeatureStore
import Foundation
import ModelRegistry
import Testing

/// Aliases: moves with full history, quality gates, canaries, and the
/// refusals that change nothing.
@Suite struct AliasTests {
    /// churn/1 (auc 0.80), churn/2 (auc 0.90, logloss 0.3), churn/3 (auc 0.95).
    static func registry() throws -> TestRegistry {
        let t = try TestRegistry()
        try t.register(metrics: ["auc": 0.80])
        try t.register(metrics: ["auc": 0.90, "logloss": 0.3])
        try t.register(metrics: ["auc": 0.95])
        return t
    }

    @Test func movesAreRecordedWithWhoWhenFromAndTo() throws {
        let t = try Self.registry()
        let first = try t.registry.setAlias("churn", "production", version: 1, by: "alice")
        #expect(first.previous == nil && first.changed)
        let second = try t.registry.setAlias("churn", "production", version: 2,
                                             require: [QualityGate(parsing: "auc>=0.85")], by: "bob")
        #expect(second.previous?.version == 1)
        let same = try t.registry.setAlias("churn", "production", version: 2, by: "carol")
        #expect(!same.changed, "setting an alias where it already points is not a move")
        try t.registry.setAlias("churn", "champion", version: 3, by: "alice")
        let deleted = try t.registry.deleteAlias("churn", "production", by: "token:ci")
        #expect(deleted.fromVersion == 2 && deleted.toVersion == nil)

        let history = try t.registry.history("churn")
        #expect(history.map(\.sequence) == [1, 2, 3, 4])
        #expect(history.map(\.alias) == ["production", "production", "champion", "production"])
        #expect(history.map(\.action) == [.set, .set, .set, .delete])
        #expect(history.map(\.fromVersion) == [nil, 1, nil, 2])
        #expect(history.map(\.toVersion) == [1, 2, 3, nil])
        #expect(history.map(\.by) == ["alice", "bob", "alice", "token:ci"])
        #expect(history[1].gates == ["auc>=0.85"])
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.atMicros <= $1.atMicros })
        #expect(try t.registry.model("churn").aliases.map(\.alias) == ["champion"])
        #expect(try t.registry.version(ModelRef(parsing: "churn@champion")).version == 3)
    }

    @Test func aFailedGateChangesNothing() throws {
        let t = try Self.registry()
        try t.registry.setAlias("churn", "production", version: 2)
        let before = try t.dump()
        let gates = [try QualityGate(parsing: "auc>=0.85"), try QualityGate(parsing: "auc < 0.5")]
        do {
            try t.registry.setAlias("churn", "production", version: 1, require: gates)
            Issue.record("the gate passed")
        } catch let failure as QualityGateFailure {
            #expect(failure.description == "quality gate failed: churn/1 has auc=0.8, required auc>=0.85; "
                    + "churn/1 has auc=0.8, required auc<0.5; alias 'production' not changed")
            #expect(failure.failures.map(\.version) == [1, 1])
        }
        #expect(try t.dump() == before)
        #expect(try t.registry.version(ModelRef(parsing: "churn@production")).version == 2)
    }

    @Test func everyOperatorCompares() throws {
        let t = try Self.registry()
        let cases: [(String, Bool)] = [("auc>=0.9", true), ("auc>=0.91", false), ("auc>0.9", false), ("auc>0.89", true),
                                       ("auc<=0.9", true), ("auc<0.9", false), ("auc==0.9", true), ("auc!=0.9", false),
                                       (" auc != 1 ", true), ("logloss<0.5", true)]
        for (gate, passes) in cases {
            let g = try QualityGate(parsing: gate)
            let outcome: Bool
            do { try t.registry.setAlias("churn", "probe", version: 2, require: [g]); outcome = true }
            catch is QualityGateFailure { outcome = false }
            #expect(outcome == passes, "\(gate)")
        }
    }

    @Test func badGateExpressionsAreUsageErrors() throws {
        let form = "expected METRIC OP NUMBER with OP one of >=, >, <=, <, ==, != (as in 'auc>=0.85')"
        let cases: [(String, String)] = [
            ("auc", "invalid quality gate 'auc': no comparison operator; \(form)"),
            ("auc=0.8", "invalid quality gate 'auc=0.8': unknown operator '='; \(form)"),
            ("auc=>0.8", "invalid quality gate 'auc=>0.8': unknown operator '=>'; \(form)"),
            ("auc>=", "invalid quality gate 'auc>=': '' is not a number; \(form)"),
            ("auc>=high", "invalid quality gate 'auc>=high': 'high' is not a number; \(form)"),
            (">=0.8", "invalid quality gate '>=0.8': missing metric name; \(form)"),
            ("auc>=nan", "invalid quality gate 'auc>=nan': 'nan' is not a number; \(form)"),
            ("a uc>=1", "invalid quality gate 'a uc>=1': invalid metric name 'a uc': it cannot contain whitespace"),
        ]
        for (text, message) in cases {
            #expect(thrownMessage { _ = try QualityGate(parsing: text) } == message)
        }
        #expect(try QualityGate(parsing: "auc >= 0.85") == QualityGate(metric: "auc", comparison: .atLeast, threshold: 0.85))
        #expect(try QualityGate(parsing: "auc>=0.85").description == "auc>=0.85")
    }

    @Test func anUnknownMetricIsAnErrorNotAFailedGate() throws {
        let t = try Self.registry()
        let before = try t.dump()
        #expect(thrownMessage { try t.registry.setAlias("churn", "production", version: 2, require: [QualityGate(parsing: "acu>0.5")]) }
                == "quality gate 'acu>0.5': model version churn/2 has no metric 'acu' (did you mean 'auc'?)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "production", version: 2, require: [QualityGate(parsing: "f1>0.5")]) }
                == "quality gate 'f1>0.5': model version churn/2 has no metric 'f1'; its metrics are auc, logloss")
        #expect(try t.dump() == before)
    }

    @Test func canariesAreStoredAndGated() throws {
        let t = try Self.registry()
        let change = try t.registry.setAlias("churn", "production", version: 2,
                                             canary: [CanarySplit(parsing: "3:10"), CanarySplit(parsing: "1:2.5")])
        #expect(change.alias.canary == [CanarySplit(version: 3, percent: 10), CanarySplit(version: 1, percent: 2.5)])
        #expect(change.alias.primaryPercent == 87.5)
        #expect(change.alias.versions == [2, 3, 1])
        #expect(try t.registry.alias("churn", "production") == change.alias)
        #expect(try t.registry.history("churn").last?.toCanary == change.alias.canary)
        // Gates apply to canaries too: version 1 fails auc>=0.85.
        #expect(throws: QualityGateFailure.self) {
            try t.registry.setAlias("churn", "production", version: 2, canary: [CanarySplit(version: 1, percent: 5)],
                                    require: [QualityGate(parsing: "auc>=0.85")])
        }
        // Changing only the canary is a move.
        let moved = try t.registry.setAlias("churn", "production", version: 2, canary: [])
        #expect(moved.changed && moved.previous?.canary.count == 2)
    }

    @Test func badCanariesAreRefused() throws {
        let t = try Self.registry()
        let before = try t.dump()
        #expect(thrownMessage { _ = try CanarySplit(parsing: "4") } == "invalid canary '4': expected VERSION:PERCENT, as in '4:10'")
        #expect(thrownMessage { _ = try CanarySplit(parsing: "x:10") } == "invalid canary 'x:10': expected VERSION:PERCENT, as in '4:10'")
        #expect(thrownMessage { _ = try CanarySplit(parsing: "4:100") }
                == "invalid canary '4:100': the percentage '100' must be a number between 0 and 100 (exclusive)")
        #expect(thrownMessage { _ = try CanarySplit(parsing: "4:0") }
                == "invalid canary '4:0': the percentage '0' must be a number between 0 and 100 (exclusive)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "p", version: 2, canary: [.init(version: 9, percent: 5)]) }
                == "model 'churn' has no version 9; its versions are 1, 2, 3")
        #expect(thrownMessage { try t.registry.setAlias("churn", "p", version: 2, canary: [.init(version: 2, percent: 5)]) }
                == "canary version 2 is given twice, or is the alias's own version")
        #expect(thrownMessage { try t.registry.setAlias("churn", "p", version: 2,
                                                        canary: [.init(version: 1, percent: 60), .init(version: 3, percent: 40)]) }
                == "canary shares add up to 100%; they must leave some traffic to version 2")
        #expect(try t.dump() == before)
    }

    @Test func unknownNamesGetSuggestions() throws {
        let t = try Self.registry()
        try t.registry.setAlias("churn", "production", version: 2)
        let before = try t.dump()
        #expect(thrownMessage { try t.registry.setAlias("chrun", "production", version: 2) }
                == "no model named 'chrun' (did you mean 'churn'?)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "production", version: 7) }
                == "model 'churn' has no version 7; its versions are 1, 2, 3")
        #expect(thrownMessage { try t.registry.deleteAlias("churn", "prodution") }
                == "model 'churn' has no alias 'prodution' (did you mean 'production'?)")
        #expect(thrownMessage { try t.registry.deleteAlias("churn", "staging") }
                == "model 'churn' has no alias 'staging'; its only alias is production")
        #expect(thrownMessage { try t.registry.setAlias("churn", "latest", version: 2) }
                == "invalid alias 'latest': it is reserved for the newest version (NAME@latest)")
        #expect(thrownMessage { try t.registry.setAlias("churn", "3", version: 2) }
                == "invalid alias '3': a name starts with a letter or '_'")
        #expect(try t.dump() == before)
    }

    @Test func anAliasedVersionCannotBeDeleted() throws {
        let t = try Self.registry()
        try t.registry.setAlias("churn", "production", version: 2, canary: [.init(version: 3, percent: 10)])
        try t.registry.setAlias("churn", "champion", version: 2)
        let before = try t.dump()
        #expect(thrownMessage { try t.registry.delete(ModelRef(parsing: "churn/2")) }
                == "model version churn/2 cannot be deleted: aliases 'champion', 'production' point at it "
                + "(move or delete them first: fsctl models alias delete churn champion)")
        #expect(thrownMessage { try t.registry.delete(ModelRef(parsing: "churn/3")) }
                == "model version churn/3 cannot be deleted: alias 'production' (canary 10%) points at it "
                + "(move or delete it first: fsctl models alias delete churn production)")
        #expect(thrownMessage { try t.registry.delete(ModelRef(parsing: "churn@champion")) }
                == "delete needs an explicit version, as in 'churn/3' (not 'churn@champion')")
        #expect(thrownMessage { try t.registry.delete(ModelRef(parsing: "churn")) }
                == "delete needs an explicit version, as in 'churn/3' (not 'churn')")
        #expect(try t.dump() == before)
        try t.registry.deleteAlias("churn", "production")
        #expect(try t.registry.delete(ModelRef(parsing: "churn/3")).version.version == 3)
    }
}
