/// One node of the lineage graph (SPEC 9): a source file, a batch, a feature
/// table or one of its schema versions, a feature, a table's online view, an
/// entity file, a training set, a model, a model version or an alias.
///
/// A node is its ``kind`` and a canonical ``name``; nodes exist implicitly,
/// through the edges that touch them.
///
/// | kind | name |
/// | --- | --- |
/// | `file` | the file's SHA-256 (lowercase hex) |
/// | `batch` | the batch id, `17` |
/// | `table` | `user_stats` |
/// | `table_version` | `user_stats@2` |
/// | `feature` | `user_stats:age` |
/// | `online` | `user_stats` (the table's online rows) |
/// | `entity_file` | the entity file's SHA-256 |
/// | `training_set` | `ts-3f9a0c…` |
/// | `model` | `churn` |
/// | `model_version` | `churn/3` |
/// | `alias` | `churn@production` |
///
/// ```swift
/// let node = LineageNode.modelVersion("churn", 3)   // model_version churn/3
/// print(node)                                        // "model_version:churn/3"
/// ```
public struct LineageNode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What a node stands for. The raw value is its name in JSON and docs.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case file, batch, table, tableVersion = "table_version", feature, online,
             entityFile = "entity_file", trainingSet = "training_set",
             model, modelVersion = "model_version", alias

        /// The byte that stands for the kind in storage keys (docs/storage-format.md).
        /// Never renumber: stored keys depend on it.
        var code: UInt8 {
            switch self {
            case .file: 1
            case .batch: 2
            case .table: 3
            case .tableVersion: 4
            case .feature: 5
            case .online: 6
            case .entityFile: 7
            case .trainingSet: 8
            case .model: 9
            case .modelVersion: 10
            case .alias: 11
            }
        }

        /// The kind whose storage code is `code`, or nil.
        init?(code: UInt8) {
            guard let k = Kind.allCases.first(where: { $0.code == code }) else { return nil }
            self = k
        }
    }

    /// What the node stands for.
    public var kind: Kind
    /// The canonical name (see the type's table).
    public var name: String

    /// A node of `kind` named `name` (canonical form, see the type's table).
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// `kind:name`, e.g. `table_version:user_stats@2`.
    public var description: String { "\(kind.rawValue):\(name)" }

    /// A source file ingested, by its SHA-256 (lowercase hex).
    public static func file(sha256: String) -> LineageNode { .init(kind: .file, name: sha256) }
    /// An ingest batch.
    public static func batch(_ id: UInt64) -> LineageNode { .init(kind: .batch, name: String(id)) }
    /// A feature table (all its versions).
    public static func table(_ name: String) -> LineageNode { .init(kind: .table, name: name) }
    /// One schema version of a feature table: `user_stats@2`.
    public static func tableVersion(_ table: String, _ version: Int) -> LineageNode {
        .init(kind: .tableVersion, name: "\(table)@\(version)")
    }
    /// A feature of a table, across versions: `user_stats:age`.
    public static func feature(table: String, feature: String) -> LineageNode {
        .init(kind: .feature, name: "\(table):\(feature)")
    }
    /// A table's online rows.
    public static func online(_ table: String) -> LineageNode { .init(kind: .online, name: table) }
    /// An entity file of an export, by its SHA-256 (lowercase hex).
    public static func entityFile(sha256: String) -> LineageNode { .init(kind: .entityFile, name: sha256) }
    /// A training set: `ts-…`.
    public static func trainingSet(_ id: String) -> LineageNode { .init(kind: .trainingSet, name: id) }
    /// A registered model.
    public static func model(_ name: String) -> LineageNode { .init(kind: .model, name: name) }
    /// A model version: `churn/3`.
    public static func modelVersion(_ model: String, _ version: Int) -> LineageNode {
        .init(kind: .modelVersion, name: "\(model)/\(version)")
    }
    /// A model alias: `churn@production`.
    public static func alias(_ model: String, _ alias: String) -> LineageNode {
        .init(kind: .alias, name: "\(model)@\(alias)")
    }
}
