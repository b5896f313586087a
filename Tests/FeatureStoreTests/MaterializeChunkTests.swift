import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular
import TestSupport

/// `materialize` commits every `materializeChunkEntities` entities (100 000)
/// and resumes from the next entity's first key. The boundary is exercised
/// here by driving ``MaterializeScan`` with chunks of 1, 2 and 3 entities and
/// comparing the online table with a one-chunk run on an identical store.
@Suite struct MaterializeChunkTests {
    /// Events of 25 users, several per user, some outside the window, plus a
    /// second table after this one in the log (the scan must stop at its prefix).
    static func events(seed: UInt64) -> String {
        var rng = SeededRandom(seed: seed)
        var out = "user_id,event_timestamp,created_timestamp,v\n"
        for _ in 0..<120 {
            out += "\(Int64.random(in: -12...12, using: &rng)),\(edgeText(Int64.random(in: -5...25, using: &rng))),\(edgeText(0)),\(Int.random(in: 0...999, using: &rng))\n"
        }
        return out
    }

    static func online(_ t: TempStore) throws -> [[UInt8]: [UInt8]] {
        var out: [[UInt8]: [UInt8]] = [:]
        try t.store.environment.read { txn in
            try txn.withCursor(t.store.db.online) { c in
                var more = try c.first()
                while more { out[Array(c.key)] = Array(c.value); more = try c.next() }
            }
        }
        return out
    }

    @Test(arguments: [1, 2, 3] as [Int])
    func chunkBoundariesDoNotChangeTheResult(entitiesPerChunk: Int) throws {
        let text = Self.events(seed: UInt64(entitiesPerChunk))
        let forever = "user_id,event_timestamp,v\n1,\(edgeText(1)),1\n"
        let whole = try TempStore(edgeYAML), chunked = try TempStore(edgeYAML)
        for t in [whole, chunked] {
            try t.ingest("stats", "e.csv", text)
            try t.ingest("forever", "f.csv", forever)
        }
        let (start, end) = (edgeTime(0), edgeTime(20))
        let m = try whole.store.materialize(start: start, end: end, tables: ["stats"])

        let tableId = try chunked.store.catalog().currentVersion(of: "stats")!.tableId
        let prefix = KeyCodec.tablePrefix(tableId)
        var resume: [UInt8]? = prefix
        var chunks = 0, entities = 0, updated = 0
        while let from = resume {
            let outcome = try chunked.store.environment.write { txn in
                try MaterializeScan.run(from: from, prefix: prefix, start: start, end: end, maxEntities: entitiesPerChunk,
                                        events: chunked.store.db.events, online: chunked.store.db.online, txn: &txn)
            }
            chunks += 1
            entities += outcome.entities
            updated += outcome.onlineUpdated
            resume = outcome.resume
        }
        #expect(chunks >= 25 / entitiesPerChunk)
        #expect(entities == m.tables[0].entities && updated == m.tables[0].onlineUpdated)
        #expect(try Self.online(chunked) == Self.online(whole))
    }
}
