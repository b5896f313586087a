import LMDB

/// A counter bumped by every catalog change, in the same transaction, so a
/// long-lived holder of prepared queries (the server) can tell cheaply, with
/// one `mdb_get`, that it must prepare them again.
extension Store {
    /// The catalog generation: 0 for a store whose catalog never changed since
    /// this counter was introduced, then +1 for every `apply` or `delete` that changed it.
    public func catalogGeneration() throws -> UInt64 {
        try environment.read { txn in try catalogGeneration(txn) }
    }

    func catalogGeneration(_ txn: borrowing Transaction) throws -> UInt64 {
        try txn.withValue(forKey: MetaKey.catalogGeneration, in: db.meta) { value in
            guard let value, value.count == 8 else { return 0 }
            return KeyCodec.readUInt64(value, at: 0)
        }
    }

    func bumpCatalogGeneration(in txn: inout Transaction) throws {
        let next = try catalogGeneration(txn) &+ 1
        try txn.put(MetaKey.catalogGeneration, Bytes.uint64(next), in: db.meta)
    }
}

extension MetaKey {
    /// Key of the catalog generation counter (u64 big-endian) in `meta`.
    static let catalogGeneration = Array("catalog_generation".utf8)
}
