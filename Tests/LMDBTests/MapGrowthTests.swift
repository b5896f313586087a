import Testing

@testable import LMDB

/// `write {}` grows the map on MDB_MAP_FULL and re-runs the closure, up to
/// `maxMapSize`, where `LMDBError.mapFull` surfaces.
@Suite struct MapGrowthTests {
    /// 64 KiB = 16 pages of 4 KiB. LMDB has no minimum of its own beyond the
    /// pages already in use (two meta pages for a new file); it silently rounds
    /// a smaller size up to that.
    static func tiny(maxMapSize: Int = 1 << 40) -> Environment.Options {
        var o = Environment.Options.test(mapSize: 64 << 10, durability: .noSync)
        o.maxMapSize = maxMapSize
        return o
    }

    @Test func tinyMapIsTakenAsGiven() throws {
        try withEnvironment(Self.tiny()) { env, _ throws in
            #expect(try env.info().mapSize == 64 << 10)
        }
    }

    @Test func severalMebibytesInOneWriteGrowTheMapAndReRunTheClosure() throws {
        try withEnvironment(Self.tiny()) { env, _ throws in
            let db = try env.openDatabase("data")
            var runs = 0
            let count = 1200  // × 4 KiB ≈ 4.7 MiB, on overflow pages
            let written = try env.write { txn -> Int in
                runs += 1
                for i in 0..<count { try txn.put(be64(UInt64(i)), pattern(4096, seed: UInt8(i & 0xff)), in: db) }
                return count
            }
            #expect(written == count)
            #expect(runs > 1)
            let info = try env.info()
            #expect(info.mapSize >= 4 << 20)
            #expect(info.mapSize >= info.usedBytes)
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == count)
                for i in stride(from: 0, to: count, by: 37) {
                    #expect(try txn.get(be64(UInt64(i)), in: db) == pattern(4096, seed: UInt8(i & 0xff)))
                }
            }
        }
    }

    @Test func manySmallWritesGrowTheMapAsTheyGo() throws {
        try withEnvironment(Self.tiny()) { env, _ throws in
            let db = try env.openDatabase("data")
            var sizes: Set<Int> = []
            for batch in 0..<150 {
                try env.write { txn in
                    for j in 0..<8 {
                        let i = batch * 8 + j
                        try txn.put(be64(UInt64(i)), pattern(3000, seed: UInt8(i & 0xff)), in: db)
                    }
                }
                sizes.insert(try env.info().mapSize)
            }
            #expect(sizes.count >= 3)  // it grew several times
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == 1200)
                for i in stride(from: 0, to: 1200, by: 41) {
                    #expect(try txn.get(be64(UInt64(i)), in: db) == pattern(3000, seed: UInt8(i & 0xff)))
                }
            }
        }
    }

    @Test func reachingMaxMapSizeSurfacesMapFullWithContext() throws {
        try withEnvironment(Self.tiny(maxMapSize: 1 << 20)) { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("small"), bytes("fits"), in: db) }
            var caught = false
            do {
                try env.write { txn in
                    for i in 0..<600 { try txn.put(be64(UInt64(i)), pattern(4096, seed: 1), in: db) }
                }
                Issue.record("2.4 MiB fitted in a 1 MiB map")
            } catch LMDBError.mapFull {
                caught = true
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(caught)
            // The failed write left nothing behind and the env is still usable.
            #expect(try env.info().mapSize == 1 << 20)
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == 1)
                #expect(try txn.get(be64(0), in: db) == nil)
            }
            try env.write { txn in try txn.put(bytes("after"), bytes("ok"), in: db) }
            #expect(try env.read { try $0.get(bytes("after"), in: db) } == bytes("ok"))
        }
    }

    @Test func mapFullErrorNamesTheOperationAndDatabase() throws {
        try withEnvironment(Self.tiny(maxMapSize: 256 << 10)) { env, _ throws in
            let db = try env.openDatabase("events")
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in
                    for i in 0..<200 { try txn.put(be64(UInt64(i)), pattern(4096, seed: 2), in: db) }
                }
            }
            #expect(error?.code == .mapFull)
            // The error of the put that did not fit, not of the resize that was refused.
            #expect(error?.function == "mdb_put")
            #expect(error?.database == "events")
        }
    }

    /// Same hazard on the write side: a write inside a read that needs the map
    /// to grow must fail, not wait for the enclosing read.
    @Test func aWriteInsideAReadThatMustGrowTheMapFailsInsteadOfHanging() throws {
        try withEnvironment(Self.tiny()) { env, _ throws in
            let db = try env.openDatabase("data")
            let error: LMDBError? = try env.read { _ in
                do {
                    try env.write { txn in
                        for i in 0..<200 { try txn.put(be64(UInt64(i)), pattern(4096, seed: 1), in: db) }
                    }
                    return nil
                } catch let error as LMDBError {
                    return error
                }
            }
            #expect(error?.code == .mapFull)
            #expect(error?.detail?.contains("inside a read") == true)
            // Outside the read, the same write grows the map and succeeds.
            try env.write { txn in
                for i in 0..<200 { try txn.put(be64(UInt64(i)), pattern(4096, seed: 1), in: db) }
            }
            #expect(try env.read { try $0.stat(db).entries } == 200)
        }
    }
}
