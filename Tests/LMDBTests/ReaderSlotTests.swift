import Foundation
import Testing

@testable import LMDB

/// Reads give their reader slot back (to the pool or to LMDB), whatever happens.
@Suite struct ReaderSlotTests {
    @Test func tenThousandSequentialReadsReuseOneSlot() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            for _ in 0..<10_000 {
                _ = try env.read { try $0.get(bytes("k"), in: db) }
            }
            let slots = try env.readerSlots()
            #expect(slots.heldByThisProcess == 1)
            #expect(slots.pooled == 1)
            #expect(slots.activeInThisProcess == 0)
            // High-water mark: only one slot was ever needed.
            #expect(try env.info().readersUsed == 1)
        }
    }

    @Test func eightThreadsOfTwoThousandReadsStayBounded() throws {
        let threads = 8
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            let failures = Shared(0)
            onThreads(threads) { _ in
                for _ in 0..<2_000 {
                    do {
                        if try env.read({ try $0.get(bytes("k"), in: db) }) != bytes("v") { failures.withLock { $0 += 1 } }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
            #expect(failures.current == 0)
            let slots = try env.readerSlots()
            #expect(slots.pooled <= threads)
            #expect(slots.heldByThisProcess == slots.pooled)
            #expect(try env.info().readersUsed <= env.readerPool.capacity + threads)
            #expect(try env.info().readersUsed <= threads)  // a handle is only made when none is parked
        }
    }

    @Test func handlesBeyondThePoolCapacityGiveTheirSlotsBack() throws {
        var options = Environment.Options.test()
        options.maxReaders = 8  // pool capacity 4
        try withEnvironment(options) { env, _ throws in
            #expect(env.readerPool.capacity == 4)
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            // Eight nested reads hold eight slots at once; unwinding parks four
            // and aborts the other four.
            func nest(_ depth: Int) throws {
                if depth == 0 {
                    #expect(try env.readerSlots().activeInThisProcess == 8)
                    return
                }
                try env.read { txn in
                    _ = try txn.get(bytes("k"), in: db)
                    try nest(depth - 1)
                }
            }
            try nest(8)
            let slots = try env.readerSlots()
            #expect(slots.pooled == 4)
            #expect(slots.heldByThisProcess == 4)
        }
    }

    @Test func aReadThatThrowsReleasesItsSnapshot() throws {
        struct Boom: Error {}
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            for _ in 0..<100 {
                #expect(throws: Boom.self) {
                    try env.read { txn in
                        #expect(try env.readerSlots().activeInThisProcess == 1)
                        _ = try txn.get(bytes("k"), in: db)
                        throw Boom()
                    }
                }
            }
            let slots = try env.readerSlots()
            #expect(slots.activeInThisProcess == 0)
            #expect(slots.heldByThisProcess == 1)
        }
    }

    @Test func aReadThatFailsInLMDBReleasesItsSnapshot() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            #expect(throws: LMDBError.self) {
                try env.read { txn in _ = try txn.get([], in: db) }  // empty key: MDB_BAD_VALSIZE
            }
            #expect(try env.readerSlots().activeInThisProcess == 0)
        }
    }

    @Test func readersFullIsReportedAndLeavesNoSlotBehind() throws {
        var options = Environment.Options.test()
        options.maxReaders = 2
        try withEnvironment(options) { env, _ throws in
            let max = try env.info().maxReaders
            try #require(max <= 64, "LMDB rounded maxReaders up to \(max)")
            func nest(_ depth: Int) throws {
                if depth == 0 { return }
                try env.read { _ in try nest(depth - 1) }
            }
            let error = #expect(throws: LMDBError.self) { try nest(max + 1) }
            #expect(error?.code == .readersFull)
            #expect(try env.readerSlots().activeInThisProcess == 0)
            // And reading works again afterwards.
            try nest(max)
        }
    }
}
