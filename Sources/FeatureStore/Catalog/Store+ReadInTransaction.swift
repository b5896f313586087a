import LMDB
import FoundationEssentials

/// Reads inside a caller's transaction, for modules that build on the store
/// (the model registry) and must check the catalog and training sets in the
/// same write transaction as their own records, so nothing can change between
/// the check and the commit.
extension Store {
    /// The whole catalog as `txn` sees it.
    ///
    /// ```swift
    /// try store.environment.write { txn in
    ///     let features = try store.catalog(in: txn).resolve(refs: ["user_stats:age"])
    /// }
    /// ```
    public func catalog(in txn: borrowing Transaction) throws -> CatalogSnapshot {
        try loadCatalog(txn)
    }

    /// The training set `id` as `txn` sees it, or nil.
    public func trainingSet(id: String, in txn: borrowing Transaction) throws -> TrainingSetRecord? {
        try txn.get(Array(id.utf8), in: db.trainingSets).map {
            try JSONDecoder().decode(TrainingSetRecord.self, from: Data($0))
        }
    }
}

extension Store {
    /// The ids of every training set as `txn` sees them, in id order.
    public func trainingSetIds(in txn: borrowing Transaction) throws -> [String] {
        var ids: [String] = []
        try txn.withCursor(db.trainingSets) { c in
            var more = try c.first()
            while more {
                ids.append(String(decoding: c.key, as: UTF8.self))
                more = try c.next()
            }
        }
        return ids
    }
}
