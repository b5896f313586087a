import Testing

@testable import LMDB
import TestSupport

/// ``LeafScan`` (leaf pages read straight from the map) compared with a
/// plain ``Cursor`` and with a sorted Swift model of the same random data:
/// keys of many lengths, values from empty to several pages (those live on
/// overflow pages and go through the cursor), seeks anywhere, long runs.
@Suite struct LeafScanTests {
    /// Random unique keys of 1…80 bytes (one in 50 of 300…511) with shared prefixes, and values of
    /// 0…300 bytes, one in 10 of 1,500–2,200 bytes (around the largest value
    /// a 4 KiB leaf keeps inline), one in 40 of 3–9 KiB (overflow pages).
    static func seededEntries(count: Int, seed: UInt64) -> [(key: [UInt8], value: [UInt8])] {
        var rng = SeededRandom(seed: seed)
        var keys = Set<[UInt8]>()
        while keys.count < count {
            // One key in 50 long, up to LMDB's limit of 511 bytes.
            let length = Int.random(in: 0..<50, using: &rng) == 0 ? Int.random(in: 300...511, using: &rng)
                                                                  : Int.random(in: 1...80, using: &rng)
            keys.insert((0..<length).map { _ in UInt8.random(in: 0...7, using: &rng) &* 0x21 })
        }
        return keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            // Mostly small; one in 10 up to and past LMDB's largest value kept
            // in the leaf (about 2,000 bytes at 4 KiB pages); one in 40 several pages.
            let pick = Int.random(in: 0..<40, using: &rng)
            let size = pick == 0 ? Int.random(in: 3000...9000, using: &rng)
                : pick < 5 ? Int.random(in: 1500...2200, using: &rng)
                : Int.random(in: 0...300, using: &rng)
            return (key, (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ key.count) })
        }
    }

    static func load(_ env: Environment, _ entries: [(key: [UInt8], value: [UInt8])]) throws -> Database {
        let db = try env.openDatabase("data")
        var rng = SeededRandom(seed: 3)
        try env.write { txn in
            for e in entries.shuffled(using: &rng) { try txn.put(e.key, e.value, in: db) }
        }
        return db
    }

    @Test func aFullScanReadsWhatTheCursorReads() throws {
        try withEnvironment(.test(mapSize: 1 << 27)) { env, _ in
            let entries = Self.seededEntries(count: 6000, seed: 21)
            let db = try Self.load(env, entries)
            try env.read { txn in
                var seen: [(UnsafeRawBufferPointer, UnsafeRawBufferPointer)] = []
                let direct = try txn.withLeafScan(db) { scan -> Bool in
                    var more = try scan.first()
                    while more {
                        seen.append((scan.key, scan.value))
                        more = try scan.next()
                    }
                    let keyCount = scan.key.count
                    let again = try scan.next()
                    #expect(keyCount == 0)
                    #expect(again == false)   // stays past the end
                    return scan.readsPagesDirectly
                }
                #expect(direct, "the layout check failed: the scan fell back to the cursor")
                // Read after the scan moved on: valid for the whole read transaction.
                #expect(seen.count == entries.count)
                for (i, (k, v)) in seen.enumerated() where i < entries.count {
                    #expect(Array(k) == entries[i].key && Array(v) == entries[i].value, "entry \(i)")
                }
                // The same addresses as the cursor's (zero-copy, the map itself).
                try txn.withCursor(db) { c in
                    var more = try c.first(), i = 0
                    while more, i < seen.count {
                        #expect(c.key.baseAddress == seen[i].0.baseAddress && c.value.baseAddress == seen[i].1.baseAddress)
                        more = try c.next()
                        i += 1
                    }
                }
            }
        }
    }

    @Test func seeksThenRunsMatchTheModel() throws {
        try withEnvironment(.test(mapSize: 1 << 27)) { env, _ in
            let entries = Self.seededEntries(count: 3000, seed: 22)
            let keys = entries.map(\.key)
            let db = try Self.load(env, entries)
            var rng = SeededRandom(seed: 23)
            var probes: [[UInt8]] = [[0x00], [0xFF], [0xFF, 0xFF]]
            for _ in 0..<400 {
                let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                probes += [key, key + [0], Array(key.dropLast())]
            }
            probes.removeAll { $0.isEmpty }   // LMDB refuses an empty key (MDB_BAD_VALSIZE)
            try env.read { txn in
                try txn.withLeafScan(db) { scan in
                    for probe in probes {
                        let expected = keys.firstIndex { !$0.lexicographicallyPrecedes(probe) }
                        var more = try probe.withUnsafeBytes { try scan.seek(atLeast: $0) }
                        #expect(more == (expected != nil))
                        guard var i = expected else { continue }
                        // Runs of 0…120 steps: within a page, across pages, to the end.
                        for _ in 0..<Int.random(in: 0...120, using: &rng) where more {
                            let key = Array(scan.key), value = Array(scan.value)
                            #expect(key == entries[i].key && value == entries[i].value, "probe \(probe), entry \(i)")
                            more = try scan.next()
                            i += 1
                            #expect(more == (i < entries.count))
                        }
                    }
                    let direct = scan.readsPagesDirectly
                    #expect(direct)
                }
            }
        }
    }

    @Test func anEmptyDatabaseHasNothingToScan() throws {
        try withEnvironment { env, _ in
            let db = try env.openDatabase("empty")
            try env.read { txn in
                try txn.withLeafScan(db) { scan in
                    let first = try scan.first()
                    let sought = try [UInt8(1)].withUnsafeBytes { try scan.seek(atLeast: $0) }
                    let next = try scan.next()
                    let empty = scan.key.count == 0 && scan.value.count == 0
                    #expect(!first && !sought && !next && empty)
                }
            }
        }
    }
}
