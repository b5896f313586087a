import LMDB
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl export`: an entity file → the point-in-time join → a CSV training
/// set (SPEC 7), recorded as a ``TrainingSetRecord``.
extension Store {
    /// Joins `refs` and `services` to the rows of the entity file at
    /// `entities` (CSV, JSONL or Parquet, by extension or `format`) and writes
    /// the result to `output` — Parquet when it ends in `.parquet`, CSV
    /// otherwise — then records the training set.
    ///
    /// Threads share the work: one parses the entity file (two, each half
    /// of a large CSV file), two join (one snapshot, two read
    /// transactions), two format CSV and one writes it, one hashes the
    /// output as it is written; memory is
    /// bounded by ``PointInTimeOptions/blockRows`` and a few batches in
    /// flight. The file is written under a temporary name and renamed at the
    /// end, so a failed export leaves no partial file (and an older file of
    /// that name as it was). The same inputs on the
    /// same store state give a byte-identical file and the same record id.
    ///
    /// ```swift
    /// var options = PointInTimeOptions()
    /// options.asOf = Timestamp.parse("2025-11-01T00:00:00Z")
    /// let record = try store.exportTrainingSet(entities: "labels.csv", refs: ["user_stats:*"],
    ///                                          to: "train.csv", options: options) { p in
    ///     print("\(p.rows) rows")
    /// }
    /// ```
    ///
    /// - Returns: the stored record (when these inputs were already exported
    ///   against this store state, the first export's record).
    /// - Throws: ``CatalogError`` for a bad ref; ``FeatureStoreError`` naming
    ///   the entity file for a missing column, the file and line for a null
    ///   timestamp; ``TabularError`` (file:line: column) for a value that does
    ///   not parse.
    @discardableResult
    public func exportTrainingSet(entities path: String, refs: [String], services: [String] = [],
                                  to output: String, format: IngestOptions.Format? = nil,
                                  options: PointInTimeOptions = PointInTimeOptions(),
                                  progress: (@Sendable (ExportProgress) -> Void)? = nil) throws -> TrainingSetRecord {
        let started = Clock.nowMicros()
        let parquetOutput = output.lowercased().hasSuffix(".parquet") || output.lowercased().hasSuffix(".pq")
        var options = options
        if options.sourceName == nil { options.sourceName = path }
        let file = try EntityFile(path: path, format: format,
                                  types: try entityColumnTypes(refs: refs, services: services,
                                                               timestampColumn: options.timestampColumn))
        // Threads of their own (not the dispatch pool, which on Linux runs a
        // new task only when a worker is free: the entity file's hash and the
        // reader then ran one after the other, with a core idle).
        let hashing = ThreadTask { try FileHash.sha256(path) }
        defer { _ = try? hashing.wait() }

        enum Message { case header([Field]), batch(RecordBatch), end, abort }
        let channel = BoundedChannel<Message>(capacity: 2)
        let temporary = output + ".tmp-\(getpid())"
        // The writer returns the CSV output's SHA-256, hashed as written (nil: hash the file).
        let writer = ThreadTask(inline: false) { () throws -> String? in
            do {
                // CSV (SPEC 7's format) or Parquet (snappy, µs UTC timestamps), by extension.
                var csv: CSVWriter?
                var parquet: ParquetWriter?
                var halves: CSVHalfFormatter?
                var hasher: StreamHasher?
                let formatter = CSVFormatter()
                var size = 1 << 20
                defer { halves?.finish(); _ = hasher?.finish() }
                /// Writes CSV bytes, hashing them too.
                func emit(_ bytes: [UInt8]) throws {
                    hasher?.submit(bytes)
                    try csv?.write(formatted: bytes)
                }
                loop: while true {
                    switch channel.receive() {
                    case .header(let fields):
                        if parquetOutput {
                            parquet = try ParquetWriter(path: temporary, fields: fields)
                        } else {
                            csv = try CSVWriter(path: temporary)
                            if let header = StreamHasher.csvHeader(fields.map(\.name)) {
                                hasher = StreamHasher()
                                try emit(header)
                            } else {
                                try csv?.write(header: fields.map(\.name))
                            }
                        }
                    case .batch(let batch):
                        if csv != nil {
                            // Formatting CSV costs more than the join: the second half
                            // of each batch is formatted on a thread of its own.
                            let rows = batch.rowCount
                            let split = rows >= CSVHalfFormatter.minimumRows ? rows / 2 : rows
                            if split < rows {
                                if halves == nil { halves = CSVHalfFormatter() }
                                halves!.submit(batch, rows: split..<rows)
                            }
                            var bytes: [UInt8] = []
                            bytes.reserveCapacity(size)
                            formatter.format(batch, rows: 0..<split, into: &bytes)
                            size = max(size, bytes.count)
                            try emit(bytes)
                            if split < rows { try emit(halves!.result()) }
                        }
                        try parquet?.write(batch: batch)
                    case .end: break loop
                    case .abort: unlink(temporary); return nil
                    }
                }
                try csv?.close()
                try parquet?.close()
                return hasher?.finish()
            } catch {
                channel.close()
                unlink(temporary)
                throw error
            }
        }
        if !writer.started { _ = try writer.wait() }   // throws: no thread
        var ended = false
        defer { if !ended { _ = channel.send(.abort); _ = try? writer.wait() } }

        var rows = 0
        let summary: PointInTimeSummary
        do {
            summary = try pointInTimeJoin(
                refs: refs, services: services, entitySchema: file.fields,
                entities: try file.batches(batchSize: options.batchSize, readAhead: options.blockRows),
                options: options,
                start: { fields in
                    guard channel.send(.header(fields)) else { throw CancellationError() }
                },
                body: { batch in
                    guard channel.send(.batch(batch)) else { throw CancellationError() }
                    rows += batch.rowCount
                    progress?(ExportProgress(rows: rows))
                })
        } catch is CancellationError {
            _ = try writer.wait()   // the writer failed: its error says why
            throw CancellationError()
        }
        ended = true
        _ = channel.send(.end)
        let outputHash = try writer.wait()
        let replaced = try OutputReplacement(temporary: temporary, output: output)
        defer { replaced.finish() }

        let recordOptions = TrainingSetRecord.Options(
            timestampColumn: options.timestampColumn, fullFeatureNames: options.fullFeatureNames,
            asOfMicros: options.asOf, createdBeforeEntity: options.createdBeforeEntity)
        let tables = summary.tables.map { t in
            TrainingSetRecord.Table(name: t.name, tableId: t.tableId, ttlMicros: t.ttlMicros, matchedRows: t.matchedRows)
        }
        let features = summary.features.map { "\($0.table)@\($0.version):\($0.name)" }
        let storeId = try storeId()
        let entitiesHash = try hashing.wait()
        let fingerprint = TrainingSetRecord.sha256(TrainingSetRecord.canonicalInputs(
            storeId: storeId, entitiesSHA256: entitiesHash, features: features, tables: tables,
            batchHighWaterMark: summary.visibleBatchHighWaterMark, options: recordOptions))
        var record = TrainingSetRecord(
            id: "ts-" + fingerprint.prefix(16), fingerprint: fingerprint, storeId: storeId,
            entities: path, entitiesSHA256: entitiesHash, rows: summary.rows, refs: refs, services: services,
            features: features, tables: tables, batchHighWaterMark: summary.visibleBatchHighWaterMark,
            options: recordOptions, output: output, outputSHA256: try outputHash ?? FileHash.sha256(output),
            columns: summary.fields.map(\.name), createdAtMicros: started)
        record.entitiesAbsolutePath = FileSystem.absolutePath(path)
        return try putTrainingSet(record)
    }

    /// Exports training set `id` again, from its entity file (which must be
    /// unchanged), with its pinned features, options and batch high-water
    /// mark: the same bytes as the first time, whatever was ingested since.
    ///
    /// ```swift
    /// try store.reproduceTrainingSet(id: "ts-3f9a0c1d2e4b5a69", to: "again.csv")
    /// ```
    @discardableResult
    public func reproduceTrainingSet(id: String, to output: String,
                                     progress: (@Sendable (ExportProgress) -> Void)? = nil) throws -> TrainingSetRecord {
        guard let record = try trainingSet(id: id) else {
            throw FeatureStoreError.notFound("no training set '\(id)'")
        }
        let entities = record.entitiesAbsolutePath ?? record.entities
        let hash = try FileHash.sha256(entities)
        guard hash == record.entitiesSHA256 else {
            throw FeatureStoreError.conflict("\(record.entities): changed since training set \(id) was exported (SHA-256 \(hash.prefix(12))…, was \(record.entitiesSHA256.prefix(12))…)")
        }
        var options = PointInTimeOptions()
        options.timestampColumn = record.options.timestampColumn
        options.fullFeatureNames = record.options.fullFeatureNames
        options.asOf = record.options.asOfMicros
        options.createdBeforeEntity = record.options.createdBeforeEntity
        options.throughBatch = record.batchHighWaterMark
        return try exportTrainingSet(entities: entities, refs: record.features, to: output,
                                     options: options, progress: progress)
    }

    /// The types the join needs for the entity columns: every join key of the
    /// requested tables, and the timestamp column.
    func entityColumnTypes(refs: [String], services: [String], timestampColumn: String) throws -> [String: DataType] {
        let catalog = try catalog()
        var types: [String: DataType] = [:]
        for table in Set(try catalog.resolve(refs: refs, services: services).map(\.table)) {
            guard let current = catalog.currentVersion(of: table) else { continue }
            for (key, _) in try TableWriteSchema(version: current, catalog: catalog).joinKeys {
                types[key.name] = key.type
            }
        }
        types[timestampColumn] = .timestamp
        return types
    }
}

/// A thread that formats rows of batches as CSV (``CSVFormatter``) for the
/// export's writer, which formats the other rows meanwhile: one job at a time,
/// `submit` then `result`. `finish()` ends the thread.
final class CSVHalfFormatter: @unchecked Sendable {
    /// Smaller batches are formatted on the writer's thread alone.
    static let minimumRows = 4096

    private let jobs = BoundedChannel<(RecordBatch, Range<Int>)?>(capacity: 1)
    private let results = BoundedChannel<[UInt8]>(capacity: 1)
    private var thread = pthread_t()
    private var running = false

    init() {
        let me = Unmanaged.passRetained(self).toOpaque()
        running = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<CSVHalfFormatter>.fromOpaque(arg!).takeRetainedValue()
            me.run()
            return nil
        }, me) == 0
        if !running { Unmanaged<CSVHalfFormatter>.fromOpaque(me).release() }
    }

    private func run() {
        let formatter = CSVFormatter()
        var size = 1 << 20
        while let job = jobs.receive() {
            let (batch, rows) = job
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            formatter.format(batch, rows: rows, into: &bytes)
            size = max(size, bytes.count)
            _ = results.send(bytes)
        }
    }

    /// Starts formatting `rows` of `batch`.
    func submit(_ batch: RecordBatch, rows: Range<Int>) {
        if running {
            _ = jobs.send((batch, rows))
        } else {
            // No thread (pthread_create failed): format here.
            var bytes: [UInt8] = []
            CSVFormatter().format(batch, rows: rows, into: &bytes)
            _ = results.send(bytes)
        }
    }

    /// The bytes of the last job, once formatted.
    func result() -> [UInt8] { results.receive() }

    /// Ends the thread (after its current job) and waits for it.
    func finish() {
        guard running else { return }
        running = false
        results.close()
        _ = jobs.send(nil)
        pthread_join(thread, nil)
    }
}

/// Moves a finished export's temporary file to its name. An older file of
/// that name is first moved aside and then deleted on a thread of its own
/// while the training set is recorded (``finish()`` waits for it).
///
/// Why not one `rename(temporary, output)`: on ext4, renaming over an
/// existing file starts writeback of the new one inside the call
/// (`auto_da_alloc`, so that a crash leaves the old or the new file, never
/// an empty one), and the replaced file's pages are freed in it too: 90–110 ms
/// of the export's wall time for a 163 MB training set under load, against
/// microseconds for two renames onto free names. The flusher writes the
/// file back later, as it does for any other write. In between the two renames
/// (microseconds) `output` does not exist.
struct OutputReplacement {
    private let deleting: ThreadTask<Void>?

    init(temporary: String, output: String) throws {
        let aside = output + ".old-\(getpid())"
        var moved = false
        var info = stat()
        if lstat(output, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            // (Anything else — a directory, a link — is left to rename(2) as before.)
            moved = rename(output, aside) == 0
        }
        guard rename(temporary, output) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            if moved { rename(aside, output) }
            throw FeatureStoreError.io("\(output): cannot write: \(reason)")
        }
        deleting = moved ? ThreadTask { _ = unlink(aside) } : nil
    }

    /// Waits until the older file is deleted.
    func finish() { _ = try? deleting?.wait() }
}
