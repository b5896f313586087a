/// A registered model: a name, its version counter and when it was created.
/// Versions are numbered 1, 2, … and a number is never given twice, even
/// after its version was deleted (as in MLflow).
public struct RegisteredModel: Codable, Sendable, Equatable {
    /// The model's name.
    public var name: String
    /// When its first version was registered (UTC µs).
    public var createdAtMicros: Int64
    /// When a version or alias of it last changed (UTC µs).
    public var updatedAtMicros: Int64
    /// The number the next registered version gets.
    public var nextVersion: Int
    /// The sequence number the next alias move gets in its history.
    public var nextHistorySequence: UInt64

    /// Makes a record; normally made by ``ModelRegistry/register(_:by:)``.
    public init(name: String, createdAtMicros: Int64, updatedAtMicros: Int64, nextVersion: Int, nextHistorySequence: UInt64) {
        self.name = name; self.createdAtMicros = createdAtMicros; self.updatedAtMicros = updatedAtMicros
        self.nextVersion = nextVersion; self.nextHistorySequence = nextHistorySequence
    }
}

/// One feature a model version reads, pinned to the schema version it was
/// resolved against at registration, in the model's input-column order.
public struct ModelInput: Codable, Sendable, Equatable {
    /// The feature table.
    public var table: String
    /// The schema version of the table the feature was resolved in.
    public var tableVersion: Int
    /// The feature's name.
    public var feature: String
    /// Its type (`float64`, `float32[8]`, …).
    public var type: String

    /// Makes an input.
    public init(table: String, tableVersion: Int, feature: String, type: String) {
        self.table = table; self.tableVersion = tableVersion; self.feature = feature; self.type = type
    }

    /// The pinned ref, `user_stats@2:age`: it resolves to the same feature
    /// whatever versions the table gets later.
    public var ref: String { "\(table)@\(tableVersion):\(feature)" }
}

/// One immutable model version (tags and description excepted).
public struct ModelVersion: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// 1, 2, … per model.
    public var version: Int
    /// The artifact's format.
    public var format: ModelFormat
    /// Lowercase hex SHA-256 of the artifact's bytes (its address in the store).
    public var sha256: String
    /// The artifact's size in bytes.
    public var size: Int
    /// The artifact's file name at registration (for `download` defaults and display).
    public var artifactName: String
    /// The features the model reads, pinned, in its input-column order.
    public var inputs: [ModelInput]
    /// The refs as given (`--features`), before resolution.
    public var featureRefs: [String]
    /// The feature service given (`--service`), if any.
    public var service: String?
    /// The training set it was trained on (`ts-…`), if given.
    public var trainingSet: String?
    /// Numbers (auc, logloss, …) that quality gates check.
    public var metrics: [String: Double]
    /// Hyper-parameters, as text.
    public var params: [String: String]
    /// Mutable labels.
    public var tags: [String: String]
    /// Mutable free text.
    public var description: String?
    /// When it was registered (UTC µs).
    public var createdAtMicros: Int64
    /// Who registered it (``ModelRegistry/currentActor()`` or a token's name).
    public var createdBy: String
    /// When tags or description last changed (UTC µs), if ever.
    public var updatedAtMicros: Int64?

    /// `churn/3`.
    public var ref: String { "\(model)/\(version)" }

    /// Makes a version record; normally made by ``ModelRegistry/register(_:by:)``.
    public init(model: String, version: Int, format: ModelFormat, sha256: String, size: Int, artifactName: String,
                inputs: [ModelInput], featureRefs: [String], service: String?, trainingSet: String?,
                metrics: [String: Double], params: [String: String], tags: [String: String], description: String?,
                createdAtMicros: Int64, createdBy: String, updatedAtMicros: Int64? = nil) {
        self.model = model; self.version = version; self.format = format; self.sha256 = sha256; self.size = size
        self.artifactName = artifactName; self.inputs = inputs; self.featureRefs = featureRefs; self.service = service
        self.trainingSet = trainingSet; self.metrics = metrics; self.params = params; self.tags = tags
        self.description = description; self.createdAtMicros = createdAtMicros; self.createdBy = createdBy
        self.updatedAtMicros = updatedAtMicros
    }
}

/// A share of an alias's traffic sent to another version (a canary).
public struct CanarySplit: Codable, Sendable, Equatable, Hashable {
    /// The version that receives the share.
    public var version: Int
    /// Its share in percent, 0 < percent < 100.
    public var percent: Double

    /// Makes a split.
    public init(version: Int, percent: Double) { self.version = version; self.percent = percent }

    /// Parses `V:PERCENT` (`4:10`, `4:12.5`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let v = Int(parts[0]), v > 0 else {
            throw RegistryError.invalid("invalid canary '\(text)': expected VERSION:PERCENT, as in '4:10'")
        }
        guard let p = Double(parts[1]), p.isFinite, p > 0, p < 100 else {
            throw RegistryError.invalid(
                "invalid canary '\(text)': the percentage '\(parts[1])' must be a number between 0 and 100 (exclusive)")
        }
        self.init(version: v, percent: p)
    }

    /// `4:10`.
    public var text: String { "\(version):\(MetricText.format(percent))" }
}

/// Where an alias points: a version, and optionally canary versions that get
/// a share of the entities (chosen deterministically by entity-key hash by
/// the inference module); the rest goes to ``version``.
public struct ModelAlias: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The alias (`production`).
    public var alias: String
    /// The version that gets the traffic not sent to a canary.
    public var version: Int
    /// Canary versions and their shares (their sum is below 100).
    public var canary: [CanarySplit]
    /// When it was last set (UTC µs).
    public var setAtMicros: Int64
    /// Who set it last.
    public var setBy: String
    /// Whether predictions scored through this alias are appended to the
    /// prediction log `predictions__<model>` without being asked for
    /// (`fsctl models alias set … --log-predictions`). Stored as the JSON key
    /// `logPredictions`; a record written before the key existed decodes as false.
    public var logPredictions: Bool

    /// Makes an alias record; normally made by ``ModelRegistry/setAlias(_:_:version:canary:logPredictions:require:by:)``.
    public init(model: String, alias: String, version: Int, canary: [CanarySplit], setAtMicros: Int64, setBy: String,
                logPredictions: Bool = false) {
        self.model = model; self.alias = alias; self.version = version; self.canary = canary
        self.setAtMicros = setAtMicros; self.setBy = setBy; self.logPredictions = logPredictions
    }

    /// The record's JSON keys (docs/storage-format.md, "Model registry").
    enum CodingKeys: String, CodingKey {
        case model, alias, version, canary, setAtMicros, setBy, logPredictions
    }

    /// Decodes a stored record; one without `logPredictions` (written before
    /// per-alias logging existed) does not log.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        alias = try c.decode(String.self, forKey: .alias)
        version = try c.decode(Int.self, forKey: .version)
        canary = try c.decode([CanarySplit].self, forKey: .canary)
        setAtMicros = try c.decode(Int64.self, forKey: .setAtMicros)
        setBy = try c.decode(String.self, forKey: .setBy)
        logPredictions = try c.decodeIfPresent(Bool.self, forKey: .logPredictions) ?? false
    }

    /// Every version the alias sends traffic to: the primary first, then the canaries.
    public var versions: [Int] { [version] + canary.map(\.version) }

    /// The primary version's share in percent (100 minus the canaries').
    public var primaryPercent: Double { 100 - canary.reduce(0) { $0 + $1.percent } }
}

/// One alias move in a model's history (`fsctl models history`).
public struct AliasMove: Codable, Sendable, Equatable {
    /// What happened to the alias.
    public enum Action: String, Codable, Sendable {
        /// Created or moved (or its canary changed).
        case set
        /// Removed.
        case delete
    }

    /// The model's name.
    public var model: String
    /// 1, 2, … per model: the order of moves.
    public var sequence: UInt64
    /// The alias.
    public var alias: String
    /// Set or delete.
    public var action: Action
    /// The version it pointed at before (nil when it was created).
    public var fromVersion: Int?
    /// The version it points at after (nil when it was deleted).
    public var toVersion: Int?
    /// Canary splits before the move.
    public var fromCanary: [CanarySplit]
    /// Canary splits after the move.
    public var toCanary: [CanarySplit]
    /// The quality gates the move passed (`auc>=0.85`), as written.
    public var gates: [String]
    /// Whether the alias logged predictions before the move (nil when it was
    /// created, or for a move recorded before per-alias logging existed).
    public var fromLogPredictions: Bool?
    /// Whether it logs predictions after the move (nil when it was deleted,
    /// or for a move recorded before per-alias logging existed).
    public var toLogPredictions: Bool?
    /// When (UTC µs).
    public var atMicros: Int64
    /// Who: `$FSCTL_USER`, the login name, or `token:NAME` for the server.
    public var by: String

    /// Makes a move; normally recorded by ``ModelRegistry``.
    public init(model: String, sequence: UInt64, alias: String, action: Action, fromVersion: Int?, toVersion: Int?,
                fromCanary: [CanarySplit], toCanary: [CanarySplit], gates: [String], atMicros: Int64, by: String,
                fromLogPredictions: Bool? = nil, toLogPredictions: Bool? = nil) {
        self.model = model; self.sequence = sequence; self.alias = alias; self.action = action
        self.fromVersion = fromVersion; self.toVersion = toVersion; self.fromCanary = fromCanary
        self.toCanary = toCanary; self.gates = gates; self.atMicros = atMicros; self.by = by
        self.fromLogPredictions = fromLogPredictions; self.toLogPredictions = toLogPredictions
    }
}

/// A stored artifact: content-addressed by SHA-256, chunked, shared by every
/// version (of any model) with the same bytes.
public struct ArtifactRecord: Codable, Sendable, Equatable {
    /// Lowercase hex SHA-256 of the whole content.
    public var sha256: String
    /// Bytes.
    public var size: Int
    /// Bytes per chunk (the last chunk may be shorter).
    public var chunkSize: Int
    /// Lowercase hex SHA-256 of each chunk, so a damaged chunk is named.
    public var chunkSHA256: [String]
    /// How many model versions reference it; at 0 it is removed.
    public var references: Int

    /// Makes a record.
    public init(sha256: String, size: Int, chunkSize: Int, chunkSHA256: [String], references: Int) {
        self.sha256 = sha256; self.size = size; self.chunkSize = chunkSize; self.chunkSHA256 = chunkSHA256
        self.references = references
    }

    /// Number of chunks.
    public var chunks: Int { chunkSHA256.count }
}
