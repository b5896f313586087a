import Foundation
import Testing

@testable import LMDB

/// `read(transactions:)`: several read transactions of one snapshot, used on
/// several threads; `releaseMappedPages()`: the map's pages leave the
/// resident set, the data stays readable.
@Suite struct SnapshotTests {
    @Test func transactionsOfOneSnapshotIgnoreACommitMadeWhileTheyRead() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("old"), in: db) }
            let seen = Shared<[String]>([])
            try env.read(transactions: 2) { snapshot in
                #expect(snapshot.count == 2)
                // Thread 0 reads with transaction 0, then a writer commits,
                // then thread 1 reads with transaction 1 and a fresh read runs.
                let step = Shared(0)
                onThreads(3) { index in
                    func record(_ s: String) { seen.withLock { $0.append(s) } }
                    switch index {
                    case 0:
                        let v = try? snapshot.withTransaction(0) { try $0.get(bytes("k"), in: db) }
                        record("txn0 \(String(decoding: v ?? [], as: UTF8.self))")
                        step.withLock { $0 = 1 }
                    case 1:
                        while step.current < 1 { usleep(100) }
                        do { try env.write { txn in try txn.put(bytes("k"), bytes("new"), in: db) } } catch { record("write failed: \(error)") }
                        step.withLock { $0 = 2 }
                    default:
                        while step.current < 2 { usleep(100) }
                        let v = try? snapshot.withTransaction(1) { try $0.get(bytes("k"), in: db) }
                        record("txn1 \(String(decoding: v ?? [], as: UTF8.self))")
                        let fresh = try? env.read { try $0.get(bytes("k"), in: db) }
                        record("fresh \(String(decoding: fresh ?? [], as: UTF8.self))")
                    }
                }
            }
            #expect(seen.current == ["txn0 old", "txn1 old", "fresh new"])
        }
    }

    /// A writer commits as fast as it can, changing every key together; each
    /// `read(transactions: 4)` must see one state through all four (the id
    /// check and retry), and the ids agree.
    @Test func aSnapshotNeverMixesTwoCommits() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("counters")
            let keys = (0..<4).map { bytes("counter-\($0)") }
            try env.write { txn in for k in keys { try txn.put(k, be64(0), in: db) } }
            let done = Shared(false)
            let outcome = Shared<(reads: Int, mixed: Int, errors: [String])>((0, 0, []))
            onThreads(2) { index in
                if index == 0 {
                    for round in 1...300 {
                        do {
                            try env.write { txn in for k in keys { try txn.put(k, be64(UInt64(round)), in: db) } }
                        } catch {
                            outcome.withLock { $0.errors.append("\(error)") }
                        }
                    }
                    done.withLock { $0 = true }
                } else {
                    while !done.current {
                        do {
                            let values = try env.read(transactions: 4) { snapshot in
                                try (0..<4).map { i in
                                    try snapshot.withTransaction(i) { txn in
                                        try txn.withValue(forKey: keys[i], in: db) { decodeBE64($0!) }
                                    }
                                }
                            }
                            outcome.withLock {
                                $0.reads += 1
                                if Set(values).count != 1 { $0.mixed += 1 }
                            }
                        } catch {
                            outcome.withLock { $0.errors.append("\(error)") }
                        }
                    }
                }
            }
            #expect(outcome.current.errors.isEmpty, "\(outcome.current.errors.prefix(3))")
            #expect(outcome.current.reads > 0)
            #expect(outcome.current.mixed == 0)
        }
    }

    #if os(Linux)
    /// Resident kB of this process's mappings of `file` (`Rss:` of its
    /// /proc/self/smaps entries): this test's map alone. (The process's
    /// `RssFile` also moved with the other suites' stores, which run at the
    /// same time, and failed a check once.)
    static func mappedKB(_ file: String) -> Int {
        // Read to the end: smaps is longer than one read (Foundation's
        // `String(contentsOfFile:)` stops at the first 4 KiB of a /proc file).
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var total = 0
        var inFile = false
        for line in text.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-"), line.split(separator: " ").count >= 5 {
                inFile = line.hasSuffix(" " + file) || line.hasSuffix("\t" + file)
            } else if inFile, line.hasPrefix("Rss:") {
                total += Int(line.dropFirst(4).filter(\.isNumber)) ?? 0
            }
        }
        return total
    }

    @Test func releasedPagesLeaveTheResidentSetAndStayReadable() throws {
        try withEnvironment(.test(mapSize: 1 << 27)) { env, dir throws in
            let file = dir + "/data.mdb"
            let db = try env.openDatabase("data")
            // 32 MB of values (2 KB each, on leaf pages of their own).
            let count = 16_384
            try env.write { txn in
                for i in 0..<count { try txn.put(be64(UInt64(i)), pattern(2048, seed: UInt8(i & 0xFF)), in: db) }
            }
            try env.read(transactions: 1) { snapshot in
                try snapshot.withTransaction(0) { txn in
                    var pointers: [UnsafeRawBufferPointer] = []
                    try txn.withCursor(db) { c in
                        var more = try c.first()
                        while more { pointers.append(c.value); more = try c.next() }
                    }
                    var sum = 0
                    for p in pointers { sum &+= Int(p[0]) &+ Int(p[2047]) }   // every page mapped now
                    let before = Self.mappedKB(file)
                    try env.releaseMappedPages()
                    let after = Self.mappedKB(file)
                    #expect(before - after >= 16 << 10, "mapped \(before) kB → \(after) kB")
                    // The same pointers read the same bytes again (mapped back on access).
                    #expect(pointers.count == count)
                    for (i, p) in pointers.enumerated() where Array(p) != pattern(2048, seed: UInt8(i & 0xFF)) {
                        Issue.record("value \(i) changed after the release")
                        break
                    }
                    #expect(sum != 0)
                }
            }
        }
    }

    @Test func aRangeReleaseDropsOnlyThosePagesAndNothingOutsideTheMap() throws {
        try withEnvironment(.test(mapSize: 1 << 27)) { env, dir throws in
            let file = dir + "/data.mdb"
            let db = try env.openDatabase("data")
            let count = 16_384   // 32 MB of 2 KB values, as above
            try env.write { txn in
                for i in 0..<count { try txn.put(be64(UInt64(i)), pattern(2048, seed: UInt8(i & 0xFF)), in: db) }
            }
            // Heap bytes next to nothing of the map: a range release must never reach them.
            var heap = [UInt8](repeating: 0xAB, count: 1 << 20)
            try env.read(transactions: 1) { snapshot in
                try snapshot.withTransaction(0) { txn in
                    var pointers: [UnsafeRawBufferPointer] = []
                    var pages: [UInt] = []
                    try txn.withCursor(db) { c in
                        var more = try c.first()
                        while more { pointers.append(c.value); pages.append(c.keyPage); more = try c.next() }
                    }
                    var sum = 0
                    for p in pointers { sum &+= Int(p[0]) &+ Int(p[2047]) }
                    // The first half's key pages: about half of the file's resident pages go.
                    let half = pages[0..<count / 2]
                    let before = Self.mappedKB(file)
                    try snapshot.releaseMappedPages(half.min()!...half.max()!)
                    let afterHalf = Self.mappedKB(file)
                    #expect(before - afterHalf >= 8 << 10, "mapped \(before) kB → \(afterHalf) kB")
                    // The second half is still mapped: reading it adds nothing.
                    for p in pointers[(count / 2)...] { sum &+= Int(p[1]) }
                    #expect(Self.mappedKB(file) - afterHalf < 4 << 10)
                    // A range around the heap array and beyond the map is clamped to the map.
                    heap.withUnsafeBytes { h in
                        let page = UInt(bitPattern: h.baseAddress!) / 4096
                        #expect(throws: Never.self) { try snapshot.releaseMappedPages(page...(page + 256)) }
                    }
                    try snapshot.releaseMappedPages(0...UInt.max / 4096 - 1)
                    #expect(heap.allSatisfy { $0 == 0xAB })
                    // Every value reads back unchanged.
                    for (i, p) in pointers.enumerated() where Array(p) != pattern(2048, seed: UInt8(i & 0xFF)) {
                        Issue.record("value \(i) changed after the release")
                        break
                    }
                    #expect(sum != 0)
                }
            }
        }
    }
    #endif
}
