import Crypto
import LMDB
import Tabular

/// Push: rows held in memory (a server request, a streaming job) appended to a
/// feature table in one write transaction, checked exactly as `ingest` checks
/// file rows (SPEC 5 "push semantics", SPEC 10).
extension Store {
    /// The columns a push into `table` may carry, in canonical order: the join
    /// keys, the timestamp field, the created-timestamp field (when the table
    /// has one), then the current version's features. Only the join keys and
    /// the timestamp are required.
    public func pushFields(table: String) throws -> [Field] {
        let catalog = try catalog()
        guard let version = catalog.currentVersion(of: table) else {
            throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
        }
        return try PushLayout.fields(TableWriteSchema(version: version, catalog: catalog))
    }

    /// Appends the rows of `rows` (columns named as in ``pushFields(table:)``,
    /// types equal to the table's) to `table`, as one batch, in one write
    /// transaction: every row lands or none does.
    ///
    /// A null join key or timestamp, an entity key over the limit, or a failed
    /// `expect` aborts the push with an error naming the row (1-based) and the
    /// column: `push to 'user_stats': row 3: column 'region': value 7 not in [1, 2, 3, 4]`.
    ///
    /// ```swift
    /// var batch = RecordBatch(fields: [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("age", .float64)],
    ///                         columns: [ids, times, ages], sourceLines: [1, 2])
    /// let record = try store.push(table: "user_stats", rows: batch, destination: .both)
    /// ```
    @discardableResult
    public func push(table: String, rows: RecordBatch, destination: IngestOptions.Destination,
                     source: String = "push") throws -> BatchRecord {
        let n = rows.columns.first?.count ?? 0
        guard n > 0 else { throw FeatureStoreError.invalid("push to '\(table)': no rows") }
        for (field, column) in zip(rows.fields, rows.columns) where column.count != n {
            throw FeatureStoreError.invalid("push to '\(table)': column '\(field.name)' has \(column.count) rows, the first column \(n)")
        }
        return try environment.write { txn -> BatchRecord in
            let catalog = try loadCatalog(txn)
            guard let version = catalog.currentVersion(of: table) else {
                throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
            }
            let schema = try TableWriteSchema(version: version, catalog: catalog)
            let layout = try PushLayout(schema: schema, rows: rows, table: table)
            let batch = layout.batch
            let now = Clock.nowMicros()
            let batchId = try nextCounter(MetaKey.nextBatchId, in: &txn)
            let checks = ExpectationChecks(definition: schema.definition, featureColumns: layout.featureColumns)
            guard case .int64(let eventTimes) = batch.columns[layout.keyCount].storage else { preconditionFailure("timestamp column") }
            var createdTimes: [Int64]? = nil
            if let ci = layout.createdIndex, case .int64(let a) = batch.columns[ci].storage { createdTimes = a }
            var accepted: [Int32] = []
            var orders: [EventOrder] = []
            accepted.reserveCapacity(n)
            orders.reserveCapacity(n)
            var minEvent = Int64.max, maxEvent = Int64.min
            for r in 0..<n {
                if let problem = layout.problem(row: r, schema: schema, checks: checks) {
                    throw FeatureStoreError.invalid("push to '\(table)': row \(r + 1): column '\(problem.column)': \(problem.reason)")
                }
                var created = now
                if let createdTimes, let ci = layout.createdIndex, batch.columns[ci].validity[r] { created = createdTimes[r] }
                accepted.append(Int32(r))
                orders.append(EventOrder(eventTimestamp: eventTimes[r], createdTimestamp: created, batchId: batchId, sequence: UInt32(r)))
                minEvent = min(minEvent, eventTimes[r])
                maxEvent = max(maxEvent, eventTimes[r])
            }
            var chunk = EventChunk()
            BatchEncoder(schema: schema, keyColumns: Array(0..<layout.keyCount), featureColumns: layout.featureColumns)
                .encode(rows: accepted, orders: orders, of: batch, into: &chunk)
            let writer = EventWriter(events: db.events, online: db.online,
                                     toOffline: destination != .online, toOnline: destination != .offline)
            try writer.write(chunk, txn: &txn)
            if destination != .online {
                var statistics = StatisticsAccumulator(version: version)
                statistics.add(rows: accepted, of: batch, eventTimes: eventTimes, featureColumns: layout.featureColumns)
                try writeStatistics(statistics, tableId: version.tableId, txn: &txn)
            }
            // The "source file" of a push is its encoded events: the hash identifies the content.
            var hasher = SHA256()
            hasher.update(data: chunk.keys)
            hasher.update(data: chunk.values)
            let hash = hasher.finalize().map { b -> String in
                let h = Array("0123456789abcdef".utf8)
                return String(decoding: [h[Int(b >> 4)], h[Int(b & 15)]], as: UTF8.self)
            }.joined()
            let record = BatchRecord(
                id: batchId, table: table, tableId: version.tableId, tableVersion: version.version, source: source,
                sha256: hash, rows: n, rejected: 0, failures: [:], destination: destination.rawValue,
                createdAtMicros: now, minEventMicros: minEvent, maxEventMicros: maxEvent)
            try putBatchRecord(record, txn: &txn)
            return record
        }
    }
}

/// The columns of a push matched to a table version: reordered into the
/// canonical layout the batch encoder takes (join keys, timestamp, created
/// timestamp, features present).
struct PushLayout {
    /// The push's columns in canonical order.
    let batch: RecordBatch
    let keyCount: Int
    let createdIndex: Int?
    /// For each feature of the version: its batch column, or nil.
    let featureColumns: [Int?]

    static func fields(_ schema: TableWriteSchema) -> [Field] {
        let d = schema.definition
        var out = schema.joinKeys.map { Field($0.key.name, $0.key.type) }
        out.append(Field(d.timestampField, .timestamp))
        if let created = d.createdTimestampField { out.append(Field(created, .timestamp)) }
        out += d.features.map { Field($0.name, $0.type) }
        return out
    }

    init(schema: TableWriteSchema, rows: RecordBatch, table: String) throws {
        let d = schema.definition
        var byName: [String: Int] = [:]
        for (i, f) in rows.fields.enumerated() {
            guard byName[f.name] == nil else { throw FeatureStoreError.invalid("push to '\(table)': column '\(f.name)' given twice") }
            byName[f.name] = i
        }
        var fields: [Field] = []
        var columns: [Column] = []
        var used = 0
        func take(_ name: String, _ type: DataType, required: String?) throws -> Bool {
            guard let i = byName[name] else {
                if let required { throw FeatureStoreError.invalid("push to '\(table)': missing column '\(name)' (\(required))") }
                return false
            }
            guard rows.fields[i].type == type else {
                throw FeatureStoreError.invalid("push to '\(table)': column '\(name)' is \(rows.fields[i].type), the table has \(type)")
            }
            fields.append(Field(name, type))
            columns.append(rows.columns[i])
            used += 1
            return true
        }
        for (key, entity) in schema.joinKeys {
            _ = try take(key.name, key.type, required: "join key of entity '\(entity)'")
        }
        keyCount = fields.count
        _ = try take(d.timestampField, .timestamp, required: "the timestamp field of table '\(table)'")
        if let created = d.createdTimestampField, try take(created, .timestamp, required: nil) {
            createdIndex = fields.count - 1
        } else {
            createdIndex = nil
        }
        var featureColumns: [Int?] = []
        for feature in d.features {
            featureColumns.append(try take(feature.name, feature.type, required: nil) ? fields.count - 1 : nil)
        }
        self.featureColumns = featureColumns
        if used < rows.fields.count {
            let known = Set(fields.map(\.name))
            let extra = rows.fields.first { !known.contains($0.name) }!.name
            throw FeatureStoreError.invalid("push to '\(table)': unknown column '\(extra)': table '\(table)' has no such feature"
                                            + Store.suggest(extra, in: d.features.map(\.name)))
        }
        let n = rows.columns.first?.count ?? 0
        batch = RecordBatch(fields: fields, columns: columns, sourceLines: (0..<n).map { $0 + 1 })
    }

    /// The first reason row `r` cannot land (the checks of `ingest`).
    func problem(row r: Int, schema: TableWriteSchema, checks: ExpectationChecks) -> ExpectationChecks.Failure? {
        var keyBytes = 0
        for j in 0..<keyCount {
            let column = batch.columns[j]
            guard column.validity[r] else {
                return .init(column: batch.fields[j].name, value: nil, reason: "join key is null")
            }
            switch column.type {
            case .int64: keyBytes += 8
            case .int32: keyBytes += 4
            default: keyBytes += column.bytes(at: r).count + 2
            }
        }
        if keyBytes > KeyCodec.maxEntityKeyBytes {
            return .init(column: batch.fields[keyCount - 1].name, value: nil,
                         reason: "entity key longer than \(KeyCodec.maxEntityKeyBytes) bytes encoded")
        }
        guard batch.columns[keyCount].validity[r] else {
            return .init(column: batch.fields[keyCount].name, value: nil, reason: "timestamp is null")
        }
        return checks.isEmpty ? nil : checks.firstFailure(row: r, of: batch)
    }
}
