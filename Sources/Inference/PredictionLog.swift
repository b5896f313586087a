import FeatureStore
import Foundation
import ModelFormats
import Tabular

/// The prediction log (SPEC 11): predictions appended as events of a feature
/// table `predictions__<model>`, so they can be monitored and joined with
/// labels later (`fsctl export --features predictions__churn:prediction`).
///
/// The table is created on first use with the entities of the primary
/// version's feature tables (so it joins on the same keys), no ttl, and the
/// features `model_version` (int64) and `prediction` (float64) — or
/// `prediction_0` … `prediction_{k-1}` for a `k`-class model. Each event's
/// `event_timestamp` is the scoring time. One call is one ingest batch, one
/// write transaction: all of a command's predictions land or none do.
///
/// ```swift
/// let predictions = try scorer.score(entities: entities)
/// try PredictionLog.append(store: store, scorer: scorer, entities: entities, predictions: predictions)
/// ```
public enum PredictionLog {
    /// `predictions__churn` for model `churn`; characters a table name cannot
    /// have (`-`, `.`) become `_`.
    public static func tableName(model: String) -> String {
        "predictions__" + String(model.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }

    /// The prediction features of a model of `kind`.
    public static func featureNames(kind: ModelKind) -> [String] {
        kind.outputCount == 1 ? ["prediction"] : (0..<kind.outputCount).map { "prediction_\($0)" }
    }

    /// Appends `predictions` of `entities` (join-key values in ``Scorer/joinKeys``
    /// order, row for row) with event time `at` (default now), or each at its
    /// own time in `times` (row for row: a backtest's rows, as of which they
    /// were scored), creating the table first when needed. Returns the ingest
    /// batch record (nil for no rows).
    @discardableResult
    public static func append(store: Store, scorer: Scorer, entities: [[Value]], predictions: [Prediction],
                              at: Int64? = nil, times: [Int64]? = nil) throws -> BatchRecord? {
        precondition(entities.count == predictions.count, "one prediction per entity")
        precondition(times == nil || times!.count == entities.count, "one time per entity")
        guard !entities.isEmpty else { return nil }
        try scorer.checkKinds()
        let table = tableName(model: scorer.modelName)
        let outputs = featureNames(kind: scorer.kind)
        try ensureTable(store: store, scorer: scorer, table: table, outputs: outputs)
        let time = at ?? Self.nowMicros()
        var fields = scorer.joinKeys.map { Field($0.name, $0.type) }
        fields.append(Field("event_timestamp", .timestamp))
        fields.append(Field("model_version", .int64))
        fields += outputs.map { Field($0, .float64) }
        var columns = fields.map { Column(type: $0.type, capacity: entities.count) }
        for (row, entity) in entities.enumerated() {
            for (k, value) in entity.enumerated() {
                switch value {
                case .int32(let x): columns[k].appendInt32(x)
                case .int64(let x): columns[k].appendInt64(x)
                case .string(let s): columns[k].appendString(s)
                case .bytes(let b): columns[k].appendBytes(b)
                default: throw FeatureStoreError(.invalidInput, "entity \(row + 1): join key '\(fields[k].name)' has value \(value)")
                }
            }
            let base = entity.count
            columns[base].appendInt64(times?[row] ?? time)
            columns[base + 1].appendInt64(Int64(predictions[row].version))
            for (i, score) in predictions[row].scores.enumerated() { columns[base + 2 + i].appendFloat64(score) }
        }
        let batch = RecordBatch(fields: fields, columns: columns, sourceLines: Array(1...entities.count))
        // Ingest reads files: the batch goes through a Parquet file (exact doubles), removed afterwards.
        let directory = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        let path = directory + "\(table)-\(time)-\(UInt32.random(in: 0...UInt32.max)).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ParquetWriter(path: path, fields: fields)
        try writer.write(batch: batch)
        try writer.close()
        var options = IngestOptions()
        options.format = .parquet
        options.force = true
        return try store.ingest(table: table, files: [path], options: options).batches.first
    }

    /// Creates `table` when the catalog does not have it with these features.
    static func ensureTable(store: Store, scorer: Scorer, table: String, outputs: [String]) throws {
        let catalog = try store.catalog()
        let wanted = ["model_version"] + outputs
        if let current = catalog.currentVersion(of: table) {
            let have = current.definition.features.map(\.name)
            if wanted.allSatisfy(have.contains) { return }
        }
        // The entities of the primary version's tables, in input order.
        var entityNames: [String] = []
        for input in scorer.versions[0].version.inputs {
            let definition = catalog.version(input.tableVersion, of: input.table)?.definition
                ?? catalog.currentVersion(of: input.table)?.definition
            for name in definition?.entities ?? [] where !entityNames.contains(name) { entityNames.append(name) }
        }
        var definitions = Definitions()
        definitions.entities = entityNames.compactMap { catalog.entities[$0] }
        definitions.featureTables = [FeatureTableDefinition(
            name: table, entities: entityNames,
            description: "predictions of model '\(scorer.modelName)' (fsctl score --log)",
            features: [FeatureDefinition(name: "model_version", type: .int64)]
                + outputs.map { FeatureDefinition(name: $0, type: .float64) })]
        try store.apply(definitions)
    }

    static func nowMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
