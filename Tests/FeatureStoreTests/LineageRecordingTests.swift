import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular

/// Lineage recorded by apply, ingest, materialize, export and delete, in the
/// same transaction as the change; walks across schema versions; REF parsing;
/// OpenLineage events.
@Suite struct LineageRecordingTests {
    static let v1 = userStatsYAML
    static let v2 = v1 + "\n      - {name: score, type: float64}\n"
    static let events = "user_id,event_timestamp,age,country\n1,2025-01-01T00:00:00Z,30,de\n2,2025-01-01T00:00:00Z,40,fr\n"
    static let labels = "user_id,event_timestamp,label\n1,2025-01-02T00:00:00Z,1\n2,2025-01-02T00:00:00Z,0\n"

    let day: Int64 = 86_400_000_000
    let jan1: Int64 = 1_735_689_600_000_000

    func kinds(_ edges: [LineageEdge]) -> [String] { edges.map { "\($0.from) -\($0.kind)-> \($0.to)" }.sorted() }

    /// A store with v1 applied, one ingest, one export of user_stats:age.
    func exported() throws -> (TempStore, BatchRecord, TrainingSetRecord) {
        let t = try TempStore(Self.v1)
        let batch = try t.ingest("user_stats", "events.csv", Self.events)
        let labels = try t.input("labels.csv", Self.labels)
        let ts = try t.store.exportTrainingSet(entities: labels, refs: ["user_stats:age"], to: t.dir + "/train.csv")
        return (t, batch, ts)
    }

    @Test func applyRecordsEachNewVersionOnce() throws {
        let t = try TempStore(Self.v1)
        #expect(kinds(try t.store.allLineageEdges()) == [
            "table:user_stats -version_of-> table_version:user_stats@1",
            "table_version:user_stats@1 -has_feature-> feature:user_stats:age",
            "table_version:user_stats@1 -has_feature-> feature:user_stats:country",
            "table_version:user_stats@1 -has_feature-> feature:user_stats:credit_score",
        ])
        try t.store.apply(DefinitionsParser.parse(yaml: Self.v1, file: "again.yaml"))
        #expect(try t.store.allLineageEdges().count == 4)
        try t.store.apply(DefinitionsParser.parse(yaml: Self.v2, file: "v2.yaml"))
        let v2 = try t.store.lineageEdges(from: .tableVersion("user_stats", 2))
        #expect(v2.map(\.to.name).sorted() == ["user_stats:age", "user_stats:country", "user_stats:credit_score",
                                                "user_stats:score"])
        #expect(v2.first { $0.to.name == "user_stats:score" }?.attributes["type"] == "float64")
        #expect(try t.store.lineageEdges(into: .tableVersion("user_stats", 2)).map(\.from) == [.table("user_stats")])
    }

    @Test func ingestRecordsFileBatchAndTableVersion() throws {
        let t = try TempStore(Self.v1)
        let batch = try t.ingest("user_stats", "events.csv", Self.events)
        let file = LineageNode.file(sha256: batch.sha256)
        let ingested = try #require(try t.store.lineageEdges(from: file).first)
        #expect(ingested.to == .batch(batch.id) && ingested.kind == "ingested")
        #expect(ingested.attributes["path"] == t.dir + "/in-events.csv")
        #expect(ingested.attributes["rows"] == "2" && ingested.attributes["table"] == "user_stats")
        #expect(ingested.atMicros == batch.createdAtMicros)
        #expect(try t.store.lineageEdges(from: .batch(batch.id)).map { "\($0.kind) \($0.to)" }
                == ["appended table_version:user_stats@1"])
        // Pushed rows go online too.
        let pushed = try t.ingest("user_stats", "more.csv", "user_id,event_timestamp,age\n3,2025-01-01T00:00:00Z,50\n", to: .both)
        #expect(try t.store.lineageEdges(from: .batch(pushed.id)).map(\.kind).sorted() == ["appended", "pushed"])
    }

    @Test func aFailedIngestRecordsNothing() throws {
        let t = try TempStore(Self.v1)
        let before = try t.store.allLineageEdges()
        #expect(throws: FeatureStoreError.self) {
            try t.ingest("user_stats", "bad.csv", "user_id,event_timestamp,age\n1,2025-01-01T00:00:00Z,abc\n")
        }
        #expect(try t.store.allLineageEdges() == before)
    }

    @Test func materializeRecordsTheWatermark() throws {
        let t = try TempStore(Self.v1)
        try t.ingest("user_stats", "events.csv", Self.events)
        try t.store.materialize(start: jan1 - day, end: jan1 + day)
        var edge = try #require(try t.store.lineageEdges(into: .online("user_stats")).first { $0.from == .table("user_stats") })
        #expect(edge.kind == "materialized")
        #expect(edge.attributes["watermark"] == "2025-01-02T00:00:00Z")
        #expect(edge.attributes["start"] == "2024-12-31T00:00:00Z" && edge.attributes["entities"] == "2")
        try t.store.materializeIncremental(end: jan1 + 2 * day)
        let edges = try t.store.lineageEdges(into: .online("user_stats"))
        #expect(edges.map(\.from) == [.table("user_stats"), .tableVersion("user_stats", 1)])
        edge = try #require(edges.first)
        #expect(edge.attributes["watermark"] == "2025-01-03T00:00:00Z")
        #expect(edge.attributes["start"] == "2025-01-02T00:00:00Z")
    }

    @Test func exportLinksTableVersionsEntityFileAndFeatures() throws {
        let (t, _, ts) = try exported()
        #expect(kinds(try t.store.lineageEdges(into: .trainingSet(ts.id))) == [
            "entity_file:\(ts.entitiesSHA256) -entities-> training_set:\(ts.id)",
            "feature:user_stats:age -reads-> training_set:\(ts.id)",
            "table_version:user_stats@1 -exported-> training_set:\(ts.id)",
        ])
        let entities = try #require(try t.store.lineageEdges(from: .entityFile(sha256: ts.entitiesSHA256)).first)
        #expect(entities.attributes["rows"] == "2" && entities.attributes["output"] == t.dir + "/train.csv")
        // Exporting the same again names the same training set and records nothing new.
        let count = try t.store.allLineageEdges().count
        let again = try t.store.exportTrainingSet(entities: t.dir + "/in-labels.csv", refs: ["user_stats:age"],
                                                  to: t.dir + "/train2.csv")
        #expect(again.id == ts.id)
        #expect(try t.store.allLineageEdges().count == count)
    }

    @Test func walksGoFromSourceFileToTrainingSetAndBack() throws {
        let (t, batch, ts) = try exported()
        let file = LineageNode.file(sha256: batch.sha256)
        let down = try t.store.lineage(of: file, direction: .downstream)
        #expect(down.nodes.first == file)
        #expect(down.nodes.contains(.trainingSet(ts.id)) && down.nodes.contains(.feature(table: "user_stats", feature: "age")))
        let up = try t.store.lineage(of: .trainingSet(ts.id), direction: .upstream)
        #expect(Set(up.nodes) == [.trainingSet(ts.id), .entityFile(sha256: ts.entitiesSHA256),
                                  .feature(table: "user_stats", feature: "age"), .tableVersion("user_stats", 1),
                                  .table("user_stats"), .batch(batch.id), file])
        // Depth 1 stops at the direct inputs.
        let near = try t.store.lineage(of: .trainingSet(ts.id), direction: .upstream, depth: 1)
        #expect(Set(near.nodes) == [.trainingSet(ts.id), .entityFile(sha256: ts.entitiesSHA256),
                                    .feature(table: "user_stats", feature: "age"), .tableVersion("user_stats", 1)])
        let both = try t.store.lineage(of: .tableVersion("user_stats", 1), direction: .both)
        #expect(both.nodes.contains(file) && both.nodes.contains(.trainingSet(ts.id)))
        #expect(both.nodes.filter { $0 == .tableVersion("user_stats", 1) }.count == 1)
    }

    /// A training set that read `age` from version 2 is not downstream of
    /// version 1, and version 1 is not upstream of it, although both versions
    /// have the feature.
    @Test func walksKeepToTheSchemaVersionThatWasRead() throws {
        let t = try TempStore(Self.v1)
        let old = try t.ingest("user_stats", "events.csv", Self.events)
        try t.store.apply(DefinitionsParser.parse(yaml: Self.v2, file: "v2.yaml"))
        let new = try t.ingest("user_stats", "new.csv", "user_id,event_timestamp,age,score\n1,2025-01-01T06:00:00Z,31,0.5\n")
        let ts = try t.store.exportTrainingSet(entities: try t.input("labels.csv", Self.labels),
                                               refs: ["user_stats:age"], to: t.dir + "/train.csv")
        #expect(ts.features == ["user_stats@2:age"])
        let fromV1 = try t.store.lineage(of: .tableVersion("user_stats", 1), direction: .downstream)
        #expect(!fromV1.nodes.contains(.trainingSet(ts.id)))
        #expect(fromV1.nodes.contains(.feature(table: "user_stats", feature: "age")))
        let fromV2 = try t.store.lineage(of: .tableVersion("user_stats", 2), direction: .downstream)
        #expect(fromV2.nodes.contains(.trainingSet(ts.id)))
        let up = try t.store.lineage(of: .trainingSet(ts.id), direction: .upstream)
        #expect(up.nodes.contains(.batch(new.id)))
        #expect(!up.nodes.contains(.batch(old.id)) && !up.nodes.contains(.tableVersion("user_stats", 1)))
        // From the feature itself (no version), every version's training sets.
        let feature = try t.store.lineage(of: .feature(table: "user_stats", feature: "age"), direction: .both)
        #expect(feature.nodes.contains(.trainingSet(ts.id)) && feature.nodes.contains(.tableVersion("user_stats", 1)))
        #expect(fromV1.renderTree().contains("has_feature → feature user_stats:age"))
        #expect(!fromV1.renderTree().contains(ts.id))
    }

    /// The question SPEC 9 asks: which models, and which aliases in production,
    /// read this feature? (Registry edges as the model registry records them.)
    @Test func aFeatureLeadsToTheModelsAndAliasesThatReadIt() throws {
        let (t, batch, ts) = try exported()
        let now = Clock.nowMicros()
        try t.store.environment.write { txn in
            try t.store.addLineage([
                LineageEdge(from: .model("churn"), to: .modelVersion("churn", 1), kind: "version_of", atMicros: now),
                LineageEdge(from: .trainingSet(ts.id), to: .modelVersion("churn", 1), kind: "trained_on", atMicros: now),
                LineageEdge(from: .feature(table: "user_stats", feature: "age"), to: .modelVersion("churn", 1),
                            kind: "reads", atMicros: now),
                LineageEdge(from: .modelVersion("churn", 1), to: .alias("churn", "production"), kind: "alias", atMicros: now),
            ], in: &txn)
        }
        let down = try t.store.lineage(of: .feature(table: "user_stats", feature: "age"), direction: .downstream)
        #expect(down.nodes.filter { $0.kind == .modelVersion } == [.modelVersion("churn", 1)])
        #expect(down.nodes.filter { $0.kind == .alias } == [.alias("churn", "production")])
        let back = try t.store.lineage(of: .alias("churn", "production"), direction: .upstream)
        #expect(back.nodes.contains(.file(sha256: batch.sha256)) && back.nodes.contains(.model("churn")))
        // The alias moves: the old version is no longer upstream.
        try t.store.environment.write { txn in
            try t.store.removeLineageEdges(into: .alias("churn", "production"), in: &txn)
        }
        #expect(try t.store.lineage(of: .alias("churn", "production"), direction: .upstream).nodes
                == [.alias("churn", "production")])
        // The register run is an OpenLineage event.
        let events = try t.store.openLineageEvents()
        let register = try #require(events.first { $0.job.name == "register.churn" })
        #expect(register.outputs.map(\.name) == ["models/churn"])
        #expect(register.outputs.first?.facets?.version?.datasetVersion == "1")
        #expect(Set(register.inputs.map(\.name)) == ["training_sets/\(ts.id)", "user_stats"])
    }

    @Test func deletingATableTakesItsNodesAlong() throws {
        let (t, batch, ts) = try exported()
        try t.store.delete(CatalogObjectKey(.table, "user_stats"))
        let left = try t.store.allLineageEdges()
        #expect(!left.contains { $0.from.name.hasPrefix("user_stats") || $0.to.name.hasPrefix("user_stats") })
        #expect(left.contains { $0.from == .file(sha256: batch.sha256) })
        #expect(left.contains { $0.to == .trainingSet(ts.id) && $0.kind == "entities" })
    }

    @Test func refsNameEveryKindOfNode() throws {
        let (t, batch, ts) = try exported()
        try t.store.environment.write { txn in
            try t.store.addLineage([
                LineageEdge(from: .model("churn"), to: .modelVersion("churn", 3), kind: "version_of", atMicros: 1),
                LineageEdge(from: .modelVersion("churn", 3), to: .alias("churn", "production"), kind: "alias", atMicros: 1),
            ], in: &txn)
        }
        let s = t.store
        #expect(try s.lineageNode(for: "user_stats") == .table("user_stats"))
        #expect(try s.lineageNode(for: "user_stats@1") == .tableVersion("user_stats", 1))
        #expect(try s.lineageNode(for: "user_stats:age") == .feature(table: "user_stats", feature: "age"))
        #expect(try s.lineageNode(for: "user_stats@1:age") == .feature(table: "user_stats", feature: "age"))
        #expect(try s.lineageNode(for: ts.id) == .trainingSet(ts.id))
        #expect(try s.lineageNode(for: String(ts.id.prefix(7))) == .trainingSet(ts.id))
        #expect(try s.lineageNode(for: "churn") == .model("churn"))
        #expect(try s.lineageNode(for: "churn/3") == .modelVersion("churn", 3))
        #expect(try s.lineageNode(for: "churn@production") == .alias("churn", "production"))
        #expect(try s.lineageNode(for: "batch:\(batch.id)") == .batch(batch.id))
        #expect(throws: FeatureStoreError.self) { try s.lineageNode(for: "online:user_stats") }
        try s.materialize(start: jan1 - day, end: jan1 + day)
        #expect(try s.lineageNode(for: "online:user_stats") == .online("user_stats"))
        #expect(try s.lineageNode(for: t.dir + "/in-events.csv") == .file(sha256: batch.sha256))
        #expect(try s.lineageNode(for: t.dir + "/in-labels.csv") == .entityFile(sha256: ts.entitiesSHA256))
        #expect(try s.lineageNode(for: t.dir + "/train.csv") == .trainingSet(ts.id))
        #expect(try s.lineageNode(for: batch.sha256) == .file(sha256: batch.sha256))
        // A path with ':' and '@' in it is still a path.
        let odd = t.dir + "/in-a:b@1.csv"
        try FileManager.default.copyItem(atPath: t.dir + "/in-events.csv", toPath: odd)
        #expect(try s.lineageNode(for: odd) == .file(sha256: batch.sha256))
        #expect(try s.lineageNode(for: "file:\(batch.sha256)") == .file(sha256: batch.sha256))
    }

    @Test func unknownRefsSayWhatIsClose() throws {
        let (t, _, ts) = try exported()
        func message(_ ref: String) -> String {
            do { _ = try t.store.lineageNode(for: ref); return "no error" } catch { return "\(error)" }
        }
        #expect(message("user_stat").hasPrefix("lineage: no 'user_stat' (did you mean 'user_stats'?); a ref is a table"))
        #expect(message("user_stats:agee") == "lineage: no feature 'agee' in table 'user_stats' (did you mean 'age'?)")
        #expect(message("user_stat:age") == "lineage: no feature table 'user_stat' (did you mean 'user_stats'?)")
        #expect(message("user_stats@7") == "lineage: table 'user_stats' has no version 7 (it has user_stats@1)")
        #expect(message("user_stats@x") == "lineage: 'user_stats@x': a table version is a number, as in user_stats@1")
        #expect(message(ts.id + "0").hasPrefix("lineage: no training set '\(ts.id)0' (did you mean '\(ts.id)'?)"))
        #expect(message("churn/3").hasPrefix("lineage: no model version 'churn/3'"))
        #expect(message("churn@prod").hasPrefix("lineage: no alias 'churn@prod'"))
        #expect(message("batch:x") == "lineage: batch 'x': expected a batch id, as in batch:17")
        #expect(message("batch:99").hasPrefix("lineage: no batch '99'"))
        #expect(message("user_stats:*") == "lineage: 'user_stats:*': name one feature (table:feature), not '*'")
        #expect(message("") .hasPrefix("lineage: empty ref"))
        let other = try t.input("other.csv", "never ingested\n")
        #expect(message(other).hasSuffix("was never ingested, used as an entity file or exported in this store"))
    }

    @Test func openLineageEventsDescribeEachRun() throws {
        let (t, batch, ts) = try exported()
        try t.store.materialize(start: jan1 - day, end: jan1 + day)
        let events = try t.store.openLineageEvents()
        #expect(events.map(\.job.name) == ["ingest.user_stats", "export", "materialize.user_stats"])
        let namespace = "featurestore://" + (try t.store.storeId())
        #expect(events.allSatisfy { $0.job.namespace == namespace && $0.eventType == "COMPLETE" })
        let ingest = events[0]
        #expect(ingest.inputs == [.init(namespace: "file", name: t.dir + "/in-events.csv")])
        #expect(ingest.outputs.map(\.name) == ["user_stats"])
        #expect(ingest.outputs[0].facets?.version?.datasetVersion == "1")
        #expect(ingest.outputs[0].facets?.schema?.fields.map(\.name) == ["age", "country", "credit_score"])
        #expect(ingest.eventTime == Timestamp.format(batch.createdAtMicros))
        let export = events[1]
        #expect(Set(export.inputs.map(\.name)) == [t.dir + "/in-labels.csv", "user_stats"])
        #expect(export.inputs.first { $0.name == "user_stats" }?.facets?.schema?.fields.map(\.name) == ["age"])
        #expect(export.outputs.map(\.name) == ["training_sets/\(ts.id)", t.dir + "/train.csv"])
        #expect(events[2].inputs.map(\.name) == ["user_stats"] && events[2].outputs.map(\.name) == ["online/user_stats"])
        // Run ids are UUIDs, distinct, and the same on every print.
        let ids = events.map(\.run.runId)
        #expect(Set(ids).count == 3 && ids.allSatisfy { UUID(uuidString: $0) != nil && $0 == $0.lowercased() })
        #expect(try t.store.openLineageEvents().map(\.run.runId) == ids)
        // A walk's events are the runs in it.
        let up = try t.store.lineage(of: .trainingSet(ts.id), direction: .upstream)
        #expect(try t.store.openLineageEvents(for: up).map(\.job.name) == ["ingest.user_stats", "export"])
        let line = try events[0].jsonLine()
        #expect(line.hasPrefix("{\"eventTime\":") && !line.contains("\n") && line.contains("\"schemaURL\":\"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent\""))
    }
}
