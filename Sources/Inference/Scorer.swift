import FeatureStore
import ModelFormats
import ModelRegistry
import Tabular

/// Scores entities with a registered model (SPEC 11): a model reference
/// (`churn/3`, `churn@production`, `churn`) resolved once, each version it
/// can route to loaded (and cached per version), each entity's feature vector
/// read from the online table in one read transaction, request-time features
/// laid over it, and the alias's canary split applied by entity-key hash.
///
/// ```swift
/// let registry = try ModelRegistry(store: store)
/// let scorer = try Scorer(registry: registry, reference: "churn@production")
/// scorer.joinKeys.map(\.name)                                   // ["user_id"]
/// let p = try scorer.score(entity: [.int64(42)], requestFeatures: ["session_clicks": 3])
/// p.version   // 3, or the canary's version for ~10% of users
/// p.scores    // [0.8127...]
/// ```
///
/// Missing values: a feature that is null, not found (no online row for the
/// entity) or outside its table's ttl is passed to the model as NaN, which
/// each format handles as its library does (docs/models.md). A scorer is
/// immutable and safe to use from several threads; scoring is synchronous
/// (call it from a thread of your own, not from the cooperative pool, for
/// large batches).
public final class Scorer: @unchecked Sendable {
    /// The reference as given.
    public let reference: ModelRef
    /// The store features are read from (and predictions logged to).
    public let store: Store
    /// The alias, when the reference names one (its canary weights route entities).
    public let alias: ModelAlias?
    /// The versions entities can be routed to: the primary first, then the canaries in the alias's order.
    public let versions: [ScoringModel]
    /// Every join key the versions' feature tables use, in order of first
    /// appearance (primary first): an entity gives its values in this order.
    public let joinKeys: [JoinKey]
    /// Cumulative canary bucket thresholds (``CanaryHash``), one per canary.
    let thresholds: [UInt64]
    /// Whether predictions are logged when the caller does not say: on when
    /// the reference names an alias set with `--log-predictions`.
    public let logPolicy: PredictionLogPolicy

    /// Resolves `reference` in `registry` and loads what it routes to.
    ///
    /// - Throws: the registry's error for an unknown model, version or alias;
    ///   the loader's for an artifact that no longer loads; ``FeatureStoreError``
    ///   for a version whose inputs cannot be read (see ``ScoringModel``).
    public convenience init(registry: ModelRegistry, reference: String, cache: ModelCache = .shared) throws {
        try self.init(registry: registry, reference: try ModelRef(parsing: reference), cache: cache)
    }

    /// Resolves `reference` in `registry` and loads what it routes to.
    public init(registry: ModelRegistry, reference: ModelRef, cache: ModelCache = .shared) throws {
        self.reference = reference
        self.store = registry.store
        let records: [ModelVersion]
        if case .alias(let name) = reference.selector {
            let alias = try registry.alias(reference.name, name)
            self.alias = alias
            records = try alias.versions.map { try registry.version(ModelRef(name: reference.name, selector: .version($0))) }
            thresholds = CanaryHash.thresholds(alias.canary.map(\.percent))
        } else {
            alias = nil
            records = [try registry.version(reference)]
            thresholds = []
        }
        // Join keys of every version's tables, from the pinned refs.
        var keys: [JoinKey] = []
        for record in records where !record.inputs.isEmpty {
            let query = try registry.store.onlineQuery(refs: record.inputs.map(\.ref), fullFeatureNames: true)
            for key in query.joinKeys where !keys.contains(where: { $0.name == key.name }) {
                if let other = keys.first(where: { $0.name == key.name }), other.type != key.type {
                    throw FeatureStoreError(.invalidInput, "join key '\(key.name)' is \(other.type) in one version's tables and \(key.type) in \(record.ref)'s")
                }
                keys.append(key)
            }
        }
        joinKeys = keys
        logPolicy = PredictionLogPolicy(logsByDefault: alias?.logPredictions ?? false, alias: alias?.alias,
                                        table: PredictionLog.tableName(model: reference.name))
        versions = try records.map { record in
            try ScoringModel(version: record, model: try cache.model(for: record, registry: registry),
                             store: registry.store, joinKeys: keys)
        }
    }

    /// The model's name.
    public var modelName: String { reference.name }

    /// What every version predicts (the primary's kind; canaries of another kind are refused by ``checkKinds()``).
    public var kind: ModelKind { versions[0].model.kind }

    /// Refuses a canary whose output shape differs from the primary's (a
    /// batch of predictions must have one set of columns).
    public func checkKinds() throws {
        for v in versions.dropFirst() where v.model.kind.outputCount != kind.outputCount {
            throw FeatureStoreError(.invalidInput,
                "\(reference): canary \(v.version.ref) is a \(v.model.kind), the primary \(versions[0].version.ref) a \(kind); "
                + "their predictions cannot share columns")
        }
    }

    /// Which of ``versions`` scores the entity with join-key values `entity` (in ``joinKeys`` order).
    public func route(_ entity: [Value]) -> Int {
        guard !thresholds.isEmpty else { return 0 }
        let bucket = CanaryHash.bucket(model: reference.name,
                                       keys: joinKeys.indices.map { (joinKeys[$0].name, entity[$0]) })
        for (i, limit) in thresholds.enumerated() where bucket < limit { return i + 1 }
        return 0
    }

    /// Checks each entity has one value per join key.
    func check(_ entities: [[Value]]) throws {
        for (row, entity) in entities.enumerated() where entity.count != joinKeys.count {
            throw FeatureStoreError(.invalidInput,
                "entity \(row + 1): expected \(joinKeys.count) join key value(s) (\(joinKeys.map(\.name).joined(separator: ", "))), got \(entity.count)")
        }
    }

    /// Refuses request-time feature names no version takes.
    func checkRequest(_ request: [[String: Double]]) throws {
        for (row, features) in request.enumerated() {
            for name in features.keys where !versions.contains(where: { $0.requestNames[name] != nil }) {
                let inputs = versions[0].version.inputs.map { "\($0.table):\($0.feature)" }
                throw FeatureStoreError(.invalidInput,
                    "entity \(row + 1): request feature '\(name)' is not an input of \(reference) "
                    + "(its inputs: \(inputs.joined(separator: ", ")))")
            }
        }
    }

    /// Scores one entity (join-key values in ``joinKeys`` order); `requestFeatures`
    /// override the store's values by input name (`table:feature`, `table__feature`
    /// or the bare feature name when unambiguous). `at` is the time ttls are
    /// checked against (default now).
    ///
    /// The single-row path: the entity's features in one read transaction
    /// (into a reused result buffer), the model's single-row predict.
    public func score(entity: [Value], requestFeatures: [String: Double] = [:], at: Int64? = nil) throws -> Prediction {
        guard entity.count == joinKeys.count else { try check([entity]); preconditionFailure() }
        if !requestFeatures.isEmpty { try checkRequest([requestFeatures]) }
        let scoring = versions[route(entity)]
        return Prediction(version: scoring.version.version,
                          scores: try scoring.scoreOne(entity, request: requestFeatures, at: at))
    }

    /// Scores `entities` (each: join-key values in ``joinKeys`` order), in
    /// order. `requestFeatures[i]` (when given) overrides entity `i`'s stored
    /// values. Each version's entities are read in one read transaction and
    /// scored with the model's batch path (two threads for large batches).
    public func score(entities: [[Value]], requestFeatures: [[String: Double]] = [], at: Int64? = nil) throws -> [Prediction] {
        try check(entities)
        try checkRequest(requestFeatures)
        var groups = [[Int]](repeating: [], count: versions.count)
        for (row, entity) in entities.enumerated() { groups[route(entity)].append(row) }
        var out = [Prediction](repeating: Prediction(version: 0, scores: []), count: entities.count)
        var matrix: [Double] = []
        for (v, rows) in groups.enumerated() where !rows.isEmpty {
            let scoring = versions[v]
            var result = scoring.takeResult()
            defer { scoring.recycle(result) }
            try scoring.assemble(entities: entities, rows: rows, request: requestFeatures, at: at,
                                 into: &matrix, result: &result)
            let scores = scoring.model.predict(batch: matrix, rows: rows.count)
            let k = scoring.model.outputCount
            for (i, row) in rows.enumerated() {
                out[row] = Prediction(version: scoring.version.version, scores: Array(scores[(i * k)..<((i + 1) * k)]))
            }
        }
        return out
    }

    /// Scores feature vectors assembled elsewhere (the point-in-time join of
    /// `fsctl score --point-in-time`): `matrix` holds `rows` vectors of
    /// version `index`'s inputs, row-major, NaN for missing.
    public func score(version index: Int, matrix: [Double], rows: Int) -> [Prediction] {
        let scoring = versions[index]
        let scores = scoring.model.predict(batch: matrix, rows: rows)
        let k = scoring.model.outputCount
        return (0..<rows).map { Prediction(version: scoring.version.version, scores: Array(scores[($0 * k)..<(($0 + 1) * k)])) }
    }
}
