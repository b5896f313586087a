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
        if versions.count == 1 {
            // No routing: every entity, in order, in one batch of the one version.
            var served: [ServedPrediction] = []
            served.reserveCapacity(entities.count)
            try serve(versions[0], entities: entities, rows: nil, requestFeatures: requestFeatures, at: at, inputs: inputs) {
                served.append($1)
            }
            return served
        }
        var groups = [[Int]](repeating: [], count: versions.count)
        for (row, entity) in entities.enumerated() { groups[route(entity)].append(row) }
        var served = [ServedPrediction?](repeating: nil, count: entities.count)
        for (v, rows) in groups.enumerated() where !rows.isEmpty {
            try serve(versions[v], entities: entities, rows: rows, requestFeatures: requestFeatures, at: at, inputs: inputs) {
                served[$0] = $1
            }
        }
        return served.map { $0! }
    }

    /// Scores `rows` of `entities` (nil: every entity, in order) with
    /// `scoring` in one batch and hands each entity's ``ServedPrediction`` to
    /// `body` with its index in `entities`.
    private func serve(_ scoring: ScoringModel, entities: [[Value]], rows: [Int]?, requestFeatures: [[String: Double]],
                       at: Int64?, inputs: Bool, _ body: (Int, ServedPrediction) -> Void) throws {
        let count = rows?.count ?? entities.count
        let n = scoring.inputCount
        let k = scoring.model.outputCount
        var result = scoring.takeResult()
        defer { scoring.recycle(result) }
        var vectors: [Double] = []
        try scoring.assemble(entities: entities, rows: rows, request: requestFeatures, at: at, into: &vectors, result: &result)
        var scores = [Double](repeating: 0, count: count * k)
        vectors.withUnsafeBufferPointer { v in
            scores.withUnsafeMutableBufferPointer { s in scoring.model.predict(batch: v, rows: count, into: s) }
        }
        let keyColumns = scoring.query.joinKeys.count
        for i in 0..<count {
            let row = rows?[i] ?? i
            var missing = 0
            if row < requestFeatures.count && !requestFeatures[row].isEmpty {
                var given = Set<Int>()
                for name in requestFeatures[row].keys { if let f = scoring.requestNames[name] { given.insert(f) } }
                for f in 0..<n where !given.contains(f) && result.columns[keyColumns + f].statuses[i] != .present { missing += 1 }
            } else {
                for f in 0..<n where result.columns[keyColumns + f].statuses[i] != .present { missing += 1 }
            }
            // One entity: its scores and vector are the whole arrays (no copies).
            body(row, ServedPrediction(
                prediction: Prediction(version: scoring.version.version,
                                       scores: count == 1 ? scores : Array(scores[(i * k)..<((i + 1) * k)])),
                missingInputs: missing, inputCount: n,
                inputs: inputs ? (count == 1 ? vectors : Array(vectors[(i * n)..<((i + 1) * n)])) : nil))
        }
    }
}
