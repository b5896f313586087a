import LMDB
import Tabular

/// Sizes and counts of a store (`fsctl stats`).
public struct StoreStatistics: Sendable, Codable, Equatable {
    public struct DatabaseSize: Sendable, Codable, Equatable {
        public var name: String
        public var entries: Int
        public var bytes: Int
    }

    public struct TableSize: Sendable, Codable, Equatable {
        public var name: String
        public var tableId: UInt32
        public var versions: Int
        /// Events in the log (from the batch records).
        public var events: Int
        public var onlineRows: Int
        public var batches: Int
        /// End of the last materialization, if any.
        public var watermark: Int64?
        /// Commit time of the latest batch.
        public var lastIngest: Int64?
        public var minEventTimestamp: Int64?
        public var maxEventTimestamp: Int64?
    }

    public var path: String
    public var storeId: String
    public var mapSize: Int
    public var usedBytes: Int
    public var pageSize: Int
    public var readersUsed: Int
    public var maxReaders: Int
    public var databases: [DatabaseSize]
    public var tables: [TableSize]
}

extension Store {
    /// Sizes of every database and, per table, events, online rows, batches and watermark.
    public func statistics() throws -> StoreStatistics {
        let info = try environment.info()
        let id = try storeId()
        let catalog = try catalog()
        let batches = try batches()
        return try environment.read { txn in
            let all: [(String, Database)] = [("meta", db.meta), ("catalog", db.catalog), ("events", db.events),
                                             ("online", db.online), ("batches", db.batches), ("sources", db.sources),
                                             ("watermarks", db.watermarks), ("training_sets", db.trainingSets)]
                + [("lineage", db.lineage), ("lineage_in", db.lineageReverse), ("feature_stats", db.statistics)].compactMap { n, d in d.map { (n, $0) } }
            var databases: [StoreStatistics.DatabaseSize] = []
            for (name, database) in all {
                let s = try txn.stat(database)
                databases.append(.init(name: name, entries: s.entries, bytes: s.bytes))
            }
            var tables: [StoreStatistics.TableSize] = []
            for name in catalog.tables.keys.sorted() {
                guard let current = catalog.currentVersion(of: name) else { continue }
                let mine = batches.filter { $0.tableId == current.tableId }
                let prefix = KeyCodec.tablePrefix(current.tableId)
                var online = 0
                try txn.withCursor(db.online) { c in
                    var more = try c.seek(atLeast: prefix)
                    while more, c.key.starts(with: prefix) { online += 1; more = try c.next() }
                }
                let watermark = try txn.get(Bytes.uint32(current.tableId), in: db.watermarks).map(Bytes.readInt64)
                let offline = mine.filter { $0.destination != "online" }
                tables.append(.init(name: name, tableId: current.tableId, versions: catalog.tables[name]?.count ?? 0,
                                    events: offline.reduce(0) { $0 + $1.rows }, onlineRows: online,
                                    batches: mine.count, watermark: watermark, lastIngest: mine.last?.createdAtMicros,
                                    minEventTimestamp: offline.compactMap(\.minEventMicros).min(),
                                    maxEventTimestamp: offline.compactMap(\.maxEventMicros).max()))
            }
            return StoreStatistics(path: path, storeId: id, mapSize: info.mapSize, usedBytes: info.usedBytes,
                                   pageSize: info.pageSize, readersUsed: info.readersUsed, maxReaders: info.maxReaders,
                                   databases: databases, tables: tables)
        }
    }
}
