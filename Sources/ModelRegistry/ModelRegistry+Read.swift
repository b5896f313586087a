import FeatureStore
import LMDB

/// A model with its versions and aliases, as `models list` and `models show NAME` print it.
public struct ModelSummary: Sendable, Equatable {
    /// The model record.
    public var model: RegisteredModel
    /// Its versions, oldest first.
    public var versions: [ModelVersion]
    /// Its aliases, by name.
    public var aliases: [ModelAlias]

    /// The newest version, if any is left.
    public var latest: ModelVersion? { versions.last }
}

extension ModelRegistry {
    /// Every model with its versions and aliases, by name.
    public func models() throws -> [ModelSummary] {
        guard let db else { return [] }
        return try store.environment.read { txn in
            try allModels(db, txn).map { try summary($0, db, txn) }
        }
    }

    /// One model with its versions and aliases; a close name is suggested
    /// when there is no model `name`.
    public func model(_ name: String) throws -> ModelSummary {
        try store.environment.read { txn in
            let m = try requireModel(name, db, txn)
            return try summary(m, db!, txn)
        }
    }

    func summary(_ m: RegisteredModel, _ db: Databases, _ txn: borrowing Transaction) throws -> ModelSummary {
        ModelSummary(model: m, versions: try scanModel(m.name, db.versions, ModelVersion.self, txn),
                     aliases: try scanModel(m.name, db.aliases, ModelAlias.self, txn))
    }

    /// The version `ref` names (`churn/3`, `churn@production`, `churn`).
    ///
    /// ```swift
    /// let v = try registry.version(try ModelRef(parsing: "churn@production"))
    /// v.inputs.map(\.ref)   // ["user_stats@1:age", "user_stats@1:num_purchases"]
    /// ```
    public func version(_ ref: ModelRef) throws -> ModelVersion {
        try store.environment.read { txn in try resolve(ref, db, txn) }
    }

    /// The alias record of `name@alias` (with its canary splits).
    public func alias(_ name: String, _ alias: String) throws -> ModelAlias {
        try store.environment.read { txn in
            let m = try requireModel(name, db, txn)
            return try requireAlias(m, alias, db!, txn)
        }
    }

    /// The aliases pointing at `version` (as primary or canary), by name.
    public func aliases(pointingAt version: ModelVersion) throws -> [ModelAlias] {
        guard let db else { return [] }
        return try store.environment.read { txn in
            try scanModel(version.model, db.aliases, ModelAlias.self, txn).filter { $0.versions.contains(version.version) }
        }
    }

    /// Every alias move of model `name`, oldest first (`fsctl models history`).
    public func history(_ name: String) throws -> [AliasMove] {
        try store.environment.read { txn in
            let m = try requireModel(name, db, txn)
            return try scanModel(m.name, db!.history, AliasMove.self, txn)
        }
    }

    /// The stored artifact record (size, chunks, reference count) of `version`.
    public func artifactRecord(of version: ModelVersion) throws -> ArtifactRecord? {
        guard let db, let sha = FileHash.unhex(version.sha256), sha.count == 32 else { return nil }
        return try store.environment.read { txn in try loadArtifact(sha, db, txn) }
    }
}
