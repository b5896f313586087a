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

    /// Where one requested feature sits in one stored schema version's row,
    /// precomputed so decoding is a bit test and a load (no lookups per value).
    struct OutputSlot {
        /// False when this schema version has no such feature (always null).
        let exists: Bool
        /// Presence bitmap byte and bit of the feature.
        let bitmapByte: Int
        let bitMask: UInt8
        /// Offset of its fixed slot in the row.
        let offset: Int
        /// Index in the version's layout (for vectors, via ``RowLayout/value(_:_:)``).
        let feature: Int
    }

    /// The decoding recipe of one stored schema version.
    final class VersionPlan {
        let layout: RowLayout
        /// One per output of the table, in ``TablePlan/outputColumns`` order.
        let slots: [OutputSlot]
        init(layout: RowLayout, index: [Int?]) {
            self.layout = layout
            slots = index.map { f in
                guard let f else { return OutputSlot(exists: false, bitmapByte: 0, bitMask: 0, offset: 0, feature: 0) }
                return OutputSlot(exists: true, bitmapByte: f >> 3, bitMask: 1 << UInt8(f & 7),
                                  offset: layout.slotOffsets[f], feature: f)
            }
        }
    }

    final class TablePlan {
        let name: String
        let tableId: UInt32
        let ttlMicros: Int64
        /// Indices into ``OnlineQuery/joinKeys`` forming this table's entity key, in key order.
        let keyColumns: [Int]
        /// Output column index of each requested feature of this table.
        let outputColumns: [Int]
        /// The requested feature's type, per output.
        let outputTypes: [DataType]
        /// Per stored schema version number (the array index): its recipe, nil when unknown.
        let versions: [VersionPlan?]

        init(name: String, tableId: UInt32, ttlMicros: Int64, keyColumns: [Int], outputColumns: [Int], outputTypes: [DataType],
             versions: [UInt32: VersionPlan]) {
            self.name = name
            self.tableId = tableId; self.ttlMicros = ttlMicros; self.keyColumns = keyColumns
            self.outputColumns = outputColumns; self.outputTypes = outputTypes
            var byNumber = [VersionPlan?](repeating: nil, count: Int(versions.keys.max() ?? 0) + 1)
            for (v, plan) in versions { byNumber[Int(v)] = plan }
            self.versions = byNumber
        }

        @inline(__always) func version(_ v: UInt32) -> VersionPlan? {
            Int(v) < versions.count ? versions[Int(v)] : nil
        }
    }

    let tables: [TablePlan]

    /// The catalog generation of the catalog this query was resolved from
    /// (``Store/catalogGeneration()``), read in the same transaction.
    public let catalogGeneration: UInt64

    init(store: Store, catalog: CatalogSnapshot, generation: UInt64, features: [ResolvedFeature], fullFeatureNames: Bool) throws {
        self.store = store
        self.catalogGeneration = generation
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
            var versions: [UInt32: VersionPlan] = [:]
            for v in allVersions {
                let defs = v.definition.features
                let index: [Int?] = requested.map { (_, f) in
                    defs.firstIndex { $0.name == f.feature.name && $0.type == f.feature.type }
                }
                versions[UInt32(v.version)] = VersionPlan(layout: RowLayout(types: defs.map(\.type)), index: index)
            }
            let current = catalog.currentVersion(of: table)!
            plans.append(TablePlan(name: table, tableId: current.tableId, ttlMicros: current.definition.ttlMicros,
                                   keyColumns: tableKeys[table]!,
                                   outputColumns: requested.map { joinKeys.count + $0.0 },
                                   outputTypes: requested.map { $0.1.feature.type },
                                   versions: versions))
        }
        self.joinKeys = joinKeys
        self.columnNames = names
        self.tables = plans
        self.needsClock = plans.contains { $0.ttlMicros > 0 }
    }

    /// True when some table has a ttl (only then does a lookup read the clock).
    let needsClock: Bool

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
    /// per lookup once warm, for numeric features and strings of up to 15
    /// UTF-8 bytes). `result` should come from ``emptyResult()`` or an earlier read.
    public func read(entities: [[Value]], at: Int64? = nil, into result: inout OnlineFeatures) throws {
        _ = try read(entities: entities, at: at, into: &result) { _ in .done }
    }

    /// Looks up `entities` into `result` like ``read(entities:at:into:)``, after
    /// `precheck` passed inside the lookup's own read transaction (before
    /// anything is read). Returns what `precheck` returned; unless `.done`,
    /// nothing was read and `result` holds no answer.
    func read(entities: [[Value]], at: Int64?, into result: inout OnlineFeatures,
              precheck: (borrowing Transaction) throws -> CheckedLookup) throws -> CheckedLookup {
        for (row, entity) in entities.enumerated() where entity.count != joinKeys.count {
            throw FeatureStoreError.invalid("entity \(row + 1): expected \(joinKeys.count) join key value(s) (\(joinKeys.map(\.name).joined(separator: ", "))), got \(entity.count)")
        }
        if result.columns.count != columnNames.count { result = emptyResult() }
        let now = at ?? (needsClock ? Clock.nowMicros() : 0)
        let rows = entities.count
        let keyCount = joinKeys.count
        let online = store.db.online
        var outcome = CheckedLookup.done
        try result.columns.withUnsafeMutableBufferPointer { columns in
            for c in columns.indices { columns[c].resize(rows) }
            for k in 0..<keyCount {
                for row in 0..<rows {
                    columns[k].values[row] = entities[row][k]
                    columns[k].statuses[row] = .present
                    columns[k].eventTimestamps[row] = nil
                }
            }
            // The key is built on the stack: 1 format byte, 4 of table id, the entity key.
            try withUnsafeTemporaryAllocation(byteCount: Self.keyCapacity, alignment: 8) { key in
                try store.environment.read { txn in
                    outcome = try precheck(txn)
                    guard outcome == .done else { return }
                    for plan in tables {
                        for row in 0..<rows {
                            let length = try Self.encodeKey(entities[row], plan: plan, joinKeys: joinKeys, row: row, into: key)
                            let unknown = try txn.withValue(forKey: UnsafeRawBufferPointer(rebasing: key[..<length]), in: online) { value in
                                Self.decode(value, plan: plan, row: row, now: now, into: columns)
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
        }
        return outcome
    }

    /// LMDB's key limit (511) rounded up: room for any valid online key.
    static let keyCapacity = 512

    /// Writes `01 · tableId · entity key` into `out`; returns its length.
    @inline(__always)
    static func encodeKey(_ entity: [Value], plan: TablePlan, joinKeys: [JoinKey], row: Int,
                          into out: UnsafeMutableRawBufferPointer) throws -> Int {
        out[0] = KeyCodec.formatVersion
        out.storeBytes(of: plan.tableId.bigEndian, toByteOffset: 1, as: UInt32.self)
        var at = 5
        for k in plan.keyColumns {
            switch (joinKeys[k].type, entity[k]) {
            case (.int64, .int64(let x)): at = put64(UInt64(bitPattern: x) ^ (1 << 63), out, at)
            case (.int64, .int32(let x)): at = put64(UInt64(bitPattern: Int64(x)) ^ (1 << 63), out, at)
            case (.int32, .int32(let x)): at = put32(UInt32(bitPattern: x) ^ (1 << 31), out, at)
            case (.int32, .int64(let x)) where Int32(exactly: x) != nil:
                at = put32(UInt32(bitPattern: Int32(x)) ^ (1 << 31), out, at)
            case (.string, .string(let s)): at = try putEscaped(s.utf8, out, at, joinKeys[k], row: row)
            case (.bytes, .bytes(let b)): at = try putEscaped(b, out, at, joinKeys[k], row: row)
            default:
                throw FeatureStoreError.invalid("entity \(row + 1): join key '\(joinKeys[k].name)' expects \(joinKeys[k].type), got \(entity[k])")
            }
        }
        return at
    }

    @inline(__always)
    static func put64(_ u: UInt64, _ out: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        precondition(at + 8 <= out.count)
        out.storeBytes(of: u.bigEndian, toByteOffset: at, as: UInt64.self)
        return at + 8
    }

    @inline(__always)
    static func put32(_ u: UInt32, _ out: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        precondition(at + 4 <= out.count)
        out.storeBytes(of: u.bigEndian, toByteOffset: at, as: UInt32.self)
        return at + 4
    }

    /// `KeyCodec.appendEscaped` into a fixed buffer; a key too long for LMDB is an error.
    static func putEscaped<C: Collection>(_ bytes: C, _ out: UnsafeMutableRawBufferPointer, _ start: Int,
                                          _ key: JoinKey, row: Int) throws -> Int where C.Element == UInt8 {
        var at = start
        let limit = min(out.count, 511) - 2
        for b in bytes {
            guard at + 2 <= limit else {
                throw FeatureStoreError.invalid("entity \(row + 1): join key '\(key.name)' is too long (an encoded key is at most \(KeyCodec.maxEntityKeyBytes) bytes)")
            }
            out[at] = b; at += 1
            if b == 0 { out[at] = 0xFF; at += 1 }
        }
        out[at] = 0; out[at + 1] = 1
        return at + 2
    }

    /// Writes one entity's outputs of `plan` at `row` of `columns`, zero-copy from the stored value.
    @inline(__always)
    /// Returns the row's schema version when this query does not know it
    /// (applied after the query was prepared), nil otherwise.
    static func decode(_ value: UnsafeRawBufferPointer?, plan: TablePlan, row: Int, now: Int64,
                       into columns: UnsafeMutableBufferPointer<OnlineColumn>) -> UInt32? {
        let outputs = plan.outputColumns
        guard let value, value.count >= KeyCodec.orderSuffixBytes + 4 else {
            for c in outputs { columns[c].set(row, nil, .notFound, nil) }
            return nil
        }
        let eventTime = KeyCodec.readInt64(value, at: 0)
        let version = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: KeyCodec.orderSuffixBytes, as: UInt32.self))
        let data = UnsafeRawBufferPointer(rebasing: value[(KeyCodec.orderSuffixBytes + 4)...])
        if plan.ttlMicros > 0 && eventTime < now - plan.ttlMicros {
            for c in outputs { columns[c].set(row, nil, .outsideMaxAge, eventTime) }
            return nil
        }
        guard let entry = plan.version(version) else { return version }
        guard entry.layout.fixedBytes <= data.count else {
            for c in outputs { columns[c].set(row, nil, .nullValue, eventTime) }
            return nil
        }
        let types = plan.outputTypes
        entry.slots.withUnsafeBufferPointer { slots in
            for i in 0..<outputs.count {
                let slot = slots[i]
                let c = outputs[i]
                guard slot.exists, data[slot.bitmapByte] & slot.bitMask != 0 else {
                    columns[c].set(row, nil, .nullValue, eventTime)
                    continue
                }
                let v: Value
                switch types[i] {
                case .bool: v = .bool(data[slot.offset] != 0)
                case .int32: v = .int32(Int32(littleEndian: data.loadUnaligned(fromByteOffset: slot.offset, as: Int32.self)))
                case .int64: v = .int64(Int64(littleEndian: data.loadUnaligned(fromByteOffset: slot.offset, as: Int64.self)))
                case .timestamp: v = .timestamp(Int64(littleEndian: data.loadUnaligned(fromByteOffset: slot.offset, as: Int64.self)))
                case .float32: v = .float32(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: slot.offset, as: UInt32.self))))
                case .float64: v = .float64(Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: slot.offset, as: UInt64.self))))
                case .string: v = .string(String(decoding: entry.layout.bytes(data, slot.feature), as: UTF8.self))
                case .bytes: v = .bytes(Array(entry.layout.bytes(data, slot.feature)))
                case .float32Vector: v = entry.layout.value(data, slot.feature) ?? .vector([])
                }
                columns[c].set(row, v, .present, eventTime)
            }
        }
        return nil
    }
}

extension Store {
    /// Prepares an online lookup of `refs` and `services` (resolved now).
    public func onlineQuery(refs: [String], services: [String] = [], fullFeatureNames: Bool = false) throws -> OnlineQuery {
        // The catalog and its generation from one snapshot, so the stamp is exact.
        let (catalog, generation) = try environment.read { txn in (try loadCatalog(txn), try catalogGeneration(txn)) }
        let features = try catalog.resolve(refs: refs, services: services)
        guard !features.isEmpty else { throw FeatureStoreError.invalid("no features requested") }
        return try OnlineQuery(store: self, catalog: catalog, generation: generation, features: features,
                               fullFeatureNames: fullFeatureNames)
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
