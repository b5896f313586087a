import Testing

@testable import LMDB

/// Point operations: put, get, delete, flags, reserve, clear, stat, sizes.
@Suite struct TransactionTests {
    @Test func putGetOverwriteDelete() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in
                try txn.put(bytes("a"), bytes("1"), in: db)
                try txn.put(bytes("b"), bytes("2"), in: db)
            }
            #expect(try env.read { try $0.get(bytes("a"), in: db) } == bytes("1"))
            #expect(try env.read { try $0.get(bytes("zz"), in: db) } == nil)

            try env.write { txn in try txn.put(bytes("a"), bytes("one"), in: db) }
            #expect(try env.read { try $0.get(bytes("a"), in: db) } == bytes("one"))

            let deleted = try env.write { txn in
                (try txn.delete(bytes("a"), in: db), try txn.delete(bytes("a"), in: db))
            }
            #expect(deleted == (true, false))
            #expect(try env.read { try $0.get(bytes("a"), in: db) } == nil)
            #expect(try env.read { try $0.stat(db).entries } == 1)
        }
    }

    @Test func writesAreVisibleInsideTheirOwnTransaction() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in
                try txn.put(bytes("k"), bytes("v"), in: db)
                #expect(try txn.get(bytes("k"), in: db) == bytes("v"))
                #expect(try txn.stat(db).entries == 1)
            }
        }
    }

    @Test func noOverwriteOnExistingKeyThrowsKeyExistsAndKeepsTheValue() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("old"), in: db) }
            var matched = false
            do {
                try env.write { txn in try txn.put(bytes("k"), bytes("new"), in: db, flags: .noOverwrite) }
            } catch LMDBError.keyExists {
                matched = true
            }
            #expect(matched)
            #expect(try env.read { try $0.get(bytes("k"), in: db) } == bytes("old"))
            // A new key with noOverwrite is fine.
            try env.write { txn in try txn.put(bytes("k2"), bytes("x"), in: db, flags: .noOverwrite) }
        }
    }

    @Test func appendAcceptsSortedKeysAndRejectsOutOfOrderOnes() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in
                for i: UInt64 in 1...100 { try txn.put(be64(i), be64(i * 10), in: db, flags: .append) }
            }
            #expect(try env.read { try $0.stat(db).entries } == 100)
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(be64(50), bytes("x"), in: db, flags: .append) }
            }
            #expect(error?.code == .keyExists)
            #expect(error?.function == "mdb_put")
            #expect(error?.database == "data")
            // Appending an equal key is out of order too.
            #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(be64(100), bytes("x"), in: db, flags: .append) }
            }
            #expect(try env.read { try $0.get(be64(50), in: db) } == be64(500))
        }
    }

    @Test func reservePutFillsInPlace() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let expected = pattern(3000, seed: 7)
            try env.write { txn in
                try bytes("reserved").withUnsafeBytes { key in
                    try txn.put(key, reserving: expected.count, in: db) { buffer in
                        #expect(buffer.count == expected.count)
                        buffer.copyBytes(from: expected)
                    }
                }
            }
            #expect(try env.read { try $0.get(bytes("reserved"), in: db) } == expected)
        }
    }

    @Test func clearEmptiesTheDatabaseButKeepsItUsable() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let other = try env.openDatabase("other")
            try env.write { txn in
                for i: UInt64 in 0..<500 { try txn.put(be64(i), pattern(100, seed: UInt8(i & 0xff)), in: db) }
                try txn.put(bytes("keep"), bytes("me"), in: other)
            }
            #expect(try env.read { try $0.stat(db).entries } == 500)
            try env.write { txn in try txn.clear(db) }
            #expect(try env.read { try $0.stat(db).entries } == 0)
            #expect(try env.read { try $0.get(be64(1), in: db) } == nil)
            #expect(try env.read { try $0.get(bytes("keep"), in: other) } == bytes("me"))
            try env.write { txn in try txn.put(bytes("again"), bytes("1"), in: db) }
            #expect(try env.read { try $0.stat(db).entries } == 1)
        }
    }

    @Test func statCountsEntriesAndPages() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in
                for i: UInt64 in 0..<2000 { try txn.put(be64(i), be64(i), in: db) }
            }
            let stat = try env.read { try $0.stat(db) }
            #expect(stat.entries == 2000)
            #expect(stat.depth >= 2)
            #expect(stat.branchPages >= 1)
            #expect(stat.leafPages > 1)
            #expect(stat.overflowPages == 0)
            #expect(stat.pageSize == (try env.info().pageSize))
            #expect(stat.bytes == (stat.branchPages + stat.leafPages) * stat.pageSize)
        }
    }

    @Test func emptyAndOneMebibyteValues() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let big = pattern(1 << 20, seed: 3)
            try env.write { txn in
                try txn.put(bytes("empty"), [], in: db)
                try txn.put(bytes("big"), big, in: db)
            }
            try env.read { txn throws in
                #expect(try txn.get(bytes("empty"), in: db) == [])
                // Present-but-empty is not absent.
                #expect(try txn.withValue(forKey: bytes("empty"), in: db) { $0?.count } == 0)
                #expect(try txn.get(bytes("big"), in: db) == big)
                let stat = try txn.stat(db)
                // 1 MiB lives on overflow pages: ceil((1 MiB + header) / page size).
                #expect(stat.overflowPages >= (1 << 20) / stat.pageSize)
            }
            // Overwriting the big value with a small one frees its overflow pages.
            try env.write { txn in try txn.put(bytes("big"), bytes("small"), in: db) }
            #expect(try env.read { try $0.stat(db).overflowPages } == 0)
        }
    }

    @Test func keySizeLimitIs511Bytes() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let ok = [UInt8](repeating: 0x41, count: 511)
            try env.write { txn in try txn.put(ok, bytes("v"), in: db) }
            #expect(try env.read { try $0.get(ok, in: db) } == bytes("v"))

            let tooLong = [UInt8](repeating: 0x41, count: 512)
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(tooLong, bytes("v"), in: db) }
            }
            #expect(error?.code == .badValueSize)
            #expect(error?.function == "mdb_put")
            #expect(error?.database == "data")
            let text = error.map(String.init(describing:)) ?? ""
            #expect(text.contains("mdb_put"))
            #expect(text.contains("'data'"))
            #expect(text.contains("MDB_BAD_VALSIZE"))

            // The empty key is invalid as well.
            let empty = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put([], bytes("v"), in: db) }
            }
            #expect(empty?.code == .badValueSize)
            // Looking a too-long key up is simply "absent".
            #expect(try env.read { try $0.get(tooLong, in: db) } == nil)
        }
    }

    @Test func databasesAreIndependentNamespaces() throws {
        try withEnvironment { env, _ throws in
            let a = try env.openDatabase("a")
            let b = try env.openDatabase("b")
            #expect(a != b)
            #expect(try env.openDatabase("a") == a)
            try env.write { txn in
                try txn.put(bytes("k"), bytes("in a"), in: a)
                try txn.put(bytes("k"), bytes("in b"), in: b)
            }
            #expect(try env.read { try $0.get(bytes("k"), in: a) } == bytes("in a"))
            #expect(try env.read { try $0.get(bytes("k"), in: b) } == bytes("in b"))
        }
    }
}
