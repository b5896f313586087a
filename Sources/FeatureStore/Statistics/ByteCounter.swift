#if canImport(Glibc)
import Glibc
#endif

/// Exact counts of the distinct byte strings among some values of a string
/// column, in a flat open-addressing table keyed by the bytes themselves: a
/// cheap 8-bytes-at-a-time multiply–xorshift hash, linear probing, and a byte
/// comparison when hashes are equal. No `String` is made while counting; only
/// ``distinct(prunedTo:bytes:)`` makes one per value it returns.
///
/// Entries point into the column's byte buffer, so one round of
/// ``reset()``, ``count(rows:offsets:bytes:valid:)`` and
/// ``distinct(prunedTo:bytes:)`` must use the same buffer. The allocations
/// are kept across rounds.
///
/// ```swift
/// var c = ByteCounter()
/// c.count(rows: rows, offsets: offsets, bytes: bytes, valid: valid)  // -> nulls
/// c.distinct(prunedTo: 1024, bytes: bytes)   // [(value, count)]
/// ```
struct ByteCounter {
    /// Slot → entry index + 1 (0 = empty); a power of two long.
    private var slots: [Int32] = []
    /// Per entry: hash, start and end in the byte buffer, count, slot.
    private var hashes: [UInt64] = []
    private var starts: [Int] = []
    private var ends: [Int] = []
    private(set) var counts: [UInt64] = []
    private var slotOf: [Int32] = []
    /// Scratch for the pruning threshold.
    private var order: [UInt64] = []

    /// Distinct values counted since the last ``reset()``.
    var distinctCount: Int { counts.count }

    /// Forgets the counts (clearing only the slots in use).
    mutating func reset() {
        if !slotOf.isEmpty {
            slots.withUnsafeMutableBufferPointer { s in
                for i in slotOf { s[Int(i)] = 0 }
            }
        }
        hashes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        slotOf.removeAll(keepingCapacity: true)
    }

    /// Counts the valid values of `rows`, value r being
    /// `bytes[offsets[r] ..< offsets[r + 1]]`; returns how many were null.
    mutating func count(rows: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int>,
                        bytes: UnsafeRawBufferPointer, valid: UnsafeBufferPointer<Bool>) -> UInt64 {
        if slots.isEmpty { slots = [Int32](repeating: 0, count: 1024) }
        var nulls: UInt64 = 0
        guard let base = bytes.baseAddress else {
            // Every value is empty (or null).
            for r in rows {
                if valid[Int(r)] { add(hash: Self.hash(base: nil, 0), start: 0, end: 0, bytes: bytes) } else { nulls += 1 }
            }
            return nulls
        }
        for r in rows {
            let row = Int(r)
            guard valid[row] else { nulls += 1; continue }
            let start = offsets[row], end = offsets[row + 1]
            add(hash: Self.hash(base: base + start, end - start), start: start, end: end, bytes: bytes)
        }
        return nulls
    }

    @inline(__always)
    private mutating func add(hash h: UInt64, start: Int, end: Int, bytes: UnsafeRawBufferPointer) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[i]) - 1
            if e < 0 { break }
            if hashes[e] == h && Self.equal(bytes, starts[e], ends[e], start, end) {
                counts[e] &+= 1
                return
            }
            i = (i + 1) & mask
        }
        slots[i] = Int32(counts.count + 1)
        slotOf.append(Int32(i))
        hashes.append(h)
        starts.append(start)
        ends.append(end)
        counts.append(1)
        if counts.count * 2 > slots.count { grow() }
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ a: Int, _ aEnd: Int, _ b: Int, _ bEnd: Int) -> Bool {
        let n = aEnd - a
        guard n == bEnd - b else { return false }
        guard n > 0, let base = bytes.baseAddress else { return true }
        return memcmp(base + a, base + b, n) == 0
    }

    /// Doubles the slots and re-inserts every entry.
    private mutating func grow() {
        let size = slots.count * 2
        var next = [Int32](repeating: 0, count: size)
        let mask = size - 1
        slotOf.removeAll(keepingCapacity: true)
        for e in 0..<hashes.count {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while next[i] != 0 { i = (i + 1) & mask }
            next[i] = Int32(e + 1)
            slotOf.append(Int32(i))
        }
        slots = next
    }

    /// The counted values with their counts — all of them when at most
    /// `capacity` are distinct; else a Misra–Gries prune of these exact
    /// counts to k = `capacity`: with c the (k+1)-th largest count, the
    /// values counted more than c, each with count − c (at least k + 1
    /// counts lose c each, so the summary's error stays within
    /// (n − Σ counts)/(k + 1), as ``TopValues/prune()`` documents).
    mutating func distinct(prunedTo capacity: Int, bytes: UnsafeRawBufferPointer) -> [(value: String, count: UInt64)] {
        var cut: UInt64 = 0
        if counts.count > capacity {
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: counts)
            cut = Self.select(&order, rankFromLargest: capacity)
        }
        var out: [(value: String, count: UInt64)] = []
        out.reserveCapacity(Swift.min(counts.count, capacity))
        for e in 0..<counts.count where counts[e] > cut {
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[starts[e]..<ends[e]]), as: UTF8.self)
            out.append((value, counts[e] - cut))
        }
        return out
    }

    /// The element that would be at index `rank` of `a` sorted descending
    /// (Hoare's quickselect, median-of-three; reorders `a`).
    static func select(_ a: inout [UInt64], rankFromLargest rank: Int) -> UInt64 {
        precondition(rank >= 0 && rank < a.count)
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three as the pivot.
            let x = a[lo], y = a[mid], z = a[hi]
            let pivot = Swift.max(Swift.min(x, y), Swift.min(Swift.max(x, y), z))
            var i = lo, j = hi
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            // Now a[lo...j] ≥ pivot, a[i...hi] ≤ pivot, and a[j+1..<i] == pivot.
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return a[rank] }
        }
        return a[rank]
    }

    /// A 64-bit hash of `n` bytes at `base`: 8-byte words multiplied in
    /// (multiply–xorshift, as wyhash/splitmix do), the tail packed into one
    /// word, the length mixed in, a murmur3 finalizer.
    @inline(__always)
    static func hash(base: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        guard let base else { return fmix(h) }
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h &>> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0, shift: UInt64 = 0
            while i < n {
                w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
        }
        return fmix(h)
    }

    @inline(__always)
    private static func fmix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h &>> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h &>> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h &>> 33
        return h
    }
}
