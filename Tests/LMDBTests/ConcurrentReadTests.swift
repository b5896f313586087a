import Foundation
import Testing

@testable import LMDB

/// Reader threads take snapshots while a writer commits transactions that
/// change several keys together; no snapshot may mix two commits. The second
/// test also grows the map under the readers (the resize lock's job).
@Suite struct ConcurrentReadTests {
    static let keyCount = 8
    static let keys = (0..<keyCount).map { bytes("counter-\($0)") }

    struct Outcome {
        var reads = 0
        var torn = 0
        var wentBackwards = 0
        var distinctValuesSeen = Set<UInt64>()
        var readsPerReader: [Int] = []
        var errors: [String] = []
        /// Map sizes the writer saw after its commits (more than one: it grew).
        var mapSizes = Set<Int>()
    }

    /// One writer thread commits `rounds` transactions, each setting every
    /// counter key to the round number (plus an optional filler value to make
    /// the data grow); `readers` threads read all keys in one snapshot until
    /// the writer is done.
    static func run(_ env: Environment, rounds: Int, readers: Int, fillerSize: Int) throws -> Outcome {
        let db = try env.openDatabase("counters")
        let filler = pattern(fillerSize, seed: 9)
        let done = Shared(false)
        let started = Shared(0)
        let readsSoFar = Shared(0)
        let outcome = Shared(Outcome())
        outcome.withLock { $0.readsPerReader = Array(repeating: 0, count: readers) }

        onThreads(readers + 1) { index in
            if index == 0 {
                // Start writing only once every reader is reading, so they overlap.
                while started.current < readers { usleep(100) }
                do {
                    var sizes = Set<Int>()
                    defer { outcome.withLock { $0.mapSizes = sizes } }
                    for round in 1...rounds {
                        try env.write { txn in
                            let value = be64(UInt64(round)) + [UInt8](repeating: UInt8(round & 0xff), count: 56)
                            for key in keys { try txn.put(key, value, in: db) }
                            if fillerSize > 0 { try txn.put(bytes("filler") + be64(UInt64(round)), filler, in: db) }
                        }
                        sizes.insert(try env.info().mapSize)
                        // Every 20 commits, let each reader get a snapshot in, so
                        // the readers see intermediate rounds even on a loaded box
                        // (a timing-free overlap; gives up after a second).
                        if round % 20 == 0 {
                            let target = readsSoFar.current + readers
                            var waited = 0
                            while readsSoFar.current < target, waited < 10_000 { usleep(100); waited += 1 }
                        }
                    }
                } catch {
                    outcome.withLock { $0.errors.append("writer: \(error)") }
                }
                done.withLock { $0 = true }
                return
            }
            var last: UInt64 = 0
            var reads = 0, torn = 0, backwards = 0
            var seen = Set<UInt64>()
            started.withLock { $0 += 1 }
            repeat {
                do {
                    let values = try env.read { txn in
                        try keys.map { key in
                            try txn.withValue(forKey: key, in: db) { $0.map(decodeBE64) ?? 0 }
                        }
                    }
                    reads += 1
                    readsSoFar.withLock { $0 += 1 }
                    if Set(values).count != 1 { torn += 1 }
                    if values[0] < last { backwards += 1 }
                    last = values[0]
                    seen.insert(values[0])
                } catch {
                    outcome.withLock { $0.errors.append("reader \(index): \(error)") }
                    break
                }
            } while !done.current
            outcome.withLock {
                $0.reads += reads
                $0.torn += torn
                $0.wentBackwards += backwards
                $0.distinctValuesSeen.formUnion(seen)
                $0.readsPerReader[index - 1] = reads
            }
        }

        let final = try env.read { txn in
            try keys.map { try txn.withValue(forKey: $0, in: db) { $0.map(decodeBE64) } }
        }
        #expect(final == Array(repeating: UInt64(rounds), count: keyCount))
        return outcome.current
    }

    @Test func readersNeverSeeATornSnapshot() throws {
        try withEnvironment(.test(durability: .noSync)) { env, _ throws in
            let outcome = try Self.run(env, rounds: 400, readers: 4, fillerSize: 0)
            #expect(outcome.errors.isEmpty, "\(outcome.errors)")
            #expect(outcome.torn == 0)
            #expect(outcome.wentBackwards == 0)
            #expect(outcome.readsPerReader.allSatisfy { $0 > 0 })
            // Readers overlapped the writer: they saw intermediate rounds.
            #expect(outcome.distinctValuesSeen.count >= 10)
        }
    }

    @Test func readersNeverSeeATornSnapshotWhileTheMapGrows() throws {
        var options = Environment.Options.test(mapSize: 64 << 10, durability: .noSync)
        options.maxMapSize = 1 << 30
        try withEnvironment(options) { env, _ throws in
            let outcome = try Self.run(env, rounds: 500, readers: 4, fillerSize: 16 << 10)
            #expect(outcome.errors.isEmpty, "\(outcome.errors)")
            #expect(outcome.torn == 0)
            #expect(outcome.wentBackwards == 0)
            #expect(outcome.readsPerReader.allSatisfy { $0 > 0 })
            #expect(outcome.distinctValuesSeen.count >= 10)
            // 500 × 16 KiB ≈ 8 MiB from 64 KiB: several resizes happened under the readers.
            #expect(try env.info().mapSize >= 8 << 20)
            #expect(outcome.mapSizes.count >= 4)
        }
    }

    /// A read nested in a read must not queue behind a resize that is itself
    /// waiting for the outer read (it would with a writer-preferring lock whose
    /// shared holds are not re-entrant: checked, that variant hangs here).
    @Test(.timeLimit(.minutes(1)))
    func aNestedReadDoesNotQueueBehindAWaitingResize() throws {
        var options = Environment.Options.test(mapSize: 64 << 10, durability: .noSync)
        options.maxMapSize = 1 << 30
        try withEnvironment(options) { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            let writerDone = Shared(false)
            let nested = try env.read { outer -> [UInt8]? in
                _ = try outer.get(bytes("k"), in: db)
                // A writer that must grow the map, so it waits for this read.
                let filler = pattern(4096, seed: 4)
                let writer = Thread {
                    try? env.write { txn in
                        for i in 0..<200 { try txn.put(be64(UInt64(i)), filler, in: db) }
                    }
                    writerDone.withLock { $0 = true }
                }
                writer.start()
                usleep(100_000)  // let it reach the exclusive lock (not needed for correctness)
                #expect(!writerDone.current)
                return try env.read { try $0.get(bytes("k"), in: db) }
            }
            #expect(nested == bytes("v"))
            while !writerDone.current { usleep(1_000) }
            #expect(try env.read { try $0.stat(db).entries } == 201)
        }
    }
}
