import Tabular

/// What writing rows into one feature table version needs: its join keys in
/// key order, its field names, and the row layout of the version.
struct TableWriteSchema {
    let version: FeatureTableVersion
    /// Join keys of the table's entities, in entity order then key order.
    let joinKeys: [(key: JoinKey, entity: String)]
    let layout: RowLayout
    let prefix: [UInt8]

    var definition: FeatureTableDefinition { version.definition }

    init(version: FeatureTableVersion, catalog: CatalogSnapshot) throws {
        self.version = version
        var keys: [(JoinKey, String)] = []
        for name in version.definition.entities {
            guard let entity = catalog.entities[name] else {
                throw FeatureStoreError.corrupt("table '\(version.name)' uses entity '\(name)', which is not in the catalog")
            }
            for k in entity.joinKeys { keys.append((k, name)) }
        }
        joinKeys = keys
        layout = RowLayout(types: version.definition.features.map(\.type))
        prefix = KeyCodec.tablePrefix(version.tableId)
    }

    /// Encodes join-key values given as ``Value``s (lookups, pushes); the error
    /// names the key and the value when a value has the wrong type.
    func entityKey(_ values: [String: Value]) throws -> [UInt8] {
        var out = prefix
        for (key, entity) in joinKeys {
            guard let v = values[key.name] else {
                throw FeatureStoreError.invalid("missing join key '\(key.name)' of entity '\(entity)'")
            }
            switch (key.type, v) {
            case (.int64, .int64(let x)): KeyCodec.appendInt64(x, to: &out)
            case (.int64, .int32(let x)): KeyCodec.appendInt64(Int64(x), to: &out)
            case (.int32, .int32(let x)): KeyCodec.appendInt32(x, to: &out)
            case (.int32, .int64(let x)):
                guard let y = Int32(exactly: x) else {
                    throw FeatureStoreError.invalid("join key '\(key.name)': \(x) does not fit int32")
                }
                KeyCodec.appendInt32(y, to: &out)
            case (.string, .string(let s)): KeyCodec.appendEscaped(s.utf8, to: &out)
            case (.bytes, .bytes(let b)): KeyCodec.appendEscaped(b, to: &out)
            default:
                throw FeatureStoreError.invalid("join key '\(key.name)': expected \(key.type), got \(v)")
            }
        }
        guard out.count - prefix.count <= KeyCodec.maxEntityKeyBytes else {
            throw FeatureStoreError.invalid("entity key is \(out.count - prefix.count) bytes encoded; the limit is \(KeyCodec.maxEntityKeyBytes)")
        }
        return out
    }
}
