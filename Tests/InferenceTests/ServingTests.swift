import FeatureStore
import Inference
import ModelFormats
import ModelRegistry
import Tabular
import Testing

/// `scoreForServing` (the server's PREDICT): bit for bit the scores of
/// `score(entities:)` for batches of one and of many, on one version (no
/// routing, every entity in one batch) and behind a canary split; missing
/// input counts and input vectors right whatever the previous calls left in
/// the reused read buffers.
@Suite struct ServingTests {
    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    static func check(_ scorer: Scorer, _ ids: [Int64], request: [[String: Double]] = [],
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let entities: [[Value]] = ids.map { [.int64($0)] }
        let want = try scorer.score(entities: entities, requestFeatures: request)
        let served = try scorer.scoreForServing(entities: entities, requestFeatures: request, inputs: true)
        #expect(served.count == ids.count, sourceLocation: sourceLocation)
        let rows = Dictionary(uniqueKeysWithValues: ScorerTests.rows().map { ($0.id, $0) })
        for (i, s) in served.enumerated() {
            #expect(s.prediction.version == want[i].version, sourceLocation: sourceLocation)
            #expect(bits(s.prediction.scores) == bits(want[i].scores), "user \(ids[i])", sourceLocation: sourceLocation)
            // The vector the model saw: stored values, NaN where missing, request values on top.
            let r = rows[ids[i]]
            var vector = [r?.age ?? .nan, r?.purchases.map(Double.init) ?? .nan]
            var given = 0
            if i < request.count {
                for (name, value) in request[i] {
                    let input = name.hasSuffix("age") ? 0 : 1   // age, user_stats:age, …; num_purchases
                    vector[input] = value
                    given += 1
                }
            }
            #expect(s.inputs.map(bits) == bits(vector), "user \(ids[i])", sourceLocation: sourceLocation)
            let stored = (r?.age == nil ? 0 : 1) + (r?.purchases == nil ? 0 : 1)
            let missing = vector.filter(\.isNaN).count
            #expect(s.inputCount == 2 && s.missingInputs == missing, "user \(ids[i]): \(stored) stored, \(given) given",
                    sourceLocation: sourceLocation)
        }
    }

    /// Users 1-300 as in ScorerTests (7, 14, … without age; 11, 22, … without
    /// purchases); 900 and -1 unknown.
    static let calls: [[Int64]] = [[1], [7], [900], [1, 7, 11, 77], [2], (1...300).map(Int64.init), [77], [-1, 3], [5]]

    @Test(arguments: [("xgb_binary.json", ModelFormat.xgboostJSON), ("lgb_binary.txt", .lightgbmText),
                      ("linear_logistic.json", .linearJSON), ("sk_logreg.onnx", .onnx)])
    func oneVersionServesTheScoresOfScore(file: String, format: ModelFormat) throws {
        let s = try InferenceStore()
        try ScorerTests.seed(s)
        try s.register(file: file, format: format)
        let scorer = try Scorer(registry: s.registry, reference: "churn/1", cache: ModelCache())
        for ids in Self.calls { try Self.check(scorer, ids) }
        try Self.check(scorer, [1, 7, 900], request: [["age": 50], [:], ["num_purchases": 4, "age": 20]])
        try Self.check(scorer, [900], request: [["user_stats:age": 33]])
        try Self.check(scorer, [7])
    }

    @Test func aCanarySplitServesTheScoresOfScore() throws {
        let s = try InferenceStore()
        try ScorerTests.seed(s)
        try s.register()
        try s.register(file: "lgb_binary.txt", format: .lightgbmText)
        _ = try s.registry.setAlias("churn", "production", version: 1, canary: [CanarySplit(version: 2, percent: 40)],
                                    by: "tester")
        let scorer = try Scorer(registry: s.registry, reference: "churn@production", cache: ModelCache())
        for ids in Self.calls { try Self.check(scorer, ids) }
        let versions = Set(try scorer.scoreForServing(entities: (1...300).map { [.int64($0)] }).map(\.prediction.version))
        #expect(versions == [1, 2])
        try Self.check(scorer, [1, 7, 900], request: [["age": 50], [:], ["num_purchases": 4]])
    }
}
