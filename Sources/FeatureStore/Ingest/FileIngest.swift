import Tabular

/// Reads one input file, checks every row (join keys, timestamps, `expect`)
/// and encodes the good ones into ``EventChunk``s for the writer.
struct FileIngest {
    let file: String
    let schema: TableWriteSchema
    let batchId: UInt64
    let createdAt: Int64
    let options: IngestOptions

    private(set) var rows = 0
    private(set) var rejected: [RejectedRow] = []
    private(set) var failures: [String: Int] = [:]
    private(set) var minEvent = Int64.max
    private(set) var maxEvent = Int64.min
    /// Statistics of the accepted rows and counts of the `expect` rejections,
    /// stored with the batch (Statistics/).
    private(set) var statistics: StatisticsAccumulator

    init(file: String, schema: TableWriteSchema, batchId: UInt64, createdAt: Int64, options: IngestOptions) {
        self.file = file; self.schema = schema; self.batchId = batchId
        self.createdAt = createdAt; self.options = options
        statistics = StatisticsAccumulator(version: schema.version)
    }

    /// The columns read from the file, in batch order: join keys, timestamp,
    /// created timestamp (when present), then the features present.
    struct Layout {
        var fields: [Field] = []
        var joinKeyCount = 0
        var createdIndex: Int?
        /// For each feature of the table version: its batch column, or nil.
        var featureColumns: [Int?] = []
    }

    mutating func run(_ flush: (EventChunk) throws -> Void) throws {
        let definition = schema.definition
        let format = try options.format ?? IngestOptions.Format.infer(from: file) ?? {
            throw FeatureStoreError.invalid("\(file): cannot tell the format from the extension (use --format csv, jsonl or parquet)")
        }()
        // The reader always skips bad rows, so that under `--on-invalid fail` the
        // error reported is the first bad line, whether the reader or a check found it.
        var readOptions = ReadOptions(batchSize: options.batchSize, onInvalid: .skip,
                                      ignoreUnknownColumns: options.ignoreExtraColumns)
        let layout: Layout
        let batches: BatchIterator
        switch format {
        case .csv:
            let reader = try CSVReader(path: file)
            layout = try csvLayout(header: reader.columnNames)
            batches = try reader.batches(schema: layout.fields, options: readOptions)
        case .parquet:
            // Same header rules as CSV; positions in messages are row numbers.
            let reader = try ParquetReader(path: file)
            layout = try csvLayout(header: reader.columnNames)
            batches = try reader.batches(schema: layout.fields, options: readOptions)
        case .jsonl:
            readOptions.ignoreUnknownColumns = options.ignoreExtraColumns
            let reader = try JSONLReader(path: file)
            layout = fullLayout(includeCreated: definition.createdTimestampField != nil)
            batches = try reader.batches(schema: layout.fields, options: readOptions)
        }
        let checks = ExpectationChecks(definition: definition, featureColumns: layout.featureColumns)
        let encoder = BatchEncoder(schema: schema, keyColumns: Array(0..<layout.joinKeyCount),
                                   featureColumns: layout.featureColumns)
        var sequence: UInt32 = 0
        var accepted: [Int32] = []
        var orders: [EventOrder] = []
        while let batch = try batches.next() {
            let firstUnreadable = batch.rejected.min { $0.line < $1.line }
            if options.onInvalid == .skip {
                for r in batch.rejected {
                    rejected.append(r)
                    failures[r.column ?? "(row)", default: 0] += 1
                }
            }
            let ts = batch.columns[layout.joinKeyCount]
            guard case .int64(let eventTimes) = ts.storage else { preconditionFailure("timestamp column") }
            var createdTimes: [Int64]? = nil
            var createdValid: [Bool] = []
            if let ci = layout.createdIndex, case .int64(let a) = batch.columns[ci].storage {
                createdTimes = a
                createdValid = batch.columns[ci].validity
            }
            accepted.removeAll(keepingCapacity: true)
            orders.removeAll(keepingCapacity: true)
            for r in 0..<batch.rowCount {
                if let problem = rowProblem(r, batch: batch, layout: layout, checks: checks) {
                    if options.onInvalid == .fail, let unreadable = firstUnreadable, unreadable.line < batch.sourceLines[r] {
                        throw FeatureStoreError.invalid("\(file):\(unreadable.line): \(unreadable.reason)")
                    }
                    if let check = problem.check {
                        statistics.addRejected(eventTime: eventTimes[r], feature: problem.column, check: check)
                    }
                    try reject(line: batch.sourceLines[r], column: problem.column, value: problem.value, reason: problem.reason)
                    continue
                }
                let eventTime = eventTimes[r]
                var created = createdAt
                if let createdTimes, createdValid[r] { created = createdTimes[r] }
                accepted.append(Int32(r))
                orders.append(EventOrder(eventTimestamp: eventTime, createdTimestamp: created, batchId: batchId, sequence: sequence))
                sequence &+= 1
                minEvent = min(minEvent, eventTime)
                maxEvent = max(maxEvent, eventTime)
            }
            if options.onInvalid == .fail, let unreadable = firstUnreadable {
                throw FeatureStoreError.invalid("\(file):\(unreadable.line): \(unreadable.reason)")
            }
            var chunk = EventChunk()
            chunk.keyEnds.reserveCapacity(accepted.count)
            chunk.valueEnds.reserveCapacity(accepted.count)
            encoder.encode(rows: accepted, orders: orders, of: batch, into: &chunk)
            if options.destination != .online {
                statistics.add(rows: accepted, of: batch, eventTimes: eventTimes, featureColumns: layout.featureColumns)
            }
            rows += chunk.count
            try flush(chunk)
        }
        rejected.sort { $0.line < $1.line }
    }

    /// The first reason row `r` cannot land: a null join key or timestamp, an
    /// entity key over the limit, a failed `expect`.
    private func rowProblem(_ r: Int, batch: RecordBatch, layout: Layout,
                            checks: ExpectationChecks) -> ExpectationChecks.Failure? {
        var keyBytes = 0
        for j in 0..<layout.joinKeyCount {
            let column = batch.columns[j]
            guard column.validity[r] else {
                return .init(column: schema.joinKeys[j].key.name, value: nil, reason: "join key is null")
            }
            switch column.type {
            case .int64: keyBytes += 8
            case .int32: keyBytes += 4
            default: keyBytes += column.bytes(at: r).count + 2
            }
        }
        if keyBytes > KeyCodec.maxEntityKeyBytes {
            return .init(column: schema.joinKeys.last!.key.name, value: nil,
                         reason: "entity key longer than \(KeyCodec.maxEntityKeyBytes) bytes encoded")
        }
        guard batch.columns[layout.joinKeyCount].validity[r] else {
            return .init(column: schema.definition.timestampField, value: nil, reason: "timestamp is null")
        }
        return checks.isEmpty ? nil : checks.firstFailure(row: r, of: batch)
    }

    /// Fails the ingest, or records the row as rejected under `.skip`.
    private mutating func reject(line: Int, column: String, value: String?, reason: String) throws {
        failures[column, default: 0] += 1
        if options.onInvalid == .fail {
            throw FeatureStoreError.invalid("\(file):\(line): column '\(column)': \(reason)")
        }
        // Same shape as the reader's rejects: the reason names the column.
        rejected.append(RejectedRow(line: line, column: column, value: value, reason: "column '\(column)': \(reason)", raw: ""))
    }

    private func csvLayout(header: [String]) throws -> Layout {
        let definition = schema.definition
        var layout = Layout()
        for (key, entity) in schema.joinKeys {
            guard header.contains(key.name) else {
                throw FeatureStoreError.invalid("\(file):1: missing column '\(key.name)' (join key of entity '\(entity)')")
            }
            layout.fields.append(Field(key.name, key.type))
        }
        layout.joinKeyCount = layout.fields.count
        guard header.contains(definition.timestampField) else {
            throw FeatureStoreError.invalid("\(file):1: missing column '\(definition.timestampField)' (the timestamp field of table '\(definition.name)')")
        }
        layout.fields.append(Field(definition.timestampField, .timestamp))
        if let created = definition.createdTimestampField, header.contains(created) {
            layout.createdIndex = layout.fields.count
            layout.fields.append(Field(created, .timestamp))
        }
        for feature in definition.features {
            if header.contains(feature.name) {
                layout.featureColumns.append(layout.fields.count)
                layout.fields.append(Field(feature.name, feature.type))
            } else {
                layout.featureColumns.append(nil)
            }
        }
        if !options.ignoreExtraColumns {
            let known = Set(layout.fields.map(\.name))
            if let extra = header.first(where: { !known.contains($0) }) {
                let hint = Store.suggest(extra, in: definition.features.map(\.name))
                throw FeatureStoreError.invalid("\(file):1: unknown column '\(extra)': table '\(definition.name)' has no such feature\(hint) (use --ignore-extra to skip it)")
            }
        }
        return layout
    }

    private func fullLayout(includeCreated: Bool) -> Layout {
        let definition = schema.definition
        var layout = Layout()
        for (key, _) in schema.joinKeys { layout.fields.append(Field(key.name, key.type)) }
        layout.joinKeyCount = layout.fields.count
        layout.fields.append(Field(definition.timestampField, .timestamp))
        if includeCreated, let created = definition.createdTimestampField {
            layout.createdIndex = layout.fields.count
            layout.fields.append(Field(created, .timestamp))
        }
        for feature in definition.features {
            layout.featureColumns.append(layout.fields.count)
            layout.fields.append(Field(feature.name, feature.type))
        }
        return layout
    }
}
