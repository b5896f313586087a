import FeatureStore
import LMDB

/// What ``ModelRegistry/delete(_:)`` removed.
public struct DeletedVersion: Sendable, Equatable {
    /// The version record as it was.
    public var version: ModelVersion
    /// Whether its artifact went too (no other version referenced it).
    public var artifactRemoved: Bool
}

extension ModelRegistry {
    /// Deletes one version (`churn/3`; a ref by alias or the bare name is
    /// refused, so a version is never deleted by accident). Refused while an
    /// alias points at it, as primary or canary. Its artifact is removed when
    /// no other version (of any model) references it. The model and its
    /// history stay, and its version numbers are never given again.
    @discardableResult
    public func delete(_ ref: ModelRef) throws -> DeletedVersion {
        guard case .version(let number) = ref.selector else {
            throw RegistryError.invalid("delete needs an explicit version, as in '\(ref.name)/3' (not '\(ref)')")
        }
        let db = try writable()
        return try store.environment.write { txn in
            let model = try requireModel(ref.name, db, txn)
            let v = try requireVersion(model, number, db, txn)
            let holding = try scanModel(model.name, db.aliases, ModelAlias.self, txn).filter { $0.versions.contains(number) }
            if !holding.isEmpty {
                let names = holding.map { a in
                    a.version == number ? "'\(a.alias)'" : "'\(a.alias)' (canary \(MetricText.format(a.canary.first { $0.version == number }!.percent))%)"
                }
                throw RegistryError.conflict(
                    "model version \(v.ref) cannot be deleted: alias\(holding.count == 1 ? "" : "es") "
                    + "\(names.joined(separator: ", ")) \(holding.count == 1 ? "points" : "point") at it "
                    + "(move or delete \(holding.count == 1 ? "it" : "them") first: fsctl models alias delete \(model.name) "
                    + "\(holding[0].alias))")
            }
            try txn.delete(RegistryKeys.version(model.name, number), in: db.versions)
            let removed = try releaseArtifact(v.sha256, db, &txn)
            try store.removeLineageNode(.modelVersion(model.name, number), in: &txn)
            var m = model
            m.updatedAtMicros = Clock.nowMicros()
            try putModel(m, db, &txn)
            return DeletedVersion(version: v, artifactRemoved: removed)
        }
    }
}
