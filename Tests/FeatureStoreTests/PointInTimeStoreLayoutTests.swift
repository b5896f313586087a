import Testing
import Foundation
@testable import FeatureStore
import LMDB
import Tabular
import TestSupport

/// docs/point-in-time.md, "Store layout": a backfill of several days written
/// chunk by chunk leaves the event log's leaf pages half full and out of key
/// order; a compacting backup puts them in order, and an export against it
/// writes the same bytes. A table's first backfill is sorted across its
/// chunks and appended, and comes out as the backup would.
@Suite struct PointInTimeStoreLayoutTests {
    static let yaml = """
        entities:
          - name: user
            join_keys: [{name: user_id, type: int64}]
        feature_tables:
          - name: stats
            entities: [user]
            created_timestamp_field: created_timestamp
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

    /// Every (key, value) of the event log, in key order.
    static func dump(_ store: Store) throws -> [([UInt8], [UInt8])] {
        try store.environment.read { txn in
            try txn.withCursor(store.db.events) { c in
                var out: [([UInt8], [UInt8])] = []
                var more = try c.first()
                while more { out.append((Array(c.key), Array(c.value))); more = try c.next() }
                return out
            }
        }
    }

    static func leafPages(_ store: Store) throws -> Int {
        try store.environment.read { txn in try txn.stat(store.db.events).leafPages }
    }

    /// Five days of `users` users, day after day, with explicit created
    /// timestamps (so two stores hold the same bytes), starting at `base`.
    static func backfill(users: Int, days: Int, base: Int64) -> String {
        let day: Int64 = 86_400_000_000
        var csv = "user_id,event_timestamp,created_timestamp,x,tag\n"
        for d in 0..<days {
            for u in 0..<users {
                let at = Timestamp.format(base + Int64(d) * day + Int64(u) * 1_000_000)
                csv += "\(u),\(at),\(at),\(Double(u * 5 + d) / 8),t\(u % 7)-\(d)\n"
            }
        }
        return csv
    }

    @Test func aFirstBackfillIsAppendedInKeyOrderWithFullPages() throws {
        let base = Timestamp.parse("2025-11-01T00:00:00Z")!
        let sorted = try TempStore(Self.yaml), chunked = try TempStore(Self.yaml)
        let first = Self.backfill(users: 6000, days: 3, base: base)
        let second = Self.backfill(users: 6000, days: 2, base: base + 3 * 86_400_000_000)
        var options = IngestOptions()
        options.batchSize = 1000
        // Two files in one call: both are sorted and merged together.
        _ = try sorted.store.ingest(table: "stats", files: [try sorted.file("a.csv", first), try sorted.file("b.csv", second)],
                                    options: options)
        options.sortsAcrossChunks = false
        _ = try chunked.store.ingest(table: "stats", files: [try chunked.file("a.csv", first), try chunked.file("b.csv", second)],
                                     options: options)

        let events = try Self.dump(sorted.store)
        #expect(events.count == 30_000)
        let same = try events.elementsEqual(Self.dump(chunked.store)) { $0.0 == $1.0 && $0.1 == $1.1 }
        #expect(same, "the sorted ingest stored other events than the chunked one")

        let share = try Self.sequentialShare(sorted.store)
        #expect(share > 0.95, "only \(share) of the sorted backfill's page steps are sequential")
        // `fsctl stats` shows the difference: the estimated leaf fill.
        let sortedFill = try #require(try sorted.store.statistics().eventLog.estimatedLeafFill)
        let chunkedFill = try #require(try chunked.store.statistics().eventLog.estimatedLeafFill)
        #expect(sortedFill > 0.9 && sortedFill <= 1, "sorted: \(sortedFill)")
        #expect(chunkedFill < 0.75, "chunked: \(chunkedFill)")
        #expect(try TempStore(Self.yaml).store.statistics().eventLog.estimatedLeafFill == nil)
        let pages = try Self.leafPages(sorted.store), scattered = try Self.leafPages(chunked.store)
        #expect(Double(pages) < 0.7 * Double(scattered), "\(pages) leaf pages sorted against \(scattered) chunked")

        // As full as a repacked copy's leaves.
        let copy = sorted.dir + "-compacted"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        _ = try sorted.store.backup(to: copy, compact: true)
        let repacked = try Self.leafPages(try Store.open(at: copy))
        #expect(pages <= repacked + 1, "\(pages) leaf pages against \(repacked) in a repacked copy")

        // And the join reads the same training set from both layouts.
        var entities = "user_id,event_timestamp,label\n"
        var rng = SeededRandom(seed: 12)
        for i in 0..<3000 {
            let at = base + Int64(rng.int(6)) * 86_400_000_000 + Int64(rng.int(86_400)) * 1_000_000
            entities += "\(rng.int(6500)),\(Timestamp.format(at)),\(i % 2)\n"
        }
        let entityFile = try sorted.file("entities.csv", entities)
        let out1 = sorted.dir + "-sorted.csv", out2 = sorted.dir + "-chunked.csv"
        defer { for f in [out1, out2] { try? FileManager.default.removeItem(atPath: f) } }
        let a = try sorted.store.exportTrainingSet(entities: entityFile, refs: ["stats:*"], to: out1)
        let b = try chunked.store.exportTrainingSet(entities: entityFile, refs: ["stats:*"], to: out2)
        #expect(a.rows == 3000 && a.tables[0].matchedRows > 2000)
        #expect(a.outputSHA256 == b.outputSHA256)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out1)) == Data(contentsOf: URL(fileURLWithPath: out2)))
    }

    /// One event per user, `users` users from `first`, in user order or not.
    static func onePerUser(_ users: [Int], base: Int64) -> String {
        var csv = "user_id,event_timestamp,created_timestamp,x,tag\n"
        for u in users {
            let at = Timestamp.format(base + Int64(u % 1000) * 1_000_000)
            csv += "\(u),\(at),\(at),\(Double(u) / 4),t\(u % 5)\n"
        }
        return csv
    }

    @Test func aFileInKeyOrderAndOneWhoseOrderBreaksLateAreBothPacked() throws {
        let base = Timestamp.parse("2025-11-01T00:00:00Z")!
        var rng = SeededRandom(seed: 11)
        // 1. user order throughout; 2. user order for 2,500 rows, then shuffled.
        let ordered = Array(0..<8000)
        let late = Array(0..<2500) + Array(2500..<8000).shuffled(using: &rng)
        for (name, users) in [("ordered", ordered), ("late", late)] {
            let sorted = try TempStore(Self.yaml), chunked = try TempStore(Self.yaml)
            let csv = Self.onePerUser(users, base: base)
            var options = IngestOptions()
            options.batchSize = 1000
            _ = try sorted.store.ingest(table: "stats", files: [try sorted.file("a.csv", csv)], options: options)
            options.sortsAcrossChunks = false
            _ = try chunked.store.ingest(table: "stats", files: [try chunked.file("a.csv", csv)], options: options)
            let events = try Self.dump(sorted.store)
            #expect(events.count == 8000, "\(name)")
            let same = try events.elementsEqual(Self.dump(chunked.store)) { $0.0 == $1.0 && $0.1 == $1.1 }
            #expect(same, "\(name): the two ingests stored different events")
            let share = try Self.sequentialShare(sorted.store)
            #expect(share > 0.95, "\(name): only \(share) of the page steps are sequential")
        }
    }

    @Test func onlyABackfillAtTheLogsEndIsSorted() throws {
        let t = try TempStore(Self.yaml + """

              - name: later
                entities: [user]
                features:
                  - {name: y, type: int64}
            """)
        let catalog = try t.store.catalog()
        let ids = try ["stats", "later"].map { try #require(catalog.currentVersion(of: $0)).tableId }
        // `high` sorts after `low` in the log, whatever order the ids were given in.
        let (low, high) = ids[0] < ids[1] ? (0, 1) : (1, 0)
        func endsBefore(_ id: UInt32) throws -> Bool {
            try t.store.environment.read { txn in try Store.logEndsBefore(tableId: id, events: t.store.db.events, txn: txn) }
        }
        #expect(try endsBefore(ids[low]) && endsBefore(ids[high]))   // an empty log
        let files = [
            try t.file("s.csv", Self.backfill(users: 50, days: 2, base: 0)),
            try t.file("l.csv", "user_id,event_timestamp,y\n1,2025-11-01T00:00:00Z,5\n"),
        ]
        let names = ["stats", "later"]
        _ = try t.store.ingest(table: names[high], files: [files[high]])
        #expect(try !endsBefore(ids[low]))    // the earlier table's range is in the middle now
        #expect(try !endsBefore(ids[high]))   // a second backfill interleaves with the first
        // The earlier table's backfill takes the chunked path and stores every event too.
        _ = try t.store.ingest(table: names[low], files: [files[low]])
        #expect(try t.store.check().events == 101)
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
        options.sortsAcrossChunks = false   // the chunk-by-chunk writes of a later backfill
        _ = try t.store.ingest(table: "stats", files: [try t.file("backfill.csv", csv)], options: options)
        var entities = "user_id,event_timestamp,label\n"
        var rng = SeededRandom(seed: 5)
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
