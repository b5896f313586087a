import Tabular
import Yams

/// Reads a definitions file (SPEC 3) into ``Definitions``, checking
/// everything that can be checked without the store: field names, types,
/// names, TTLs, expectations, duplicates, column-name collisions, feature-ref
/// syntax. What needs the store too (do a table's entities exist, do service
/// refs resolve) is checked by ``CatalogPlanner``.
///
/// Every error names the file, the line and the object:
///
/// ```swift
/// do {
///     let definitions = try DefinitionsParser.parse(yaml: text, file: "features.yaml")
///     print(definitions.featureTables.map(\.name))
/// } catch {
///     print(error)   // features.yaml:14: feature 'age': unknown type 'flaot64' (did you mean 'float64'?)
/// }
/// ```
public enum DefinitionsParser {
    /// The top-level keys of a definitions file, all optional.
    public static let topLevelFields = ["entities", "feature_tables", "feature_services"]
    static let entityFields = ["name", "join_keys", "description", "tags"]
    static let joinKeyFields = ["name", "type"]
    static let tableFields = ["name", "entities", "ttl", "timestamp_field", "created_timestamp_field",
                              "description", "tags", "features"]
    static let featureFields = ["name", "type", "description", "tags", "expect"]
    static let serviceFields = ["name", "features", "description", "tags"]

    /// Parses the YAML text of a definitions file. `file` is the name errors
    /// and ``Definitions/locations`` use (as the user typed it, typically).
    /// An empty file gives empty definitions.
    public static func parse(yaml: String, file: String) throws(CatalogError) -> Definitions {
        let source = YAMLSource(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw source.error(from: error)
        }
        var definitions = Definitions()
        guard let root, !source.isNull(root) else { return definitions }
        let top = try YAMLFields(root, object: nil,
                                 expected: "a mapping with 'entities', 'feature_tables' and 'feature_services'",
                                 source: source)
        try top.rejectUnknownFields(allowed: topLevelFields)

        var parser = Parser(source: source)
        for node in try top.list("entities") {
            try parser.entity(node, into: &definitions)
        }
        for node in try top.list("feature_tables") {
            try parser.table(node, into: &definitions)
        }
        for node in try top.list("feature_services") {
            try parser.service(node, into: &definitions)
        }
        return definitions
    }
}

/// The state of one parse: where each name was first declared.
private struct Parser {
    let source: YAMLSource
    var firstDeclared: [CatalogObjectKey: SourceLocation] = [:]

    init(source: YAMLSource) { self.source = source }

    /// Records `key` at `location`, or throws if it was declared before.
    mutating func declare(_ key: CatalogObjectKey, at location: SourceLocation?) throws(CatalogError) {
        if let first = firstDeclared[key] {
            throw CatalogError(at: location, object: "\(key.kind.noun) '\(key.name)'",
                               "declared twice (first at line \(first.line))")
        }
        if let location { firstDeclared[key] = location }
    }

    mutating func entity(_ node: Node, into definitions: inout Definitions) throws(CatalogError) {
        var fields = try YAMLFields(node, object: "entity", expected: "an entity (a mapping with a 'name')",
                                    source: source)
        let name = try fields.name()
        fields.object = "entity '\(name)'"
        try fields.rejectUnknownFields(allowed: DefinitionsParser.entityFields)
        try declare(CatalogObjectKey(.entity, name), at: fields.location)

        var joinKeys: [JoinKey] = []
        var keyLines: [String: Int] = [:]
        for keyNode in try fields.list("join_keys") {
            if case .scalar = keyNode {
                let keyName = keyNode.scalar?.string ?? ""
                throw CatalogError(at: source.location(of: keyNode), object: fields.object,
                                   "join key '\(keyName)' needs a type: write {name: \(keyName), type: int64} "
                                   + "(join key types: \(JoinKey.allowedTypes.map(\.description).joined(separator: ", ")))")
            }
            var keyFields = try YAMLFields(keyNode, object: "join key",
                                           expected: "a join key ({name: user_id, type: int64})", source: source)
            let keyName = try keyFields.name()
            keyFields.object = "join key '\(keyName)'"
            try keyFields.rejectUnknownFields(allowed: DefinitionsParser.joinKeyFields)
            let type = try dataType(keyFields)
            guard JoinKey.allowedTypes.contains(type) else {
                throw CatalogError(at: source.location(of: keyFields["type"]), object: keyFields.object,
                                   "a join key cannot be of type \(type); join key types are "
                                   + JoinKey.allowedTypes.map(\.description).joined(separator: ", "))
            }
            let line = keyFields.location?.line ?? 0
            if let first = keyLines[keyName] {
                throw CatalogError(at: keyFields.location, object: keyFields.object,
                                   "declared twice in entity '\(name)' (first at line \(first))")
            }
            keyLines[keyName] = line
            joinKeys.append(JoinKey(name: keyName, type: type))
        }
        guard !joinKeys.isEmpty else {
            throw CatalogError(at: fields.location, object: fields.object,
                               "an entity needs at least one join key, e.g. join_keys: [{name: user_id, type: int64}]")
        }
        definitions.entities.append(EntityDefinition(name: name, joinKeys: joinKeys,
                                                     description: try fields.optionalText("description"),
                                                     tags: try fields.tags()))
        definitions.locations[CatalogObjectKey(.entity, name)] = fields.location
    }

    mutating func table(_ node: Node, into definitions: inout Definitions) throws(CatalogError) {
        var fields = try YAMLFields(node, object: "feature table",
                                    expected: "a feature table (a mapping with a 'name')", source: source)
        let name = try fields.name()
        fields.object = "feature table '\(name)'"
        try fields.rejectUnknownFields(allowed: DefinitionsParser.tableFields)
        try declare(CatalogObjectKey(.table, name), at: fields.location)

        var entities: [String] = []
        for entityNode in try fields.list("entities") {
            let entity = try source.text(entityNode, field: "entities", object: fields.object)
            try CatalogName.validate(entity, what: "entity name", at: source.location(of: entityNode),
                                     object: fields.object)
            guard !entities.contains(entity) else {
                throw CatalogError(at: source.location(of: entityNode), object: fields.object,
                                   "entity '\(entity)' is listed twice")
            }
            entities.append(entity)
        }
        guard !entities.isEmpty else {
            throw CatalogError(at: fields.location, object: fields.object,
                               "a feature table needs at least one entity, e.g. entities: [user]")
        }

        let ttl = try ttlMicros(fields)
        let timestampField = try fieldName(fields, "timestamp_field") ?? "event_timestamp"
        let createdField = try fieldName(fields, "created_timestamp_field")

        var features: [FeatureDefinition] = []
        var featureLocations: [String: SourceLocation] = [:]
        for featureNode in try fields.list("features") {
            let (feature, location) = try self.feature(featureNode)
            if let first = featureLocations[feature.name] {
                throw CatalogError(at: location, object: "feature '\(feature.name)'",
                                   "declared twice in feature table '\(name)' (first at line \(first.line))")
            }
            featureLocations[feature.name] = location ?? fields.location
            features.append(feature)
        }

        let table = FeatureTableDefinition(
            name: name, entities: entities, ttlMicros: ttl, timestampField: timestampField,
            createdTimestampField: createdField, description: try fields.optionalText("description"),
            tags: try fields.tags(), features: features)
        // Entities declared earlier in this file are known: check column names now,
        // pointing at the feature's own line. The planner repeats the check with
        // the entities of the store.
        let known = entities.compactMap { e in definitions.entities.first { $0.name == e } }
        let tableLocation = fields.location
        try TableColumns.check(table, entities: known) { feature in
            feature.flatMap { featureLocations[$0] } ?? tableLocation
        }
        definitions.featureTables.append(table)
        definitions.locations[CatalogObjectKey(.table, name)] = fields.location
    }

    func feature(_ node: Node) throws(CatalogError) -> (FeatureDefinition, SourceLocation?) {
        var fields = try YAMLFields(node, object: "feature",
                                    expected: "a feature ({name: age, type: float64})", source: source)
        let name = try fields.name()
        fields.object = "feature '\(name)'"
        try fields.rejectUnknownFields(allowed: DefinitionsParser.featureFields)
        let type = try dataType(fields)
        var expect: Expectation?
        if let expectNode = fields["expect"] {
            expect = try ExpectationParser(source: source, object: fields.object).parse(expectNode, type: type)
        }
        let feature = FeatureDefinition(name: name, type: type, description: try fields.optionalText("description"),
                                        expect: expect, tags: try fields.tags())
        return (feature, fields.location)
    }

    mutating func service(_ node: Node, into definitions: inout Definitions) throws(CatalogError) {
        var fields = try YAMLFields(node, object: "feature service",
                                    expected: "a feature service (a mapping with a 'name')", source: source)
        let name = try fields.name()
        fields.object = "feature service '\(name)'"
        try fields.rejectUnknownFields(allowed: DefinitionsParser.serviceFields)
        try declare(CatalogObjectKey(.service, name), at: fields.location)

        var refs: [String] = []
        for refNode in try fields.list("features") {
            let text = try source.text(refNode, field: "features", object: fields.object)
            let location = source.location(of: refNode)
            do {
                _ = try FeatureRef(parsing: text)
            } catch {
                throw error.locatedIfUnknown(location)
            }
            guard !refs.contains(text) else {
                throw CatalogError(at: location, object: fields.object, "feature ref '\(text)' is listed twice")
            }
            refs.append(text)
        }
        guard !refs.isEmpty else {
            throw CatalogError(at: fields.location, object: fields.object,
                               "a feature service needs at least one feature ref, e.g. features: [user_stats:age]")
        }
        definitions.featureServices.append(FeatureServiceDefinition(
            name: name, features: refs, description: try fields.optionalText("description"), tags: try fields.tags()))
        definitions.locations[CatalogObjectKey(.service, name)] = fields.location
    }

    // MARK: Field values

    /// The required `type` field.
    func dataType(_ fields: YAMLFields) throws(CatalogError) -> DataType {
        let text = try fields.requiredText("type")
        guard let type = DataType(parsing: text) else {
            let candidates = DataType.scalarNames + ["float32[N]"]
            let hint = Suggestion.closest(to: text, among: DataType.scalarNames).map { " (did you mean '\($0)'?)" }
                ?? " (types: \(candidates.joined(separator: ", ")))"
            throw CatalogError(at: source.location(of: fields["type"]), object: fields.object,
                               "unknown type '\(text)'\(hint)")
        }
        return type
    }

    /// The `ttl` field in microseconds; absent means 0 (no expiry).
    func ttlMicros(_ fields: YAMLFields) throws(CatalogError) -> Int64 {
        guard let node = fields["ttl"] else { return 0 }
        let text = try source.text(node, field: "ttl", object: fields.object)
        let location = source.location(of: node)
        do {
            return try DurationText.micros(parsing: text)
        } catch .negative {
            throw CatalogError(at: location, object: fields.object, "ttl cannot be negative: '\(text)'")
        } catch .overflow {
            throw CatalogError(at: location, object: fields.object, "ttl '\(text)' is too large")
        } catch {
            throw CatalogError(at: location, object: fields.object,
                               "invalid ttl '\(text)': write 0 (no expiry), a number of seconds, "
                               + "or a number with a unit s, m, h, d or w (30s, 15m, 2h, 2d, 1w)")
        }
    }

    /// An optional field holding a column name.
    func fieldName(_ fields: YAMLFields, _ key: String) throws(CatalogError) -> String? {
        guard let name = try fields.optionalText(key) else { return nil }
        try CatalogName.validate(name, what: key, at: source.location(of: fields[key]), object: fields.object)
        return name
    }
}

extension CatalogObjectKey.Kind {
    /// How messages name the kind: `entity`, `feature table`, `feature service`.
    var noun: String {
        switch self {
        case .entity: "entity"
        case .table: "feature table"
        case .service: "feature service"
        }
    }
}
