import FeatureStore
import LMDB

/// Resolving names and refs, with errors that say what exists and suggest
/// the name that was probably meant.
extension ModelRegistry {
    /// The model `name`, or an error naming the closest registered model.
    func requireModel(_ name: String, _ db: Databases?, _ txn: borrowing Transaction) throws -> RegisteredModel {
        if let db, let m = try loadModel(name, db, txn) { return m }
        let names = try db.map { try allModels($0, txn).map(\.name) } ?? []
        throw RegistryError.notFound("no model named '\(name)'" + NameSuggestionHint.hint(name, names))
    }

    /// Version `version` of `model`, or an error listing the versions it has.
    func requireVersion(_ model: RegisteredModel, _ version: Int, _ db: Databases,
                        _ txn: borrowing Transaction) throws -> ModelVersion {
        if let v = try loadVersion(model.name, version, db, txn) { return v }
        let all = try scanModel(model.name, db.versions, ModelVersion.self, txn).map(\.version)
        let deleted = version < model.nextVersion ? " (it was deleted)" : ""
        throw RegistryError.notFound("model '\(model.name)' has no version \(version)\(deleted)"
                                     + NameSuggestionHint.known("version", all.map(String.init)))
    }

    /// The alias `alias` of `model`, or an error suggesting one it has.
    func requireAlias(_ model: RegisteredModel, _ alias: String, _ db: Databases,
                      _ txn: borrowing Transaction) throws -> ModelAlias {
        if let a = try loadAlias(model.name, alias, db, txn) { return a }
        let all = try scanModel(model.name, db.aliases, ModelAlias.self, txn).map(\.alias)
        let hint = NameSuggestionHint.hint(alias, all)
        throw RegistryError.notFound("model '\(model.name)' has no alias '\(alias)'"
                                     + (hint.isEmpty ? NameSuggestionHint.known("alias", all) : hint))
    }

    /// The version `ref` names.
    func resolve(_ ref: ModelRef, _ db: Databases?, _ txn: borrowing Transaction) throws -> ModelVersion {
        let model = try requireModel(ref.name, db, txn)
        guard let db else { throw RegistryError.notFound("no model named '\(ref.name)'") }
        switch ref.selector {
        case .version(let v):
            return try requireVersion(model, v, db, txn)
        case .alias(let name):
            let alias = try requireAlias(model, name, db, txn)
            guard let v = try loadVersion(model.name, alias.version, db, txn) else {
                throw RegistryError.corrupt("alias \(model.name)@\(name) points at version \(alias.version), which does not exist")
            }
            return v
        case .latest:
            let prefix = RegistryKeys.modelPrefix(model.name)
            let last: ModelVersion? = try txn.withCursor(db.versions) { c in
                // The key just past this model's versions, then one step back.
                let end = prefix.dropLast() + [1]
                let found = try c.seek(atLeast: Array(end)) ? try c.previous() : try c.last()
                guard found, c.key.starts(with: prefix) else { return nil }
                return try Self.decode(ModelVersion.self, c.value, what: "latest version of model '\(model.name)'")
            }
            guard let last else {
                throw RegistryError.notFound("model '\(model.name)' has no versions (every version was deleted)")
            }
            return last
        }
    }
}
