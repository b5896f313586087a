import Foundation
import Testing

/// `fsctl list`, `describe` and `delete`.
@Suite struct CatalogTests {
    @Test func listShowsEntitiesTablesAndServices() throws {
        let box = try Sandbox.withExample()
        #expect(try box.ok("list") == """
            ENTITY  JOIN KEYS       DESCRIPTION
            user    user_id: int64

            TABLE       VERSION  VERSIONS  TABLE ID  ENTITIES  FEATURES  TTL
            user_stats  1        1         1         user      7         2d

            SERVICE   FEATURES
            churn_v1  user_stats:age, user_stats:num_purchases

            """)
        let json = try #require(try box.run("list", "--json").json() as? [String: Any])
        let entity = try #require((json["entities"] as? [[String: Any]])?.first)
        #expect(entity["name"] as? String == "user")
        #expect((entity["join_keys"] as? [[String: String]]) == [["name": "user_id", "type": "int64"]])
        let table = try #require((json["tables"] as? [[String: Any]])?.first)
        #expect(table["table_id"] as? Int == 1)
        #expect(table["ttl"] as? String == "2d")
        let service = try #require((json["services"] as? [[String: Any]])?.first)
        #expect(service["features"] as? [String] == ["user_stats:age", "user_stats:num_purchases"])
    }

    @Test func describeTableShowsVersionsFeaturesAndBatches() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        let text = try box.ok("describe", "user_stats")
        #expect(text.hasPrefix("table user_stats (table id 1, current version 1)\n"))
        for line in ["    ttl: 2d", "    tags: team=risk", "    description: Daily user aggregates",
                     "    credit_score   float64     min 300, max 850",
                     "    region         int32       in [1, 2, 3, 4]",
                     "    embedding      float32[2]",
                     "  used by services: churn_v1", "  events: 3 in 1 batch"] {
            #expect(text.contains(line + "\n"), "missing \(line) in\n\(text)")
        }
        let json = try #require(try box.run("describe", "user_stats", "--json").json() as? [[String: Any]])
        let table = try #require(json.first)
        #expect(table["kind"] as? String == "table")
        #expect(table["events"] as? Int == 3)
        let version = try #require((table["versions"] as? [[String: Any]])?.first)
        let features = try #require(version["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["age", "num_purchases", "country", "is_premium",
                                                           "embedding", "credit_score", "region"])
        let expect = try #require(features[5]["expect"] as? [String: Any])
        #expect(expect["min"] as? Double == 300)
        #expect(expect["max"] as? Double == 850)
        let batch = try #require((table["batches"] as? [[String: Any]])?.first)
        #expect(batch["id"] as? Int == 1)
        #expect(batch["rows"] as? Int == 3)
        #expect(batch["source"] as? String == "events.csv")
        #expect((batch["sha256"] as? String)?.count == 64)
        #expect(batch["min_event_timestamp"] as? String == "2025-11-15T01:00:00Z")
    }

    @Test func describeEntityAndService() throws {
        let box = try Sandbox.withExample()
        #expect(try box.ok("describe", "user") == """
            entity user
              join keys: user_id: int64
              used by tables: user_stats

            """)
        #expect(try box.ok("describe", "churn_v1") == """
            service churn_v1
              refs: user_stats:age, user_stats:num_purchases
              FEATURE        TABLE       VERSION  TYPE
              age            user_stats  1        float64
              num_purchases  user_stats  1        int64

            """)
        let json = try #require(try box.run("describe", "churn_v1", "--json").json() as? [[String: Any]])
        let resolved = try #require(json.first?["features"] as? [[String: Any]])
        #expect(resolved.map { $0["ref"] as? String } == ["user_stats:age", "user_stats:num_purchases"])
    }

    @Test func describeUnknownNameSuggests() throws {
        let box = try Sandbox.withExample()
        try box.fails("describe", "user_stat",
                      error: "no entity, feature table, feature service or model named 'user_stat' (did you mean 'user_stats'?)")
        try box.fails("describe", "zzz", error: "no entity, feature table, feature service or model named 'zzz'")
    }

    @Test func deleteIsExplicitAndRefusedWhileInUse() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        let before = try box.snapshot()
        try box.fails("delete", "table", "user_stats", error:
            "table 'user_stats' is read by feature service(s) 'churn_v1'; delete or change them first")
        try box.fails("delete", "entity", "user", error:
            "entity 'user' is used by table(s) 'user_stats'; delete them first")
        try box.fails("delete", "table", "user_stat", error:
            "no feature table 'user_stat' (did you mean 'user_stats'?)")
        #expect(try box.snapshot() == before)
        #expect(try box.ok("delete", "service", "churn_v1") == "deleted service churn_v1\n")
        let json = try #require(try box.run("delete", "table", "user_stats", "--json").json() as? [String: Any])
        #expect(json["versions"] as? Int == 1)
        #expect(json["events"] as? Int == 3)
        #expect(json["online_rows"] as? Int == 3)
        #expect(try box.ok("delete", "entity", "user") == "deleted entity user\n")
        #expect(try box.ok("list") == "no entities\n\nno feature tables\n\nno feature services\n")
        let r = try box.run("delete", "model", "x")
        #expect(r.code == 2)
        #expect(r.stderr.hasPrefix("error: The value 'model' is invalid for '<kind>'"))
    }
}
