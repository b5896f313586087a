import FeatureStore
import ModelFormats
import ModelRegistry
import Tabular

/// One registered model version ready to score: its artifact loaded, and a
/// prepared online query of its pinned feature refs, in input order.
///
/// Built by ``Scorer``; shared between threads.
public final class ScoringModel: @unchecked Sendable {
    /// The registry's record of the version.
    public let version: ModelVersion
    /// The loaded artifact.
    public let model: any LoadedModel
    /// The online lookup of the version's inputs (`table@N:feature` refs, full names).
    public let query: OnlineQuery
    /// For each join key of ``query``, its index in the scorer's join keys.
    let keyIndex: [Int]
    /// Whether ``query``'s join keys are the scorer's, in its order: then an
    /// entity of the scorer is one of the query as it is.
    let keysInScorerOrder: Bool
    /// Request-time feature name → input index: `table:feature`, `table@N:feature`,
    /// `table__feature`, and the bare `feature` when no other input has that name.
    let requestNames: [String: Int]

    /// Loads `version` (its artifact `bytes`) and prepares its query against `store`.
    ///
    /// Refused: a version registered without feature refs, an input count
    /// that differs from the refs, and inputs of a type a model cannot take
    /// (strings, bytes, vectors, timestamps).
    init(version: ModelVersion, model: any LoadedModel, store: Store, joinKeys: [JoinKey]) throws {
        self.version = version
        self.model = model
        guard !version.inputs.isEmpty else {
            throw FeatureStoreError(.invalidInput,
                "model version \(version.ref) was registered without feature refs, so its inputs cannot be read from the store "
                + "(register it with --features or --service)")
        }
        guard version.inputs.count == model.inputCount else {
            throw FeatureStoreError(.invalidInput,
                "model version \(version.ref): the artifact takes \(model.inputCount) inputs but \(version.inputs.count) feature refs are pinned")
        }
        query = try store.onlineQuery(refs: version.inputs.map(\.ref), fullFeatureNames: true)
        for (i, f) in query.features.enumerated() where !Self.isNumeric(f.feature.type) {
            throw FeatureStoreError(.invalidInput,
                "model version \(version.ref): input \(i + 1) '\(version.inputs[i].ref)' is \(f.feature.type); "
                + "a model takes numbers and booleans (bool, int32, int64, float32, float64)")
        }
        keyIndex = query.joinKeys.map { key in joinKeys.firstIndex { $0.name == key.name }! }
        keysInScorerOrder = keyIndex == Array(joinKeys.indices)
        var names: [String: Int] = [:]
        var bare: [String: Int] = [:]
        for (i, input) in version.inputs.enumerated() {
            names["\(input.table):\(input.feature)"] = i
            names[input.ref] = i
            names["\(input.table)__\(input.feature)"] = i
            bare[input.feature] = bare[input.feature] == nil ? i : -1
        }
        for (name, i) in bare where i >= 0 && names[name] == nil { names[name] = i }
        requestNames = names
    }

    /// The types a feature vector can hold.
    static func isNumeric(_ type: DataType) -> Bool {
        switch type {
        case .bool, .int32, .int64, .float32, .float64: true
        default: false
        }
    }

    /// Number of inputs per row.
    public var inputCount: Int { model.inputCount }

    /// The entity rows of this version's query, picked out of the scorer's join-key order.
    func queryEntities(_ entities: [[Value]], rows: [Int]) -> [[Value]] {
        rows.map { r in keyIndex.map { entities[r][$0] } }
    }

    /// Reads the online values of `rows` (indices into `entities`; nil: every
    /// entity, in order) into `result`, in one read transaction.
    func read(entities: [[Value]], rows: [Int]?, at: Int64?, into result: inout OnlineFeatures) throws {
        if let rows {
            try query.read(entities: queryEntities(entities, rows: rows), at: at, into: &result)
        } else if keysInScorerOrder {
            try query.read(entities: entities, at: at, into: &result)
        } else {
            try query.read(entities: queryEntities(entities, rows: Array(entities.indices)), at: at, into: &result)
        }
    }

    /// Writes the feature vectors of `rows` (indices into `entities`; nil:
    /// every entity, in order) into `matrix` (row-major, one row of
    /// ``inputCount`` per entity scored): the online values (read in one
    /// transaction), NaN where null, not found or outside the table's ttl,
    /// then the request-time features of each row on top.
    func assemble(entities: [[Value]], rows: [Int]?, request: [[String: Double]], at: Int64?,
                  into matrix: inout [Double], result: inout OnlineFeatures) throws {
        try read(entities: entities, rows: rows, at: at, into: &result)
        let count = rows?.count ?? entities.count
        let n = inputCount
        let keys = query.joinKeys.count
        matrix.removeAll(keepingCapacity: true)
        matrix.reserveCapacity(count * n)
        for i in 0..<count {
            for f in 0..<n {
                let column = keys + f
                matrix.append(result.columns[column].statuses[i] == .present
                              ? Self.double(result.columns[column].values[i]) : .nan)
            }
        }
        override(&matrix, rows: rows, request: request)
    }

    /// Lays the request-time features of `rows` (indices into `request`; nil:
    /// row `i` of `matrix` is entry `i` of `request`) over `matrix` (row-major,
    /// ``inputCount`` values per row).
    func override(_ matrix: inout [Double], rows: [Int]?, request: [[String: Double]]) {
        guard !request.isEmpty else { return }
        let n = inputCount
        for i in 0..<(rows?.count ?? matrix.count / n) {
            let r = rows?[i] ?? i
            guard r < request.count else { continue }
            for (name, value) in request[r] {
                if let f = requestNames[name] { matrix[i * n + f] = value }
            }
        }
    }

    /// Result buffers of reads, reused across calls (and threads, one at a time each).
    private let pool = ResultPool()

    /// A result buffer for a read of this version's query: one an earlier call
    /// gave back (so a warm read allocates no columns), or a new one.
    func takeResult() -> OnlineFeatures { pool.take() ?? query.emptyResult() }

    /// Gives `result` back for the next ``takeResult()``; results of large
    /// batches are dropped, so the pool holds no big buffers.
    func recycle(_ result: OnlineFeatures) {
        if result.count <= Self.recycledRowLimit { pool.give(result) }
    }

    /// The most rows a recycled result may hold.
    static let recycledRowLimit = 256

    /// Scores one entity (join-key values in the scorer's order): its
    /// features read in one transaction, request features on top, the
    /// model's single-row predict.
    func scoreOne(_ entity: [Value], request: [String: Double], at: Int64?) throws -> [Double] {
        var result = takeResult()
        defer { recycle(result) }
        try query.read(entities: [keyIndex.map { entity[$0] }], at: at, into: &result)
        let keys = query.joinKeys.count
        var row = [Double](repeating: .nan, count: inputCount)
        for f in 0..<inputCount where result.columns[keys + f].statuses[0] == FeatureStatus.present {
            row[f] = Self.double(result.columns[keys + f].values[0])
        }
        for (name, value) in request {
            if let f = requestNames[name] { row[f] = value }
        }
        return model.predict(row)
    }

    /// A stored value as a model input: bool → 0/1, numbers → Double, null → NaN.
    @inline(__always)
    static func double(_ value: Value?) -> Double {
        switch value {
        case .bool(let b)?: b ? 1 : 0
        case .int32(let x)?: Double(x)
        case .int64(let x)?: Double(x)
        case .float32(let x)?: Double(x)
        case .float64(let x)?: x
        default: .nan
        }
    }
}
