import LMDB
import Tabular

/// `fsctl apply` and `fsctl delete`: the catalog's write side.
extension Store {
    /// Plans `definitions` against the catalog and, unless `dryRun`, applies the
    /// plan in one write transaction (planned inside it, so nothing can change
    /// between plan and apply). Returns the plan either way.
    @discardableResult
    public func apply(_ definitions: Definitions, dryRun: Bool = false, allowBreaking: Bool = false) throws -> ApplyPlan {
        if dryRun {
            let current = try catalog()
            return try CatalogPlanner.plan(current: current, desired: definitions, allowBreaking: allowBreaking)
        }
        return try environment.write { txn in
            let current = try loadCatalog(txn)
            let plan = try CatalogPlanner.plan(current: current, desired: definitions, allowBreaking: allowBreaking)
            guard plan.hasChanges else { return plan }
            let nextId = try txn.get(MetaKey.nextTableId, in: db.meta).map(Bytes.readUInt32) ?? 1
            let applied = plan.apply(to: current, nextTableId: nextId, nowMicros: Clock.nowMicros())
            try writeCatalogChanges(from: current, to: applied.snapshot, in: &txn)
            for versions in applied.snapshot.tables.values {
                for v in versions where current.version(v.version, of: v.name) == nil {
                    try recordTableVersionLineage(v, ifAbsent: false, in: &txn)
                }
            }
            try txn.put(MetaKey.nextTableId, Bytes.uint32(applied.nextTableId), in: db.meta)
            return plan
        }
    }

    /// Reads and applies a definitions file (see ``apply(_:dryRun:allowBreaking:)``).
    @discardableResult
    public func apply(definitionsFile path: String, dryRun: Bool = false, allowBreaking: Bool = false) throws -> ApplyPlan {
        let text = try FileSystem.readText(path)
        let definitions = try DefinitionsParser.parse(yaml: text, file: path)
        return try apply(definitions, dryRun: dryRun, allowBreaking: allowBreaking)
    }

    /// What `delete` removed.
    public struct DeleteResult: Sendable, Equatable {
        public var object: CatalogObjectKey
        public var versions: Int = 0
        public var events: Int = 0
        public var onlineRows: Int = 0
    }

    /// Deletes a catalog object explicitly. A table takes its versions, events,
    /// online rows and watermark with it; refused while a service reads the
    /// table or a table uses the entity.
    @discardableResult
    public func delete(_ object: CatalogObjectKey) throws -> DeleteResult {
        try environment.write { txn in
            let current = try loadCatalog(txn)
            var next = current
            var result = DeleteResult(object: object)
            switch object.kind {
            case .entity:
                guard current.entities[object.name] != nil else {
                    throw FeatureStoreError.notFound("no entity '\(object.name)'")
                }
                let users = current.tables.values.compactMap(\.last).filter { $0.definition.entities.contains(object.name) }.map(\.name).sorted()
                guard users.isEmpty else {
                    throw FeatureStoreError.conflict("entity '\(object.name)' is used by table(s) \(users.map { "'\($0)'" }.joined(separator: ", ")); delete them first")
                }
                next.entities[object.name] = nil
            case .service:
                guard current.services[object.name] != nil else {
                    throw FeatureStoreError.notFound("no feature service '\(object.name)'")
                }
                next.services[object.name] = nil
            case .table:
                guard let versions = current.tables[object.name], let last = versions.last else {
                    throw FeatureStoreError.notFound("no feature table '\(object.name)'")
                }
                let readers = current.services.values.filter { s in
                    s.features.contains { (try? FeatureRef(parsing: $0))?.table == object.name }
                }.map(\.name).sorted()
                guard readers.isEmpty else {
                    throw FeatureStoreError.conflict("table '\(object.name)' is read by feature service(s) \(readers.map { "'\($0)'" }.joined(separator: ", ")); delete or change them first")
                }
                next.tables[object.name] = nil
                result.versions = versions.count
                let prefix = KeyCodec.tablePrefix(last.tableId)
                result.events = try deletePrefix(prefix, in: db.events, txn: &txn)
                result.onlineRows = try deletePrefix(prefix, in: db.online, txn: &txn)
                _ = try deletePrefix(Bytes.uint32(last.tableId), in: db.sources, txn: &txn)
                try txn.delete(Bytes.uint32(last.tableId), in: db.watermarks)
                try deleteStatistics(tableId: last.tableId, txn: &txn)
                try removeTableLineage(versions, in: &txn)
            }
            try writeCatalogChanges(from: current, to: next, in: &txn)
            return result
        }
    }

    /// Deletes every key starting with `prefix`; returns how many.
    func deletePrefix(_ prefix: [UInt8], in database: Database, txn: inout Transaction) throws -> Int {
        var count = 0
        try txn.withWriteCursor(database) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.starts(with: prefix) {
                try c.deleteCurrent()
                count += 1
                // After a delete LMDB's MDB_NEXT lands on the entry that followed
                // (it does not skip one), and reports the end cleanly.
                more = try c.next()
            }
        }
        return count
    }
}
