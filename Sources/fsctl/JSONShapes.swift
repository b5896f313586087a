import FeatureStore
import Tabular

/// JSON shapes shared by several commands (docs/cli.md lists them all).
/// Keys are snake_case; timestamps are ISO-8601 strings; optional fields are
/// left out when unset.

/// One ingested batch.
struct BatchJSON: Encodable {
    var id: UInt64
    var table: String
    var table_version: Int
    var source: String
    var sha256: String
    var rows: Int
    var rejected: Int
    var destination: String
    var created_at: String
    var min_event_timestamp: String?
    var max_event_timestamp: String?

    init(_ b: BatchRecord) {
        id = b.id; table = b.table; table_version = b.tableVersion; source = b.source; sha256 = b.sha256
        rows = b.rows; rejected = b.rejected; destination = b.destination
        created_at = Timestamp.format(b.createdAtMicros)
        min_event_timestamp = b.minEventMicros.map(Timestamp.format)
        max_event_timestamp = b.maxEventMicros.map(Timestamp.format)
    }
}

/// A join key or a feature's name and type.
struct FieldJSON: Encodable {
    var name: String
    var type: String
}

/// A literal of `expect: {in: [...]}`: a number, a string or a bool.
enum LiteralJSON: Encodable {
    case literal(ExpectLiteral)
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .literal(.number(let x)): try c.encode(x)
        case .literal(.string(let s)): try c.encode(s)
        case .literal(.bool(let b)): try c.encode(b)
        }
    }
}

struct ExpectJSON: Encodable {
    var min: Double?
    var max: Double?
    var not_null: Bool
    var `in`: [LiteralJSON]?
    init(_ e: Expectation) {
        min = e.min; max = e.max; not_null = e.notNull
        self.in = e.allowed.map { $0.map(LiteralJSON.literal) }
    }
}

struct FeatureJSON: Encodable {
    var name: String
    var type: String
    var description: String?
    var tags: [String: String]
    var expect: ExpectJSON?
    init(_ f: FeatureDefinition) {
        name = f.name; type = f.type.description; description = f.description; tags = f.tags
        expect = f.expect.flatMap { $0.isEmpty ? nil : ExpectJSON($0) }
    }
}

/// One schema version of a feature table.
struct TableVersionJSON: Encodable {
    var version: Int
    var table_id: UInt32
    var created_at: String
    var entities: [String]
    var ttl: String
    var ttl_seconds: Double
    var timestamp_field: String
    var created_timestamp_field: String?
    var description: String?
    var tags: [String: String]
    var features: [FeatureJSON]
    init(_ v: FeatureTableVersion) {
        let d = v.definition
        version = v.version; table_id = v.tableId; created_at = Timestamp.format(v.createdAtMicros)
        entities = d.entities; ttl = DurationText.format(micros: d.ttlMicros)
        ttl_seconds = Double(d.ttlMicros) / 1e6
        timestamp_field = d.timestampField; created_timestamp_field = d.createdTimestampField
        description = d.description; tags = d.tags; features = d.features.map(FeatureJSON.init)
    }
}

struct EntityJSON: Encodable {
    var kind = "entity"
    var name: String
    var join_keys: [FieldJSON]
    var description: String?
    var tags: [String: String]
    init(_ e: EntityDefinition) {
        name = e.name; join_keys = e.joinKeys.map { FieldJSON(name: $0.name, type: $0.type.description) }
        description = e.description; tags = e.tags
    }
}

/// Plain text helpers shared by `list` and `describe`.
enum CatalogText {
    static func joinKeys(_ e: EntityDefinition) -> String {
        e.joinKeys.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
    }

    static func tags(_ tags: [String: String]) -> String {
        tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ", ")
    }

    static func expect(_ e: Expectation?) -> String {
        guard let e, !e.isEmpty else { return "" }
        var parts: [String] = []
        if let min = e.min { parts.append("min \(number(min))") }
        if let max = e.max { parts.append("max \(number(max))") }
        if e.notNull { parts.append("not null") }
        if let allowed = e.allowed { parts.append("in [\(allowed.map(\.description).joined(separator: ", "))]") }
        return parts.joined(separator: ", ")
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}

/// A training-set record (`fsctl export`, `describe ts-…`): what went in,
/// which store state it saw, what came out.
struct TrainingSetJSON: Encodable {
    struct Table: Encodable {
        var name: String
        var table_id: UInt32
        var ttl: String
        var ttl_seconds: Double
        var matched_rows: Int
    }

    struct Options: Encodable {
        var timestamp_column: String
        var full_feature_names: Bool
        var as_of: String?
        var created_before_entity: Bool
    }

    var kind = "training_set"
    var id: String
    var fingerprint: String
    var store_id: String
    var entities: String
    var entities_sha256: String
    var rows: Int
    var refs: [String]
    var services: [String]
    var features: [String]
    var tables: [Table]
    var batch_high_water_mark: UInt64
    var options: Options
    var output: String
    var output_sha256: String
    var columns: [String]
    var created_at: String

    init(_ r: TrainingSetRecord) {
        id = r.id; fingerprint = r.fingerprint; store_id = r.storeId
        entities = r.entities; entities_sha256 = r.entitiesSHA256; rows = r.rows
        refs = r.refs; services = r.services; features = r.features
        tables = r.tables.map {
            Table(name: $0.name, table_id: $0.tableId, ttl: DurationText.format(micros: $0.ttlMicros),
                  ttl_seconds: Double($0.ttlMicros) / 1e6, matched_rows: $0.matchedRows)
        }
        batch_high_water_mark = r.batchHighWaterMark
        options = Options(timestamp_column: r.options.timestampColumn, full_feature_names: r.options.fullFeatureNames,
                          as_of: r.options.asOfMicros.map(Timestamp.format),
                          created_before_entity: r.options.createdBeforeEntity)
        output = r.output; output_sha256 = r.outputSHA256; columns = r.columns
        created_at = Timestamp.format(r.createdAtMicros)
    }

    /// `describe ts-…` as text.
    var text: String {
        var lines = ["training set \(id)",
                     "  created: \(created_at)",
                     "  entities: \(entities) (\(Format.plural(rows, "row")), SHA-256 \(entities_sha256.prefix(12)))"]
        if !refs.isEmpty { lines.append("  refs: \(refs.joined(separator: ", "))") }
        if !services.isEmpty { lines.append("  services: \(services.joined(separator: ", "))") }
        lines.append("  features: \(features.joined(separator: ", "))")
        lines.append("  timestamp column: \(options.timestamp_column)")
        lines.append("  full feature names: \(options.full_feature_names ? "yes" : "no")")
        lines.append("  as of: \(options.as_of ?? "-")")
        lines.append("  created before entity: \(options.created_before_entity ? "yes" : "no")")
        lines.append("  batches seen: \(batch_high_water_mark == 0 ? "none" : "1…\(batch_high_water_mark)")")
        lines.append("  output: \(output) (SHA-256 \(output_sha256.prefix(12)))")
        lines.append("  columns: \(columns.joined(separator: ", "))")
        lines.append("  fingerprint: \(fingerprint)")
        var t = TextTable(["TABLE", "TABLE ID", "TTL", "MATCHED ROWS"])
        for x in tables { t.add([x.name, String(x.table_id), x.ttl, Format.thousands(x.matched_rows)]) }
        lines += t.render().split(separator: "\n").map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }
}
