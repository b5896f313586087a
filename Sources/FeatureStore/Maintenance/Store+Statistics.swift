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
    public var eventLog: EventLogLayout
}

/// How full the event log's leaf pages are: what a point-in-time export maps
/// and reads per event (docs/point-in-time.md, "Store layout").
public struct EventLogLayout: Sendable, Codable, Equatable {
    public var leafPages: Int
    /// The share of the leaf pages' space that holds events, estimated from
    /// the sizes of up to 1,024 events of each table; nil for an empty log.
    /// A first backfill leaves about 0.98, later ingests into the same keys
    /// about 0.5–0.7; ``Store/backup(to:compact:)`` writes a copy near 1.
    public var estimatedLeafFill: Double?

    public init(leafPages: Int, estimatedLeafFill: Double?) {
        self.leafPages = leafPages
        self.estimatedLeafFill = estimatedLeafFill
    }
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
            let layout = try Self.eventLogLayout(txn: txn, events: db.events,
                                                 tables: tables.map { ($0.tableId, $0.events) })
            return StoreStatistics(path: path, storeId: id, mapSize: info.mapSize, usedBytes: info.usedBytes,
                                   pageSize: info.pageSize, readersUsed: info.readersUsed, maxReaders: info.maxReaders,
                                   databases: databases, tables: tables, eventLog: layout)
        }
    }

    /// Leaf pages of the event log and their estimated fill: each table's
    /// events counted at the average node size of its first 1,024 (LMDB's
    /// leaf node: an 8-byte header, the key, the value or, past the node
    /// limit, an 8-byte overflow page number, rounded to even, plus a 2-byte
    /// pointer), over the leaf pages' room (the page less its 16-byte header).
    static func eventLogLayout(txn: borrowing Transaction, events: Database,
                               tables: [(id: UInt32, events: Int)]) throws -> EventLogLayout {
        let stat = try txn.stat(events)
        guard stat.entries > 0, stat.leafPages > 0 else { return EventLogLayout(leafPages: stat.leafPages, estimatedLeafFill: nil) }
        let room = stat.pageSize - 16
        let nodeLimit = (room / 2) & ~1 - 2
        var bytes = 0.0
        var counted = 0
        for table in tables where table.events > 0 {
            let prefix = KeyCodec.tablePrefix(table.id)
            var sum = 0, n = 0
            try txn.withCursor(events) { c in
                var more = try c.seek(atLeast: prefix)
                while more, n < 1024, c.key.starts(with: prefix) {
                    let k = c.key.count, v = c.value.count
                    let leaf = 8 + k + v > nodeLimit ? 8 + k + 8 : 8 + k + v
                    sum += (leaf + 1) & ~1 + 2
                    n += 1
                    more = try c.next()
                }
            }
            guard n > 0 else { continue }
            bytes += Double(sum) / Double(n) * Double(table.events)
            counted += table.events
        }
        guard counted > 0 else { return EventLogLayout(leafPages: stat.leafPages, estimatedLeafFill: nil) }
        // Events the batch records do not count (none in a healthy store) at the average size.
        bytes *= Double(stat.entries) / Double(counted)
        return EventLogLayout(leafPages: stat.leafPages, estimatedLeafFill: min(1, bytes / Double(stat.leafPages * room)))
    }
}
