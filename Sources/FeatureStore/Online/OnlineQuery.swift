import LMDB
import Tabular

/// A prepared online lookup: feature refs resolved once, row layouts of every
/// schema version precomputed, so a lookup is one read transaction, one
/// `mdb_get` per entity and table, and a zero-copy decode of only the
/// requested features. Safe to share between threads.
///
/// ```swift
/// let query = try store.onlineQuery(refs: ["user_stats:age", "user_stats:country"])
/// var result = query.emptyResult()
/// try query.read(entities: [[.int64(1)], [.int64(2)]], into: &result)   // reuses result's storage
/// ```
public final class OnlineQuery: @unchecked Sendable {
    public let store: Store
    /// The join keys an entity row must give, in this order, for ``read(entities:at:into:)``.
    public let joinKeys: [JoinKey]
    /// The resolved features, in output order.
    public let features: [ResolvedFeature]
    /// Output column names: join keys, then features (`table__feature` with full names).
    public let columnNames: [String]

    struct TablePlan {
        let name: String
        let tableId: UInt32
        let ttlMicros: Int64
        /// Indices into ``OnlineQuery/joinKeys`` forming this table's entity key, in key order.
        let keyColumns: [Int]
        /// Output column index of each requested feature of this table.
        let outputColumns: [Int]
        /// The requested feature's type, per output.
        let outputTypes: [DataType]
        /// Per stored schema version: its layout and, per output, the feature index in it (nil = absent).
        let versions: [UInt32: (layout: RowLayout, index: [Int?])]
    }

    let tables: [TablePlan]

    init(store: Store, catalog: CatalogSnapshot, features: [ResolvedFeature], fullFeatureNames: Bool) throws {
        self.store = store
        self.features = features
        var joinKeys: [JoinKey] = []
        var names: [String] = []
        var plans: [TablePlan] = []
        var order: [String] = []
        var byTable: [String: [(Int, ResolvedFeature)]] = [:]
        for (i, f) in features.enumerated() {
            if byTable[f.table] == nil { order.append(f.table) }
            byTable[f.table, default: []].append((i, f))
        }
        // Join keys in order of first appearance across the tables.
        var tableKeys: [String: [Int]] = [:]
        for table in order {
            guard let current = catalog.currentVersion(of: table) else { throw FeatureStoreError.notFound("no feature table '\(table)'") }
            let schema = try TableWriteSchema(version: current, catalog: catalog)
            var indices: [Int] = []
            for (key, _) in schema.joinKeys {
                if let at = joinKeys.firstIndex(where: { $0.name == key.name }) {
                    guard joinKeys[at].type == key.type else {
                        throw FeatureStoreError.invalid("join key '\(key.name)' is \(joinKeys[at].type) in one table and \(key.type) in '\(table)'")
                    }
                    indices.append(at)
                } else {
                    indices.append(joinKeys.count)
                    joinKeys.append(key)
                }
            }
            tableKeys[table] = indices
        }
        names = joinKeys.map(\.name)
        // Output names, with the collision rule of SPEC 7.
        var seen: [String: String] = [:]
        for f in features {
            let name = fullFeatureNames ? f.fullName : f.name
            if let other = seen[name] {
                throw FeatureStoreError.invalid("feature name '\(name)' is in both '\(other)' and '\(f.table)'; use full feature names (table__feature)")
            }
            if names.contains(name) {
                throw FeatureStoreError.invalid("feature name '\(name)' of table '\(f.table)' collides with a join key; use full feature names")
            }
            seen[name] = f.table
            names.append(name)
        }
        for table in order {
            let requested = byTable[table]!
            let allVersions = catalog.tables[table] ?? []
            var versions: [UInt32: (RowLayout, [Int?])] = [:]
            for v in allVersions {
                let defs = v.definition.features
                let index: [Int?] = requested.map { (_, f) in
                    defs.firstIndex { $0.name == f.feature.name && $0.type == f.feature.type }
                }
                versions[UInt32(v.version)] = (RowLayout(types: defs.map(\.type)), index)
            }
            let current = catalog.currentVersion(of: table)!
            plans.append(TablePlan(name: table, tableId: current.tableId, ttlMicros: current.definition.ttlMicros,
                                   keyColumns: tableKeys[table]!,
                                   outputColumns: requested.map { joinKeys.count + $0.0 },
                                   outputTypes: requested.map { $0.1.feature.type },
                                   versions: versions.mapValues { (layout: $0.0, index: $0.1) }))
        }
        self.joinKeys = joinKeys
        self.columnNames = names
        self.tables = plans
    }

    /// An empty result with this query's columns, to pass to ``read(entities:at:into:)``.
    public func emptyResult() -> OnlineFeatures {
        var columns: [OnlineColumn] = joinKeys.map { OnlineColumn(name: $0.name, type: $0.type) }
        for (i, f) in features.enumerated() { columns.append(OnlineColumn(name: columnNames[joinKeys.count + i], type: f.feature.type)) }
        return OnlineFeatures(columns: columns)
    }

    /// Looks up `entities` (each: values of ``joinKeys`` in order) as of `at`
    /// (default now) and returns the result.
    public func read(entities: [[Value]], at: Int64? = nil) throws -> OnlineFeatures {
        var result = emptyResult()
        try read(entities: entities, at: at, into: &result)
        return result
    }

    /// Looks up `entities` into `result`, reusing its storage (no allocation
    /// per lookup once warm, for numeric features).
    public func read(entities: [[Value]], at: Int64? = nil, into result: inout OnlineFeatures) throws {
        let now = at ?? Clock.nowMicros()
        for c in result.columns.indices { result.columns[c].removeAll() }
        for (row, entity) in entities.enumerated() {
            guard entity.count == joinKeys.count else {
                throw FeatureStoreError.invalid("entity \(row + 1): expected \(joinKeys.count) join key value(s) (\(joinKeys.map(\.name).joined(separator: ", "))), got \(entity.count)")
            }
            for (k, v) in entity.enumerated() {
                result.columns[k].values.append(v)
                result.columns[k].statuses.append(.present)
                result.columns[k].eventTimestamps.append(nil)
            }
        }
        var key: [UInt8] = []
        key.reserveCapacity(64)
        try store.environment.read { txn in
            for plan in tables {
                for (row, entity) in entities.enumerated() {
                    key.removeAll(keepingCapacity: true)
                    key.append(KeyCodec.formatVersion)
                    KeyCodec.appendUInt32(plan.tableId, to: &key)
                    for k in plan.keyColumns { try Self.appendKey(entity[k], joinKeys[k], row: row, to: &key) }
                    let unknown = try txn.withValue(forKey: key, in: store.db.online) { value in
                        Self.decode(value, plan: plan, now: now, into: &result)
                    }
                    // A row written under a schema version applied after this query was
                    // prepared: without its layout it cannot be decoded, and reading it
                    // as null would be silently wrong.
                    if let unknown {
                        throw FeatureStoreError.conflict("table '\(plan.name)' has schema version \(unknown), newer than this prepared query (prepare it again)")
                    }
                }
            }
        }
    }

    @inline(__always)
    static func appendKey(_ v: Value, _ key: JoinKey, row: Int, to out: inout [UInt8]) throws {
        switch (key.type, v) {
        case (.int64, .int64(let x)): KeyCodec.appendInt64(x, to: &out)
        case (.int64, .int32(let x)): KeyCodec.appendInt64(Int64(x), to: &out)
        case (.int32, .int32(let x)): KeyCodec.appendInt32(x, to: &out)
        case (.int32, .int64(let x)) where Int32(exactly: x) != nil: KeyCodec.appendInt32(Int32(x), to: &out)
        case (.string, .string(let s)): KeyCodec.appendEscaped(s.utf8, to: &out)
        case (.bytes, .bytes(let b)): KeyCodec.appendEscaped(b, to: &out)
        default:
            throw FeatureStoreError.invalid("entity \(row + 1): join key '\(key.name)' expects \(key.type), got \(v)")
        }
    }

    /// Appends one entity's features; returns the row's schema version instead
    /// when the plan does not know it (then nothing is appended).
    @inline(__always)
    static func decode(_ value: UnsafeRawBufferPointer?, plan: TablePlan, now: Int64, into result: inout OnlineFeatures) -> UInt32? {
        guard let value, value.count >= KeyCodec.orderSuffixBytes + 4 else {
            for c in plan.outputColumns {
                result.columns[c].values.append(nil)
                result.columns[c].statuses.append(.notFound)
                result.columns[c].eventTimestamps.append(nil)
            }
            return nil
        }
        let eventTime = KeyCodec.readInt64(value, at: 0)
        let version = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: KeyCodec.orderSuffixBytes, as: UInt32.self))
        let row = UnsafeRawBufferPointer(rebasing: value[(KeyCodec.orderSuffixBytes + 4)...])
        let stale = plan.ttlMicros > 0 && eventTime < now - plan.ttlMicros
        guard let entry = plan.versions[version] else { return version }
        for (i, c) in plan.outputColumns.enumerated() {
            result.columns[c].eventTimestamps.append(eventTime)
            if stale {
                result.columns[c].values.append(nil)
                result.columns[c].statuses.append(.outsideMaxAge)
                continue
            }
            guard let f = entry.index[i], entry.layout.isPresent(row, f) else {
                result.columns[c].values.append(nil)
                result.columns[c].statuses.append(.nullValue)
                continue
            }
            let layout = entry.layout
            let v: Value
            switch plan.outputTypes[i] {
            case .bool: v = .bool(layout.bool(row, f))
            case .int32: v = .int32(layout.int32(row, f))
            case .int64: v = .int64(layout.int64(row, f))
            case .timestamp: v = .timestamp(layout.int64(row, f))
            case .float32: v = .float32(layout.float32(row, f))
            case .float64: v = .float64(layout.float64(row, f))
            case .string: v = .string(String(decoding: layout.bytes(row, f), as: UTF8.self))
            case .bytes: v = .bytes(Array(layout.bytes(row, f)))
            case .float32Vector: v = layout.value(row, f) ?? .vector([])
            }
            result.columns[c].values.append(v)
            result.columns[c].statuses.append(.present)
        }
        return nil
    }
}

extension Store {
    /// Prepares an online lookup of `refs` and `services` (resolved now).
    public func onlineQuery(refs: [String], services: [String] = [], fullFeatureNames: Bool = false) throws -> OnlineQuery {
        let catalog = try catalog()
        let features = try catalog.resolve(refs: refs, services: services)
        guard !features.isEmpty else { throw FeatureStoreError.invalid("no features requested") }
        return try OnlineQuery(store: self, catalog: catalog, features: features, fullFeatureNames: fullFeatureNames)
    }

    /// Online lookup with join-key values as text (command line, HTTP), parsed
    /// by each join key's type. Each entity is a `[join key: text]` map.
    public func onlineFeatures(refs: [String], services: [String] = [], entities: [[String: String]],
                               at: Int64? = nil, fullFeatureNames: Bool = false) throws -> OnlineFeatures {
        let query = try onlineQuery(refs: refs, services: services, fullFeatureNames: fullFeatureNames)
        var rows: [[Value]] = []
        for (i, entity) in entities.enumerated() {
            for name in entity.keys where !query.joinKeys.contains(where: { $0.name == name }) {
                throw FeatureStoreError.invalid("entity \(i + 1): unknown join key '\(name)' (the features requested use \(query.joinKeys.map { "'\($0.name)'" }.joined(separator: ", ")))")
            }
            rows.append(try query.joinKeys.map { key in
                guard let text = entity[key.name] else {
                    throw FeatureStoreError.invalid("entity \(i + 1): missing join key '\(key.name)'")
                }
                return try Self.parseKeyValue(text, key, entity: i + 1)
            })
        }
        return try query.read(entities: rows, at: at)
    }

    /// Online lookup with typed join-key values.
    public func onlineFeatures(refs: [String], services: [String] = [], entities: [[String: Value]],
                               at: Int64? = nil, fullFeatureNames: Bool = false) throws -> OnlineFeatures {
        let query = try onlineQuery(refs: refs, services: services, fullFeatureNames: fullFeatureNames)
        let rows: [[Value]] = try entities.enumerated().map { i, entity in
            try query.joinKeys.map { key in
                guard let v = entity[key.name] else { throw FeatureStoreError.invalid("entity \(i + 1): missing join key '\(key.name)'") }
                return v
            }
        }
        return try query.read(entities: rows, at: at)
    }

    static func parseKeyValue(_ text: String, _ key: JoinKey, entity: Int) throws -> Value {
        let fail = FeatureStoreError.invalid("entity \(entity): join key '\(key.name)': cannot parse \"\(text)\" as \(key.type)")
        switch key.type {
        case .int64: guard let x = Int64(text) else { throw fail }; return .int64(x)
        case .int32: guard let x = Int32(text) else { throw fail }; return .int32(x)
        case .string: return .string(text)
        case .bytes: guard let b = Base64.decode(Array(text.utf8)) else { throw fail }; return .bytes(b)
        default: throw fail
        }
    }
}
