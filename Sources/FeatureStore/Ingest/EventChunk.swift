import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// Encoded events waiting to be written: keys and values in two flat buffers,
/// sorted by key before they go to LMDB (sorted puts touch each page once).
struct EventChunk {
    var keys: [UInt8] = []
    var keyEnds: [Int] = []
    var values: [UInt8] = []
    var valueEnds: [Int] = []

    var count: Int { keyEnds.count }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        keyEnds.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        valueEnds.removeAll(keepingCapacity: true)
    }

    @inline(__always) func keyRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : keyEnds[i - 1])..<keyEnds[i] }
    @inline(__always) func valueRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : valueEnds[i - 1])..<valueEnds[i] }

    /// Indices of the entries in key order.
    func sortedOrder() -> [Int32] {
        keys.withUnsafeBytes { kb -> [Int32] in
            // Sort on the 8 bytes after the 5-byte table prefix first, then memcmp.
            var order: [(UInt64, Int32)] = []
            order.reserveCapacity(count)
            for i in 0..<count {
                let r = keyRange(i)
                var head: UInt64 = 0
                if r.count >= 13 {
                    head = UInt64(bigEndian: kb.loadUnaligned(fromByteOffset: r.lowerBound + 5, as: UInt64.self))
                }
                order.append((head, Int32(i)))
            }
            order.sort { a, b in
                if a.0 != b.0 { return a.0 < b.0 }
                let ra = keyRange(Int(a.1)), rb = keyRange(Int(b.1))
                let c = memcmp(kb.baseAddress! + ra.lowerBound, kb.baseAddress! + rb.lowerBound, min(ra.count, rb.count))
                return c != 0 ? c < 0 : ra.count < rb.count
            }
            return order.map(\.1)
        }
    }
}

/// Writes chunks of events to the event log and/or the online table inside one
/// write transaction.
struct EventWriter {
    let events: Database
    let online: Database
    let toOffline: Bool
    let toOnline: Bool
    /// When set, offline events go through it (a first backfill, sorted
    /// across its chunks); the caller finishes it at the end of its transaction.
    var sorter: BackfillSorter? = nil

    /// Writes `chunk`; returns how many online rows were updated.
    @discardableResult
    func write(_ chunk: EventChunk, txn: inout Transaction) throws -> Int {
        try write(chunk, order: chunk.sortedOrder(), txn: &txn)
    }

    /// Writes `chunk` whose key order was computed already (on another thread).
    @discardableResult
    func write(_ chunk: EventChunk, order: [Int32], txn: inout Transaction) throws -> Int {
        guard chunk.count > 0 else { return 0 }
        if toOffline {
            if let sorter {
                try sorter.add(chunk, order: order) { c, o in try writeOffline(c, order: o, txn: &txn) }
            } else {
                try writeOffline(chunk, order: order, txn: &txn)
            }
        }
        guard toOnline else { return 0 }
        return try chunk.keys.withUnsafeBytes { kb in
            try chunk.values.withUnsafeBytes { vb in
                try upsertOnline(chunk, order: order, kb: kb, vb: vb, txn: &txn)
            }
        }
    }

    /// Puts `chunk`'s events into the log, bulk-appended when the whole chunk
    /// sorts after the log's last key.
    func writeOffline(_ chunk: EventChunk, order: [Int32], txn: inout Transaction) throws {
        guard !order.isEmpty else { return }
        try chunk.keys.withUnsafeBytes { kb in
            try chunk.values.withUnsafeBytes { vb in
                let first = chunk.keyRange(Int(order[0]))
                let firstKey = UnsafeRawBufferPointer(rebasing: kb[first])
                let append = try txn.withCursor(events) { c -> Bool in
                    guard try c.last() else { return true }
                    return Self.compare(c.key, firstKey) < 0
                }
                try txn.withWriteCursor(events) { c in
                    for i in order {
                        let k = UnsafeRawBufferPointer(rebasing: kb[chunk.keyRange(Int(i))])
                        let v = UnsafeRawBufferPointer(rebasing: vb[chunk.valueRange(Int(i))])
                        try c.put(k, v, flags: append ? .append : [])
                    }
                }
            }
        }
    }

    /// For each entity in the chunk, its latest event replaces the online row
    /// when it is newer than what the row holds.
    private func upsertOnline(_ chunk: EventChunk, order: [Int32], kb: UnsafeRawBufferPointer,
                              vb: UnsafeRawBufferPointer, txn: inout Transaction) throws -> Int {
        let suffix = KeyCodec.orderSuffixBytes
        var updates = 0
        var i = 0
        while i < order.count {
            // Find the last entry of this entity's group.
            let r = chunk.keyRange(Int(order[i]))
            let entity = UnsafeRawBufferPointer(rebasing: kb[r.lowerBound..<(r.upperBound - suffix)])
            var j = i
            while j + 1 < order.count {
                let rn = chunk.keyRange(Int(order[j + 1]))
                guard rn.count == r.count else { break }
                let other = UnsafeRawBufferPointer(rebasing: kb[rn.lowerBound..<(rn.upperBound - suffix)])
                guard Self.compare(other, entity) == 0 else { break }
                j += 1
            }
            let last = chunk.keyRange(Int(order[j]))
            let order28 = UnsafeRawBufferPointer(rebasing: kb[(last.upperBound - suffix)..<last.upperBound])
            let value = UnsafeRawBufferPointer(rebasing: vb[chunk.valueRange(Int(order[j]))])
            if try Self.upsertIfNewer(entityKey: entity, order: order28, value: value, online: online, txn: &txn) {
                updates += 1
            }
            i = j + 1
        }
        return updates
    }

    /// Writes `order · value` under `entityKey` in the online table unless the
    /// row there is at least as new. Returns whether it wrote.
    static func upsertIfNewer(entityKey: UnsafeRawBufferPointer, order: UnsafeRawBufferPointer,
                              value: UnsafeRawBufferPointer, online: Database, txn: inout Transaction) throws -> Bool {
        let newer = try txn.withValue(forKey: entityKey, in: online) { existing -> Bool in
            guard let existing else { return true }
            return compare(UnsafeRawBufferPointer(rebasing: existing[0..<KeyCodec.orderSuffixBytes]), order) < 0
        }
        guard newer else { return false }
        try txn.put(entityKey, reserving: order.count + value.count, in: online) { out in
            out.copyMemory(from: order)
            UnsafeMutableRawBufferPointer(rebasing: out[order.count...]).copyMemory(from: value)
        }
        return true
    }

    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, n))
        return c != 0 ? c : a.count - b.count
    }
}
