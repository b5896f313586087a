import Testing

@testable import LMDB

/// `write {}` commits on return, aborts on throw, and lets errors through unchanged.
@Suite struct WriteClosureTests {
    struct Custom: Error, Equatable { let id: Int }

    @Test func returningCommitsAndHandsBackTheResult() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let result = try env.write { txn -> String in
                try txn.put(bytes("k"), bytes("v"), in: db)
                return "done"
            }
            #expect(result == "done")
            #expect(try env.read { try $0.get(bytes("k"), in: db) } == bytes("v"))
        }
    }

    @Test func throwingAbortsEverythingAndTheErrorComesOutAsItself() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("before"), bytes("1"), in: db) }
            var runs = 0
            let thrown = #expect(throws: Custom.self) {
                try env.write { txn in
                    runs += 1
                    for i: UInt64 in 0..<1000 { try txn.put(be64(i), be64(i), in: db) }
                    try txn.put(bytes("before"), bytes("changed"), in: db)
                    try txn.delete(bytes("before"), in: db)
                    throw Custom(id: 42)
                }
            }
            #expect(thrown == Custom(id: 42))
            #expect(runs == 1)  // only map-full retries re-run the closure
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == 1)
                #expect(try txn.get(bytes("before"), in: db) == bytes("1"))
                #expect(try txn.get(be64(5), in: db) == nil)
            }
        }
    }

    @Test func anUncaughtLMDBErrorAbortsTheWholeTransaction() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            var matched = false
            do {
                try env.write { txn in
                    try txn.put(bytes("other"), bytes("x"), in: db)
                    try txn.put(bytes("k"), bytes("w"), in: db, flags: .noOverwrite)
                }
            } catch LMDBError.keyExists {
                matched = true
            }
            #expect(matched)
            #expect(try env.read { try $0.get(bytes("other"), in: db) } == nil)
        }
    }

    @Test func aCaughtLMDBErrorInsideTheClosureDoesNotPreventTheCommit() throws {
        // keyExists does not poison an LMDB transaction: catching it is fine.
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            try env.write { txn in
                do { try txn.put(bytes("k"), bytes("w"), in: db, flags: .noOverwrite) } catch LMDBError.keyExists {}
                try txn.put(bytes("other"), bytes("x"), in: db)
            }
            #expect(try env.read { try $0.get(bytes("other"), in: db) } == bytes("x"))
            #expect(try env.read { try $0.get(bytes("k"), in: db) } == bytes("v"))
        }
    }

    @Test func readClosureErrorsComeOutUnchanged() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let thrown = #expect(throws: Custom.self) {
                try env.read { txn throws in
                    _ = try txn.get(bytes("k"), in: db)
                    throw Custom(id: 7)
                }
            }
            #expect(thrown == Custom(id: 7))
        }
    }

    @Test func eachWriteSeesThePreviousCommit() throws {
        try withEnvironment(.test(durability: .noSync)) { env, _ throws in
            let db = try env.openDatabase("data")
            for _ in 0..<50 {
                try env.write { txn in
                    let n = try txn.withValue(forKey: bytes("n"), in: db) { $0.map(decodeBE64) } ?? 0
                    try txn.put(bytes("n"), be64(n + 1), in: db)
                }
            }
            #expect(try env.read { try $0.withValue(forKey: bytes("n"), in: db) { $0.map(decodeBE64) } } == 50)
        }
    }
}
