import Testing

@testable import LMDB
import TestSupport

/// Cursors compared against a sorted Swift array of the same random keys.
@Suite struct CursorTests {
    /// Random keys of 1…12 bytes in 0x01…0xFE, so `[0x00]` sorts before every
    /// key and `[0xFF]` after every key. Returned sorted and unique (memcmp order,
    /// shorter first on a common prefix — LMDB's default comparator).
    static func seededKeys(count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        var set = Set<[UInt8]>()
        while set.count < count {
            let length = Int.random(in: 1...12, using: &rng)
            // A small alphabet so keys share prefixes often.
            set.insert((0..<length).map { _ in UInt8.random(in: 0x01...0x08, using: &rng) * 0x1F })
        }
        return set.sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func value(for key: [UInt8]) -> [UInt8] { key.reversed() + [UInt8(key.count)] }

    static func seed(_ env: Environment, _ keys: [[UInt8]]) throws -> Database {
        let db = try env.openDatabase("data")
        var rng = SeededRandom(seed: UInt64(keys.count))
        let shuffled = keys.shuffled(using: &rng)  // insertion order must not matter
        try env.write { txn in
            for key in shuffled { try txn.put(key, value(for: key), in: db) }
        }
        return db
    }

    /// Model answers.
    static func atLeast(_ probe: [UInt8], in keys: [[UInt8]]) -> [UInt8]? {
        keys.first { !$0.lexicographicallyPrecedes(probe) }
    }
    static func atMost(_ probe: [UInt8], in keys: [[UInt8]]) -> [UInt8]? {
        keys.last { !probe.lexicographicallyPrecedes($0) }
    }

    /// Probes at every boundary: each key, just after it, just before it, before
    /// the first key, after the last, plus random ones.
    static func probes(for keys: [[UInt8]]) -> [[UInt8]] {
        var probes: [[UInt8]] = [[0x00], [0x01], [0xFF], [0xFF, 0xFF], [UInt8](repeating: 0xFF, count: 13)]
        for key in keys {
            probes.append(key)
            probes.append(key + [0x00])  // strictly between key and its successor
            var before = key
            if before[before.count - 1] > 0 {
                before[before.count - 1] -= 1  // between the predecessor and key (or equal to neither)
                probes.append(before)
            }
            if key.count > 1 { probes.append(Array(key.dropLast())) }  // a prefix: sorts before key
        }
        var rng = SeededRandom(seed: 5)
        for _ in 0..<300 {
            probes.append((0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        return probes
    }

    @Test func forwardAndBackwardIterationMatchTheModel() throws {
        let keys = Self.seededKeys(count: 600, seed: 42)
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, keys)
            try env.read { txn throws in
                try txn.withCursor(db) { c in
                    var seen: [[UInt8]] = []
                    var more = try c.first()
                    while more {
                        seen.append(Array(c.key))
                        #expect(Array(c.value) == Self.value(for: Array(c.key)))
                        more = try c.next()
                    }
                    #expect(seen == keys)
                    // Past the end, key and value are empty.
                    #expect(c.key.isEmpty && c.value.isEmpty)

                    var backwards: [[UInt8]] = []
                    more = try c.last()
                    while more {
                        backwards.append(Array(c.key))
                        more = try c.previous()
                    }
                    #expect(backwards == keys.reversed())
                }
            }
        }
    }

    @Test func seeksMatchTheModelAtEveryBoundary() throws {
        let keys = Self.seededKeys(count: 400, seed: 7)
        let keySet = Set(keys)
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, keys)
            try env.read { txn throws in
                try txn.withCursor(db) { c throws in
                    for probe in Self.probes(for: keys) {
                        let least = Self.atLeast(probe, in: keys)
                        #expect(try c.seek(atLeast: probe) == (least != nil), "atLeast \(probe)")
                        #expect((least == nil ? [] : Array(c.key)) == (least ?? []), "atLeast \(probe)")
                        if let least { #expect(Array(c.value) == Self.value(for: least)) }

                        let most = Self.atMost(probe, in: keys)
                        #expect(try c.seek(atMost: probe) == (most != nil), "atMost \(probe)")
                        #expect((most == nil ? [] : Array(c.key)) == (most ?? []), "atMost \(probe)")
                        if let most { #expect(Array(c.value) == Self.value(for: most)) }

                        let exact = keySet.contains(probe)
                        #expect(try c.seek(exactly: probe) == exact, "exactly \(probe)")
                        if exact {
                            #expect(Array(c.key) == probe)
                            #expect(Array(c.value) == Self.value(for: probe))
                        }
                    }
                }
            }
        }
    }

    @Test func iterationContinuesFromASeek() throws {
        let keys = Self.seededKeys(count: 200, seed: 11)
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, keys)
            try env.read { txn throws in
                try txn.withCursor(db) { c in
                    let start = keys[73]
                    var rest: [[UInt8]] = []
                    var more = try c.seek(atLeast: start)
                    while more { rest.append(Array(c.key)); more = try c.next() }
                    #expect(rest == Array(keys[73...]))
                    // From before the first key, previous() runs off the front.
                    #expect(try c.seek(atLeast: [0x00]))
                    #expect(Array(c.key) == keys[0])
                    #expect(try !c.previous())
                }
            }
        }
    }

    @Test func emptyDatabase() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("empty")
            try env.read { txn throws in
                try txn.withCursor(db) { c throws in
                    #expect(try !c.first())
                    #expect(try !c.last())
                    #expect(try !c.next())
                    #expect(try !c.seek(atLeast: [0x01]))
                    #expect(try !c.seek(atMost: [0x01]))
                    #expect(try !c.seek(exactly: [0x01]))
                }
            }
        }
    }

    @Test func deleteEveryOtherKeyWithDeleteCurrentAndRefresh() throws {
        let keys = Self.seededKeys(count: 1500, seed: 3)  // several leaf pages
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, keys)
            let visited = try env.write { txn in
                try txn.withWriteCursor(db) { c in
                    var visited: [[UInt8]] = []
                    var index = 0
                    var more = try c.first()
                    while more {
                        visited.append(Array(c.key))
                        if index % 2 == 0 {
                            try c.deleteCurrent()
                            more = try c.refresh()  // now on the entry after the deleted one
                        } else {
                            more = try c.next()
                        }
                        index += 1
                    }
                    return visited
                }
            }
            #expect(visited == keys)
            let survivors = keys.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == survivors.count)
                let remaining = try txn.withCursor(db) { c in
                    var out: [[UInt8]] = []
                    var more = try c.first()
                    while more { out.append(Array(c.key)); more = try c.next() }
                    return out
                }
                #expect(remaining == survivors)
            }
        }
    }

    /// LMDB's rule, pinned: after `mdb_cursor_del` the cursor already sits on
    /// the following entry, and the *next* `MDB_NEXT` returns that entry rather
    /// than skipping it. So "delete, then next()" visits every key as well.
    @Test func nextAfterDeleteCurrentDoesNotSkip() throws {
        let keys = (0..<1000).map { be64(UInt64($0)) }
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, keys)
            let visited = try env.write { txn in
                try txn.withWriteCursor(db) { c in
                    var visited: [[UInt8]] = []
                    var more = try c.first()
                    while more {
                        visited.append(Array(c.key))
                        if visited.count % 3 == 0 { try c.deleteCurrent() }
                        more = try c.next()
                    }
                    return visited
                }
            }
            #expect(visited == keys)
            #expect(try env.read { try $0.stat(db).entries } == keys.count - keys.count / 3)
        }
    }

    @Test func deletingTheLastKeyLeavesTheCursorPastTheEnd() throws {
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, [[1], [2], [3]])
            try env.write { txn in
                try txn.withWriteCursor(db) { c in
                    #expect(try c.last())
                    try c.deleteCurrent()
                    #expect(try !c.refresh())
                    #expect(try c.last())
                    #expect(Array(c.key) == [2])
                }
            }
        }
    }

    @Test func cursorPutWritesThroughTheCursor() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in
                try txn.withWriteCursor(db) { c in
                    for i: UInt64 in 0..<100 {
                        try be64(i).withUnsafeBytes { k in
                            try be64(i * 2).withUnsafeBytes { v in try c.put(k, v, flags: .append) }
                        }
                    }
                }
            }
            #expect(try env.read { try $0.get(be64(42), in: db) } == be64(84))
        }
    }

    @Test func deletingThroughACursorInAReadTransactionIsRefused() throws {
        try withEnvironment { env, _ throws in
            let db = try Self.seed(env, [[1], [2]])
            let error = #expect(throws: LMDBError.self) {
                try env.read { txn throws in
                    try txn.withCursor(db) { c in
                        _ = try c.first()
                        try c.deleteCurrent()
                    }
                }
            }
            #expect(error?.code.rawValue == 13)  // EACCES
            #expect(error?.function == "mdb_cursor_del")
            #expect(try env.read { try $0.stat(db).entries } == 2)
        }
    }
}
