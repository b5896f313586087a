import FeatureStore
import Tabular

extension PredictionLog {
    /// Appends predictions held in memory (a server's queue) to
    /// `predictions__<model>` with ``Store/push(table:rows:destination:source:)``:
    /// one write transaction, no temporary file, each row stamped with its own
    /// scoring time `times[i]` (UTC µs). The table is created first when
    /// needed, as ``append(store:scorer:entities:predictions:at:)`` does.
    /// Returns the batch record (nil for no rows).
    ///
    /// ```swift
    /// try PredictionLog.push(store: store, scorer: scorer, entities: [[.int64(1)]],
    ///                        predictions: [p], times: [now])
    /// ```
    @discardableResult
    public static func push(store: Store, scorer: Scorer, entities: [[Value]], predictions: [Prediction],
                            times: [Int64], source: String = "predict") throws -> BatchRecord? {
        precondition(entities.count == predictions.count && times.count == entities.count, "one prediction and time per entity")
        guard !entities.isEmpty else { return nil }
        try scorer.checkKinds()
        let table = tableName(model: scorer.modelName)
        let outputs = featureNames(kind: scorer.kind)
        try ensureTable(store: store, scorer: scorer, table: table, outputs: outputs)
        var keyColumns = scorer.joinKeys.map { Column(type: $0.type, capacity: entities.count) }
        var timeColumn = Column(type: .timestamp, capacity: entities.count)
        var versionColumn = Column(type: .int64, capacity: entities.count)
        var outputColumns = outputs.map { _ in Column(type: .float64, capacity: entities.count) }
        for row in entities.indices {
            for (k, value) in entities[row].enumerated() {
                switch value {
                case .int32(let x): keyColumns[k].appendInt32(x)
                case .int64(let x): keyColumns[k].appendInt64(x)
                case .string(let s): keyColumns[k].appendString(s)
                case .bytes(let b): keyColumns[k].appendBytes(b)
                default:
                    throw FeatureStoreError(.invalidInput, "prediction \(row + 1): join key '\(scorer.joinKeys[k].name)' has value \(value)")
                }
            }
            timeColumn.appendInt64(times[row])
            versionColumn.appendInt64(Int64(predictions[row].version))
            for (i, score) in predictions[row].scores.enumerated() { outputColumns[i].appendFloat64(score) }
        }
        let fields = scorer.joinKeys.map { Field($0.name, $0.type) } + [Field("event_timestamp", .timestamp), Field("model_version", .int64)]
            + outputs.map { Field($0, .float64) }
        let rows = RecordBatch(fields: fields, columns: keyColumns + [timeColumn, versionColumn] + outputColumns,
                               sourceLines: Array(1...entities.count))
        return try store.push(table: table, rows: rows, destination: .offline, source: source)
    }
}
