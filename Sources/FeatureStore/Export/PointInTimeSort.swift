import Tabular

/// Steps 1 and 2 of the walk for integer join keys (the usual case), on two
/// threads: each half of the block's rows becomes sort entries straight from
/// the key columns, then a stable LSD radix sort whose every pass counts and
/// scatters the two halves at once.
///
/// This runs after the last entity row is read and before any table is
/// walked: a serial step with a core idle (8 % of the export's wall time on
/// a million rows before it was split). The entries' 16-byte heads are the
/// keys as the event log encodes them (big-endian, sign bit flipped), so no
/// key bytes are written and read back: with at most 16 bytes the head is
/// the whole key.
extension PointInTimeWalker {
    /// Blocks with fewer rows are sorted on one thread.
    static let parallelSortRows = 1 << 16

    /// One half's entries, the bits its heads share and its first error.
    private struct Half {
        var entries: [Entry] = []
        var andHi = UInt64.max, orHi: UInt64 = 0, andLo = UInt64.max, orLo: UInt64 = 0
        /// (join key index, block row, error): the first in key-major order, as the one-thread encoding met them.
        var error: (key: Int, row: Int, error: FeatureStoreError)?
    }

    /// Rows sorted by (key, t, row) for a table whose keys are integers
    /// (``PointInTimePlan/Table/fixedKeyBytes``); no key bytes are kept.
    func fixedSortedKeys(_ table: PointInTimePlan.Table, _ block: PointInTimeBlock,
                         signature: [JoinKey], columns: [Int]) throws -> SortedKeys {
        let n = block.rowCount
        let mid = n >= Self.parallelSortRows ? n / 2 : n
        var a = Half(), b = Half()
        Self.both(mid < n, { a = self.half(table, block, 0..<mid) }, { if mid < n { b = self.half(table, block, mid..<n) } })
        // The error the one-thread encoding throws: the first key's, then the first row's.
        if let e = [a.error, b.error].compactMap({ $0 }).min(by: { ($0.key, $0.row) < ($1.key, $1.row) }) {
            throw e.error
        }
        let entries = Self.radixSort(a, b)
        return SortedKeys(signature: signature, columns: columns, keyBytes: [], keyStart: [], entries: entries)
    }

    /// Runs `first` here and `second` on a thread of its own (`parallel`) or
    /// after it, and waits for both.
    private static func both(_ parallel: Bool, _ first: () -> Void, _ second: @escaping () -> Void) {
        guard parallel else { first(); second(); return }
        let other = ThreadTask { second() }
        first()
        _ = try? other.wait()
    }

    /// The entries of block rows `range`: their keys' heads, times and rows;
    /// rows with a null key are left out (they match nothing).
    private func half(_ table: PointInTimePlan.Table, _ block: PointInTimeBlock, _ range: Range<Int>) -> Half {
        var half = Half()
        let count = range.count
        let first = range.lowerBound
        var present: [Bool]?
        var entries = [Entry](unsafeUninitializedCapacity: count) { buffer, initialized in
            block.times.withUnsafeBufferPointer { times in
                for i in 0..<count {
                    buffer[i] = Entry(hi: 0, lo: 0, t: times[first + i], row: Int32(truncatingIfNeeded: first + i))
                }
            }
            initialized = count
        }
        var at = 0
        entries.withUnsafeMutableBufferPointer { e in
            keys: for (k, (key, column)) in table.keys.enumerated() {
                let width = key.type == .int64 ? 8 : 4
                for (bi, batch) in block.batches.enumerated() {
                    let base = block.starts[bi]
                    let lower = max(range.lowerBound, base), upper = min(range.upperBound, base + batch.rowCount)
                    guard lower < upper else { continue }
                    let c = batch.columns[column]
                    // Where the key's bytes go in the 16-byte head: bits of hi, then of lo.
                    let shift = (16 - at - width) * 8
                    @inline(__always) func place(_ i: Int, _ v: UInt64) {
                        if shift >= 64 {
                            e[i].hi |= v << UInt64(shift - 64)
                        } else if shift + width * 8 > 64 {
                            e[i].hi |= v >> UInt64(64 - shift)
                            e[i].lo |= v << UInt64(shift)
                        } else {
                            e[i].lo |= v << UInt64(shift)
                        }
                    }
                    switch (key.type, c.storage) {
                    case (.int64, .int64(let values)):
                        values.withUnsafeBufferPointer { v in
                            for r in lower..<upper { place(r - first, UInt64(bitPattern: v[r - base]) ^ (1 << 63)) }
                        }
                    case (.int64, .int32(let values)):
                        values.withUnsafeBufferPointer { v in
                            for r in lower..<upper { place(r - first, UInt64(bitPattern: Int64(v[r - base])) ^ (1 << 63)) }
                        }
                    case (.int32, .int32(let values)):
                        values.withUnsafeBufferPointer { v in
                            for r in lower..<upper { place(r - first, UInt64(UInt32(bitPattern: v[r - base]) ^ (1 << 31))) }
                        }
                    case (.int32, .int64(let values)):
                        for r in lower..<upper {
                            guard let x = Int32(exactly: values[r - base]) else {
                                if !c.validity[r - base] { continue }
                                half.error = (k, r, rowError(batch, r - base, "column '\(key.name)': \(values[r - base]) does not fit the join key's type int32"))
                                break keys
                            }
                            place(r - first, UInt64(UInt32(bitPattern: x) ^ (1 << 31)))
                        }
                    default:
                        preconditionFailure("join key storage checked by the plan")
                    }
                    // A null join key matches nothing (as in Feast's pandas merge).
                    c.validity.withUnsafeBufferPointer { valid in
                        for r in lower..<upper where !valid[r - base] {
                            if present == nil { present = [Bool](repeating: true, count: count) }
                            present![r - first] = false
                        }
                    }
                }
                at += width
            }
        }
        if half.error != nil { return half }
        if let present {
            var kept = 0
            for i in 0..<count where present[i] { entries[kept] = entries[i]; kept += 1 }
            entries.removeLast(count - kept)
        }
        for e in entries { half.andHi &= e.hi; half.orHi |= e.hi; half.andLo &= e.lo; half.orLo |= e.lo }
        half.entries = entries
        return half
    }

    /// `a`'s entries then `b`'s, sorted by (hi, lo, t, row): a stable LSD
    /// radix sort on the bytes of (hi, lo) that differ between entries (a
    /// few for integer ids), then each run of equal keys by (t, row). Every
    /// pass counts and scatters its two halves on two threads (the first
    /// pass reads `a` and `b` as they are); each half's share of a bucket
    /// starts where the other's ends, so the sort stays stable.
    private static func radixSort(_ a: Half, _ b: Half) -> [Entry] {
        let n = a.entries.count + b.entries.count
        let andHi = a.andHi & b.andHi, orHi = a.orHi | b.orHi, andLo = a.andLo & b.andLo, orLo = a.orLo | b.orLo
        var passes: [(hi: Bool, shift: UInt64)] = []
        for shift in stride(from: UInt64(0), to: 64, by: 8) where ((andLo ^ orLo) >> shift) & 0xFF != 0 { passes.append((false, shift)) }
        for shift in stride(from: UInt64(0), to: 64, by: 8) where ((andHi ^ orHi) >> shift) & 0xFF != 0 { passes.append((true, shift)) }
        var sorted: [Entry]
        if passes.isEmpty {
            sorted = a.entries + b.entries
        } else {
            // Two buffers the passes alternate between (every pass overwrites its target).
            var x = [Entry](unsafeUninitializedCapacity: n) { _, count in count = n }
            var y = [Entry](unsafeUninitializedCapacity: passes.count > 1 ? n : 0) { _, count in count = passes.count > 1 ? n : 0 }
            let parallel = n >= parallelSortRows
            x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
            a.entries.withUnsafeBufferPointer { pa in
            b.entries.withUnsafeBufferPointer { pb in
                var from = (pa, pb)
                var to = x
                for (p, pass) in passes.enumerated() {
                    @inline(__always) func bucket(_ e: Entry) -> Int {
                        Int(truncatingIfNeeded: ((pass.hi ? e.hi : e.lo) >> pass.shift) & 0xFF)
                    }
                    var counts = [Int](repeating: 0, count: 512)
                    counts.withUnsafeMutableBufferPointer { counts in
                        let c0 = UnsafeMutableBufferPointer(rebasing: counts[0..<256])
                        let c1 = UnsafeMutableBufferPointer(rebasing: counts[256..<512])
                        let (f0, f1) = from
                        let target = to
                        both(parallel, { for e in f0 { c0[bucket(e)] += 1 } }, { for e in f1 { c1[bucket(e)] += 1 } })
                        var sum = 0
                        for k in 0..<256 {
                            let n0 = c0[k], n1 = c1[k]
                            c0[k] = sum
                            c1[k] = sum + n0
                            sum += n0 + n1
                        }
                        both(parallel, { for e in f0 { let k = bucket(e); target[c0[k]] = e; c0[k] += 1 } },
                             { for e in f1 { let k = bucket(e); target[c1[k]] = e; c1[k] += 1 } })
                    }
                    // The next pass reads this one's output, in two halves.
                    let half = n / 2
                    from = (UnsafeBufferPointer(rebasing: to[0..<half]), UnsafeBufferPointer(rebasing: to[half..<n]))
                    to = p % 2 == 0 ? y : x
                }
            }}}}
            sorted = passes.count % 2 == 1 ? x : y
        }
        sortRuns(&sorted)
        return sorted
    }

    /// Sorts each run of equal keys by (t, row), the two halves (split
    /// between runs) on two threads. Runs are one entity's rows: short.
    private static func sortRuns(_ entries: inout [Entry]) {
        let n = entries.count
        @inline(__always) func byTime(_ a: Entry, _ b: Entry) -> Bool { a.t != b.t ? a.t < b.t : a.row < b.row }
        entries.withUnsafeMutableBufferPointer { buffer in
            let e = buffer
            func runs(_ range: Range<Int>) {
                var g = range.lowerBound
                while g < range.upperBound {
                    var end = g + 1
                    while end < range.upperBound, e[end].hi == e[g].hi, e[end].lo == e[g].lo { end += 1 }
                    if end - g > 1 {
                        if end - g <= 16 {
                            for i in (g + 1)..<end {       // insertion sort
                                let x = e[i]
                                var j = i
                                while j > g, byTime(x, e[j - 1]) { e[j] = e[j - 1]; j -= 1 }
                                e[j] = x
                            }
                        } else {
                            e[g..<end].sort(by: byTime)
                        }
                    }
                    g = end
                }
            }
            var mid = n >= parallelSortRows ? n / 2 : n
            while mid > 0, mid < n, e[mid].hi == e[mid - 1].hi, e[mid].lo == e[mid - 1].lo { mid += 1 }
            both(mid < n, { runs(0..<mid) }, { runs(mid..<n) })
        }
    }
}
