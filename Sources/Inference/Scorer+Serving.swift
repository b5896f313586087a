import FeatureStore
import Tabular

/// One entity's prediction as the server's PREDICT answers it: the
/// ``Prediction`` plus how many inputs had no value and, on request, the
/// input vector the model saw.
public struct ServedPrediction: Sendable {
    /// Version and scores, exactly as ``Scorer/score(entities:requestFeatures:at:)`` gives them.
    public var prediction: Prediction
    /// Inputs that had no value (null, not found, outside the ttl; not given at request time).
    public var missingInputs: Int
    /// The version's input count.
    public var inputCount: Int
    /// The input vector (NaN = missing), when asked for.
    public var inputs: [Double]?
}

extension Scorer {
    /// Scores `entities` as ``score(entities:requestFeatures:at:)`` does — the
    /// same routing, one read transaction per version, the model's batch path,
    /// so the scores are bit for bit those of `fsctl score` — and also reports
    /// per entity how many inputs were missing and, with `inputs`, the vector
    /// the model saw. Refuses canaries of another output count (``checkKinds()``).
    public func scoreForServing(entities: [[Value]], requestFeatures: [[String: Double]] = [], at: Int64? = nil,
                                inputs: Bool = false) throws -> [ServedPrediction] {
        try checkKinds()
        try check(entities)
        if !requestFeatures.isEmpty { try checkRequest(requestFeatures) }
        var groups = [[Int]](repeating: [], count: versions.count)
        for (row, entity) in entities.enumerated() { groups[route(entity)].append(row) }
        var served = [ServedPrediction?](repeating: nil, count: entities.count)
        var vectors: [Double] = []
        for (v, rows) in groups.enumerated() where !rows.isEmpty {
            let scoring = versions[v]
            let n = scoring.inputCount
            var result = scoring.query.emptyResult()
            try scoring.assemble(entities: entities, rows: rows, request: requestFeatures, at: at,
                                 into: &vectors, result: &result)
            let scores = scoring.model.predict(batch: vectors, rows: rows.count)
            let k = scoring.model.outputCount
            let keyColumns = scoring.query.joinKeys.count
            for (i, row) in rows.enumerated() {
                var given = Set<Int>()
                if row < requestFeatures.count {
                    for name in requestFeatures[row].keys { if let f = scoring.requestNames[name] { given.insert(f) } }
                }
                var missing = 0
                for f in 0..<n where !given.contains(f) && result.columns[keyColumns + f].statuses[i] != .present { missing += 1 }
                served[row] = ServedPrediction(
                    prediction: Prediction(version: scoring.version.version, scores: Array(scores[(i * k)..<((i + 1) * k)])),
                    missingInputs: missing, inputCount: n,
                    inputs: inputs ? Array(vectors[(i * n)..<((i + 1) * n)]) : nil)
            }
        }
        return served.map { $0! }
    }
}
