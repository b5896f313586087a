import WireProtocol

/// The answer to ``FeatureClient/predict(model:entities:requestFeatures:at:returnInputs:)``:
/// one row per entity, in request order, with the values `fsctl score` writes
/// (the entity's keys, `model_version`, then `prediction` or
/// `prediction_0` … `prediction_{k-1}`).
public struct PredictionResult: Sendable, Equatable {
    /// One entity's prediction.
    public struct Row: Sendable, Equatable {
        /// The entity's join-key values, by key name, as sent.
        public var keys: [String: WireValue]
        /// The version that scored it (the alias's primary or a canary).
        public var modelVersion: Int
        /// The outputs, in ``PredictionResult/outputs`` order.
        public var scores: [Double]
        /// Whether every input had a value.
        public var status: PredictionStatus
        /// The input vector the model saw (NaN = missing), when asked for.
        public var inputs: [Double]?

        /// The single output of a binary classifier or regression.
        public var prediction: Double { scores[0] }

        public static func == (a: Row, b: Row) -> Bool {
            a.keys == b.keys && a.modelVersion == b.modelVersion && a.status == b.status
                && a.scores.map(\.bitPattern) == b.scores.map(\.bitPattern)
                && a.inputs?.map(\.bitPattern) == b.inputs?.map(\.bitPattern)
        }
    }

    /// The model's name.
    public var model: String
    /// `["prediction"]` or `["prediction_0", …]`.
    public var outputs: [String]
    /// The versions the reference routes to (primary first), with their inputs in model order.
    public var versions: [PredictVersion]
    /// One per entity, in request order.
    public var rows: [Row]
}

extension FeatureClient {
    /// Scores `entities` with the registered model `model` (`churn/3`,
    /// `churn@production`, `churn`): the server reads each entity's features
    /// from its online store, applies the alias's canary split, and answers
    /// what `fsctl score` would for the same entities.
    ///
    /// `entities` maps every join key of the model to one value per entity.
    /// `requestFeatures` maps model inputs (`user_stats:age`, or `age` when
    /// unambiguous) to one value per entity, nil = use the stored value; a given
    /// value replaces the stored one. `at` (UTC µs) replaces now when judging ttls.
    ///
    /// ```swift
    /// let p = try await client.predict(model: "churn@production", entities: ["user_id": [1, 2]])
    /// p.rows.map(\.prediction)      // [0.81, 0.12]
    /// p.rows.map(\.modelVersion)    // [3, 4] — user 2 in the canary
    /// ```
    ///
    /// Errors: the server's `NOT_FOUND` (unknown model, version, alias),
    /// `INVALID_ARGUMENT` (join keys, request features), `MODEL_NOT_SERVABLE`;
    /// `invalidArgument` before sending for entities or request features of unequal lengths.
    public func predict(model: String, entities: [String: [any EntityKey]], requestFeatures: [String: [Double?]] = [:],
                        at: Int64? = nil, returnInputs: Bool = false) async throws -> PredictionResult {
        func refuse(_ message: String) -> FeatureClientError {
            FeatureClientError(.invalidArgument, message, endpoint: endpoint, operation: "PREDICT")
        }
        let names = entities.keys.sorted()
        guard let first = names.first else { throw refuse("entities: give at least one join key") }
        let n = entities[first]!.count
        if let bad = names.first(where: { entities[$0]!.count != n }) {
            throw refuse("entities: '\(bad)' has \(entities[bad]!.count) value(s) but '\(first)' has \(n)")
        }
        let featureNames = requestFeatures.keys.sorted()
        if let bad = featureNames.first(where: { requestFeatures[$0]!.count != n }) {
            throw refuse("requestFeatures: '\(bad)' has \(requestFeatures[bad]!.count) value(s) for \(n) entities")
        }
        var keys: [WireValue] = []
        keys.reserveCapacity(n * names.count)
        for e in 0..<n { for name in names { keys.append(entities[name]![e].wireValue) } }
        var values: [Double?] = []
        values.reserveCapacity(n * featureNames.count)
        for e in 0..<n { for name in featureNames { values.append(requestFeatures[name]![e]) } }
        let request = PredictRequest(model: model, options: returnInputs ? .returnInputs : [], at: at, keyNames: names,
                                     keys: keys, requestFeatureNames: featureNames, requestFeatures: values)
        let reply = try await call(request, PredictReply.self)
        guard reply.entities.count == n else {
            throw FeatureClientError(.badReply, "\(reply.entities.count) predictions for \(n) entities", endpoint: endpoint, operation: "PREDICT")
        }
        let rows = reply.entities.enumerated().map { e, p in
            PredictionResult.Row(keys: Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, keys[e * names.count + $0]) }),
                                 modelVersion: Int(p.version), scores: p.scores, status: p.status, inputs: p.inputs)
        }
        return PredictionResult(model: reply.model, outputs: reply.outputs, versions: reply.versions, rows: rows)
    }
}
