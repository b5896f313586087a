import LMDB
import Tabular
import FoundationEssentials

/// `fsctl ingest`: files → one atomic write transaction → event log and/or online table.
extension Store {
    /// Ingests `files` into `table`, each file one batch, all of them in one
    /// write transaction: every row lands or none does.
    ///
    /// A bad value, a missing join key or timestamp, or a failed `expect`
    /// aborts with an error naming file, line, column and value (the store is
    /// unchanged), unless `options.onInvalid` is `.skip`: then good rows land
    /// and the rejected ones are written, with reasons, to a JSONL file.
    @discardableResult
    public func ingest(table: String, files: [String], options: IngestOptions = IngestOptions()) throws -> IngestResult {
        guard !files.isEmpty else { throw FeatureStoreError.invalid("ingest: no input file given") }
        try Self.checkRejectsWritable(files: files, options: options)
        // Hash the files on another thread while the rows are parsed and written.
        let hashing = BackgroundTask { try files.map { try FileHash.sha256($0) } }
        defer { _ = try? hashing.wait() }
        let (batches, rejects) = try environment.write { txn -> ([BatchRecord], [[RejectedRow]]) in
            let catalog = try loadCatalog(txn)
            guard let version = catalog.currentVersion(of: table) else {
                throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
            }
            let schema = try TableWriteSchema(version: version, catalog: catalog)
            let now = Clock.nowMicros()
            var batches: [BatchRecord] = []
            var rejects: [[RejectedRow]] = []
            var rowsSoFar = 0
            var earlierInThisCall: [String: String] = [:]   // hash → file
            // A first backfill of a table whose key range ends the log: the
            // call's events are sorted across chunks and files and appended
            // (full leaf pages, in key order; see BackfillSorter).
            var sorter: BackfillSorter?
            if options.destination != .online && options.sortsAcrossChunks,
               try Self.logEndsBefore(tableId: version.tableId, events: db.events, txn: txn) {
                sorter = BackfillSorter(directory: path)
            }
            for (index, file) in files.enumerated() {
                let batchId = try nextCounter(MetaKey.nextBatchId, in: &txn)
                let writer = EventWriter(events: db.events, online: db.online,
                                         toOffline: options.destination != .online,
                                         toOnline: options.destination != .offline, sorter: sorter)
                let fileIngest = try Self.pipelined(
                    FileIngest(file: file, schema: schema, batchId: batchId, createdAt: now, options: options)
                ) { chunk, order in
                    try writer.write(chunk, order: order, txn: &txn)
                    rowsSoFar += chunk.count
                    options.progress?(rowsSoFar)
                }
                let hash = try hashing.wait()[index]
                let sourceKey = Bytes.uint32(version.tableId) + (FileHash.unhex(hash) ?? [])
                // Checked first: the sources entry of an earlier file of this call names a
                // batch that the refusal is about to roll back.
                if !options.force, let earlier = earlierInThisCall[hash] {
                    throw FeatureStoreError.conflict(
                        "\(file): same content as \(earlier), given earlier in this ingest (SHA-256 \(hash.prefix(12))…); use --force to ingest it twice")
                }
                earlierInThisCall[hash] = earlierInThisCall[hash] ?? file
                if !options.force, let previous = try txn.get(sourceKey, in: db.sources) {
                    let id = Bytes.readUInt64(previous)
                    throw FeatureStoreError.conflict(
                        "\(file): already ingested into '\(table)' as batch \(id) (same SHA-256 \(hash.prefix(12))…); use --force to ingest it again")
                }
                let record = BatchRecord(
                    id: batchId, table: table, tableId: version.tableId, tableVersion: version.version,
                    source: file, sha256: hash, rows: fileIngest.rows, rejected: fileIngest.rejected.count,
                    failures: fileIngest.failures, destination: options.destination.rawValue, createdAtMicros: now,
                    minEventMicros: fileIngest.rows > 0 ? fileIngest.minEvent : nil,
                    maxEventMicros: fileIngest.rows > 0 ? fileIngest.maxEvent : nil)
                try putBatchRecord(record, txn: &txn)
                try writeStatistics(fileIngest.statistics, tableId: version.tableId, txn: &txn)
                try recordIngestLineage(record, version: version, absolutePath: FileSystem.absolutePath(file), in: &txn)
                try txn.put(sourceKey, Bytes.uint64(batchId), in: db.sources)
                batches.append(record)
                rejects.append(fileIngest.rejected)
            }
            if let sorter {
                let offline = EventWriter(events: db.events, online: db.online, toOffline: true, toOnline: false)
                try sorter.writePending { chunk, order in try offline.writeOffline(chunk, order: order, txn: &txn) }
                if sorter.isSorting {
                    try txn.withWriteCursor(db.events) { c in
                        // Nothing of this call is in the log yet, and the table's
                        // range is its end: every event is an append.
                        try sorter.merge { key, value in try c.put(key, value, flags: .append) }
                    }
                }
            }
            return (batches, rejects)
        }
        // Rejects files are written after the commit, so a failed ingest leaves none behind.
        var rejectsFiles: [String: String] = [:]
        for (i, file) in files.enumerated() where !rejects[i].isEmpty {
            let path = Self.rejectsPath(for: file, index: i, count: files.count, options: options)
            let out = try JSONLWriter(path: path)
            for row in rejects[i] {
                let column: JSONValue = row.column.map { JSONValue.string($0) } ?? JSONValue.null
                let value: JSONValue = row.value.map { JSONValue.string($0) } ?? JSONValue.null
                let record: [(String, JSONValue)] = [
                    ("file", .string(file)), ("line", .int(Int64(row.line))), ("column", column),
                    ("value", value), ("reason", .string(row.reason)), ("row", .string(row.raw)),
                ]
                try out.write(record)
            }
            try out.close()
            rejectsFiles[file] = path
        }
        return IngestResult(batches: batches, rejectsFiles: rejectsFiles)
    }

    /// Whether every key of `tableId` sorts after the event log's last key
    /// (no events of this table or of a later one yet): then the table's
    /// events can be appended.
    static func logEndsBefore(tableId: UInt32, events: Database, txn: borrowing Transaction) throws -> Bool {
        let prefix = KeyCodec.tablePrefix(tableId)
        return try txn.withCursor(events) { c -> Bool in
            guard try c.last() else { return true }
            return prefix.withUnsafeBytes { EventWriter.compare(c.key, $0) < 0 }
        }
    }

    /// Parses, checks, encodes and sorts chunks on a second thread while this
    /// thread (the write transaction's) writes them: both cores work.
    static func pipelined(_ ingest: FileIngest,
                          write: (EventChunk, [Int32]) throws -> Void) throws -> FileIngest {
        enum Message { case chunk(EventChunk, [Int32]), done(FileIngest), failed(any Error) }
        let channel = BoundedChannel<Message>(capacity: 2)
        nonisolated(unsafe) var producerIngest = ingest
        let producer = BackgroundTask { () -> Void in
            do {
                try producerIngest.run { chunk in
                    guard channel.send(.chunk(chunk, chunk.sortedOrder())) else { throw CancellationError() }
                }
                _ = channel.send(.done(producerIngest))
            } catch {
                _ = channel.send(.failed(error))
            }
        }
        defer {
            channel.close()
            _ = try? producer.wait()
        }
        while true {
            switch channel.receive() {
            case .chunk(let chunk, let order): try write(chunk, order)
            case .done(let finished): return finished
            case .failed(let error): throw error
            }
        }
    }

    func putBatchRecord(_ record: BatchRecord, txn: inout Transaction) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try txn.put(Bytes.uint64(record.id), Array(try encoder.encode(record)), in: db.batches)
    }

    /// Every batch record, oldest first.
    public func batches() throws -> [BatchRecord] {
        try environment.read { txn in
            var out: [BatchRecord] = []
            let decoder = JSONDecoder()
            try txn.withCursor(db.batches) { c in
                var more = try c.first()
                while more {
                    out.append(try decoder.decode(BatchRecord.self, from: Data(c.value)))
                    more = try c.next()
                }
            }
            return out
        }
    }

    static func suggest(_ name: String, in names: [String]) -> String {
        guard let best = Suggestion.closest(to: name, among: names) else { return "" }
        return " (did you mean '\(best)'?)"
    }
}
