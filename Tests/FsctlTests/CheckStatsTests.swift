import Foundation
import Testing

/// `fsctl check` and `fsctl stats`.
@Suite struct CheckStatsTests {
    @Test func checkOnAHealthyStore() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        #expect(try box.ok("check") == """
            tables: 1
            batches: 1
            events: 3
            online rows: 3
            store is healthy

            """)
        let json = try #require(try box.run("check", "--json").json() as? [String: Any])
        #expect(json["healthy"] as? Bool == true)
        #expect((json["problems"] as? [Any])?.isEmpty == true)
        #expect(json["online_rows"] as? Int == 3)
        #expect(try box.ok("check", "--quiet") == "")
    }

    @Test func statsCountsPerTableAndDatabase() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        try box.ok("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", "--quiet")
        let text = try box.ok("stats")
        #expect(text.hasPrefix("store \(box.store) (id "))
        #expect(text.contains("\nuser_stats  1   1         3       3            1        2025-11-16T00:00:00Z  "), "\(text)")
        let json = try #require(try box.run("stats", "--json").json() as? [String: Any])
        let table = try #require((json["tables"] as? [[String: Any]])?.first)
        #expect(table["events"] as? Int == 3)
        #expect(table["online_rows"] as? Int == 3)
        #expect(table["batches"] as? Int == 1)
        #expect(table["watermark"] as? String == "2025-11-16T00:00:00Z")
        #expect(table["min_event_timestamp"] as? String == "2025-11-15T01:00:00Z")
        let databases = try #require(json["databases"] as? [[String: Any]])
        #expect(databases.map { $0["name"] as? String }.contains("events"))
        #expect((json["map_size"] as? Int ?? 0) > 0)
    }

    @Test func checkOnAMissingStoreIsAnError() throws {
        let box = try Sandbox()
        try box.fails("check", error: "no feature store at '\(box.store)' (create one with `fsctl init \(box.store)`)")
    }
}
