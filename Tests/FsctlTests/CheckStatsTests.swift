import Foundation
import Testing
@testable import fsctl
import FeatureStore

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
        // Three events on one leaf page: a small fill, and too small a log to advise anything.
        let log = try #require(json["event_log"] as? [String: Any])
        #expect(log["leaf_pages"] as? Int == 1)
        let fill = try #require(log["estimated_leaf_fill"] as? Double)
        #expect(fill > 0 && fill < 0.7)
        #expect(text.hasSuffix("\nevent log: 1 leaf page, about \(Int((fill * 100).rounded())) % full\n"), "\(text)")
    }

    @Test func theEventLogLineAdvisesABackupOnlyForALargeHalfFullLog() {
        #expect(StatsCommand.eventLogLine(EventLogLayout(leafPages: 0, estimatedLeafFill: nil)) == nil)
        #expect(StatsCommand.eventLogLine(EventLogLayout(leafPages: 344_828, estimatedLeafFill: 0.981))
            == "event log: 344,828 leaf pages, about 98 % full")
        #expect(StatsCommand.eventLogLine(EventLogLayout(leafPages: 619_850, estimatedLeafFill: 0.546))
            == "event log: 619,850 leaf pages, about 55 % full (later ingests split its pages; "
            + "`fsctl backup DIR` writes a copy with full pages, which point-in-time exports read faster)")
        #expect(StatsCommand.eventLogLine(EventLogLayout(leafPages: 1000, estimatedLeafFill: 0.5))
            == "event log: 1,000 leaf pages, about 50 % full")
    }

    @Test func checkOnAMissingStoreIsAnError() throws {
        let box = try Sandbox()
        try box.fails("check", error: "no feature store at '\(box.store)' (create one with `fsctl init \(box.store)`)")
    }
}
