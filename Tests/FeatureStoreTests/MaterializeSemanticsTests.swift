import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// SPEC 6's materialization rules, one per test: inclusive windows,
/// newer-only upserts (windows out of order or repeated are harmless),
/// incremental runs from the watermark, and the watermark itself.
@Suite struct MaterializeSemanticsTests {
    let header = "user_id,event_timestamp,v\n"

    @Test func windowIsInclusiveAtBothEnds() throws {
        let t = try TempStore(edgeYAML)
        let start = edgeTime(10), end = edgeTime(20)
        try t.ingest("forever", "a.csv", header + """
        1,\(Timestamp.format(start)),1
        2,\(Timestamp.format(end)),2
        3,\(Timestamp.format(start - 1)),3
        4,\(Timestamp.format(end + 1)),4

        """)
        let m = try t.store.materialize(start: start, end: end)
        #expect(m.tables.first { $0.table == "forever" }?.entities == 2)
        let r = try t.store.onlineFeatures(refs: ["forever:v"], entities: (1...4).map { ["user_id": .int64($0)] })
        #expect(r.column("v")?.values == [.int64(1), .int64(2), nil, nil])
        #expect(r.column("v")?.statuses == [.present, .present, .notFound, .notFound])
    }

    @Test func writesTheLatestEventInTheWindowNotTheLatestOverall() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,\(edgeText(1)),1\n1,\(edgeText(2)),2\n1,\(edgeText(3)),3\n")
        try t.store.materialize(start: edgeTime(1), end: edgeTime(2))
        #expect(try t.read("forever:v", user: 1, at: edgeTime(3)).value == .int64(2))
    }

    @Test func windowsOutOfOrderAndRepeatedAreHarmless() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,\(edgeText(1)),1\n1,\(edgeText(2)),2\n1,\(edgeText(3)),3\n")
        var m = try t.store.materialize(start: edgeTime(2), end: edgeTime(3), tables: ["forever"])
        #expect(m.tables[0].onlineUpdated == 1)
        m = try t.store.materialize(start: edgeTime(1), end: edgeTime(2), tables: ["forever"])
        #expect(m.tables[0].entities == 1 && m.tables[0].onlineUpdated == 0)
        m = try t.store.materialize(start: edgeTime(2), end: edgeTime(3), tables: ["forever"])
        #expect(m.tables[0].onlineUpdated == 0)
        #expect(try t.read("forever:v", user: 1, at: edgeTime(3)).value == .int64(3))
    }

    @Test func startAfterEndIsRefusedAndChangesNothing() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,\(edgeText(1)),1\n")
        let before = try t.snapshot(refs: ["forever:v"])
        let message = edgeMessage { try t.store.materialize(start: edgeTime(2), end: edgeTime(1)) }
        #expect(message == "materialize: start 2025-11-15T00:02:00Z is after end 2025-11-15T00:01:00Z")
        #expect(try t.snapshot(refs: ["forever:v"]) == before)
        #expect(try t.store.watermark(table: "forever") == nil)
    }

    @Test func emptyWindowStartEqualsEndIsAllowed() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,\(edgeText(1)),1\n")
        let m = try t.store.materialize(start: edgeTime(1), end: edgeTime(1), tables: ["forever"])
        #expect(m.tables[0].onlineUpdated == 1 && m.tables[0].watermark == edgeTime(1))
    }

    @Test func firstIncrementalRunStartsAtEndMinusTTL() throws {
        let t = try TempStore(edgeYAML)   // stats: ttl 1h
        let end = edgeTime(120)
        try t.ingest("stats", "a.csv", "user_id,event_timestamp,v\n" + """
        1,\(Timestamp.format(end - edgeHour - 1)),10
        1,\(Timestamp.format(end - edgeHour)),11
        2,\(Timestamp.format(end - edgeHour - 1)),20

        """)
        let m = try t.store.materializeIncremental(end: end, tables: ["stats"])
        #expect(m.tables[0].start == end - edgeHour)
        #expect(m.tables[0].watermark == end)
        #expect(try t.read("stats:v", user: 1, at: end).value == .int64(11))
        #expect(try t.read("stats:v", user: 2, at: end).status == .notFound)
    }

    @Test func firstIncrementalRunWithoutTTLTakesAllHistory() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,1970-01-01T00:00:00Z,1\n2,1901-06-01T00:00:00Z,2\n")
        let m = try t.store.materializeIncremental(end: edgeTime(0), tables: ["forever"])
        #expect(m.tables[0].start == nil)
        let r = try t.store.onlineFeatures(refs: ["forever:v"], entities: [["user_id": "1"], ["user_id": "2"]], at: edgeTime(0))
        #expect(r.column("v")?.values == [.int64(1), .int64(2)])
    }

    @Test func secondIncrementalRunStartsAtTheWatermark() throws {
        let t = try TempStore(edgeYAML)
        try t.ingest("forever", "a.csv", header + "1,\(edgeText(10)),1\n")
        var m = try t.store.materializeIncremental(end: edgeTime(20), tables: ["forever"])
        #expect(try t.store.watermark(table: "forever") == edgeTime(20))
        // Late data: an event before the watermark is not picked up by the next
        // run (Feast semantics); one exactly at the watermark and one after are.
        try t.ingest("forever", "b.csv", header + "2,\(edgeText(19)),2\n3,\(edgeText(20)),3\n4,\(edgeText(25)),4\n")
        m = try t.store.materializeIncremental(end: edgeTime(30), tables: ["forever"])
        #expect(m.tables[0].start == edgeTime(20))
        #expect(m.tables[0].watermark == edgeTime(30))
        let r = try t.store.onlineFeatures(refs: ["forever:v"], entities: (1...4).map { ["user_id": .int64($0)] })
        #expect(r.column("v")?.statuses == [.present, .notFound, .present, .present])
    }

    @Test func incrementalRunEndingBeforeTheWatermarkIsRefused() throws {
        let t = try TempStore(edgeYAML)
        try t.store.materialize(start: edgeTime(0), end: edgeTime(30), tables: ["forever"])
        let message = edgeMessage { try t.store.materializeIncremental(end: edgeTime(20), tables: ["forever"]) }
        #expect(message == "materialize-incremental: table 'forever' is already materialized up to 2025-11-15T00:30:00Z, after 2025-11-15T00:20:00Z")
        #expect(try t.store.watermark(table: "forever") == edgeTime(30))
        // Ending exactly at the watermark is an empty window, not an error.
        let m = try t.store.materializeIncremental(end: edgeTime(30), tables: ["forever"])
        #expect(m.tables[0].start == edgeTime(30))
    }

    @Test func watermarkIsTheMaximumEndAndNeverMovesBack() throws {
        let t = try TempStore(edgeYAML)
        #expect(try t.store.watermark(table: "forever") == nil)
        try t.store.materialize(start: edgeTime(0), end: edgeTime(50), tables: ["forever"])
        let m = try t.store.materialize(start: edgeTime(0), end: edgeTime(10), tables: ["forever"])
        #expect(m.tables[0].watermark == edgeTime(50))
        #expect(try t.store.watermark(table: "forever") == edgeTime(50))
        #expect(try t.store.watermark(table: "stats") == nil)   // other tables untouched
    }

    @Test func unknownTablesAreNamed() throws {
        let t = try TempStore(edgeYAML)
        #expect(edgeMessage { try t.store.materialize(start: 0, end: 1, tables: ["stat"]) }
                == "no feature table 'stat' (did you mean 'stats'?)")
        #expect(edgeMessage { _ = try t.store.watermark(table: "nope") } == "no feature table 'nope'")
    }
}
