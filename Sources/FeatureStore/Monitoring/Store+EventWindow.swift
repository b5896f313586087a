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
        let (versions, chosen) = try driftFeatures(table: table, features: features)
        let current = versions[versions.count - 1]
        // Per schema version: for each chosen feature, its index in that version (nil = absent).
        var slots: [UInt32: (layout: RowLayout, index: [Int?])] = [:]
        for v in versions {
            let vd = v.definition.features
            let index = chosen.map { c in vd.firstIndex { $0.name == c.name && $0.type == c.type } }
            slots[UInt32(v.version)] = (RowLayout(types: vd.map(\.type)), index)
        }
        var numbers = [[Double]](repeating: [], count: chosen.count)
        var strings = [[String]](repeating: [], count: chosen.count)
        var nulls = [Int](repeating: 0, count: chosen.count)
        let events = try environment.read { txn in
            try Self.scanWindow(txn: txn, events: db.events, tableId: current.tableId, start: start, end: end,
                                slots: slots, chosen: chosen, numbers: &numbers, strings: &strings, nulls: &nulls)
        }
        let out = chosen.enumerated().map { i, f in
            EventWindowValues.Feature(name: f.name, type: f.type,
                                      values: f.type == .string || f.type == .bool ? .strings(strings[i]) : .numbers(numbers[i]),
                                      nulls: nulls[i])
        }
        return EventWindowValues(table: table, events: events, features: out)
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

    private static func scanWindow(txn: borrowing Transaction, events: Database, tableId: UInt32, start: Int64, end: Int64,
                                   slots: [UInt32: (layout: RowLayout, index: [Int?])], chosen: [FeatureDefinition],
                                   numbers: inout [[Double]], strings: inout [[String]], nulls: inout [Int]) throws -> Int {
        let prefix = KeyCodec.tablePrefix(tableId)
        let suffix = KeyCodec.orderSuffixBytes
        var count = 0
        try txn.withCursor(events) { c in
            var more = try c.seek(atLeast: prefix)
            while more {
                let key = c.key
                guard key.count > prefix.count + suffix, key.starts(with: prefix) else { break }
                let ts = KeyCodec.readInt64(key, at: key.count - suffix)
                if ts >= start && ts <= end {
                    let value = c.value
                    count += 1
                    let version = value.count >= 4 ? UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)) : 0
                    if let (layout, index) = slots[version] {
                        let row = UnsafeRawBufferPointer(rebasing: value[4...])
                        for (i, f) in index.enumerated() {
                            guard let f, layout.isPresent(row, f) else { nulls[i] += 1; continue }
                            switch chosen[i].type {
                            case .bool: strings[i].append(layout.bool(row, f) ? "true" : "false")
                            case .string: strings[i].append(String(decoding: layout.bytes(row, f), as: UTF8.self))
                            case .int32: numbers[i].append(Double(layout.int32(row, f)))
                            case .int64: numbers[i].append(Double(layout.int64(row, f)))
                            case .float32: numbers[i].append(Double(layout.float32(row, f)))
                            case .float64: numbers[i].append(layout.float64(row, f))
                            default: nulls[i] += 1
                            }
                        }
                    } else {
                        for i in nulls.indices { nulls[i] += 1 }
                    }
                }
                more = try c.next()
            }
        }
        return count
    }
}
