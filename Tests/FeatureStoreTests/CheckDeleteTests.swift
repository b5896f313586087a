import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular

/// `delete table` takes its events, online rows, sources and watermark with
/// it, and `check` stays healthy; `check` is not vacuous: it finds damage.
@Suite struct CheckDeleteTests {
    func filled() throws -> TempStore {
        let t = try TempStore(edgeYAML)
        try t.ingest("stats", "s.csv", "user_id,event_timestamp,v\n1,\(edgeText(0)),1\n2,\(edgeText(0)),2\n")
        try t.ingest("forever", "f.csv", "user_id,event_timestamp,v\n1,\(edgeText(0)),10\n3,\(edgeText(0)),30\n")
        try t.store.materialize(start: edgeTime(-10), end: edgeTime(10))
        return t
    }

    @Test func deleteTableRemovesItsEventsAndOnlineRows() throws {
        let t = try filled()
        let r = try t.store.delete(CatalogObjectKey(.table, "stats"))
        #expect(r.versions == 1 && r.events == 2 && r.onlineRows == 2)
        let check = try t.store.check()
        #expect(check.isHealthy, "\(check.problems)")
        #expect(check.tables == 1 && check.events == 2 && check.onlineRows == 2)
        #expect(try t.store.statistics().tables.map(\.name) == ["forever"])
        // The other table is untouched.
        #expect(try t.read("forever:v", user: 3, at: edgeTime(0)).value == .int64(30))
        #expect(try t.store.watermark(table: "forever") == edgeTime(10))
        #expect(edgeMessage { _ = try t.store.onlineFeatures(refs: ["stats:v"], entities: [["user_id": "1"]]) } != nil)
    }

    @Test func aRecreatedTableStartsEmpty() throws {
        let t = try filled()
        try t.store.delete(CatalogObjectKey(.table, "stats"))
        try t.store.apply(DefinitionsParser.parse(yaml: edgeYAML, file: "again.yaml"))
        #expect(try t.read("stats:v", user: 1, at: edgeTime(0)).status == .notFound)
        #expect(try t.store.watermark(table: "stats") == nil)
        // Its sources went too: the same file is not "already ingested".
        let again = try t.ingest("stats", "s.csv", "user_id,event_timestamp,v\n1,\(edgeText(0)),1\n2,\(edgeText(0)),2\n")
        #expect(again.rows == 2)
        #expect(try t.store.materialize(start: edgeTime(-10), end: edgeTime(10), tables: ["stats"]).tables[0].entities == 2)
        let check = try t.store.check()
        #expect(check.isHealthy && check.events == 4, "\(check.problems)")
    }

    @Test func deletingAnUnknownTableIsNamed() throws {
        let t = try filled()
        #expect(edgeMessage { try t.store.delete(CatalogObjectKey(.table, "nope")) } == "no feature table 'nope'")
    }

    @Test func checkFindsATruncatedOnlineRow() throws {
        let t = try filled()
        try t.store.environment.write { txn in
            var key: [UInt8] = []
            try txn.withCursor(t.store.db.online) { c in
                _ = try c.first()
                key = Array(c.key)
            }
            let value = try txn.get(key, in: t.store.db.online)!
            try txn.put(key, Array(value.prefix(KeyCodec.orderSuffixBytes + 4)), in: t.store.db.online)
        }
        let check = try t.store.check()
        #expect(!check.isHealthy)
        #expect(check.problems.contains { $0.contains("does not match schema version 1") }, "\(check.problems)")
    }

    @Test func checkFindsABatchMissingAnEvent() throws {
        let t = try filled()
        try t.store.environment.write { txn in
            var key: [UInt8] = []
            try txn.withCursor(t.store.db.events) { c in
                _ = try c.first()
                key = Array(c.key)
            }
            _ = try txn.delete(key, in: t.store.db.events)
        }
        let check = try t.store.check()
        #expect(check.problems.contains { $0.contains("record says 2 rows, event log holds 1") }, "\(check.problems)")
    }

    @Test func checkFindsAnEventOfAnUnknownBatch() throws {
        let t = try filled()
        try t.store.environment.write { txn in
            var key: [UInt8] = [], value: [UInt8] = []
            try txn.withCursor(t.store.db.events) { c in
                _ = try c.first()
                key = Array(c.key); value = Array(c.value)
            }
            // Same event, batch id 99.
            var forged = Array(key.dropLast(12))
            KeyCodec.appendUInt64(99, to: &forged)
            forged += [0, 0, 0, 0]
            try txn.put(forged, value, in: t.store.db.events)
        }
        let check = try t.store.check()
        #expect(check.problems.contains { $0.contains("event of unknown batch 99") }, "\(check.problems)")
    }
}
