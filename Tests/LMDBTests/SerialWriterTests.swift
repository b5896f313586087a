import Testing

@testable import LMDB

/// SerialWriter runs write closures one after another, off the caller's thread.
@Suite struct SerialWriterTests {
    struct Custom: Error, Equatable { let id: Int }

    static func counter(_ txn: inout Transaction, _ db: Database) throws -> UInt64 {
        let n = try txn.withValue(forKey: bytes("n"), in: db) { $0.map(decodeBE64) } ?? 0
        try txn.put(bytes("n"), be64(n + 1), in: db)
        return n + 1
    }

    @Test func aThousandConcurrentWritesAllLandInSomeSerialOrder() async throws {
        try await withEnvironment(.test(durability: .noSync)) { env, _ async throws in
            let db = try env.openDatabase("data")
            let writer = SerialWriter(env)
            let results = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for i in 0..<1000 {
                    group.addTask {
                        try await writer.write { txn in
                            try txn.put(bytes("task") + be64(UInt64(i)), be64(UInt64(i)), in: db)
                            return try Self.counter(&txn, db)
                        }
                    }
                }
                var all: [UInt64] = []
                for try await r in group { all.append(r) }
                return all
            }
            // Each write saw exactly the previous one: the results are 1…1000, each once.
            #expect(results.sorted() == Array(1...1000))
            try env.read { txn throws in
                #expect(try txn.withValue(forKey: bytes("n"), in: db) { $0.map(decodeBE64) } == 1000)
                #expect(try txn.stat(db).entries == 1001)
            }
        }
    }

    @Test func errorsComeBackUnchangedAndAbort() async throws {
        try await withEnvironment { env, _ async throws in
            let db = try env.openDatabase("data")
            let writer = SerialWriter(env)
            await #expect(throws: Custom(id: 3)) {
                try await writer.write { txn in
                    try txn.put(bytes("k"), bytes("v"), in: db)
                    throw Custom(id: 3)
                }
            }
            #expect(throws: Custom(id: 4)) {
                try writer.writeSync { txn in
                    try txn.put(bytes("k"), bytes("v"), in: db)
                    throw Custom(id: 4)
                }
            }
            #expect(try env.read { try $0.get(bytes("k"), in: db) } == nil)
        }
    }

    @Test func writeSyncReturnsTheResult() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            let writer = SerialWriter(env)
            let first = try writer.writeSync { try Self.counter(&$0, db) }
            let second = try writer.writeSync { try Self.counter(&$0, db) }
            #expect((first, second) == (1, 2))
        }
    }
}
