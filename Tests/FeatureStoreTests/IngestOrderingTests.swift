import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// SPEC 5's "latest" order, one rule per test: event_timestamp, then
/// created_timestamp, then batch id, then the row within the file; and
/// `--to online|both` upserting with the same newer-only rule.
@Suite struct IngestOrderingTests {
    let header = "user_id,event_timestamp,created_timestamp,v\n"

    /// Materializes everything and reads `stats:v` of user 1.
    func latest(_ t: TempStore) throws -> Value? {
        try t.store.materialize(start: edgeTime(-600), end: edgeTime(600))
        return try t.read("stats:v", user: 1, at: edgeTime(10)).value
    }

    @Test func eventTimestampWinsOverCreatedTimestamp() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + """
        1,\(edgeText(2)),\(edgeText(0)),20
        1,\(edgeText(1)),\(edgeText(9)),10

        """)
        #expect(try latest(t) == .int64(20))
    }

    @Test func createdTimestampBreaksAnEventTimestampTie() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + """
        1,\(edgeText(1)),\(edgeText(5)),50
        1,\(edgeText(1)),\(edgeText(3)),30

        """)
        #expect(try latest(t) == .int64(50))
    }

    @Test func laterBatchWinsAnExactTie() throws {
        let t = try TempStore(edgeYAML)
        let row = "1,\(edgeText(1)),\(edgeText(3)),"
        let first = try t.ingest("stats", "a.csv", header + row + "1\n")
        let second = try t.ingest("stats", "b.csv", header + row + "2\n")
        #expect(second.id > first.id)
        #expect(try latest(t) == .int64(2))
    }

    @Test func laterRowWinsAnExactTieWithinOneFile() throws {
        let t = try TempStore(edgeYAML)
        let row = "1,\(edgeText(1)),\(edgeText(3)),"
        try t.ingest("stats", "a.csv", header + row + "1\n" + row + "2\n" + row + "3\n")
        #expect(try latest(t) == .int64(3))
        #expect(try t.store.check().events == 3)   // ties are kept, not overwritten
    }

    @Test func createdTimestampOutranksBatchOrder() throws {
        // A file without the created column gets the ingest time: a row of an
        // earlier batch created in 2030 still beats it on an event-time tie.
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(1)),2030-01-01T00:00:00Z,1\n")
        let b = try t.ingest("stats", "b.csv", "user_id,event_timestamp,v\n1,\(edgeText(1)),2\n")
        #expect(b.createdAtMicros < Timestamp.parse("2030-01-01T00:00:00Z")!)
        #expect(try latest(t) == .int64(1))
    }

    @Test func nullCreatedTimestampMeansIngestTime() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(1)),\(edgeText(3)),1\n1,\(edgeText(1)),,2\n")
        #expect(try latest(t) == .int64(2))   // ingest time (now) is after 00:03 on 2025-11-15
    }

    @Test func pushToOnlineIsNewerOnly() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(5)),,5\n", to: .online)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(5)).value == .int64(5))
        try t.ingest("stats", "b.csv", header + "1,\(edgeText(3)),,3\n", to: .online)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(5)).value == .int64(5))
        try t.ingest("stats", "c.csv", header + "1,\(edgeText(6)),,6\n", to: .online)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(6)).value == .int64(6))
    }

    @Test func pushToOnlineOnlyLeavesTheEventLogAlone() throws {
        let t = try TempStore(edgeYAML)
        let batch = try t.ingest("stats", "a.csv", header + "1,\(edgeText(5)),,5\n2,\(edgeText(5)),,7\n", to: .online)
        #expect(batch.rows == 2 && batch.destination == "online")
        let check = try t.store.check()
        #expect(check.isHealthy && check.events == 0 && check.onlineRows == 2)
        #expect(try t.store.statistics().tables.first { $0.name == "stats" }?.events == 0)
        // Nothing offline to materialize: the pushed rows stay as they are.
        let m = try t.store.materialize(start: edgeTime(-600), end: edgeTime(600), tables: ["stats"])
        #expect(m.tables[0].eventsScanned == 0 && m.tables[0].onlineUpdated == 0)
        #expect(try t.read("stats:v", user: 2, at: edgeTime(5)).value == .int64(7))
    }

    @Test func pushToBothWritesLogAndOnline() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(5)),,5\n1,\(edgeText(4)),,4\n", to: .both)
        let check = try t.store.check()
        #expect(check.isHealthy && check.events == 2 && check.onlineRows == 1)
        #expect(try t.read("stats:v", user: 1, at: edgeTime(5)).value == .int64(5))
        let m = try t.store.materialize(start: edgeTime(-600), end: edgeTime(600), tables: ["stats"])
        #expect(m.tables[0].onlineUpdated == 0)   // online already holds the latest
    }

    @Test func materializeDoesNotOverwriteANewerPushedRow() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "a.csv", header + "1,\(edgeText(9)),,9\n", to: .online)
        try t.ingest("stats", "b.csv", header + "1,\(edgeText(5)),,5\n")
        #expect(try latest(t) == .int64(9))
    }

    @Test func severalFilesAreSeveralBatchesInOneCall() throws {
        let t = try TempStore(edgeYAML)
        let row = "1,\(edgeText(1)),\(edgeText(3)),"
        let r = try t.store.ingest(table: "stats", files: [try t.input("a.csv", header + row + "1\n"),
                                                           try t.input("b.jsonl", #"{"user_id":1,"event_timestamp":"\#(edgeText(1))","created_timestamp":"\#(edgeText(3))","v":2}"# + "\n")])
        #expect(r.batches.map(\.id) == [1, 2])
        #expect(try latest(t) == .int64(2))
    }
}
