import FeatureStore
import FoundationEssentials
import LMDB

/// Reading and writing the registry's JSON records inside a transaction.
extension ModelRegistry {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw RegistryError.corrupt("\(what()): the stored record does not decode: \(error)")
        }
    }

    func loadModel(_ name: String, _ db: Databases, _ txn: borrowing Transaction) throws -> RegisteredModel? {
        try txn.withValue(forKey: RegistryKeys.model(name), in: db.models) { v in
            try v.map { try Self.decode(RegisteredModel.self, $0, what: "model '\(name)'") }
        }
    }

    func loadVersion(_ name: String, _ version: Int, _ db: Databases, _ txn: borrowing Transaction) throws -> ModelVersion? {
        try txn.withValue(forKey: RegistryKeys.version(name, version), in: db.versions) { v in
            try v.map { try Self.decode(ModelVersion.self, $0, what: "model version \(name)/\(version)") }
        }
    }

    func loadAlias(_ name: String, _ alias: String, _ db: Databases, _ txn: borrowing Transaction) throws -> ModelAlias? {
        try txn.withValue(forKey: RegistryKeys.alias(name, alias), in: db.aliases) { v in
            try v.map { try Self.decode(ModelAlias.self, $0, what: "alias \(name)@\(alias)") }
        }
    }

    /// Every record of `database` whose key starts with `name 00`, in key order.
    func scanModel<T: Decodable>(_ name: String, _ database: Database, _ type: T.Type,
                                 _ txn: borrowing Transaction) throws -> [T] {
        let prefix = RegistryKeys.modelPrefix(name)
        var out: [T] = []
        try txn.withCursor(database) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.starts(with: prefix) {
                out.append(try Self.decode(type, c.value, what: "\(database.name) record of model '\(name)'"))
                more = try c.next()
            }
        }
        return out
    }

    func allModels(_ db: Databases, _ txn: borrowing Transaction) throws -> [RegisteredModel] {
        var out: [RegisteredModel] = []
        try txn.withCursor(db.models) { c in
            var more = try c.first()
            while more {
                out.append(try Self.decode(RegisteredModel.self, c.value, what: "model record"))
                more = try c.next()
            }
        }
        return out
    }

    func putModel(_ m: RegisteredModel, _ db: Databases, _ txn: inout Transaction) throws {
        try txn.put(RegistryKeys.model(m.name), try Self.encode(m), in: db.models)
    }

    func putVersion(_ v: ModelVersion, _ db: Databases, _ txn: inout Transaction) throws {
        try txn.put(RegistryKeys.version(v.model, v.version), try Self.encode(v), in: db.versions)
    }

    func putAlias(_ a: ModelAlias, _ db: Databases, _ txn: inout Transaction) throws {
        try txn.put(RegistryKeys.alias(a.model, a.alias), try Self.encode(a), in: db.aliases)
    }

    /// Appends `move` to the model's history with the model's next sequence
    /// number (and saves the model with the counter moved on).
    func recordMove(_ move: inout AliasMove, model: inout RegisteredModel, _ db: Databases, _ txn: inout Transaction) throws {
        move.sequence = model.nextHistorySequence
        model.nextHistorySequence += 1
        model.updatedAtMicros = move.atMicros
        try txn.put(RegistryKeys.move(move.model, move.sequence), try Self.encode(move), in: db.history)
        try putModel(model, db, &txn)
    }
}
