import LMDB
import Tabular

/// The statistics of one batch (an ingested file or a push) while it is read:
/// per UTC day of event time and feature a ``FeatureSummary``, and the events
/// rejected by `expect` checks per day, feature and check. Everything stays in
/// memory until ``write(tableId:database:txn:)`` merges it into the stored day
/// records, once per batch, in the batch's write transaction.
struct StatisticsAccumulator {
    /// Counters kept per category while a batch is read; pruned to
    /// ``TopValues/defaultCapacity`` when stored (a valid Misra–Gries step).
    static let batchTopCapacity = 1024

    let version: Int
    let features: [FeatureDefinition]
    let kinds: [FeatureSummary.Kind]
    private var slotOfDay: [Int32: Int] = [:]
    private(set) var days: [Int32] = []
    /// Events per day slot.
    private(set) var events: [UInt64] = []
    /// `summaries[slot * features.count + f]`.
    private(set) var summaries: [FeatureSummary] = []
    /// Events rejected by a check, by (day, feature, check).
    private(set) var rejected: [RejectedKey: UInt64] = [:]
    /// Reused buffer of one group's finite values.
    private var scratch: [Double] = []
    /// Reused buffer of their sketch keys.
    private var keyScratch: [Int] = []
    /// Reused counter of one group's strings.
    private var byteCounter = ByteCounter()

    struct RejectedKey: Hashable {
        var day: Int32
        var feature: String
        var check: ExpectCheck
    }

    init(version: FeatureTableVersion) {
        self.version = version.version
        features = version.definition.features
        kinds = features.map { FeatureSummary.Kind($0.type) }
    }

    var isEmpty: Bool { days.isEmpty && rejected.isEmpty }

    private mutating func slot(_ day: Int32) -> Int {
        if let s = slotOfDay[day] { return s }
        let s = days.count
        slotOfDay[day] = s
        days.append(day)
        events.append(0)
        for kind in kinds {
            var summary = FeatureSummary(kind: kind)
            if kind == .categorical { summary.top = TopValues(capacity: Self.batchTopCapacity) }
            summaries.append(summary)
        }
        return s
    }

    /// Counts an event rejected by `check` of `feature`.
    mutating func addRejected(eventTime: Int64, feature: String, check: ExpectCheck) {
        rejected[RejectedKey(day: StatisticsKey.day(eventTime), feature: feature, check: check), default: 0] += 1
    }

    /// Adds the accepted `rows` of `batch`; `featureColumns[f]` is the batch
    /// column of feature f (nil = absent, all null), `eventTimes` the batch's
    /// event-timestamp column. Works column by column and day group by day
    /// group: numbers through ``addNumbers(_:_:_:_:_:)``, strings counted
    /// exactly per group by their bytes (``ByteCounter``, one `String` per
    /// distinct value kept) before Misra–Gries sees them.
    mutating func add(rows: [Int32], of batch: RecordBatch, eventTimes: [Int64], featureColumns: [Int?]) {
        guard !rows.isEmpty else { return }
        let nf = features.count
        var slots = [Int](repeating: 0, count: rows.count)
        var lastDay = Int32.min, lastSlot = -1
        for k in 0..<rows.count {
            let d = StatisticsKey.day(eventTimes[Int(rows[k])])
            if d != lastDay { lastDay = d; lastSlot = slot(d) }
            slots[k] = lastSlot
            events[lastSlot] += 1
        }
        let groups = Self.groups(rows: rows, slots: slots, slotCount: days.count)
        groups.rows.withUnsafeBufferPointer { allRows in
            for f in 0..<nf {
                guard let ci = featureColumns[f] else {
                    for (slot, range) in groups.ranges { summaries[slot * nf + f].nulls += UInt64(range.count) }
                    continue
                }
                let column = batch.columns[ci]
                column.validity.withUnsafeBufferPointer { valid in
                    switch column.storage {
                    case .float64(let a): addNumbers(a, { $0 }, groups, valid, f)
                    case .float32(let a): addNumbers(a, { Double($0) }, groups, valid, f)
                    case .int64(let a): addNumbers(a, { Double($0) }, groups, valid, f)
                    case .int32(let a): addNumbers(a, { Double($0) }, groups, valid, f)
                    case .bool(let a):
                        for (slot, range) in groups.ranges {
                            var trues: UInt64 = 0, falses: UInt64 = 0
                            for r in allRows[range] where valid[Int(r)] {
                                if a[Int(r)] { trues += 1 } else { falses += 1 }
                            }
                            let i = slot * nf + f
                            summaries[i].count += trues + falses
                            summaries[i].nulls += UInt64(range.count) - trues - falses
                            var counts: [(value: String, count: UInt64)] = []
                            if trues > 0 { counts.append(("true", trues)) }
                            if falses > 0 { counts.append(("false", falses)) }
                            summaries[i].top!.add(counts: counts)
                        }
                    case .binary(let offsets, let bytes) where kinds[f] == .categorical:
                        offsets.withUnsafeBufferPointer { offsets in
                            bytes.withUnsafeBytes { bytes in
                                for (slot, range) in groups.ranges {
                                    byteCounter.reset()
                                    let nulls = byteCounter.count(rows: UnsafeBufferPointer(rebasing: allRows[range]),
                                                                  offsets: offsets, bytes: bytes, valid: valid)
                                    let i = slot * nf + f
                                    summaries[i].count += UInt64(range.count) - nulls
                                    summaries[i].nulls += nulls
                                    summaries[i].top!.add(counts: byteCounter.distinct(prunedTo: Self.batchTopCapacity, bytes: bytes))
                                }
                            }
                        }
                    case .binary, .vector:
                        for (slot, range) in groups.ranges {
                            var present: UInt64 = 0
                            for r in allRows[range] where valid[Int(r)] { present += 1 }
                            summaries[slot * nf + f].count += present
                            summaries[slot * nf + f].nulls += UInt64(range.count) - present
                        }
                    }
                }
            }
        }
    }

    /// The rows of a batch grouped by day slot (a stable counting sort; one
    /// group without copying order when the batch holds one day).
    struct Groups {
        var rows: [Int32]
        /// (slot, range in `rows`), one per slot present.
        var ranges: [(slot: Int, range: Range<Int>)]
    }

    static func groups(rows: [Int32], slots: [Int], slotCount: Int) -> Groups {
        if let first = slots.first, !slots.contains(where: { $0 != first }) {
            return Groups(rows: rows, ranges: [(first, 0..<rows.count)])
        }
        var starts = [Int](repeating: 0, count: slotCount + 1)
        for s in slots { starts[s + 1] += 1 }
        for s in 0..<slotCount { starts[s + 1] += starts[s] }
        var ranges: [(slot: Int, range: Range<Int>)] = []
        for s in 0..<slotCount where starts[s + 1] > starts[s] { ranges.append((s, starts[s]..<starts[s + 1])) }
        var at = starts
        var sorted = [Int32](repeating: 0, count: rows.count)
        for k in 0..<rows.count {
            sorted[at[slots[k]]] = rows[k]
            at[slots[k]] += 1
        }
        return Groups(rows: sorted, ranges: ranges)
    }

    /// Per day group: the finite values gathered into ``scratch`` (with
    /// sum, min and max), then M2 around the group mean in a second pass,
    /// merged once (Chan et al.), and the sketch filled in one bulk pass
    /// (``QuantileSketch/add(contentsOf:)``).
    @inline(__always)
    private mutating func addNumbers<T>(_ a: [T], _ convert: (T) -> Double, _ groups: Groups,
                                        _ valid: UnsafeBufferPointer<Bool>, _ f: Int) {
        let nf = features.count
        let largest = groups.ranges.reduce(0) { Swift.max($0, $1.range.count) }
        if scratch.count < largest { scratch = [Double](repeating: 0, count: largest) }
        // Taken out so neither the scratch nor a bucket array is copied on write.
        var buffer = scratch, keys = keyScratch
        scratch = []
        keyScratch = []
        a.withUnsafeBufferPointer { p in
            groups.rows.withUnsafeBufferPointer { rows in
                buffer.withUnsafeMutableBufferPointer { out in
                    for (slot, range) in groups.ranges {
                        var n = 0
                        var nulls: UInt64 = 0, nonFinite: UInt64 = 0
                        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity
                        for k in range {
                            let r = Int(rows[k])
                            guard valid[r] else { nulls &+= 1; continue }
                            let x = convert(p[r])
                            guard x.isFinite else { nonFinite &+= 1; continue }
                            out[n] = x
                            n &+= 1
                            sum += x
                            lo = Swift.min(lo, x)
                            hi = Swift.max(hi, x)
                        }
                        let i = slot * nf + f
                        summaries[i].nulls += nulls
                        summaries[i].nonFinite += nonFinite
                        summaries[i].count += nonFinite + UInt64(n)
                        guard n > 0 else { continue }
                        let values = UnsafeBufferPointer(rebasing: out[0..<n])
                        let mean = sum / Double(n)
                        var m2 = 0.0
                        for x in values { let d = x - mean; m2 += d * d }
                        summaries[i].moments.merge(Moments(count: UInt64(n), min: lo, max: hi, mean: mean, m2: m2))
                        var sketch = summaries[i].sketch!
                        summaries[i].sketch = nil
                        sketch.add(contentsOf: values, keys: &keys)
                        summaries[i].sketch = sketch
                    }
                }
            }
        }
        scratch = buffer
        keyScratch = keys
    }

    /// Merges everything into the stored records of table `tableId`, inside `txn`.
    func write(tableId: UInt32, database: Database, txn: inout Transaction) throws {
        let nf = features.count
        for (s, day) in days.enumerated() {
            var dayEvents = FeatureSummary(kind: .events)
            dayEvents.count = events[s]
            try Self.merge(dayEvents, key: StatisticsKey.featureDay(table: tableId, day: day, version: version, feature: ""),
                           database: database, txn: &txn)
            for f in 0..<nf {
                try Self.merge(summaries[s * nf + f],
                               key: StatisticsKey.featureDay(table: tableId, day: day, version: version, feature: features[f].name),
                               database: database, txn: &txn)
            }
        }
        for (k, n) in rejected {
            let key = StatisticsKey.rejected(table: tableId, day: k.day, feature: k.feature, check: k.check)
            let stored = try txn.withValue(forKey: key, in: database) { v in
                try v.map { v -> UInt64 in
                    guard let n = RejectedCount.decode(v) else {
                        throw FeatureStoreError.corrupt("rejected-events record of table \(tableId): malformed value")
                    }
                    return n
                } ?? 0
            }
            try txn.put(key, RejectedCount.encode(stored + n), in: database)
        }
    }

    private static func merge(_ summary: FeatureSummary, key: [UInt8], database: Database, txn: inout Transaction) throws {
        var merged = try txn.withValue(forKey: key, in: database) { v in
            try v.map { try FeatureSummary(decoding: $0, what: "record") } ?? FeatureSummary(kind: summary.kind)
        }
        merged.merge(summary)
        try txn.put(key, merged.encoded(), in: database)
    }
}

/// The value of a rejected-events record: `01 · count (u64 LE)`.
enum RejectedCount {
    static func encode(_ n: UInt64) -> [UInt8] {
        var out: [UInt8] = [1]
        withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    static func decode(_ p: UnsafeRawBufferPointer) -> UInt64? {
        guard p.count == 9, p[0] == 1 else { return nil }
        return UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
    }
}
