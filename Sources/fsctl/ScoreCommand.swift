import ArgumentParser
import FeatureStore
import Inference
import ModelRegistry
import Tabular

/// `fsctl score`: batch scoring of an entity file with a registered model
/// (SPEC 11), online features by default, point-in-time with `--point-in-time`.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score", abstract: "Score an entity file with a registered model.",
        discussion: """
            Each row's join keys select its features: the online values (now) by default, or with --point-in-time \
            the values as of the row's timestamp (the export's point-in-time join, for backtests). A feature that \
            is null, missing or outside its ttl is passed to the model as NaN. A column named like a model input \
            (user_stats:age, user_stats__age, or age when only one input has that name) is a request-time \
            feature: read as the input's type, it overrides the stored value of its row; an empty cell keeps it. An alias with canary weights routes \
            each entity by its key hash. The output (CSV, JSONL or Parquet by extension) has the entity file's \
            columns, then model_version, then prediction (binary: positive-class probability; regression: the \
            value) or prediction_0..prediction_{k-1} (k classes). --log appends the predictions to the feature \
            table predictions__<model> (created on first use), one batch, stamped with the time of scoring; scoring \
            through an alias set with --log-predictions logs without --log, and --no-log suppresses it. A backtest \
            (--point-in-time) logs only with --log, each prediction stamped with its row's timestamp.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The model: NAME/VERSION, NAME@ALIAS or NAME (the newest version).", valueName: "ref"))
    var model: String

    @Option(help: ArgumentHelp("The entity file: the model's join keys, optional request-time feature columns, any other columns (CSV, JSONL or Parquet).",
                               valueName: "file"))
    var entities: String

    @Option(help: ArgumentHelp("The output file: .parquet/.pq, .jsonl/.ndjson/.json, else CSV.", valueName: "file"))
    var out: String

    @Flag(help: "Use each row's features as of its timestamp (point-in-time join) instead of the online values.")
    var pointInTime = false

    @Option(help: ArgumentHelp("With --point-in-time: the timestamp column (default: event_timestamp).", valueName: "name"))
    var timestampColumn: String?

    @Flag(inversion: .prefixedNo, exclusivity: .exclusive,
          help: "Append the predictions to the feature table predictions__<model> (default: as the alias's --log-predictions says; off for a version and with --point-in-time).")
    var log: Bool?

    @Option(help: "The entity file's format (default: by extension: .csv, .jsonl/.ndjson/.json, .parquet/.pq).")
    var format: IngestCommand.FileFormat?

    func validate() throws {
        if timestampColumn != nil && !pointInTime { throw ValidationError("--timestamp-column needs --point-in-time") }
    }

    /// The store and a scorer of `--model` in it.
    func open(readOnly: Bool) throws -> (store: Store, scorer: Scorer) {
        let store = try global.openStore(readOnly: readOnly)
        return (store, try Scorer(registry: try ModelRegistry(store: store), reference: model))
    }

    func run() throws {
        try OutputPath.check(out, option: "--out", input: ("--entities", entities))
        // Read-only unless logging; the alias's setting is known once the reference is resolved.
        var opened: (store: Store, scorer: Scorer)? = try open(readOnly: log != true)
        if logs(opened!.scorer) && opened!.store.environment.options.readOnly {
            opened = nil   // one environment per process: close before opening for writing
            opened = try open(readOnly: false)
        }
        let (store, scorer) = opened!
        let log = logs(scorer)
        try scorer.checkKinds()
        var types = Dictionary(uniqueKeysWithValues: scorer.joinKeys.map { ($0.name, $0.type) })
        var options = PointInTimeOptions()
        if let timestampColumn { options.timestampColumn = timestampColumn }
        if pointInTime { types[options.timestampColumn] = .timestamp }
        let reserved = Set(types.keys)
        // Columns named like an input are request-time features, read as the input's type.
        for (name, type) in scorer.requestFeatureTypes where types[name] == nil { types[name] = type }
        let file = try EntityFile(path: entities, format: format.map { IngestOptions.Format(rawValue: $0.rawValue)! },
                                  types: types)
        for key in scorer.joinKeys where !file.fields.contains(where: { $0.name == key.name }) {
            throw FeatureStoreError(.invalidInput,
                "\(entities) has no column '\(key.name)', a join key of \(scorer.reference) "
                + "(its columns: \(file.fields.map(\.name).joined(separator: ", ")))")
        }
        if pointInTime && !file.fields.contains(where: { $0.name == options.timestampColumn }) {
            throw FeatureStoreError(.invalidInput,
                "\(entities) has no timestamp column '\(options.timestampColumn)' for --point-in-time "
                + "(its columns: \(file.fields.map(\.name).joined(separator: ", ")); name another with --timestamp-column)")
        }
        let predictionNames = PredictionLog.featureNames(kind: scorer.kind)
        for name in ["model_version"] + predictionNames where file.fields.contains(where: { $0.name == name }) {
            throw FeatureStoreError(.invalidInput, "\(entities) already has a column '\(name)', which the output adds")
        }
        let requestColumns = try scorer.requestFeatureColumns(file.fields, reserved: reserved, file: entities)
        let fields = file.fields + [Field("model_version", .int64)] + predictionNames.map { Field($0, .float64) }
        let output = try ScoreOutput(path: out, fields: fields)
        let tally: Tally
        do {
            tally = try scoreRows(file: file, scorer: scorer, store: store, options: options,
                                  requestColumns: requestColumns, output: output, log: log)
        } catch {
            output.discard()
            throw error
        }
        try output.close()
        let (rows, counts) = (tally.rows, tally.counts)
        var record: BatchRecord?
        if log {
            record = try PredictionLog.append(store: store, scorer: scorer, entities: tally.logged.map(\.0),
                                              predictions: tally.logged.map(\.1),
                                              times: pointInTime ? tally.loggedTimes : nil)
        }
        if global.json {
            return try Output.json(ScoreJSON(
                model: scorer.reference.description, rows: rows, out: out,
                versions: counts.keys.sorted().map { ScoreJSON.VersionCount(version: $0, rows: counts[$0]!) },
                requestFeatures: requestColumns.map { file.fields[$0].name },
                logTable: record.map { _ in PredictionLog.tableName(model: scorer.modelName) }, logBatch: record?.id))
        }
        let split = counts.count > 1
            ? " (" + counts.keys.sorted().map { "\(scorer.modelName)/\($0): \(counts[$0]!)" }.joined(separator: ", ") + ")"
            : counts.keys.first.map { " with \(scorer.modelName)/\($0)" } ?? ""
        var text = "scored \(Format.plural(rows, "row"))\(split) to \(out)"
        if !requestColumns.isEmpty {
            text += "\nrequest-time features from columns: " + requestColumns.map { file.fields[$0].name }.joined(separator: ", ")
        }
        if let record { text += "\nlogged \(Format.plural(record.rows, "prediction")) to \(record.table) (batch \(record.id))" }
        global.say(text)
    }

    /// Whether this run logs its predictions: `--log`/`--no-log`, else the
    /// alias's setting — except a backtest (`--point-in-time`), which is not
    /// serving and logs only when asked to.
    func logs(_ scorer: Scorer) -> Bool {
        pointInTime ? log == true : scorer.logPolicy.shouldLog(requested: log)
    }

    /// What ``scoreRows(file:scorer:store:options:requestColumns:output:log:)`` did.
    struct Tally {
        /// Rows scored.
        var rows = 0
        /// Rows per model version.
        var counts: [Int: Int] = [:]
        /// Each row's join keys and prediction, when logging.
        var logged: [([Value], Prediction)] = []
        /// With `--point-in-time`: each logged row's timestamp (µs), row for row with `logged`.
        var loggedTimes: [Int64] = []
    }

    /// Scores every batch of `file` (entity keys, request-time feature
    /// columns) into `output`.
    func scoreRows(file: EntityFile, scorer: Scorer, store: Store, options: PointInTimeOptions, requestColumns: [Int],
                   output: ScoreOutput, log: Bool) throws -> Tally {
        var tally = Tally()
        let fields = output.fields
        let predictionCount = fields.count - file.fields.count - 1
        let batches = try file.batches()
        while let batch = try batches.next() {
            let keys = try scorer.entityKeys(of: batch, file: entities)
            let request = scorer.requestFeatures(of: batch, columns: requestColumns)
            let predictions = pointInTime
                ? try scorer.scorePointInTime(store: store, entities: batch, keys: keys, requestFeatures: request,
                                              options: options)
                : try scorer.score(entities: keys, requestFeatures: request)
            var columns = batch.columns
            var version = Column(type: .int64, capacity: batch.rowCount)
            var scores = (0..<predictionCount).map { _ in Column(type: .float64, capacity: batch.rowCount) }
            for p in predictions {
                version.appendInt64(Int64(p.version))
                for (k, s) in p.scores.enumerated() { scores[k].appendFloat64(s) }
                tally.counts[p.version, default: 0] += 1
            }
            columns.append(version)
            columns += scores
            try output.write(RecordBatch(fields: fields, columns: columns, sourceLines: batch.sourceLines))
            if log {
                tally.logged += zip(keys, predictions).map { ($0, $1) }
                // The join refused null timestamps already, so every row has one.
                if pointInTime, let t = batch.index(of: options.timestampColumn), case .int64(let times) = batch.columns[t].storage {
                    tally.loggedTimes += times
                }
            }
            tally.rows += batch.rowCount
        }
        return tally
    }
}

/// `fsctl score --json`.
struct ScoreJSON: Encodable {
    struct VersionCount: Encodable {
        var version: Int
        var rows: Int
    }

    var model: String
    var rows: Int
    var out: String
    var versions: [VersionCount]
    /// The entity-file columns used as request-time features.
    var requestFeatures: [String]
    var logTable: String?
    var logBatch: UInt64?

    enum CodingKeys: String, CodingKey {
        case model, rows, out, versions
        case requestFeatures = "request_features"
        case logTable = "log_table"
        case logBatch = "log_batch"
    }
}
