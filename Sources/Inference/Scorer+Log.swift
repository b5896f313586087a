import FeatureStore
import Tabular

extension Scorer {
    /// Scores `entities` as ``score(entities:requestFeatures:at:)`` and
    /// appends the predictions to ``PredictionLog``'s table
    /// `predictions__<model>` in one batch, stamped with the scoring time,
    /// when `log` is true — or when `log` is nil and ``logPolicy`` logs by
    /// default (an alias set with `--log-predictions`). `false` never logs.
    ///
    /// ```swift
    /// let p = try scorer.score(entities: [[.int64(42)]], log: true)
    /// let q = try scorer.score(entities: [[.int64(42)]], log: nil)   // as the alias says
    /// ```
    public func score(entities: [[Value]], requestFeatures: [[String: Double]] = [], at: Int64? = nil,
                      log: Bool?) throws -> [Prediction] {
        let predictions = try score(entities: entities, requestFeatures: requestFeatures, at: at)
        if logPolicy.shouldLog(requested: log) {
            try PredictionLog.append(store: store, scorer: self, entities: entities, predictions: predictions)
        }
        return predictions
    }
}
