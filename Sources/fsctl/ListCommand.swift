import ArgumentParser
import FeatureStore
import ModelRegistry
import Tabular

/// `fsctl list`: the catalog at a glance.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List entities, feature tables (with versions and ids), services, training sets and models.")

    @OptionGroup var global: GlobalOptions

    struct TableJSON: Encodable {
        var name: String
        var table_id: UInt32
        var current_version: Int
        var versions: [Int]
        var entities: [String]
        var features: Int
        var ttl: String
    }

    struct ServiceJSON: Encodable {
        var name: String
        var features: [String]
    }

    struct TrainingSetRow: Encodable {
        var id: String
        var rows: Int
        var entities: String
        var output: String
        var created_at: String
    }

    struct Result: Encodable {
        var entities: [EntityJSON]
        var tables: [TableJSON]
        var services: [ServiceJSON]
        var training_sets: [TrainingSetRow]
        var models: [ModelRowJSON] = []
    }

    func run() throws {
        let store = try global.openStore(readOnly: true)
        let catalog = try store.catalog()
        var result = Self.result(catalog)
        result.training_sets = try store.trainingSets().map {
            TrainingSetRow(id: $0.id, rows: $0.rows, entities: $0.entities, output: $0.output,
                            created_at: Timestamp.format($0.createdAtMicros))
        }
        let models = try ModelRegistry(store: store).models()
        result.models = models.map(ModelRowJSON.init)
        if global.json { return try Output.json(result) }
        var text = ""
        var entities = TextTable(["ENTITY", "JOIN KEYS", "DESCRIPTION"])
        for e in catalog.entities.values.sorted(by: { $0.name < $1.name }) {
            entities.add([e.name, CatalogText.joinKeys(e), e.description ?? ""])
        }
        var tables = TextTable(["TABLE", "VERSION", "VERSIONS", "TABLE ID", "ENTITIES", "FEATURES", "TTL"])
        for t in result.tables {
            tables.add([t.name, String(t.current_version), t.versions.map(String.init).joined(separator: ","),
                        String(t.table_id), t.entities.joined(separator: ","), String(t.features), t.ttl])
        }
        var services = TextTable(["SERVICE", "FEATURES"])
        for s in result.services { services.add([s.name, s.features.joined(separator: ", ")]) }
        text += catalog.entities.isEmpty ? "no entities\n" : entities.render()
        text += "\n" + (catalog.tables.isEmpty ? "no feature tables\n" : tables.render())
        text += "\n" + (catalog.services.isEmpty ? "no feature services\n" : services.render())
        // Training sets appear once there are some (oldest first).
        if !result.training_sets.isEmpty {
            var sets = TextTable(["TRAINING SET", "ROWS", "ENTITIES", "OUTPUT", "CREATED"])
            for t in result.training_sets {
                sets.add([t.id, Format.thousands(t.rows), t.entities, t.output, t.created_at])
            }
            text += "\n" + sets.render()
        }
        // Models appear once there are some.
        if !models.isEmpty { text += "\n" + ModelsText.table(models) }
        global.say(text)
    }

    static func result(_ catalog: CatalogSnapshot) -> Result {
        let tables = catalog.tables.keys.sorted().compactMap { name -> TableJSON? in
            guard let versions = catalog.tables[name], let current = versions.last else { return nil }
            return TableJSON(name: name, table_id: current.tableId, current_version: current.version,
                             versions: versions.map(\.version), entities: current.definition.entities,
                             features: current.definition.features.count,
                             ttl: DurationText.format(micros: current.definition.ttlMicros))
        }
        return Result(entities: catalog.entities.values.sorted { $0.name < $1.name }.map(EntityJSON.init),
                      tables: tables,
                      services: catalog.services.values.sorted { $0.name < $1.name }
                          .map { ServiceJSON(name: $0.name, features: $0.features) },
                      training_sets: [])
    }
}
