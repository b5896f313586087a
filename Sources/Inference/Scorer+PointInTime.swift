import FeatureStore
import Tabular

extension Scorer {
    /// The join-key values of each row of `batch` (in ``joinKeys`` order).
    /// A missing join-key column or a null key is an error naming it.
    public func entityKeys(of batch: RecordBatch, file: String = "the entity file") throws -> [[Value]] {
        let columns = try joinKeys.map { key in
            guard let i = batch.index(of: key.name) else {
                throw FeatureStoreError(.invalidInput,
                    "\(file) has no column '\(key.name)', a join key of \(reference) "
                    + "(its columns: \(batch.fields.map(\.name).joined(separator: ", ")); it needs \(joinKeys.map(\.name).joined(separator: ", ")))")
            }
            return i
        }
        return try (0..<batch.rowCount).map { row in
            try columns.enumerated().map { k, c in
                guard let v = batch.columns[c].value(at: row) else {
                    let line = row < batch.sourceLines.count ? batch.sourceLines[row] : row + 1
                    throw FeatureStoreError(.invalidInput, "\(file): line \(line): join key '\(joinKeys[k].name)' is empty")
                }
                return v
            }
        }
    }

    /// Scores each row of `entities` with the features **as of its timestamp**
    /// (the point-in-time join of SPEC 7, `options.timestampColumn`), for
    /// backtests: routing as ``score(entities:requestFeatures:at:)``, each
    /// version's rows joined with its pinned refs in one read transaction.
    /// A feature with no event in range (or null) is NaN. `requestFeatures[i]`
    /// (when given) overrides row `i`'s joined values, as in
    /// ``score(entities:requestFeatures:at:)``.
    public func scorePointInTime(store: Store, entities: RecordBatch, keys: [[Value]],
                                 requestFeatures: [[String: Double]] = [],
                                 options: PointInTimeOptions = PointInTimeOptions()) throws -> [Prediction] {
        try checkRequest(requestFeatures)
        var groups = [[Int]](repeating: [], count: versions.count)
        for (row, entity) in keys.enumerated() { groups[route(entity)].append(row) }
        var out = [Prediction](repeating: Prediction(version: 0, scores: []), count: keys.count)
        var joinOptions = options
        joinOptions.fullFeatureNames = true
        // Only the columns the join reads: a pass-through column cannot clash with a joined feature's name.
        let needed = Set(joinKeys.map(\.name) + [options.timestampColumn])
        let kept = entities.fields.indices.filter { needed.contains(entities.fields[$0].name) }
        let projected = RecordBatch(fields: kept.map { entities.fields[$0] }, columns: kept.map { entities.columns[$0] },
                                    sourceLines: entities.sourceLines)
        for (v, rows) in groups.enumerated() where !rows.isEmpty {
            let scoring = versions[v]
            let joined = try store.historicalFeatures(refs: scoring.version.inputs.map(\.ref), entities: projected,
                                                      options: joinOptions)
            let n = scoring.inputCount
            let first = joined.columns.count - n
            var matrix: [Double] = []
            matrix.reserveCapacity(rows.count * n)
            for row in rows {
                for f in 0..<n { matrix.append(ScoringModel.double(joined.columns[first + f].value(at: row))) }
            }
            scoring.override(&matrix, rows: rows, request: requestFeatures)
            for (i, p) in score(version: v, matrix: matrix, rows: rows.count).enumerated() { out[rows[i]] = p }
        }
        return out
    }
}
