import LMDB
import Tabular

/// What one table's materialization did.
public struct TableMaterialization: Sendable, Codable, Equatable {
    public var table: String
    /// Window start (nil = the beginning of history).
    public var start: Int64?
    public var end: Int64
    public var eventsScanned: Int
    /// Entities with an event in the window.
    public var entities: Int
    /// Online rows written (the rest already held something at least as new).
    public var onlineUpdated: Int
    /// The table's watermark after the run.
    public var watermark: Int64
}

/// What `materialize` did, per table.
public struct MaterializeResult: Sendable, Codable, Equatable {
    public var tables: [TableMaterialization]
}

/// Progress of a running materialization (for progress bars).
public struct MaterializeProgress: Sendable {
    public var table: String
    public var eventsScanned: Int
    public var entities: Int
}

/// `fsctl materialize` and `materialize-incremental`: the event log → the online table.
extension Store {
    /// Entities per write transaction: memory and transaction size stay bounded
    /// whatever the window.
    public static let materializeChunkEntities = 100_000

    /// For each entity key, writes the latest event with `start ≤ event_timestamp ≤ end`
    /// to the online table when it is newer than the row there (Feast's
    /// `materialize`, so re-running or running windows out of order is harmless).
    /// Moves each table's watermark to `end` (if later) once its run committed.
    @discardableResult
    public func materialize(start: Int64, end: Int64, tables: [String]? = nil,
                            progress: (@Sendable (MaterializeProgress) -> Void)? = nil) throws -> MaterializeResult {
        guard start <= end else {
            throw FeatureStoreError.invalid("materialize: start \(Timestamp.format(start)) is after end \(Timestamp.format(end))")
        }
        let versions = try materializeTargets(tables)
        var out: [TableMaterialization] = []
        for version in versions {
            out.append(try materializeTable(version, start: start, end: end, progress: progress))
        }
        return MaterializeResult(tables: out)
    }

    /// Materializes each table from its watermark (the end of its last
    /// successful run) to `end`; a first run starts at `end − ttl`, or at the
    /// beginning of history when the table has no ttl.
    @discardableResult
    public func materializeIncremental(end: Int64, tables: [String]? = nil,
                                       progress: (@Sendable (MaterializeProgress) -> Void)? = nil) throws -> MaterializeResult {
        let versions = try materializeTargets(tables)
        var out: [TableMaterialization] = []
        for version in versions {
            let ttl = version.definition.ttlMicros
            let start: Int64 = try watermark(tableId: version.tableId) ?? (ttl > 0 ? end - ttl : Int64.min)
            guard start <= end else {
                throw FeatureStoreError.invalid("materialize-incremental: table '\(version.name)' is already materialized up to \(Timestamp.format(start)), after \(Timestamp.format(end))")
            }
            var r = try materializeTable(version, start: start, end: end, progress: progress)
            if start == Int64.min { r.start = nil }
            out.append(r)
        }
        return MaterializeResult(tables: out)
    }

    /// The watermark of a table (END of its last committed materialization), if any.
    public func watermark(table: String) throws -> Int64? {
        guard let v = try catalog().currentVersion(of: table) else {
            throw FeatureStoreError.notFound("no feature table '\(table)'")
        }
        return try watermark(tableId: v.tableId)
    }

    func watermark(tableId: UInt32) throws -> Int64? {
        try environment.read { txn in try txn.get(Bytes.uint32(tableId), in: db.watermarks).map(Bytes.readInt64) }
    }

    private func materializeTargets(_ names: [String]?) throws -> [FeatureTableVersion] {
        let catalog = try catalog()
        guard let names else { return catalog.tables.keys.sorted().compactMap { catalog.currentVersion(of: $0) } }
        return try names.map { name in
            guard let v = catalog.currentVersion(of: name) else {
                throw FeatureStoreError.notFound("no feature table '\(name)'" + Self.suggest(name, in: Array(catalog.tables.keys)))
            }
            return v
        }
    }

    private func materializeTable(_ version: FeatureTableVersion, start: Int64, end: Int64,
                                  progress: (@Sendable (MaterializeProgress) -> Void)?) throws -> TableMaterialization {
        let prefix = KeyCodec.tablePrefix(version.tableId)
        var result = TableMaterialization(table: version.name, start: start, end: end, eventsScanned: 0,
                                          entities: 0, onlineUpdated: 0, watermark: end)
        var resume: [UInt8]? = prefix
        while let from = resume {
            // A chunk is one write transaction; its outcome is applied only after
            // it commits (the closure may run again if the map has to grow).
            let chunk = try environment.write { txn in
                try MaterializeScan.run(from: from, prefix: prefix, start: start, end: end,
                                        maxEntities: Self.materializeChunkEntities,
                                        events: db.events, online: db.online, txn: &txn)
            }
            result.eventsScanned += chunk.eventsScanned
            result.entities += chunk.entities
            result.onlineUpdated += chunk.onlineUpdated
            resume = chunk.resume
            progress?(MaterializeProgress(table: version.name, eventsScanned: result.eventsScanned, entities: result.entities))
        }
        // The watermark moves only now that every chunk committed.
        result.watermark = try environment.write { txn in
            let key = Bytes.uint32(version.tableId)
            let current = try txn.get(key, in: db.watermarks).map(Bytes.readInt64)
            let next = max(current ?? end, end)
            try txn.put(key, Bytes.int64(next), in: db.watermarks)
            var recorded = result
            recorded.watermark = next
            try recordMaterializeLineage(recorded, versions: try loadCatalog(txn).tables[version.name] ?? [version],
                                         atMicros: Clock.nowMicros(), in: &txn)
            return next
        }
        return result
    }
}

/// One chunk of a materialization: a forward scan of the event log from a
/// key, grouping events by entity, upserting each entity's latest event in the
/// window.
enum MaterializeScan {
    struct Outcome {
        var eventsScanned = 0
        var entities = 0
        var onlineUpdated = 0
        /// Where the next chunk starts; nil when the table is done.
        var resume: [UInt8]?
    }

    static func run(from: [UInt8], prefix: [UInt8], start: Int64, end: Int64, maxEntities: Int,
                    events: Database, online: Database, txn: inout Transaction) throws -> Outcome {
        var out = Outcome()
        let suffix = KeyCodec.orderSuffixBytes
        var entity: [UInt8] = []        // entity part (with table prefix) of the current group
        var best: [UInt8] = []          // order suffix + value of the group's best event: the online value
        var hasBest = false
        var groups = 0

        // Keys above the online table's last key cannot have a row yet: they are
        // bulk-appended through a cursor parked at the end (entities come in key
        // order), skipping the lookup; the others are compared and replaced only
        // when newer. Both go through one online cursor: no B-tree descent per append.
        let onlineLast: [UInt8]? = try txn.withCursor(online) { c in try c.last() ? Array(c.key) : nil }

        func finishGroup(_ oc: inout Cursor) throws {
            guard hasBest else { return }
            out.entities += 1
            hasBest = false
            let wrote = try entity.withUnsafeBytes { e in
                try best.withUnsafeBytes { b in
                    let beyond = onlineLast.map { last in last.withUnsafeBytes { EventWriter.compare($0, e) < 0 } } ?? true
                    if !beyond, try oc.seek(exactly: e) {
                        let current = UnsafeRawBufferPointer(rebasing: oc.value[0..<suffix])
                        guard EventWriter.compare(current, UnsafeRawBufferPointer(rebasing: b[0..<suffix])) < 0 else { return false }
                    }
                    try oc.put(e, b, flags: beyond ? .append : [])
                    return true
                }
            }
            if wrote { out.onlineUpdated += 1 }
        }

        try txn.withScanCursor(events) { c, txn in
            try txn.withCursor(online) { oc in
                var more = try from.withUnsafeBytes { try c.seek(atLeast: $0) }
                while more {
                    let key = c.key
                    guard key.count > prefix.count + suffix, key.starts(with: prefix) else { break }
                    let entityLength = key.count - suffix
                    let sameEntity = entity.count == entityLength && entity.withUnsafeBytes {
                        EventWriter.compare($0, UnsafeRawBufferPointer(rebasing: key[0..<entityLength])) == 0
                    }
                    if !sameEntity {
                        try finishGroup(&oc)
                        groups += 1
                        if groups > maxEntities {
                            out.resume = Array(key)
                            return
                        }
                        entity.removeAll(keepingCapacity: true)
                        entity.append(contentsOf: key[0..<entityLength])
                    }
                    out.eventsScanned += 1
                    let ts = KeyCodec.readInt64(key, at: entityLength)
                    if ts >= start && ts <= end {
                        // Keys ascend within an entity, so the last one in the window is the latest.
                        best.removeAll(keepingCapacity: true)
                        best.append(contentsOf: key[entityLength...])
                        best.append(contentsOf: c.value)
                        hasBest = true
                    }
                    more = try c.next()
                }
                try finishGroup(&oc)
            }
        }
        return out
    }
}
