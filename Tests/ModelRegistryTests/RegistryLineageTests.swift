import FeatureStore
import Foundation
import ModelRegistry
import Testing

/// The lineage edges the registry writes with each change, and removes.
@Suite struct RegistryLineageTests {
    static func edges(_ t: TestRegistry, into node: LineageNode) throws -> [String] {
        try t.store.lineageEdges(into: node).map { e in
            "\(e.from) -\(e.kind)-> \(e.to)" + (e.attributes.isEmpty ? "" : " " + e.attributes.keys.sorted()
                .filter { $0 != "by" && $0 != "sha256" }.map { "\($0)=\(e.attributes[$0]!)" }.joined(separator: ","))
        }.sorted()
    }

    @Test func registrationRecordsItsInputsTrainingSetAndModel() throws {
        let t = try TestRegistry()
        try "user_id,event_timestamp,age,num_purchases\n1,2025-11-15T01:00:00Z,31.5,3\n"
            .write(toFile: t.dir + "/events.csv", atomically: true, encoding: .utf8)
        _ = try t.store.ingest(table: "user_stats", files: [t.dir + "/events.csv"])
        try "user_id,event_timestamp\n1,2025-11-16T00:00:00Z\n".write(toFile: t.dir + "/e.csv", atomically: true, encoding: .utf8)
        let ts = try t.store.exportTrainingSet(entities: t.dir + "/e.csv", refs: ["user_stats:age"], to: t.dir + "/train.csv")
        var r = try t.registration()
        r.trainingSet = ts.id
        try t.registry.register(r)
        #expect(try Self.edges(t, into: .modelVersion("churn", 1)) == [
            "feature:user_stats:age -reads-> model_version:churn/1 position=0,version=1",
            "feature:user_stats:num_purchases -reads-> model_version:churn/1 position=1,version=1",
            "model:churn -version_of-> model_version:churn/1 format=xgboost-json",
            "training_set:\(ts.id) -trained_on-> model_version:churn/1",
        ].sorted())
        // A failed registration records nothing.
        r.features = ["user_stats:nope"]
        #expect(throws: (any Error).self) { try t.registry.register(r) }
        #expect(try t.store.lineageEdges(into: .modelVersion("churn", 2)).isEmpty)
    }

    @Test func aliasEdgesFollowTheAlias() throws {
        let t = try TestRegistry()
        try t.register(); try t.register(); try t.register()
        try t.registry.setAlias("churn", "production", version: 1)
        #expect(try Self.edges(t, into: .alias("churn", "production"))
                == ["model_version:churn/1 -alias-> alias:churn@production percent=100"])
        try t.registry.setAlias("churn", "production", version: 2, canary: [CanarySplit(version: 3, percent: 10)])
        #expect(try Self.edges(t, into: .alias("churn", "production")) == [
            "model_version:churn/2 -alias-> alias:churn@production percent=90",
            "model_version:churn/3 -alias-> alias:churn@production canary=true,percent=10",
        ])
        // A failed gate moves no edge.
        #expect(throws: QualityGateFailure.self) {
            try t.registry.setAlias("churn", "production", version: 1, require: [QualityGate(parsing: "auc>1")])
        }
        #expect(try Self.edges(t, into: .alias("churn", "production")).count == 2)
        try t.registry.deleteAlias("churn", "production")
        #expect(try t.store.lineageEdges(into: .alias("churn", "production")).isEmpty)
        #expect(try t.store.lineageEdges(from: .modelVersion("churn", 2)).isEmpty)
    }

    @Test func aDeletedVersionLeavesTheGraph() throws {
        let t = try TestRegistry()
        try t.register(); try t.register()
        _ = try t.registry.delete(ModelRef(parsing: "churn/1"))
        #expect(try t.store.lineageEdges(into: .modelVersion("churn", 1)).isEmpty)
        #expect(try t.store.lineageEdges(from: .feature(table: "user_stats", feature: "age")).map(\.to)
                == [.modelVersion("churn", 2)])
    }
}
