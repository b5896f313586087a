import LMDB
import Tabular
import FoundationEssentials

/// Catalog persistence: entities, table versions and services as JSON records
/// in the `catalog` database, keyed `E name`, `T name 00 version(4)`, `S name`.
extension Store {
    /// The whole catalog as of now.
    public func catalog() throws -> CatalogSnapshot {
        try environment.read { txn in try loadCatalog(txn) }
    }

    func loadCatalog(_ txn: borrowing Transaction) throws -> CatalogSnapshot {
        var snapshot = CatalogSnapshot()
        let decoder = JSONDecoder()
        try txn.withCursor(db.catalog) { c in
            var more = try c.first()
            while more {
                let key = Array(c.key)
                let value = Data(c.value)
                do {
                    switch key.first {
                    case UInt8(ascii: "E"):
                        let e = try decoder.decode(EntityDefinition.self, from: value)
                        snapshot.entities[e.name] = e
                    case UInt8(ascii: "T"):
                        let t = try decoder.decode(FeatureTableVersion.self, from: value)
                        snapshot.tables[t.name, default: []].append(t)
                    case UInt8(ascii: "S"):
                        let s = try decoder.decode(FeatureServiceDefinition.self, from: value)
                        snapshot.services[s.name] = s
                    default:
                        throw FeatureStoreError.corrupt("catalog: unknown record kind in key \(key.prefix(16))")
                    }
                } catch let e as FeatureStoreError {
                    throw e
                } catch {
                    throw FeatureStoreError.corrupt("catalog record '\(String(decoding: key.dropFirst(), as: UTF8.self))' does not decode: \(error)")
                }
                more = try c.next()
            }
        }
        // Keys sort versions ascending already; keep it explicit.
        for (name, versions) in snapshot.tables { snapshot.tables[name] = versions.sorted { $0.version < $1.version } }
        return snapshot
    }

    static func catalogKey(_ kind: CatalogObjectKey.Kind, _ name: String, version: Int? = nil) -> [UInt8] {
        var k: [UInt8]
        switch kind {
        case .entity: k = [UInt8(ascii: "E")]
        case .table: k = [UInt8(ascii: "T")]
        case .service: k = [UInt8(ascii: "S")]
        }
        k += Array(name.utf8)
        if let version {
            k.append(0)
            KeyCodec.appendUInt32(UInt32(version), to: &k)
        }
        return k
    }

    /// Writes every object of `new` that differs from `old`, and deletes the
    /// entities, services and table versions present in `old` but not in `new`.
    func writeCatalogChanges(from old: CatalogSnapshot, to new: CatalogSnapshot, in txn: inout Transaction) throws {
        if old != new { try bumpCatalogGeneration(in: &txn) }   // prepared queries elsewhere see the change
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func put<T: Encodable>(_ key: [UInt8], _ value: T) throws {
            try txn.put(key, Array(try encoder.encode(value)), in: db.catalog)
        }
        for (name, e) in new.entities where old.entities[name] != e { try put(Self.catalogKey(.entity, name), e) }
        for name in old.entities.keys where new.entities[name] == nil { try txn.delete(Self.catalogKey(.entity, name), in: db.catalog) }
        for (name, versions) in new.tables {
            let before = old.tables[name] ?? []
            for v in versions where !before.contains(v) { try put(Self.catalogKey(.table, name, version: v.version), v) }
        }
        for (name, versions) in old.tables {
            let after = new.tables[name] ?? []
            for v in versions where !after.contains(where: { $0.version == v.version }) {
                try txn.delete(Self.catalogKey(.table, name, version: v.version), in: db.catalog)
            }
        }
        for (name, s) in new.services where old.services[name] != s { try put(Self.catalogKey(.service, name), s) }
        for name in old.services.keys where new.services[name] == nil { try txn.delete(Self.catalogKey(.service, name), in: db.catalog) }
    }
}
