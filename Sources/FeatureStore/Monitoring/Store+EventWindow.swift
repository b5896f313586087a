import LMDB
import Tabular

/// The values of some features of one table over a window of event time, as
/// drift detection reads them: every event in the window (not only the latest
/// per entity), nulls left out.
public struct EventWindowValues: Sendable, Equatable {
    /// One feature's non-null values, numbers or categories.
    public enum Values: Sendable, Equatable {
        /// int32 / int64 / float32 / float64 features, as `Double` (NaN kept; the caller filters).
        case numbers([Double])
        /// string and bool features (`"true"` / `"false"`).
        case strings([String])

        public var count: Int {
            switch self {
            case .numbers(let v): v.count
            case .strings(let v): v.count
            }
        }
    }

    /// One feature of the window.
    public struct Feature: Sendable, Equatable {
        public var name: String
        public var type: DataType
        public var values: Values
        /// Events of the window where the feature was null or absent.
        public var nulls: Int
    }

    public var table: String
    /// Events with `start ≤ event_timestamp ≤ end`.
    public var events: Int
    public var features: [Feature]
}

/// Keeps only the events whose int64 feature `feature` equals `value` (nulls
/// and events of schema versions without the feature are left out): the
/// prediction log's `model_version` for `fsctl drift --model NAME --version V`.
public struct EventFilter: Sendable, Equatable {
    public var feature: String
    public var value: Int64
    public init(feature: String, value: Int64) { self.feature = feature; self.value = value }
}

extension Store {
    /// Whether drift detection can compare a feature of this type.
    public static func isDriftComparable(_ type: DataType) -> Bool {
        switch type {
        case .bool, .int32, .int64, .float32, .float64, .string: true
        case .bytes, .timestamp, .float32Vector: false
        }
    }

    /// Reads `features` (nil = every comparable feature of the current
    /// version) of the events of `table` with `start ≤ event_timestamp ≤ end`:
    /// one forward scan of the table's part of the event log in a read
    /// transaction, each feature decoded into its own column. Events written
    /// under an older schema version contribute the features that version has
    /// with the same type (others count as null).
    ///
    /// ```swift
    /// let w = try store.eventWindow(table: "user_stats", start: t0, end: t1, features: ["age"])
    /// ```
    /// Throws `notFound` for an unknown table or feature (with a suggestion),
    /// `invalid` for a window whose start is after its end or a feature of a
    /// type drift cannot compare (bytes, timestamp, vectors).
    public func eventWindow(table: String, start: Int64, end: Int64, features: [String]? = nil) throws -> EventWindowValues {
        guard start <= end else {
            throw FeatureStoreError.invalid("window start \(Timestamp.format(start)) is after its end \(Timestamp.format(end))")
        }
        return try eventWindows(table: table, windows: [start...end], features: features)[0]
    }

    /// ``eventWindow(table:start:end:features:)`` for several windows in one
    /// scan of the event log (the log is ordered by entity, not time, so each
    /// window would otherwise cost a full scan of the table).
    ///
    /// `filter` keeps only the events whose int64 feature equals a value
    /// (throws `notFound` when the table has no such int64 feature).
    public func eventWindows(table: String, windows: [ClosedRange<Int64>], features: [String]? = nil,
                             filter: EventFilter? = nil) throws -> [EventWindowValues] {
        let (versions, chosen) = try driftFeatures(table: table, features: features)
        let current = versions[versions.count - 1]
        let k = chosen.count
        // Per schema version v and chosen feature i, at (v * k + i): the slot
        // offset, or -1 when that version lacks the feature; `kinds[i]` says how to read it.
        let maxVersion = versions.map(\.version).max() ?? 0
        var slot = [Int](repeating: -1, count: (maxVersion + 1) * k)
        var bitmap = [Int](repeating: 0, count: (maxVersion + 1) * k)
        var known = [Bool](repeating: false, count: maxVersion + 1)
        var fixed = [Int](repeating: 0, count: maxVersion + 1)
        // The filter's slot and bitmap index per version (-1: the version lacks it).
        var filterSlot = [Int](repeating: -1, count: maxVersion + 1)
        var filterBit = [Int](repeating: 0, count: maxVersion + 1)
        if let filter {
            guard current.definition.features.contains(where: { $0.name == filter.feature && $0.type == .int64 }) else {
                throw FeatureStoreError.notFound("table '\(table)' has no int64 feature '\(filter.feature)' to filter on")
            }
        }
        for v in versions {
            let vd = v.definition.features
            let layout = RowLayout(types: vd.map(\.type))
            known[v.version] = true
            fixed[v.version] = layout.fixedBytes
            if let filter, let f = vd.firstIndex(where: { $0.name == filter.feature && $0.type == .int64 }) {
                filterSlot[v.version] = layout.slotOffsets[f]
                filterBit[v.version] = f
            }
            for (i, c) in chosen.enumerated() {
                if let f = vd.firstIndex(where: { $0.name == c.name && $0.type == c.type }) {
                    slot[v.version * k + i] = layout.slotOffsets[f]
                    bitmap[v.version * k + i] = f
                }
            }
        }
        let kinds = chosen.map { ScanKind($0.type) }
        var numbers = [[Double]](repeating: [], count: windows.count * k)
        var strings = [[String]](repeating: [], count: windows.count * k)
        var nulls = [Int](repeating: 0, count: windows.count * k)
        var counts = [Int](repeating: 0, count: windows.count)
        let bounds = windows.map { ($0.lowerBound, $0.upperBound) }
        try environment.read { txn in
            try Self.scanWindows(txn: txn, events: db.events, tableId: current.tableId, windows: bounds,
                                 scan: ScanPlan(k: k, slot: slot, bitmap: bitmap, known: known, fixed: fixed, kinds: kinds,
                                               filter: filter.map { ($0.value, filterSlot, filterBit) }),
                                 numbers: &numbers, strings: &strings, nulls: &nulls, counts: &counts)
        }
        return windows.indices.map { w in
            let out = chosen.enumerated().map { i, f in
                EventWindowValues.Feature(name: f.name, type: f.type,
                                          values: kinds[i] == .string || kinds[i] == .bool ? .strings(strings[w * k + i]) : .numbers(numbers[w * k + i]),
                                          nulls: nulls[w * k + i])
            }
            return EventWindowValues(table: table, events: counts[w], features: out)
        }
    }

    /// The table's schema versions and the features drift compares: `features`
    /// (each must exist and be comparable) or every comparable feature of the
    /// current version. Throws `notFound` (with a suggestion) or `invalid`.
    public func driftFeatures(table: String, features: [String]?) throws -> (versions: [FeatureTableVersion], features: [FeatureDefinition]) {
        let catalog = try catalog()
        guard let versions = catalog.tables[table], let current = versions.last else {
            throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
        }
        let defs = current.definition.features
        guard let features else { return (versions, defs.filter { Self.isDriftComparable($0.type) }) }
        let chosen = try features.map { name in
            guard let f = defs.first(where: { $0.name == name }) else {
                throw FeatureStoreError.notFound("table '\(table)' has no feature '\(name)'" + Self.suggest(name, in: defs.map(\.name)))
            }
            guard Self.isDriftComparable(f.type) else {
                throw FeatureStoreError.invalid("table '\(table)': feature '\(name)' is \(f.type); drift compares bool, int32, int64, float32, float64 and string features")
            }
            return f
        }
        return (versions, chosen)
    }

    enum ScanKind: Equatable {
        case bool, string, int32, int64, float32, float64, other
        init(_ t: DataType) {
            switch t {
            case .bool: self = .bool
            case .string: self = .string
            case .int32: self = .int32
            case .int64: self = .int64
            case .float32: self = .float32
            case .float64: self = .float64
            default: self = .other
            }
        }
    }

    struct ScanPlan {
        var k: Int
        var slot: [Int]
        var bitmap: [Int]
        var known: [Bool]
        var fixed: [Int]
        var kinds: [ScanKind]
        /// Wanted value, slot offset and bitmap index per version of the filter feature.
        var filter: (value: Int64, slot: [Int], bit: [Int])?
        @inline(__always) func fixedBytes(_ version: Int) -> Int { fixed[version] }
    }

    private static func scanWindows(txn: borrowing Transaction, events: Database, tableId: UInt32, windows: [(Int64, Int64)],
                                    scan: ScanPlan, numbers: inout [[Double]], strings: inout [[String]],
                                    nulls: inout [Int], counts: inout [Int]) throws {
        let prefix = KeyCodec.tablePrefix(tableId)
        let suffix = KeyCodec.orderSuffixBytes
        let k = scan.k
        try txn.withCursor(events) { c in
            var more = try c.seek(atLeast: prefix)
            while more {
                let key = c.key
                guard key.count > prefix.count + suffix,
                      prefix.withUnsafeBytes({ memcmpPrefix(key, $0) }) else { break }
                let ts = KeyCodec.readInt64(key, at: key.count - suffix)
                for (w, (start, end)) in windows.enumerated() where ts >= start && ts <= end {
                    let value = c.value
                    let version = value.count >= 4 ? Int(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))) : -1
                    if let filter = scan.filter {
                        guard version >= 0, version < filter.slot.count, filter.slot[version] >= 0 else { continue }
                        let row = UnsafeRawBufferPointer(rebasing: value[4...])
                        let f = filter.bit[version]
                        guard row[f >> 3] & (1 << UInt8(f & 7)) != 0,
                              Int64(littleEndian: row.loadUnaligned(fromByteOffset: filter.slot[version], as: Int64.self)) == filter.value
                        else { continue }
                    }
                    counts[w] += 1
                    guard version >= 0, version < scan.known.count, scan.known[version] else {
                        for i in 0..<k { nulls[w * k + i] += 1 }
                        continue
                    }
                    let row = UnsafeRawBufferPointer(rebasing: value[4...])
                    for i in 0..<k {
                        let off = scan.slot[version * k + i]
                        let f = scan.bitmap[version * k + i]
                        let o = w * k + i
                        guard off >= 0, row[f >> 3] & (1 << UInt8(f & 7)) != 0 else { nulls[o] += 1; continue }
                        switch scan.kinds[i] {
                        case .bool: strings[o].append(row[off] != 0 ? "true" : "false")
                        case .string:
                            let at = Int(row.loadUnaligned(fromByteOffset: off, as: UInt32.self).littleEndian)
                            let len = Int(row.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self).littleEndian)
                            let fixed = scan.fixedBytes(version)
                            strings[o].append(String(decoding: UnsafeRawBufferPointer(rebasing: row[(fixed + at)..<(fixed + at + len)]), as: UTF8.self))
                        case .int32: numbers[o].append(Double(Int32(littleEndian: row.loadUnaligned(fromByteOffset: off, as: Int32.self))))
                        case .int64: numbers[o].append(Double(Int64(littleEndian: row.loadUnaligned(fromByteOffset: off, as: Int64.self))))
                        case .float32: numbers[o].append(Double(Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: off, as: UInt32.self)))))
                        case .float64: numbers[o].append(Double(bitPattern: UInt64(littleEndian: row.loadUnaligned(fromByteOffset: off, as: UInt64.self))))
                        case .other: nulls[o] += 1
                        }
                    }
                }
                more = try c.next()
            }
        }
    }

    private static func memcmpPrefix(_ key: UnsafeRawBufferPointer, _ prefix: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<prefix.count where key[i] != prefix[i] { return false }
        return true
    }
}
