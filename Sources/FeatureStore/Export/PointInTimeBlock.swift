import LMDB
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// A block of entity rows joined together: the input batches as read, their
/// timestamps, and per table the event each row chose.
///
/// The chosen events are copied out of LMDB's map while the walk is on them
/// (``PointInTimeEvents``), so decoding the output reads a compact heap
/// buffer instead of pages scattered over the map, and the map's pages can be
/// released from the process's resident set as the walk passes them.
final class PointInTimeBlock: @unchecked Sendable {
    var batches: [RecordBatch] = []
    /// First block row of each batch.
    var starts: [Int] = []
    var rowCount = 0
    /// Every row's timestamp (µs), in block order.
    var times: [Int64] = []
    /// Per table: the event each row chose.
    var events: [PointInTimeEvents] = []

    func append(_ batch: RecordBatch) {
        starts.append(rowCount)
        batches.append(batch)
        rowCount += batch.rowCount
    }
}

/// One table's result for a block: per row, the chosen event's value
/// (`schema version u32 LE · row`, as stored) or none, copied out of the map
/// while the walk is on it: the values back to back in the buffer of the
/// walk's part that found them (``PointInTimeWalker/WalkPart``), in walk
/// (key) order, one copy per event even when several rows chose it.
///
/// Measured against copying each value into a slot of its row (so that the
/// decode reads in order): the scattered 100-byte writes cost the walk 13 %
/// of the export's CPU, against 9 % for decoding from this buffer in row
/// order (random reads whose misses overlap, see `decode`).
struct PointInTimeEvents {
    /// Where a row's event is: part ``part``'s buffer, from ``start``;
    /// length 0: no event (nulls).
    struct Span {
        var start: Int
        var length: Int32
        var part: Int32
        init(start: Int, length: Int, part: Int = 0) {
            self.start = start
            self.length = Int32(truncatingIfNeeded: length)
            self.part = Int32(truncatingIfNeeded: part)
        }
        static let none = Span(start: 0, length: 0)
    }

    /// The chosen events' values, one buffer per part of the walk.
    var buffers: [[UInt8]] = []
    /// Per row (block order): its event.
    var spans: [Span]
    /// Rows that found an event.
    var matched = 0

    /// Calls `body` with the values of rows `rows` (nil: no event), valid
    /// inside `body` only.
    func withValues<R>(_ rows: Range<Int>, _ body: ([UnsafeRawBufferPointer?]) -> R) -> R {
        var bases: [UnsafeRawBufferPointer] = []
        return withBuffers(from: 0, &bases) { bases in
            let values = rows.map { r -> UnsafeRawBufferPointer? in
                let span = spans[r]
                guard span.length != 0 else { return nil }
                return UnsafeRawBufferPointer(rebasing: bases[Int(span.part)][span.start..<span.start + Int(span.length)])
            }
            return body(values)
        }
    }

    /// `body` with the buffers from `i` on added to `bases` (one
    /// `withUnsafeBytes` each, nested).
    private func withBuffers<R>(from i: Int, _ bases: inout [UnsafeRawBufferPointer],
                                _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        guard i < buffers.count else { return body(bases) }
        return buffers[i].withUnsafeBytes { b in
            bases.append(b)
            return withBuffers(from: i + 1, &bases, body)
        }
    }
}

/// The per-table walk: sort the block's rows by (entity key, t), then move one
/// cursor forward through the event log, seeking once per distinct entity.
struct PointInTimeWalker {
    let plan: PointInTimePlan
    let options: PointInTimeOptions
    /// Events of later batches are invisible (`asOf`, `throughBatch`).
    let maxBatch: UInt64
    /// Events created after this are invisible (`asOf`).
    let maxCreated: Int64

    struct Entry {
        var hi: UInt64
        var lo: UInt64
        var t: Int64
        var row: Int32
    }

    /// Steps 1 and 2 for one set of join-key columns: the rows' encoded keys
    /// and the rows sorted by (key, t, row). Tables with the same join-key
    /// columns (the usual case: one entity) share them.
    struct SortedKeys {
        var signature: [JoinKey]
        var columns: [Int]
        /// Encoded keys, row `i`'s at `keyStart[i]..<keyStart[i + 1]`; both
        /// empty for integer keys (the entries' heads are the whole keys).
        var keyBytes: [UInt8]
        var keyStart: [Int]
        var entries: [Entry]
    }

    /// Flattens the block's timestamps (a null one is an error naming the
    /// line) and sorts its rows for every table: the result's element `t` is
    /// for table `t` of the plan.
    func prepare(_ block: PointInTimeBlock) throws -> [SortedKeys] {
        var times: [Int64] = []
        times.reserveCapacity(block.rowCount)
        let column = options.timestampColumn
        for batch in block.batches {
            let c = batch.columns[plan.timestampColumn]
            guard case .int64(let values) = c.storage else { preconditionFailure("timestamp column storage") }
            for r in 0..<batch.rowCount {
                guard c.validity[r] else {
                    let line = r < batch.sourceLines.count ? batch.sourceLines[r] : 0
                    let at = options.sourceName.map { "\($0):\(line): " } ?? "entity row at line \(line): "
                    throw FeatureStoreError.invalid("\(at)column '\(column)': missing timestamp")
                }
                times.append(values[r])
            }
        }
        block.times = times
        block.events = []
        var sorted: [SortedKeys] = []
        for table in plan.tables {
            let signature = table.keys.map(\.0), columns = table.keys.map(\.1)
            if let same = sorted.first(where: { $0.signature == signature && $0.columns == columns }) {
                sorted.append(same)    // copy-on-write: shared storage
            } else {
                sorted.append(table.fixedKeyBytes != nil
                              ? try fixedSortedKeys(table, block, signature: signature, columns: columns)
                              : try sortedKeys(table, block, signature: signature, columns: columns))
            }
        }
        return sorted
    }

    /// One part of a table's walk (step 3): the events chosen by the sorted
    /// entries ``range``, copied back to back into ``bytes``.
    struct WalkPart {
        var range: Range<Int>
        var bytes: [UInt8]
        /// Per entry of ``range`` (walk order): its event in ``bytes``.
        var chosen: [PointInTimeEvents.Span]
        var matched: Int
    }

    /// The block's sorted entries cut into at most `count` ranges of about
    /// equal size, each starting at a new entity (so the ranges can be walked
    /// on different threads, each with its own cursor).
    func parts(of keys: SortedKeys, count: Int) -> [Range<Int>] {
        let entries = keys.entries
        guard count > 1, entries.count >= 2 else { return [0..<entries.count] }
        var cuts = [0]
        for p in 1..<count {
            var cut = max(entries.count * p / count, cuts.last! + 1)
            // Move the cut past the rows of the entity it falls in.
            while cut < entries.count, entries[cut].hi == entries[cut - 1].hi, entries[cut].lo == entries[cut - 1].lo,
                  keys.keyBytes.isEmpty || keys.keyBytes.withUnsafeBytes({
                      Self.compareKeys($0, keys.keyStart, Int(entries[cut].row), Int(entries[cut - 1].row)) == 0 }) {
                cut += 1
            }
            if cut < entries.count { cuts.append(cut) }
        }
        cuts.append(entries.count)
        return (0..<cuts.count - 1).map { cuts[$0]..<cuts[$0 + 1] }
    }

    /// Step 3 for table `t` of the plan: walks its events once for the
    /// block's `rows` rows, sorted as `keys`, and copies the chosen events
    /// out of the map (``walk(table:keys:entries:txn:events:release:)`` of
    /// all the entries, then ``assemble(_:keys:rows:)``).
    func join(table t: Int, keys: SortedKeys, rows n: Int, txn: borrowing Transaction, events: Database,
              release: (ClosedRange<UInt>?) throws -> Void) throws -> PointInTimeEvents {
        let part = try walk(table: t, keys: keys, entries: 0..<keys.entries.count, txn: txn, events: events, release: release)
        return assemble([part], keys: keys, rows: n)
    }

    /// The parts of one table's walk, in order, as the table's result for
    /// the block's `n` rows: each part's buffer as it is (no copy), each row's
    /// span in the buffer of its part.
    func assemble(_ parts: [WalkPart], keys: SortedKeys, rows n: Int) -> PointInTimeEvents {
        // To row order, in a tight loop of its own: the scattered writes' misses overlap.
        var spans = [PointInTimeEvents.Span](repeating: .none, count: n)
        spans.withUnsafeMutableBufferPointer { spans in
            keys.entries.withUnsafeBufferPointer { entries in
                for (p, part) in parts.enumerated() {
                    part.chosen.withUnsafeBufferPointer { chosen in
                        let first = part.range.lowerBound
                        for i in 0..<chosen.count where chosen[i].length != 0 {
                            var span = chosen[i]
                            span.part = Int32(p)
                            spans[Int(entries[first + i].row)] = span
                        }
                    }
                }
            }
        }
        var result = PointInTimeEvents(buffers: parts.map(\.bytes), spans: spans)
        result.matched = parts.reduce(0) { $0 + $1.matched }
        return result
    }

    /// Step 3 for the sorted entries `range` of table `t`: one cursor from the
    /// range's first entity forward. `release` is called after every
    /// ``PointInTimeOptions/releaseMapEvery`` bytes of keys and values walked
    /// with the map pages the cursor's keys were on meanwhile (to drop the
    /// walked pages from the resident set; they are not needed again; nil
    /// would mean the whole map). Reads only `txn`: tables, and parts of a
    /// table, may be walked on several threads at once, each with its own
    /// transaction of one snapshot.
    func walk(table t: Int, keys: SortedKeys, entries range: Range<Int>, txn: borrowing Transaction, events: Database,
              release: (ClosedRange<UInt>?) throws -> Void) throws -> WalkPart {
        let table = plan.tables[t]
        let fixed = table.fixedKeyBytes != nil
        let keyBytes = keys.keyBytes, keyStart = keys.keyStart, entries = keys.entries
        // 3. Walk.
        // Per sorted entry (walk order, written in sequence): its event. They
        // go to their rows in a pass of their own after the walk: written
        // here, in row order, each was a cache miss the walk waited for.
        var chosen = [PointInTimeEvents.Span](repeating: .none, count: range.count)
        var bytes: [UInt8] = []
        // Room for ~128 bytes per row: no regrowth, which copies, for typical
        // rows (untouched capacity costs no memory).
        bytes.reserveCapacity(range.count * 128)
        var lastCopied: UnsafeRawPointer?
        var lastStart = 0
        var matched = 0
        var walked = 0
        var pages = WalkedPages()
        let releaseEvery = options.releaseMapEvery
        let ttl = table.ttlMicros
        let createdBeforeEntity = options.createdBeforeEntity
        let maxBatch = maxBatch, maxCreated = maxCreated
        var target = KeyCodec.tablePrefix(table.tableId)
        let prefixCount = target.count
        try keyBytes.withUnsafeBytes { kb in
            try txn.withLeafScan(events) { c in
                var positioned = false
                var started = false
                var pending: [(created: Int64, event: Int64, value: UnsafeRawBufferPointer)] = []
                var g = range.lowerBound
                while g < range.upperBound {
                    let first = Int(entries[g].row)
                    var e = g + 1
                    while e < range.upperBound, entries[e].hi == entries[g].hi, entries[e].lo == entries[g].lo,
                          fixed || Self.compareKeys(kb, keyStart, first, Int(entries[e].row)) == 0 {
                        e += 1
                    }
                    if releaseEvery > 0, walked >= releaseEvery {
                        try release(pages.takeRange())
                        walked = 0
                    }
                    target.removeSubrange(prefixCount...)
                    if let width = table.fixedKeyBytes {
                        // The key is the entry's first 16 bytes: no random read of keyBytes
                        // (rows are in key order here, not row order: a cache miss each).
                        var head = (entries[g].hi.bigEndian, entries[g].lo.bigEndian)
                        withUnsafeBytes(of: &head) { target.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<width])) }
                    } else {
                        target.append(contentsOf: UnsafeRawBufferPointer(rebasing: kb[keyStart[first]..<keyStart[first + 1]]))
                    }
                    let entityEnd = target.count
                    let keyCount = entityEnd + KeyCodec.orderSuffixBytes
                    try target.withUnsafeBytes { tb in
                        // Position the cursor on the first key ≥ this entity. It is
                        // always on the first key ≥ some earlier point, so a key ≥
                        // the target is already right; a key before it is stepped
                        // over (a few steps cost less than a seek, which leaving
                        // the current leaf page makes a descent from the root).
                        if !started {
                            positioned = try c.seek(atLeast: tb)
                            started = true
                        } else if positioned {
                            var steps = 0
                            while positioned && Self.compare(c.key, tb) < 0 {
                                if steps == 16 { positioned = try c.seek(atLeast: tb); break }
                                positioned = try c.next()
                                if positioned { pages.visit(c) }
                                steps += 1
                            }
                        }
                        if positioned { pages.visit(c) }
                        // (not positioned: the log has no key after an earlier
                        // target, so none after this one either.)
                        var candidate: (event: Int64, value: UnsafeRawBufferPointer)?
                        pending.removeAll(keepingCapacity: true)
                        for k in g..<e {
                            let t = entries[k].t
                            if createdBeforeEntity, !pending.isEmpty,
                               let j = pending.lastIndex(where: { $0.created <= t }) {
                                candidate = (pending[j].event, pending[j].value)
                                pending.removeFirst(j + 1)
                            }
                            while positioned {
                                let key = c.key
                                guard key.count == keyCount,
                                      Self.equal(key.baseAddress!, tb.baseAddress!, entityEnd) else { break }
                                let eventTime = KeyCodec.readInt64(key, at: entityEnd)
                                if eventTime > t { break }
                                let created = KeyCodec.readInt64(key, at: entityEnd + 8)
                                let batch = KeyCodec.readUInt64(key, at: entityEnd + 16)
                                if batch <= maxBatch && created <= maxCreated {
                                    if createdBeforeEntity && created > t {
                                        pending.append((created, eventTime, c.value))
                                    } else {
                                        candidate = (eventTime, c.value)
                                        pending.removeAll(keepingCapacity: true)
                                    }
                                }
                                walked += key.count + c.value.count
                                positioned = try c.next()
                                if positioned { pages.visit(c) }
                            }
                            if let candidate {
                                // ttl > 0: event_ts ≥ t − ttl (inclusive); ttl 0: no lower bound.
                                let (low, overflow) = t.subtractingReportingOverflow(ttl)
                                if ttl <= 0 || overflow || candidate.event >= low {
                                    let value = candidate.value
                                    if value.baseAddress != lastCopied {
                                        // One copy per event, shared by its entity's later rows.
                                        lastCopied = value.baseAddress
                                        lastStart = bytes.count
                                        bytes.append(contentsOf: value)
                                    }
                                    chosen[k - range.lowerBound] = PointInTimeEvents.Span(start: lastStart, length: value.count)
                                    matched += 1
                                }
                            }
                        }
                    }
                    g = e
                }
            }
        }
        // The part's last pages too: another part may be walked next on this thread.
        if releaseEvery > 0, walked > 0 { try release(pages.takeRange()) }
        return WalkPart(range: range, bytes: bytes, chosen: chosen, matched: matched)
    }

    /// Steps 1 and 2 for table `table` whose keys are not all integers (for
    /// those: ``fixedSortedKeys(_:_:signature:columns:)``): the rows' encoded
    /// keys, and the rows sorted by (key, t, row).
    private func sortedKeys(_ table: PointInTimePlan.Table, _ block: PointInTimeBlock,
                            signature: [JoinKey], columns: [Int]) throws -> SortedKeys {
        let n = block.rowCount
        // 1. Entity keys, encoded as in the event log (flat buffer + offsets).
        var keyBytes: [UInt8] = []
        var keyStart = [Int](repeating: 0, count: n + 1)
        var present = [Bool](repeating: true, count: n)
        keyBytes.reserveCapacity(n * 16)
        try encodeGeneral(table, block, into: &keyBytes, starts: &keyStart, present: &present)
        // 2. Sort (entity key, t, row).
        var entries: [Entry] = []
        entries.reserveCapacity(n)
        keyBytes.withUnsafeBytes { kb in
            for i in 0..<n where present[i] {
                let (hi, lo) = Self.head(kb, keyStart[i], keyStart[i + 1])
                entries.append(Entry(hi: hi, lo: lo, t: block.times[i], row: Int32(i)))
            }
            entries.sort { a, b in
                if a.hi != b.hi { return a.hi < b.hi }
                if a.lo != b.lo { return a.lo < b.lo }
                let c = Self.compareKeys(kb, keyStart, Int(a.row), Int(b.row))
                if c != 0 { return c < 0 }
                if a.t != b.t { return a.t < b.t }
                return a.row < b.row
            }
        }
        return SortedKeys(signature: signature, columns: columns, keyBytes: keyBytes, keyStart: keyStart, entries: entries)
    }

    /// The first 16 bytes of a key as two big-endian integers (zero-padded):
    /// comparing them first orders keys as memcmp does.
    @inline(__always)
    private static func head(_ kb: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (UInt64, UInt64) {
        var raw: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &raw) { r in
            let count = min(16, end - start)
            if count > 0 { r.baseAddress!.copyMemory(from: kb.baseAddress! + start, byteCount: count) }
        }
        return (UInt64(bigEndian: raw.0), UInt64(bigEndian: raw.1))
    }

    /// memcmp order of two byte strings, 8 bytes at a time (inline: a call to
    /// memcmp per event was 7 % of the walk's time on 20-byte keys).
    @inline(__always)
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
        let n = min(a.count, b.count)
        let pa = a.baseAddress!, pb = b.baseAddress!
        var i = 0
        while i + 8 <= n {
            let x = UInt64(bigEndian: pa.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let y = UInt64(bigEndian: pb.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            i += 8
        }
        if i < n && n >= 8 {
            // The last 8 bytes, overlapping bytes already found equal: no byte loop.
            let x = UInt64(bigEndian: pa.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
            let y = UInt64(bigEndian: pb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            i = n
        }
        while i < n {
            let x = pa.load(fromByteOffset: i, as: UInt8.self), y = pb.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Whether the first `n` bytes at `a` and `b` are equal, 8 at a time.
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        if i < n && n >= 8 {
            // The last 8 bytes, overlapping bytes already found equal.
            return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    private static func compareKeys(_ kb: UnsafeRawBufferPointer, _ starts: [Int], _ a: Int, _ b: Int) -> Int32 {
        let la = starts[a + 1] - starts[a], lb = starts[b + 1] - starts[b]
        let c = memcmp(kb.baseAddress! + starts[a], kb.baseAddress! + starts[b], min(la, lb))
        if c != 0 { return c }
        return la == lb ? 0 : (la < lb ? -1 : 1)
    }

    /// Any join keys: row by row, escaping strings and bytes.
    private func encodeGeneral(_ table: PointInTimePlan.Table, _ block: PointInTimeBlock,
                               into out: inout [UInt8], starts: inout [Int], present: inout [Bool]) throws {
        var i = 0
        for batch in block.batches {
            for r in 0..<batch.rowCount {
                let start = out.count
                for (key, column) in table.keys {
                    let c = batch.columns[column]
                    guard c.validity[r] else { present[i] = false; break }
                    switch (key.type, c.storage) {
                    case (.int64, .int64(let a)): KeyCodec.appendInt64(a[r], to: &out)
                    case (.int64, .int32(let a)): KeyCodec.appendInt64(Int64(a[r]), to: &out)
                    case (.int32, .int32(let a)): KeyCodec.appendInt32(a[r], to: &out)
                    case (.int32, .int64(let a)):
                        guard let x = Int32(exactly: a[r]) else {
                            throw rowError(batch, r, "column '\(key.name)': \(a[r]) does not fit the join key's type int32")
                        }
                        KeyCodec.appendInt32(x, to: &out)
                    case (.string, .binary(let offsets, let bytes)), (.bytes, .binary(let offsets, let bytes)):
                        KeyCodec.appendEscaped(bytes[offsets[r]..<offsets[r + 1]], to: &out)
                    default:
                        preconditionFailure("join key storage checked by the plan")
                    }
                }
                if !present[i] {
                    out.removeSubrange(start...)
                } else if out.count - start > KeyCodec.maxEntityKeyBytes {
                    throw rowError(batch, r, "entity key of table '\(table.name)' is \(out.count - start) bytes encoded; the limit is \(KeyCodec.maxEntityKeyBytes)")
                }
                i += 1
                starts[i] = out.count
            }
        }
    }

    func rowError(_ batch: RecordBatch, _ r: Int, _ message: String) -> FeatureStoreError {
        let line = r < batch.sourceLines.count ? batch.sourceLines[r] : 0
        let at = options.sourceName.map { "\($0):\(line): " } ?? "entity row at line \(line): "
        return FeatureStoreError.invalid(at + message)
    }
}

/// The map pages a walk's cursor was on: when the key's page changes, it and
/// the next one are prefetched (`prefetchKeyPage`), so that the walk does not
/// wait for each node's cache miss in turn; and the lowest and highest pages
/// since the last release are kept, the range the walk releases next.
struct WalkedPages {
    private var last: UInt = 0
    private var low = UInt.max, high: UInt = 0

    /// Notes the page of the cursor's current key (the cursor is on a key).
    @inline(__always)
    mutating func visit(_ c: borrowing LeafScan) {
        let page = c.keyPage
        guard page != last else { return }
        c.prefetchKeyPage(previous: last)
        last = page
        low = min(low, page)
        high = max(high, page)
    }

    /// The pages visited since the last call (nil: none), starting the next
    /// range at the current page.
    mutating func takeRange() -> ClosedRange<UInt>? {
        defer { (low, high) = (last, last) }
        return low <= high ? low...high : nil
    }
}
