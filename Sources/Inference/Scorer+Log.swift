import FeatureStore
import Tabular

extension Scorer {
    /// Scores `entities` as ``score(entities:requestFeatures:at:)`` and, when
    /// `log` is true, appends the predictions to ``PredictionLog``'s table
    /// `predictions__<model>` in one batch, stamped with the scoring time.
    ///
    /// ```swift
    /// let p = try scorer.score(entities: [[.int64(42)]], log: true)
    /// ```
    public func score(entities: [[Value]], requestFeatures: [[String: Double]] = [], at: Int64? = nil,
                      log: Bool) throws -> [Prediction] {
        let predictions = try score(entities: entities, requestFeatures: requestFeatures, at: at)
        if log { try PredictionLog.append(store: store, scorer: self, entities: entities, predictions: predictions) }
        return predictions
    }
}
