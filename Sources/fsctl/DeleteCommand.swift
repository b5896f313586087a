import ArgumentParser
import FeatureStore

/// `fsctl delete table|entity|service NAME`: the only way objects leave the
/// catalog (never by omission from a definitions file).
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a feature table (with its events and online rows), an entity or a service.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case table, entity, service
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What to delete: table, entity or service.")
    var kind: Kind

    @Argument(help: "Its name.")
    var name: String

    struct Result: Encodable {
        var kind: String
        var name: String
        var versions: Int
        var events: Int
        var online_rows: Int
    }

    func run() throws {
        let store = try global.openStore()
        let objectKind: CatalogObjectKey.Kind = switch kind {
        case .table: .table
        case .entity: .entity
        case .service: .service
        }
        let catalog = try store.catalog()
        let names: [String] = switch kind {
        case .table: Array(catalog.tables.keys)
        case .entity: Array(catalog.entities.keys)
        case .service: Array(catalog.services.keys)
        }
        do {
            let r = try store.delete(CatalogObjectKey(objectKind, name))
            let result = Result(kind: kind.rawValue, name: name, versions: r.versions, events: r.events,
                                online_rows: r.onlineRows)
            if global.json { return try Output.json(result) }
            var text = "deleted \(kind.rawValue) \(name)"
            if kind == .table {
                text += " (\(Format.plural(r.versions, "version")), \(Format.plural(r.events, "event")), "
                    + "\(Format.plural(r.onlineRows, "online row")))"
            }
            global.say(text)
        } catch let e as FeatureStoreError where e.kind == .notFound {
            throw FeatureStoreError(.notFound, e.message + NameSuggestion.hint(for: name, among: names.sorted()))
        }
    }
}
