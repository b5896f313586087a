import Tabular

/// A point-in-time join prepared against one catalog snapshot and one entity
/// schema: which entity column feeds which join key of which table, where
/// each requested feature sits in every stored schema version, and the output
/// columns. Built inside the join's read transaction, so the catalog and the
/// events it reads are the same snapshot.
struct PointInTimePlan {
    /// How one requested feature is read from an event row of any version.
    struct Output {
        /// Output column (entity columns first).
        let column: Int
        /// The requested feature's type (the output column's type).
        let type: DataType
        /// Per schema version number: the feature's index in that version's
        /// layout, or -1 when the version lacks it (or has another type): null.
        let featureIndex: [Int]
        /// Per schema version number: the feature's fixed-slot offset.
        let slotOffset: [Int]
    }

    struct Table {
        let name: String
        let tableId: UInt32
        let ttlMicros: Int64
        /// The table's join keys in key order, each with the entity column holding it.
        let keys: [(key: JoinKey, column: Int)]
        /// Encoded entity-key bytes when every join key is an integer (fixed width).
        let fixedKeyBytes: Int?
        let outputs: [Output]
        /// Per schema version number: bytes before the row's variable area (-1: unknown version).
        let fixedBytes: [Int]
    }

    let entityFields: [Field]
    let timestampColumn: Int
    let features: [ResolvedFeature]
    let tables: [Table]
    let outputFields: [Field]

    /// - Throws: ``FeatureStoreError`` naming the missing or mistyped column,
    ///   or the two tables behind a feature-name collision.
    init(catalog: CatalogSnapshot, features: [ResolvedFeature], entityFields: [Field],
         options: PointInTimeOptions) throws {
        let source = options.sourceName.map { "\($0): " } ?? ""
        guard !features.isEmpty else { throw FeatureStoreError.invalid("no features requested") }
        self.entityFields = entityFields
        self.features = features
        guard let ts = entityFields.firstIndex(where: { $0.name == options.timestampColumn }) else {
            let hint = options.timestampColumn == "event_timestamp" ? " (name another one with --timestamp-column)" : ""
            throw FeatureStoreError.invalid("\(source)missing timestamp column '\(options.timestampColumn)'\(hint)")
        }
        guard entityFields[ts].type == .timestamp else {
            throw FeatureStoreError.invalid("\(source)column '\(options.timestampColumn)' is \(entityFields[ts].type), expected timestamp")
        }
        timestampColumn = ts

        // Output names (SPEC 7): `feature` or `table__feature`; a collision is an error.
        var fields = entityFields
        var owner: [String: String] = [:]
        for f in features {
            let name = options.fullFeatureNames ? f.fullName : f.name
            if let other = owner[name] {
                throw FeatureStoreError.invalid(
                    "feature name '\(name)' is in both '\(other)' and '\(f.table)'; use full feature names (--full-feature-names: \(other)__\(name), \(f.table)__\(name))")
            }
            if entityFields.contains(where: { $0.name == name }) {
                throw FeatureStoreError.invalid(
                    "\(source)feature '\(name)' of table '\(f.table)' has the name of an entity column; use full feature names (--full-feature-names: \(f.fullName))")
            }
            owner[name] = f.table
            fields.append(Field(name, f.feature.type))
        }
        outputFields = fields

        // One plan per table, in order of first appearance.
        var order: [String] = []
        var byTable: [String: [(column: Int, feature: ResolvedFeature)]] = [:]
        for (i, f) in features.enumerated() {
            if byTable[f.table] == nil { order.append(f.table) }
            byTable[f.table, default: []].append((entityFields.count + i, f))
        }
        var tables: [Table] = []
        for name in order {
            let requested = byTable[name]!
            guard let versions = catalog.tables[name], let current = versions.last else {
                throw FeatureStoreError.notFound("no feature table '\(name)'")
            }
            // The TTL of the newest version requested (a pinned ref uses its version's TTL).
            let newest = requested.map(\.feature.version).max()!
            let ttl = versions.first { $0.version == newest }?.definition.ttlMicros ?? current.definition.ttlMicros
            let schema = try TableWriteSchema(version: current, catalog: catalog)
            var keys: [(JoinKey, Int)] = []
            var fixed: Int? = 0
            for (key, entity) in schema.joinKeys {
                guard let column = entityFields.firstIndex(where: { $0.name == key.name }) else {
                    throw FeatureStoreError.invalid(
                        "\(source)missing join key column '\(key.name)' (entity '\(entity)' of feature table '\(name)')")
                }
                let type = entityFields[column].type
                let compatible: Bool
                switch key.type {
                case .int64, .int32: compatible = type == .int64 || type == .int32
                default: compatible = type == key.type
                }
                guard compatible else {
                    throw FeatureStoreError.invalid(
                        "\(source)column '\(key.name)' is \(type), but join key '\(key.name)' of entity '\(entity)' is \(key.type)")
                }
                switch key.type {
                case .int64: fixed = fixed.map { $0 + 8 }
                case .int32: fixed = fixed.map { $0 + 4 }
                default: fixed = nil
                }
                keys.append((key, column))
            }
            let maxVersion = versions.map(\.version).max() ?? 0
            var fixedBytes = [Int](repeating: -1, count: maxVersion + 1)
            var layouts: [Int: (RowLayout, [FeatureDefinition])] = [:]
            for v in versions {
                let layout = RowLayout(types: v.definition.features.map(\.type))
                layouts[v.version] = (layout, v.definition.features)
                fixedBytes[v.version] = layout.fixedBytes
            }
            let outputs: [Output] = requested.map { column, f in
                var index = [Int](repeating: -1, count: maxVersion + 1)
                var slot = [Int](repeating: 0, count: maxVersion + 1)
                for (version, (layout, defs)) in layouts {
                    if let i = defs.firstIndex(where: { $0.name == f.feature.name && $0.type == f.feature.type }) {
                        index[version] = i
                        slot[version] = layout.slotOffsets[i]
                    }
                }
                return Output(column: column, type: f.feature.type, featureIndex: index, slotOffset: slot)
            }
            tables.append(Table(name: name, tableId: current.tableId, ttlMicros: ttl, keys: keys,
                                fixedKeyBytes: fixed.flatMap { $0 <= 16 ? $0 : nil },
                                outputs: outputs, fixedBytes: fixedBytes))
        }
        self.tables = tables
    }
}
