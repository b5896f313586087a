import Tabular

/// Where an object was declared, so errors can point at it: `features.yaml:14`.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// A typed join key of an entity, e.g. `user_id: int64`.
public struct JoinKey: Hashable, Sendable, Codable {
    public var name: String
    /// One of `int32`, `int64`, `string`, `bytes` (the types with an exact,
    /// order-preserving key encoding).
    public var type: DataType
    public init(name: String, type: DataType) { self.name = name; self.type = type }

    /// The types a join key may have.
    public static let allowedTypes: [DataType] = [.int32, .int64, .string, .bytes]
}

/// A named key (Feast's Entity) with one or more join keys; composite keys allowed.
public struct EntityDefinition: Hashable, Sendable, Codable {
    public var name: String
    public var joinKeys: [JoinKey]
    public var description: String?
    public var tags: [String: String]
    public init(name: String, joinKeys: [JoinKey], description: String? = nil, tags: [String: String] = [:]) {
        self.name = name; self.joinKeys = joinKeys; self.description = description; self.tags = tags
    }
}

/// A literal in an `expect: {in: [...]}` list.
public enum ExpectLiteral: Hashable, Sendable, Codable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
        case .string(let s): "\"\(s)\""
        case .bool(let b): "\(b)"
        }
    }
}

/// Data-quality checks on one feature, enforced at ingest (SPEC 3 and 5).
public struct Expectation: Hashable, Sendable, Codable {
    /// Inclusive lower bound for numeric features.
    public var min: Double?
    /// Inclusive upper bound for numeric features.
    public var max: Double?
    /// Reject nulls.
    public var notNull: Bool
    /// The allowed values, when given.
    public var allowed: [ExpectLiteral]?
    public init(min: Double? = nil, max: Double? = nil, notNull: Bool = false, allowed: [ExpectLiteral]? = nil) {
        self.min = min; self.max = max; self.notNull = notNull; self.allowed = allowed
    }
    public var isEmpty: Bool { min == nil && max == nil && !notNull && allowed == nil }
}

/// One feature of a feature table version.
public struct FeatureDefinition: Hashable, Sendable, Codable {
    public var name: String
    public var type: DataType
    public var description: String?
    public var expect: Expectation?
    public var tags: [String: String]
    public init(name: String, type: DataType, description: String? = nil, expect: Expectation? = nil,
                tags: [String: String] = [:]) {
        self.name = name; self.type = type; self.description = description; self.expect = expect; self.tags = tags
    }
}

/// A feature table as declared in a definitions file (one schema version's content).
public struct FeatureTableDefinition: Hashable, Sendable, Codable {
    public var name: String
    /// Entity names, in order; the table's key is their join keys concatenated.
    public var entities: [String]
    /// Time to live in microseconds; 0 = no expiry.
    public var ttlMicros: Int64
    public var timestampField: String
    /// nil = the ingest time is used as created timestamp.
    public var createdTimestampField: String?
    public var description: String?
    public var tags: [String: String]
    public var features: [FeatureDefinition]
    public init(name: String, entities: [String], ttlMicros: Int64 = 0,
                timestampField: String = "event_timestamp", createdTimestampField: String? = nil,
                description: String? = nil, tags: [String: String] = [:], features: [FeatureDefinition]) {
        self.name = name; self.entities = entities; self.ttlMicros = ttlMicros
        self.timestampField = timestampField; self.createdTimestampField = createdTimestampField
        self.description = description; self.tags = tags; self.features = features
    }

    public func feature(named name: String) -> FeatureDefinition? { features.first { $0.name == name } }
}

/// A named list of feature refs (Feast's FeatureService).
public struct FeatureServiceDefinition: Hashable, Sendable, Codable {
    public var name: String
    /// Feature refs as written: `table:feature`, `table:*`, `table@N:feature`.
    public var features: [String]
    public var description: String?
    public var tags: [String: String]
    public init(name: String, features: [String], description: String? = nil, tags: [String: String] = [:]) {
        self.name = name; self.features = features; self.description = description; self.tags = tags
    }
}

/// The parsed content of one definitions file, with where each object was declared.
public struct Definitions: Sendable, Equatable {
    public var entities: [EntityDefinition] = []
    public var featureTables: [FeatureTableDefinition] = []
    public var featureServices: [FeatureServiceDefinition] = []
    /// Declaration site of each object, keyed by ``CatalogObjectKey``.
    public var locations: [CatalogObjectKey: SourceLocation] = [:]
    public init() {}
}

/// The kind and name of a catalog object.
public struct CatalogObjectKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable { case entity, table, service }
    public var kind: Kind
    public var name: String
    public init(_ kind: Kind, _ name: String) { self.kind = kind; self.name = name }
    public var description: String { "\(kind.rawValue) '\(name)'" }
}
