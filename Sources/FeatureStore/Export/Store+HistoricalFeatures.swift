import LMDB
import Tabular
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The point-in-time join (Feast's `get_historical_features`, SPEC 7), as
/// columnar batches for a training job that links the library.
extension Store {
    /// Joins features to entity rows as of each row's timestamp, streaming the
    /// result to `body` in input order, one output batch per input batch.
    ///
    /// For each row at time t and each feature table: the latest event (event
    /// time, then created time, then batch, then row) with event_timestamp ≤ t
    /// and, when the table's ttl > 0, event_timestamp ≥ t − ttl (both
    /// inclusive); none → the table's features are null. Output columns are
    /// the entity columns, then the features in requested order; duplicates
    /// and order are kept.
    ///
    /// The whole join reads **one snapshot** (catalog and events agree, and
    /// later ingests do not show up halfway), through two read transactions
    /// of it: tables are walked two at a time, on this thread and a second
    /// one. It blocks no reader or writer, but a writer that must grow the
    /// map waits for it to end. Entity batches are read on another thread
    /// meanwhile. `body` runs on the calling thread inside the snapshot: it
    /// must not write to this store.
    ///
    /// ```swift
    /// let reader = try CSVReader(path: "labels.csv")
    /// let schema = [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("label", .string)]
    /// let summary = try store.historicalFeatures(
    ///     refs: ["user_stats:age", "user_activity:*"], entitySchema: schema,
    ///     entities: try reader.batches(schema: schema)) { batch in train(on: batch) }
    /// ```
    ///
    /// - Parameters:
    ///   - entitySchema: the fields of every batch `entities` yields.
    ///   - entities: entity rows: the join keys of every requested table, the
    ///     timestamp column (``PointInTimeOptions/timestampColumn``) and any
    ///     other columns, which pass through.
    /// - Throws: ``CatalogError`` for a bad ref; ``FeatureStoreError`` for a
    ///   missing join-key or timestamp column, a null timestamp (naming its
    ///   line), a feature-name collision; whatever `entities` or `body` throw.
    @discardableResult
    public func historicalFeatures(refs: [String], services: [String] = [], entitySchema: [Field],
                                   entities: BatchIterator, options: PointInTimeOptions = PointInTimeOptions(),
                                   body: (RecordBatch) throws -> Void) throws -> PointInTimeSummary {
        try pointInTimeJoin(refs: refs, services: services, entitySchema: entitySchema, entities: entities,
                            options: options, start: { _ in }, body: body)
    }

    /// The join; `start` gets the output fields once the plan is made, before any batch.
    func pointInTimeJoin(refs: [String], services: [String], entitySchema: [Field], entities: BatchIterator,
                         options: PointInTimeOptions, start: ([Field]) throws -> Void,
                         body: (RecordBatch) throws -> Void) throws -> PointInTimeSummary {
        enum Message { case batch(RecordBatch), end, failed(any Error) }
        let channel = BoundedChannel<Message>(capacity: 4)
        nonisolated(unsafe) let source = entities
        let reader = ThreadTask(inline: false) { () -> Void in
            do {
                while let batch = try source.next() {
                    guard channel.send(.batch(batch)) else { return }
                }
                _ = channel.send(.end)
            } catch {
                _ = channel.send(.failed(error))
            }
        }
        if !reader.started { try reader.wait() }   // throws: no thread
        defer {
            channel.close()
            _ = try? reader.wait()
        }
        // Two read transactions of one snapshot: tables are walked on two threads.
        return try environment.read(transactions: 2) { snapshot in try snapshot.withTransaction(0) { txn in
            let catalog = try loadCatalog(txn)
            let features = try catalog.resolve(refs: refs, services: services)
            let plan = try PointInTimePlan(catalog: catalog, features: features, entityFields: entitySchema, options: options)
            let highWaterMark = try txn.get(MetaKey.nextBatchId, in: db.meta).map { Bytes.readUInt64($0) - 1 } ?? 0
            var maxBatch = highWaterMark
            var maxCreated = Int64.max
            if let asOf = options.asOf {
                maxBatch = min(maxBatch, try lastBatch(committedBy: asOf, txn))
                maxCreated = asOf
            }
            if let through = options.throughBatch { maxBatch = min(maxBatch, through) }
            try start(plan.outputFields)
            let walker = PointInTimeWalker(plan: plan, options: options, maxBatch: maxBatch, maxCreated: maxCreated)
            let environment = environment, events = db.events
            // Each walk releases the pages it walked since its last release;
            // the end of a block releases the whole map (branch pages too).
            let release = { (pages: ClosedRange<UInt>?) throws -> Void in
                if let pages { try snapshot.releaseMappedPages(pages) } else { try environment.releaseMappedPages() }
            }
            var rows = 0
            var matched = [Int](repeating: 0, count: plan.tables.count)
            var finished = false
            while !finished {
                let block = PointInTimeBlock()
                while block.rowCount < max(1, options.blockRows) {
                    switch channel.receive() {
                    case .batch(let batch):
                        guard batch.fields == entitySchema else {
                            throw FeatureStoreError.invalid("entity batch fields \(batch.fields.map(\.name)) differ from the schema \(entitySchema.map(\.name))")
                        }
                        block.append(batch)
                    case .end: finished = true
                    case .failed(let error): throw error
                    }
                    if finished { break }
                }
                if block.batches.isEmpty { break }
                let keys = try walker.prepare(block)
                let n = block.rowCount
                // The walks' parts (each table cut in two at an entity for a large
                // block, so that one table, or tables of unequal size, still keep
                // both threads busy) are taken in turn by this thread, with the
                // snapshot's first transaction, and a second one with its second.
                let split = n >= options.walkSplitMinimumRows ? 2 : 1
                let tasks = plan.tables.indices.flatMap { t in walker.parts(of: keys[t], count: split).map { (t, $0) } }
                let queue = WalkQueue(count: tasks.count)
                let walkTasks = { (txn: borrowing Transaction) throws -> [(Int, PointInTimeWalker.WalkPart)] in
                    var done: [(Int, PointInTimeWalker.WalkPart)] = []
                    while let i = queue.take() {
                        let (t, range) = tasks[i]
                        do {
                            done.append((i, try walker.walk(table: t, keys: keys[t], entries: range, txn: txn,
                                                            events: events, release: release)))
                        } catch {
                            queue.stop()   // the other thread takes no more parts
                            throw error
                        }
                    }
                    return done
                }
                let second = tasks.count < 2 ? nil : ThreadTask { () throws -> [(Int, PointInTimeWalker.WalkPart)] in
                    try snapshot.withTransaction(1) { txn in try walkTasks(txn) }
                }
                // The second thread reads the snapshot: it must end before the snapshot does.
                var done: [(Int, PointInTimeWalker.WalkPart)]
                do {
                    done = try walkTasks(txn)
                } catch {
                    _ = try? second?.wait()
                    throw error
                }
                if let second { done += try second.wait() }
                done.sort { $0.0 < $1.0 }
                let results = plan.tables.indices.map { t in
                    walker.assemble(done.filter { tasks[$0.0].0 == t }.map(\.1), keys: keys[t], rows: n)
                }
                block.events = results
                for t in plan.tables.indices { matched[t] += block.events[t].matched }
                // The block's events are copies: the walked pages are not needed again.
                if options.releaseMapEvery > 0 { try release(nil) }
                for b in block.batches.indices { try body(plan.output(block, batch: b)) }
                rows += block.rowCount
            }
            let tables = plan.tables.enumerated().map { i, t in
                PointInTimeSummary.Table(name: t.name, tableId: t.tableId, ttlMicros: t.ttlMicros, matchedRows: matched[i])
            }
            return PointInTimeSummary(fields: plan.outputFields, features: features, tables: tables, rows: rows,
                                      batchHighWaterMark: highWaterMark, visibleBatchHighWaterMark: maxBatch)
        }}
    }

    /// The point-in-time join of in-memory entity rows, collected into one
    /// batch (for small inputs and tests; large ones stream with the
    /// `entities: BatchIterator` form).
    ///
    /// ```swift
    /// let out = try store.historicalFeatures(refs: ["user_stats:age"], entities: labels)
    /// out.columns.last   // the ages, row for row with `labels`
    /// ```
    public func historicalFeatures(refs: [String], services: [String] = [], entities: RecordBatch,
                                   options: PointInTimeOptions = PointInTimeOptions()) throws -> RecordBatch {
        var parts: [RecordBatch] = []
        let summary = try historicalFeatures(refs: refs, services: services, entitySchema: entities.fields,
                                             entities: BatchIterator(ArrayBatchSource([entities])),
                                             options: options) { parts.append($0) }
        return RecordBatch.concatenating(parts, fields: summary.fields)
    }

    /// The largest batch id such that it and every earlier batch were
    /// committed at or before `time` (batch ids are handed out in commit
    /// order; stopping at the first later one keeps a clock step backwards
    /// from letting a later batch in).
    func lastBatch(committedBy time: Int64, _ txn: borrowing Transaction) throws -> UInt64 {
        let decoder = JSONDecoder()
        var last: UInt64 = 0
        try txn.withCursor(db.batches) { c in
            var more = try c.first()
            while more {
                let record = try decoder.decode(BatchRecord.self, from: Data(c.value))
                if record.createdAtMicros > time { break }
                last = record.id
                more = try c.next()
            }
        }
        return last
    }
}

/// Batches from memory, as a ``BatchSource``.
final class ArrayBatchSource: BatchSource {
    private var batches: [RecordBatch]
    init(_ batches: [RecordBatch]) { self.batches = batches.reversed() }
    func nextBatch() throws(TabularError) -> RecordBatch? { batches.popLast() }
}

extension RecordBatch {
    /// The rows of `parts`, in order, as one batch with `fields`.
    static func concatenating(_ parts: [RecordBatch], fields: [Field]) -> RecordBatch {
        var columns = fields.map { Column(type: $0.type, capacity: parts.reduce(0) { $0 + $1.rowCount }) }
        var lines: [Int] = []
        for part in parts {
            lines += part.sourceLines
            for (k, c) in part.columns.enumerated() { columns[k].append(contentsOf: c) }
        }
        return RecordBatch(fields: fields, columns: columns, sourceLines: lines)
    }
}

extension Column {
    /// Appends every row of `other` (same type).
    mutating func append(contentsOf other: Column) {
        validity += other.validity
        switch (storage, other.storage) {
        case (.bool(var a), .bool(let b)): storage = .bool([]); a += b; storage = .bool(a)
        case (.int32(var a), .int32(let b)): storage = .bool([]); a += b; storage = .int32(a)
        case (.int64(var a), .int64(let b)): storage = .bool([]); a += b; storage = .int64(a)
        case (.float32(var a), .float32(let b)): storage = .bool([]); a += b; storage = .float32(a)
        case (.float64(var a), .float64(let b)): storage = .bool([]); a += b; storage = .float64(a)
        case (.binary(var o, var bytes), .binary(let o2, let b2)):
            storage = .bool([])
            let base = bytes.count
            bytes += b2
            o += o2.dropFirst().map { $0 + base }
            storage = .binary(offsets: o, bytes: bytes)
        case (.vector(let n, var a), .vector(_, let b)): storage = .bool([]); a += b; storage = .vector(dimension: n, values: a)
        default: preconditionFailure("append(contentsOf:) of \(other.type) to \(type)")
        }
    }
}

/// The next walk task for whichever thread asks first.
final class WalkQueue: @unchecked Sendable {
    private let count: Int
    /// The next task index; guarded by `lock`.
    private var next = 0
    /// Allocated, not a stored `pthread_mutex_t`: a mutex must not move, and
    /// `&property` does not promise the property's own address.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(count: Int) {
        self.count = count
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// A task index not handed out before, or nil when none is left.
    func take() -> Int? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    /// Hands out no more tasks (a walk failed).
    func stop() {
        pthread_mutex_lock(lock)
        next = count
        pthread_mutex_unlock(lock)
    }
}
