import Testing
import Foundation
@testable import FeatureStore
import TestSupport

/// ``SortedEventRuns``: runs spilled to the temporary file come back as one
/// ascending stream, whatever the runs' sizes, the records' sizes and the
/// read buffers' size.
@Suite struct SortedEventRunsTests {
    /// A chunk of `n` random events: keys of a 5-byte prefix and 8 to 60 more
    /// bytes (the first 8 often equal, so the memcmp tail decides), values of
    /// 0 to `maxValue` bytes.
    static func chunk(_ n: Int, maxValue: Int, rng: inout SeededRandom) -> EventChunk {
        var c = EventChunk()
        for i in 0..<n {
            var key: [UInt8] = [1, 0, 0, 0, 7]
            let head = UInt64(rng.next() % 4)
            withUnsafeBytes(of: head.bigEndian) { key.append(contentsOf: $0) }
            for _ in 0..<Int(rng.next() % 52) { key.append(UInt8(truncatingIfNeeded: rng.next() % 3)) }
            // Unique, like the store's keys (their last bytes are a row sequence).
            withUnsafeBytes(of: UInt32(i).bigEndian) { key.append(contentsOf: $0) }
            c.keys.append(contentsOf: key)
            c.keyEnds.append(c.keys.count)
            let v = Int(rng.next() % UInt64(maxValue + 1))
            for j in 0..<v { c.values.append(UInt8(truncatingIfNeeded: j &+ i)) }
            c.valueEnds.append(c.values.count)
        }
        return c
    }

    static func entries(_ c: EventChunk) -> [([UInt8], [UInt8])] {
        (0..<c.count).map { (Array(c.keys[c.keyRange($0)]), Array(c.values[c.valueRange($0)])) }
    }

    static func lexicographicLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    func roundTrip(runs sizes: [Int], maxValue: Int, readBuffer: Int, writeBuffer: Int, maxRuns: Int = 512,
                   seed: UInt64) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SeededRandom(seed: seed)
        let runs = try SortedEventRuns(directory: dir, writeBufferBytes: writeBuffer, readBufferBytes: readBuffer,
                                       maxRuns: maxRuns)
        var expected: [([UInt8], [UInt8])] = []
        for (r, n) in sizes.enumerated() {
            var c = Self.chunk(n, maxValue: maxValue, rng: &rng)
            // Distinct runs never share a key: the run number goes before the sequence.
            for i in 0..<c.count { c.keys[c.keyEnds[i] - 5] = UInt8(r) }
            try runs.add(c, order: c.sortedOrder())
            expected += Self.entries(c)
        }
        // The file is unlinked from the start: nothing is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        expected.sort { Self.lexicographicLess($0.0, $1.0) }
        var got: [([UInt8], [UInt8])] = []
        try runs.merge { k, v in got.append((Array(k), Array(v))) }
        #expect(runs.count == expected.count)
        #expect(got.count == expected.count)
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
    }

    @Test func manyRunsMergeIntoOneAscendingStream() throws {
        try roundTrip(runs: [500, 1, 0, 333, 1000, 7, 250], maxValue: 40, readBuffer: 256 << 10, writeBuffer: 1 << 20, seed: 1)
    }

    @Test func recordsCrossTheReadAndWriteBuffersEnds() throws {
        // Read buffers of 100 bytes: nearly every record straddles a refill;
        // values up to 3 KiB are larger than both buffers.
        try roundTrip(runs: [300, 200, 1, 250], maxValue: 3000, readBuffer: 100, writeBuffer: 512, seed: 2)
        try roundTrip(runs: [64, 64, 64], maxValue: 8, readBuffer: 16, writeBuffer: 64, seed: 3)
    }

    @Test func manySmallRunsAreCollapsedOnTheWay() throws {
        // At 3 runs they are merged into one: 10 runs collapse four times,
        // values of 0 bytes included.
        try roundTrip(runs: [5, 1, 40, 2, 0, 33, 7, 7, 100, 3], maxValue: 6, readBuffer: 64, writeBuffer: 128, maxRuns: 3, seed: 6)
    }

    @Test func oneRunAndNoRun() throws {
        try roundTrip(runs: [1234], maxValue: 20, readBuffer: 4096, writeBuffer: 4096, seed: 4)
        try roundTrip(runs: [], maxValue: 20, readBuffer: 4096, writeBuffer: 4096, seed: 5)
    }

    @Test func anUnwritableDirectoryIsAClearError() throws {
        do {
            _ = try SortedEventRuns(directory: "/nonexistent-dir-\(UUID().uuidString)")
            Issue.record("expected an error")
        } catch let e as FeatureStoreError {
            #expect(e.kind == .io)
            #expect(e.message.contains("cannot create a temporary file in /nonexistent-dir-"))
        }
    }
}

/// ``BackfillSorter``: one chunk alone goes straight through; with a second
/// one, every event is sorted, whatever order the chunks come in.
@Suite struct BackfillSorterTests {
    /// A chunk of the keys `[1,0,0,0,7] · k (8 bytes)` for each k, value = k's low byte.
    static func chunk(_ ks: [UInt64]) -> EventChunk {
        var c = EventChunk()
        for k in ks {
            c.keys.append(contentsOf: [1, 0, 0, 0, 7])
            withUnsafeBytes(of: k.bigEndian) { c.keys.append(contentsOf: $0) }
            c.keyEnds.append(c.keys.count)
            c.values.append(UInt8(truncatingIfNeeded: k))
            c.valueEnds.append(c.values.count)
        }
        return c
    }

    static func number(_ key: some Collection<UInt8>) -> UInt64 {
        key.dropFirst(5).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Feeds the chunks; returns the keys written straight (in order) and the merged ones.
    func run(_ chunks: [[UInt64]]) throws -> (direct: [UInt64], merged: [UInt64], sorting: Bool) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sorter-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sorter = BackfillSorter(directory: dir)
        var direct: [UInt64] = []
        let write = { (c: EventChunk, o: [Int32]) in
            for i in o { direct.append(Self.number(c.keys[c.keyRange(Int(i))])) }
        }
        for ks in chunks {
            let c = Self.chunk(ks)
            try sorter.add(c, order: c.sortedOrder(), write: write)
        }
        try sorter.writePending(write)
        var merged: [UInt64] = []
        try sorter.merge { k, v in
            merged.append(Self.number(k))
            #expect(v.count == 1 && v[0] == UInt8(truncatingIfNeeded: Self.number(k)))
        }
        return (direct, merged, sorter.isSorting)
    }

    @Test func chunksInKeyOrderAreSortedToo() throws {
        let r = try run([[3, 1, 2], [4, 6, 5], [], [7], [9, 8]])
        #expect(r.sorting)
        #expect(r.direct.isEmpty)
        #expect(r.merged == Array(1...9))
    }

    @Test func overlappingChunksComeOutAsOneAscendingStream() throws {
        let r = try run([[1, 5, 9], [2, 6, 10], [3, 4], [11, 0]])
        #expect(r.sorting)
        #expect(r.direct.isEmpty)
        #expect(r.merged == Array(0...6) + [9, 10, 11])
    }

    @Test func noChunkAndOneChunkNeedNoSort() throws {
        let none = try run([])
        #expect(none.direct.isEmpty && none.merged.isEmpty && !none.sorting)
        let one = try run([[5, 4]])
        #expect(one.direct == [4, 5] && one.merged.isEmpty && !one.sorting)
        let oneAndEmpty = try run([[], [2, 1], []])
        #expect(oneAndEmpty.direct == [1, 2] && !oneAndEmpty.sorting)
    }
}
