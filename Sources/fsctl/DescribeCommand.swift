import ArgumentParser
import FeatureStore
import ModelRegistry
import Tabular

/// `fsctl describe NAME`: everything about one catalog object — an entity, a
/// feature table (every version, its batches and event count) or a service
/// (with its refs resolved).
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show an entity, a feature table (every version), a feature service, a training set (ts-…) or a model (NAME, NAME/V, NAME@ALIAS).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The object's name, a training set's id (ts-…, or a unique prefix of one), or a model version (NAME/V, NAME@ALIAS).")
    var name: String

    struct TableJSON: Encodable {
        var kind = "table"
        var name: String
        var table_id: UInt32
        var current_version: Int
        var versions: [TableVersionJSON]
        var used_by_services: [String]
        var batches: [BatchJSON]
        /// Rows landed in the event log (batches sent to `offline` or `both`).
        var events: Int
    }

    struct ResolvedJSON: Encodable {
        var ref: String
        var table: String
        var version: Int
        var feature: String
        var type: String
    }

    struct ServiceJSON: Encodable {
        var kind = "service"
        var name: String
        var description: String?
        var tags: [String: String]
        var refs: [String]
        var features: [ResolvedJSON]
        /// Why the refs do not resolve (a table deleted or changed since), if they don't.
        var error: String?
    }

    struct EntityDescription: Encodable {
        var entity: EntityJSON
        var used_by_tables: [String]
        func encode(to encoder: any Encoder) throws {
            try entity.encode(to: encoder)
            enum K: String, CodingKey { case used_by_tables }
            var c = encoder.container(keyedBy: K.self)
            try c.encode(used_by_tables, forKey: .used_by_tables)
        }
    }

    enum Described: Encodable {
        case entity(EntityDescription)
        case table(TableJSON)
        case service(ServiceJSON)
        case trainingSet(TrainingSetJSON)
        case model(ModelJSON)
        case modelVersion(ModelVersionJSON)
        func encode(to encoder: any Encoder) throws {
            switch self {
            case .model(let x): try x.encode(to: encoder)
            case .modelVersion(let x): try x.encode(to: encoder)
            case .entity(let x): try x.encode(to: encoder)
            case .table(let x): try x.encode(to: encoder)
            case .service(let x): try x.encode(to: encoder)
            case .trainingSet(let x): try x.encode(to: encoder)
            }
        }
    }

    func run() throws {
        let store = try global.openStore(readOnly: true)
        if name.hasPrefix("ts-") { return try describeTrainingSet(store) }
        if name.contains("/") || name.contains("@") { return try describeModelVersion(store) }
        let catalog = try store.catalog()
        var found: [Described] = []
        var text: [String] = []
        if let entity = catalog.entities[name] {
            let users = catalog.tables.values.compactMap(\.last).filter { $0.definition.entities.contains(name) }
                .map(\.name).sorted()
            found.append(.entity(EntityDescription(entity: EntityJSON(entity), used_by_tables: users)))
            text.append(Self.text(entity, users: users))
        }
        if let versions = catalog.tables[name], let current = versions.last {
            let batches = try store.batches().filter { $0.table == name && $0.tableId == current.tableId }
            let events = batches.filter { $0.destination != "online" }.reduce(0) { $0 + $1.rows }
            let services = catalog.services.values.filter { s in
                s.features.contains { (try? FeatureRef(parsing: $0))?.table == name }
            }.map(\.name).sorted()
            let json = TableJSON(name: name, table_id: current.tableId, current_version: current.version,
                                 versions: versions.map(TableVersionJSON.init), used_by_services: services,
                                 batches: batches.map(BatchJSON.init), events: events)
            found.append(.table(json))
            text.append(Self.text(versions, json: json))
        }
        if let service = catalog.services[name] {
            var json = ServiceJSON(name: name, description: service.description, tags: service.tags,
                                   refs: service.features, features: [])
            do {
                json.features = try catalog.resolve(service: name).map {
                    ResolvedJSON(ref: $0.ref.description, table: $0.table, version: $0.version,
                                 feature: $0.name, type: $0.feature.type.description)
                }
            } catch {
                json.error = error.description
            }
            found.append(.service(json))
            text.append(Self.text(json))
        }
        let models = try ModelRegistry(store: store).models()
        if let model = models.first(where: { $0.model.name == name }) {
            found.append(.model(ModelJSON(model)))
            text.append(ModelsText.model(model))
        }
        guard !found.isEmpty else {
            let all = Array(catalog.entities.keys) + Array(catalog.tables.keys) + Array(catalog.services.keys)
                + models.map(\.model.name)
            throw FeatureStoreError(.notFound, "no entity, feature table, feature service or model named '\(name)'"
                                    + NameSuggestion.hint(for: name, among: all.sorted()))
        }
        if global.json { return try Output.json(found) }
        global.say(text.joined(separator: "\n"))
    }

    /// `describe ts-…`: the training set with that id, or the only one whose id starts so.
    func describeTrainingSet(_ store: Store) throws {
        var record = try store.trainingSet(id: name)
        if record == nil {
            let all = try store.trainingSets()
            let matches = all.filter { $0.id.hasPrefix(name) }
            if matches.count > 1 {
                throw FeatureStoreError(.invalidInput, "'\(name)' is the start of \(matches.count) training set ids: "
                                        + matches.map(\.id).joined(separator: ", "))
            }
            guard let only = matches.first else {
                throw FeatureStoreError(.notFound, "no training set '\(name)'"
                                        + NameSuggestion.hint(for: name, among: all.map(\.id)))
            }
            record = only
        }
        let json = TrainingSetJSON(record!)
        if global.json { return try Output.json([Described.trainingSet(json)]) }
        global.say(json.text)
    }

    /// `describe churn/3` or `describe churn@production`: one model version.
    func describeModelVersion(_ store: Store) throws {
        let registry = try ModelRegistry(store: store)
        let v = try registry.version(try ModelRef(parsing: name))
        let aliases = try registry.aliases(pointingAt: v)
        if global.json { return try Output.json([Described.modelVersion(ModelVersionJSON(v, aliases: aliases))]) }
        global.say(ModelsText.version(v, aliases: aliases, artifact: try registry.artifactRecord(of: v)))
    }

    static func text(_ e: EntityDefinition, users: [String]) -> String {
        var lines = ["entity \(e.name)", "  join keys: \(CatalogText.joinKeys(e))"]
        if let d = e.description { lines.append("  description: \(d)") }
        if !e.tags.isEmpty { lines.append("  tags: \(CatalogText.tags(e.tags))") }
        lines.append("  used by tables: \(users.isEmpty ? "none" : users.joined(separator: ", "))")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ versions: [FeatureTableVersion], json: TableJSON) -> String {
        var lines = ["table \(json.name) (table id \(json.table_id), current version \(json.current_version))"]
        for v in versions.reversed() {
            let d = v.definition
            lines.append("")
            lines.append("  version \(v.version) (created \(Timestamp.format(v.createdAtMicros)))")
            lines.append("    entities: \(d.entities.joined(separator: ", "))")
            lines.append("    ttl: \(DurationText.format(micros: d.ttlMicros))")
            lines.append("    timestamp field: \(d.timestampField)")
            lines.append("    created timestamp field: \(d.createdTimestampField ?? "(ingest time)")")
            if let desc = d.description { lines.append("    description: \(desc)") }
            if !d.tags.isEmpty { lines.append("    tags: \(CatalogText.tags(d.tags))") }
            var features = TextTable(["FEATURE", "TYPE", "EXPECT", "DESCRIPTION"])
            for f in d.features {
                features.add([f.name, f.type.description, CatalogText.expect(f.expect), f.description ?? ""])
            }
            lines += features.render().split(separator: "\n").map { "    " + $0 }
        }
        lines.append("")
        lines.append("  used by services: \(json.used_by_services.isEmpty ? "none" : json.used_by_services.joined(separator: ", "))")
        lines.append("  events: \(Format.thousands(json.events)) in \(Format.plural(json.batches.count, "batch"))")
        if !json.batches.isEmpty {
            var batches = TextTable(["BATCH", "VERSION", "ROWS", "REJECTED", "TO", "INGESTED", "SOURCE", "SHA-256"])
            for b in json.batches {
                batches.add([String(b.id), String(b.table_version), Format.thousands(b.rows), String(b.rejected),
                             b.destination, b.created_at, b.source, String(b.sha256.prefix(12))])
            }
            lines += batches.render().split(separator: "\n").map { "    " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ s: ServiceJSON) -> String {
        var lines = ["service \(s.name)"]
        if let d = s.description { lines.append("  description: \(d)") }
        if !s.tags.isEmpty { lines.append("  tags: \(CatalogText.tags(s.tags))") }
        lines.append("  refs: \(s.refs.joined(separator: ", "))")
        if let error = s.error {
            lines.append("  does not resolve: \(error)")
        } else {
            var t = TextTable(["FEATURE", "TABLE", "VERSION", "TYPE"])
            for f in s.features { t.add([f.feature, f.table, String(f.version), f.type]) }
            lines += t.render().split(separator: "\n").map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
