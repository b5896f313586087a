#if canImport(Glibc)
import Glibc
#endif

/// Exact counts of the distinct byte strings among some values of a string
/// column, in a flat open-addressing table keyed by the bytes themselves: a
/// cheap 8-bytes-at-a-time multiply–xorshift hash, linear probing over slots
/// that carry 32 bits of the hash, and a comparison of the length, the first
/// 8 bytes and (longer values) the rest when those agree. No `String` is made while counting; only
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
    /// One distinct value: where its bytes are, its first 8 bytes packed
    /// (little-endian, zero-padded), its count — one cache line's half, so
    /// a hit reads the slot and the entry only.
    struct Entry {
        var start: Int
        var length: Int
        var prefix: UInt64
        var count: UInt64
    }

    /// Slot → high 32 bits of the hash · entry index + 1 in the low 32
    /// (0 = empty); a power of two long.
    private var slots: [UInt64] = []
    private(set) var entries: [Entry] = []
    /// The slot of each entry, to clear only those.
    private var slotOf: [Int32] = []
    /// Scratch for the pruning threshold.
    private var order: [UInt64] = []

    /// Distinct values counted since the last ``reset()``.
    var distinctCount: Int { entries.count }

    /// Forgets the counts (clearing only the slots in use).
    mutating func reset() {
        if !slotOf.isEmpty {
            slots.withUnsafeMutableBufferPointer { s in
                for i in slotOf { s[Int(i)] = 0 }
            }
        }
        entries.removeAll(keepingCapacity: true)
        slotOf.removeAll(keepingCapacity: true)
    }

    /// Counts the valid values of `rows`, value r being
    /// `bytes[offsets[r] ..< offsets[r + 1]]`; returns how many were null.
    mutating func count(rows: UnsafeBufferPointer<Int32>, offsets: UnsafeBufferPointer<Int>,
                        bytes: UnsafeRawBufferPointer, valid: UnsafeBufferPointer<Bool>) -> UInt64 {
        if slots.isEmpty { slots = [UInt64](repeating: 0, count: 1024) }
        var nulls: UInt64 = 0
        let base = bytes.baseAddress
        for r in rows {
            let row = Int(r)
            guard valid[row] else { nulls += 1; continue }
            let start = offsets[row], length = offsets[row + 1] - start
            let at = base.map { $0 + start }
            let prefix = Self.prefix(at, length)
            add(hash: Self.hash(at, length, prefix: prefix), Entry(start: start, length: length, prefix: prefix, count: 1), base)
        }
        return nulls
    }

    @inline(__always)
    private mutating func add(hash h: UInt64, _ entry: Entry, _ base: UnsafeRawPointer?) {
        let mask = slots.count - 1
        let tag = h & 0xFFFF_FFFF_0000_0000
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { break }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let e = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                let other = entries[e]
                if other.length == entry.length && other.prefix == entry.prefix
                    && (entry.length <= 8 || memcmp(base! + other.start + 8, base! + entry.start + 8, entry.length - 8) == 0) {
                    entries[e].count &+= 1
                    return
                }
            }
            i = (i + 1) & mask
        }
        entries.append(entry)
        slots[i] = tag | UInt64(entries.count)
        slotOf.append(Int32(i))
        if entries.count * 2 > slots.count { grow(base) }
    }

    /// Doubles the slots and re-inserts every entry (its hash recomputed from its bytes).
    private mutating func grow(_ base: UnsafeRawPointer?) {
        let size = slots.count * 2
        var next = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        slotOf.removeAll(keepingCapacity: true)
        for (e, entry) in entries.enumerated() {
            let h = Self.hash(base.map { $0 + entry.start }, entry.length, prefix: entry.prefix)
            var i = Int(truncatingIfNeeded: h) & mask
            while next[i] != 0 { i = (i + 1) & mask }
            next[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(e + 1)
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
        if entries.count > capacity {
            order.removeAll(keepingCapacity: true)
            for e in entries { order.append(e.count) }
            cut = Self.select(&order, rankFromLargest: capacity)
        }
        var out: [(value: String, count: UInt64)] = []
        out.reserveCapacity(Swift.min(entries.count, capacity))
        for e in entries where e.count > cut {
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[e.start..<(e.start + e.length)]), as: UTF8.self)
            out.append((value, e.count - cut))
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

    /// The first min(8, n) bytes at `at` as one word (loaded in the
    /// machine's byte order, zero-padded): equal values have equal prefixes.
    @inline(__always)
    static func prefix(_ at: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        guard let at, n > 0 else { return 0 }
        if n >= 8 { return at.loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        for j in 0..<n { w |= UInt64(at.load(fromByteOffset: j, as: UInt8.self)) &<< UInt64(8 * j) }
        return w
    }

    /// A 64-bit hash of the `n` bytes at `at` whose ``prefix(_:_:)`` is
    /// `prefix`: the length, then 8-byte words multiplied in
    /// (multiply–xorshift, as wyhash/splitmix do; the tail packed into one
    /// word), a murmur3 finalizer.
    @inline(__always)
    static func hash(_ at: UnsafeRawPointer?, _ n: Int, prefix: UInt64) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        h = (h ^ prefix) &* 0xBF58_476D_1CE4_E5B9
        h ^= h &>> 31
        guard n > 8, let at else { return fmix(h) }
        var i = 8
        while i + 8 <= n {
            h = (h ^ at.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h &>> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0, shift: UInt64 = 0
            while i < n {
                w |= UInt64(at.load(fromByteOffset: i, as: UInt8.self)) &<< shift
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
