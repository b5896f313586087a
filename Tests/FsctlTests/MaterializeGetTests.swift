import Foundation
import Testing

/// `fsctl materialize`, `materialize-incremental` and `get`.
@Suite struct MaterializeGetTests {
    static let refs = "user_stats:age,user_stats:num_purchases"

    /// The example store with `Examples.csv` ingested offline (events on 2025-11-15, ttl 2d).
    static func ingested() throws -> Sandbox {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        return box
    }

    @Test func materializeThenGetShowsEveryStatus() throws {
        let box = try Self.ingested()
        let out = try box.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-15T23:59:59Z")
        #expect(out.hasPrefix("materialized user_stats from 2025-11-15T00:00:00Z to 2025-11-15T23:59:59Z: "
                              + "3 events scanned, 3 entities, 3 online rows updated; watermark "))
        let args = ["get", "--features", Self.refs, "--entity", "user_id=1", "--entity", "user_id=2",
                    "--entity", "user_id=99", "--at", "2025-11-16T00:00:00Z"]
        #expect(try box.run(args).stdout == """
            user_id  age         num_purchases
            1        31.5        3
            2        NULL_VALUE  5
            99       NOT_FOUND   NOT_FOUND

            """)
        // Three days later the 2d ttl has passed.
        let late = try box.run(["get", "--features", "user_stats:age", "--entity", "user_id=1",
                                "--at", "2025-11-18T00:00:00Z"])
        #expect(late.stdout == "user_id  age\n1        OUTSIDE_MAX_AGE\n", "\(late)")
    }

    @Test func getJSONHasFeastsShape() throws {
        let box = try Self.ingested()
        try box.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--quiet")
        let r = try box.run("get", "--json", "--features", "user_stats:age", "--features", "user_stats:num_purchases",
                            "--entity", "user_id=1", "--entity", "user_id=2", "--entity", "user_id=99",
                            "--at", "2025-11-16T00:00:00Z")
        #expect(r.code == 0, "\(r)")
        let json = try #require(try r.json() as? [String: Any])
        let names = (json["metadata"] as? [String: Any])?["feature_names"] as? [String]
        #expect(names == ["user_id", "age", "num_purchases"])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count == 3)
        for result in results {
            #expect((result["values"] as? [Any])?.count == 3)
            #expect((result["event_timestamps"] as? [Any])?.count == 3)
        }
        #expect(results[1]["statuses"] as? [String] == ["PRESENT", "NULL_VALUE", "NOT_FOUND"])
        #expect((results[1]["values"] as? [Any])?.first as? Double == 31.5)
        #expect(results[2]["statuses"] as? [String] == ["PRESENT", "PRESENT", "NOT_FOUND"])
        let full = try #require(try box.run("get", "--json", "--full-feature-names", "--service", "churn_v1",
                                            "--entity", "user_id=1").json() as? [String: Any])
        #expect((full["metadata"] as? [String: Any])?["feature_names"] as? [String]
                == ["user_id", "user_stats__age", "user_stats__num_purchases"])
    }

    @Test func materializeTwiceIsHarmlessAndJSONReportsIt() throws {
        let box = try Self.ingested()
        try box.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--quiet")
        let json = try #require(try box.run("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z",
                                            "--json").json() as? [String: Any])
        let table = try #require((json["tables"] as? [[String: Any]])?.first)
        #expect(table["table"] as? String == "user_stats")
        #expect(table["events_scanned"] as? Int == 3)
        #expect(table["online_updated"] as? Int == 0)
        #expect(table["end"] as? String == "2025-11-16T00:00:00Z")
    }

    @Test func incrementalStartsFromTheWatermark() throws {
        let box = try Self.ingested()
        let first = try #require(try box.run("materialize-incremental", "2025-11-15T02:30:00Z", "--json").json() as? [String: Any])
        let t1 = try #require((first["tables"] as? [[String: Any]])?.first)
        #expect(t1["start"] as? String == "2025-11-13T02:30:00Z")   // END − ttl (2d)
        #expect(t1["watermark"] as? String == "2025-11-15T02:30:00Z")
        #expect(t1["online_updated"] as? Int == 2)
        let second = try #require(try box.run("materialize-incremental", "2025-11-16T00:00:00Z", "--json").json() as? [String: Any])
        let t2 = try #require((second["tables"] as? [[String: Any]])?.first)
        #expect(t2["start"] as? String == "2025-11-15T02:30:00Z")
        #expect(t2["online_updated"] as? Int == 1)
        let out = try box.ok("get", "--features", "user_stats:country", "--entity", "user_id=3", "--at", "2025-11-16T00:00:00Z")
        #expect(out == "user_id  country\n3        US\n")
        #expect(try box.ok("materialize-incremental", "2025-11-16T00:00:00Z", "--tables", "user_stats").contains("materialized user_stats "))
    }

    @Test func pushedRowsAreVisibleAtOnce() throws {
        let box = try Sandbox.withExample()
        try box.write("events.jsonl", Examples.jsonl)
        try box.ok("ingest", "user_stats", "events.jsonl", "--to", "both")
        let out = try box.ok("get", "--features", "user_stats:age,user_stats:embedding", "--entity", "user_id=4",
                             "--at", "2025-11-15T06:00:00Z")
        #expect(out == "user_id  age   embedding\n4        22.0  [0.5,1.5]\n")
    }

    /// Bad command-line values: usage errors (exit 2) with the exact message.
    @Test(arguments: [
        (["get", "--features", "user_stats:age", "--entity", "user_id=1", "--at", "2025-13-01"],
         "error: --at: cannot parse \"2025-13-01\" as an ISO-8601 timestamp"),
        (["get", "--features", "user_stats:age", "--entity", "user_id"],
         "error: --entity: expected key=value[,key2=value2], got \"user_id\""),
        (["get", "--features", "user_stats:age", "--entity", "user_id=1,user_id=2"],
         "error: --entity: join key 'user_id' is given twice in \"user_id=1,user_id=2\""),
        (["get", "--features", "user_stats:age"], "error: give at least one --entity key=value"),
        (["get", "--entity", "user_id=1"], "error: give --features REFS or --service NAME"),
        (["materialize", "yesterday", "2025-11-16T00:00:00Z"],
         "error: START: cannot parse \"yesterday\" as an ISO-8601 timestamp"),
        (["materialize", "2025-11-16T00:00:00Z", "2025-11-15T00:00:00Z"],
         "error: START (2025-11-16T00:00:00Z) is after END (2025-11-15T00:00:00Z)"),
        (["materialize-incremental", "2025-11-16T25:00:00Z"],
         "error: END: cannot parse \"2025-11-16T25:00:00Z\" as an ISO-8601 timestamp"),
        (["materialize", "2025-11-15T00:00:00Z"], "error: Missing expected argument '<end>'"),
    ])
    func badCommandLineValuesAreUsageErrors(args: [String], firstLine: String) throws {
        let box = try Self.ingested()
        let before = try box.snapshot()
        let r = try box.run(args)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == firstLine)
        #expect(try box.snapshot() == before)
    }

    /// Unknown refs, services, tables and bad key values: errors (exit 1) with a suggestion.
    @Test(arguments: [
        (["get", "--features", "user_stats:agee", "--entity", "user_id=1"],
         "feature ref 'user_stats:agee': feature table 'user_stats' (version 1) has no feature 'agee' (did you mean 'age'?)"),
        (["get", "--features", "user_stat:age", "--entity", "user_id=1"],
         "feature ref 'user_stat:age': unknown feature table 'user_stat' (did you mean 'user_stats'?)"),
        (["get", "--service", "churn_v2", "--entity", "user_id=1"],
         "unknown feature service 'churn_v2' (did you mean 'churn_v1'?)"),
    ])
    func unknownNamesAreErrorsWithASuggestion(args: [String], message: String) throws {
        let box = try Self.ingested()
        try box.fails(args, error: message)
    }

    @Test func badKeyValueAndUnknownTableToMaterialize() throws {
        let box = try Self.ingested()
        let r = try box.run("get", "--features", "user_stats:age", "--entity", "user_id=abc")
        #expect(r.code == 1, "\(r)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("user_id") && r.stderr.contains("abc"), "\(r)")
        let before = try box.snapshot()
        let m = try box.run("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--tables", "user_stat")
        #expect(m.code == 1, "\(m)")
        #expect(m.stderr.hasPrefix("error: ") && m.stderr.contains("'user_stat'"), "\(m)")
        #expect(try box.snapshot() == before)
    }
}
