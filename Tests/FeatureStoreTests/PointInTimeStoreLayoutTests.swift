import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular

/// docs/point-in-time.md, "Store layout": a backfill of several days in one
/// ingest leaves the event log's leaf pages out of key order; a compacting
/// backup puts them in order, and an export against it writes the same bytes.
@Suite struct PointInTimeStoreLayoutTests {
    static let yaml = """
        entities:
          - name: user
            join_keys: [{name: user_id, type: int64}]
        feature_tables:
          - name: stats
            entities: [user]
            features:
              - {name: x, type: float64}
              - {name: tag, type: string}
        """

    /// Of the steps of a key-order walk of the event log that change page,
    /// the share that go to the next page of the file.
    static func sequentialShare(_ store: Store) throws -> Double {
        try store.environment.read { txn in
            try txn.withCursor(store.db.events) { c in
                var steps = 0, sequential = 0
                var last: UInt = 0
                var more = try c.first()
                while more {
                    let page = c.keyPage
                    if page != last {
                        if last != 0 { steps += 1; if page == last + 1 { sequential += 1 } }
                        last = page
                    }
                    more = try c.next()
                }
                return steps == 0 ? 0 : Double(sequential) / Double(steps)
            }
        }
    }

    @Test func aCompactedBackupIsInKeyOrderAndExportsTheSameBytes() throws {
        let t = try TempStore(Self.yaml)
        let users = 6000
        let day: Int64 = 86_400_000_000
        let base = Timestamp.parse("2025-11-01T00:00:00Z")!
        // One backfill of five days, day after day (time order, as events
        // arrive), in write chunks of 1000 rows: each day's chunks land in
        // leaves the earlier days' chunks of the same transaction wrote.
        var csv = "user_id,event_timestamp,x,tag\n"
        for d in 0..<5 {
            for u in 0..<users {
                csv += "\(u),\(Timestamp.format(base + Int64(d) * day + Int64(u) * 1_000_000)),\(Double(u * 5 + d) / 8),t\(u % 7)-\(d)\n"
            }
        }
        var options = IngestOptions()
        options.batchSize = 1000
        _ = try t.store.ingest(table: "stats", files: [try t.file("backfill.csv", csv)], options: options)
        var entities = "user_id,event_timestamp,label\n"
        var rng = ModelRNG(seed: 5)
        for i in 0..<4000 {
            let u = Int(rng.next() % UInt64(users + 500))     // some users without history
            let at = base + Int64(rng.next() % 6) * day + Int64(rng.next() % 86_400) * 1_000_000
            entities += "\(u),\(Timestamp.format(at)),\(i % 2)\n"
        }
        let entityFile = try t.file("entities.csv", entities)

        let copy = t.dir + "-compacted"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        _ = try t.store.backup(to: copy, compact: true)
        let compacted = try Store.open(at: copy)

        let ingested = try Self.sequentialShare(t.store)
        let ordered = try Self.sequentialShare(compacted)
        #expect(ingested < 0.5, "the backfill left \(ingested) of the page steps sequential")
        #expect(ordered > 0.9, "the compacted copy has only \(ordered) of its page steps sequential")

        let out1 = t.dir + "-a.csv", out2 = t.dir + "-b.csv"
        defer { for f in [out1, out2] { try? FileManager.default.removeItem(atPath: f) } }
        let first = try t.store.exportTrainingSet(entities: entityFile, refs: ["stats:*"], to: out1)
        let second = try compacted.exportTrainingSet(entities: entityFile, refs: ["stats:*"], to: out2)
        #expect(first.rows == 4000 && first.tables[0].matchedRows > 3000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out1)) == Data(contentsOf: URL(fileURLWithPath: out2)))
        #expect(first.outputSHA256 == second.outputSHA256)
    }
}
