import FeatureStore
import LMDB

extension ModelRegistry {
    /// Registers a new version of `registration.name` (creating the model at
    /// its first version) and returns it.
    ///
    /// In one write transaction: the artifact is checked by ``validator``
    /// (before the transaction), the feature refs and service are resolved
    /// against the catalog and pinned to their schema versions, the training
    /// set is checked to exist, the next version number is taken, and the
    /// artifact is stored (or its existing copy referenced once more) with the
    /// version record and its lineage edges. Any error leaves the store unchanged.
    ///
    /// ```swift
    /// let v = try registry.register(try ModelRegistration(name: "churn", artifactFile: "m.json", format: .xgboostJSON))
    /// v.version   // 1, then 2, …
    /// ```
    public func register(_ registration: ModelRegistration, by actor: String = ModelRegistry.currentActor()) throws -> ModelVersion {
        let r = registration
        try ModelName.validateModel(r.name)
        for key in r.metrics.keys { try ModelName.validateKey(key, what: "metric") }
        for key in r.params.keys { try ModelName.validateKey(key, what: "param") }
        for key in r.tags.keys { try ModelName.validateKey(key, what: "tag") }
        if let bad = r.metrics.first(where: { !$0.value.isFinite }) {
            throw RegistryError.invalid("metric '\(bad.key)' is \(bad.value); metrics are finite numbers")
        }
        let summary = try validator.validate(r.artifact, format: r.format, fileName: r.artifactName)
        let (sha, shaHex) = r.artifact.withUnsafeBytes { Self.sha256($0) }
        let db = try writable()
        return try store.environment.write { txn in
            let inputs = try resolveInputs(r, summary: summary, txn)
            if let id = r.trainingSet, try store.trainingSet(id: id, in: txn) == nil {
                let ids = try store.trainingSetIds(in: txn)
                throw RegistryError.notFound("no training set '\(id)'" + NameSuggestionHint.hint(id, ids))
            }
            let now = Clock.nowMicros()
            var model = try loadModel(r.name, db, txn)
                ?? RegisteredModel(name: r.name, createdAtMicros: now, updatedAtMicros: now, nextVersion: 1,
                                   nextHistorySequence: 1)
            let number = model.nextVersion
            model.nextVersion += 1
            model.updatedAtMicros = now
            _ = try retainArtifact(r.artifact, sha: sha, db, &txn)
            let version = ModelVersion(
                model: r.name, version: number, format: r.format, sha256: shaHex, size: r.artifact.count,
                artifactName: Self.baseName(r.artifactName), inputs: inputs, featureRefs: r.features,
                service: r.service, trainingSet: r.trainingSet, metrics: r.metrics, params: r.params, tags: r.tags,
                description: r.description, createdAtMicros: now, createdBy: actor)
            try putVersion(version, db, &txn)
            try putModel(model, db, &txn)
            try recordRegistrationLineage(version, &txn)
            return version
        }
    }

    /// The registration's refs and service resolved in `txn`'s catalog,
    /// pinned, checked against the artifact's input count when it has one.
    func resolveInputs(_ r: ModelRegistration, summary: ArtifactSummary, _ txn: borrowing Transaction) throws -> [ModelInput] {
        guard !r.features.isEmpty || r.service != nil else { return [] }
        let resolved: [ResolvedFeature]
        do {
            resolved = try store.catalog(in: txn).resolve(refs: r.features, services: r.service.map { [$0] } ?? [])
        } catch {
            throw RegistryError.invalid("model '\(r.name)': \(error)")
        }
        if let expected = summary.inputCount, expected != resolved.count {
            let given = r.service.map { "feature service '\($0)'" + (r.features.isEmpty ? "" : " and --features") }
                ?? "--features"
            throw RegistryError.invalid(
                "model '\(r.name)': \(r.artifactName) takes \(expected) input \(expected == 1 ? "column" : "columns"), "
                + "but \(given) names \(resolved.count) "
                + "\(resolved.count == 1 ? "feature" : "features") (in the model's input order)")
        }
        return resolved.map {
            ModelInput(table: $0.table, tableVersion: $0.version, feature: $0.name, type: $0.feature.type.description)
        }
    }

    /// `model.json` for `/tmp/x/model.json`.
    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Changes a version's mutable fields: sets `tags` (overwriting those keys),
    /// removes `removingTags`, and replaces the description when `description`
    /// is given (an empty string clears it). Returns the version as stored.
    ///
    /// ```swift
    /// try registry.update(ModelRef(parsing: "churn/3"), tags: ["reviewed": "yes"], description: "calibrated")
    /// ```
    public func update(_ ref: ModelRef, tags: [String: String] = [:], removingTags: [String] = [],
                       description: String? = nil) throws -> ModelVersion {
        for key in tags.keys { try ModelName.validateKey(key, what: "tag") }
        let db = try writable()
        return try store.environment.write { txn in
            var v = try resolve(ref, db, txn)
            for key in removingTags where v.tags[key] == nil {
                throw RegistryError.notFound("model version \(v.ref) has no tag '\(key)'"
                                             + NameSuggestionHint.hint(key, v.tags.keys.sorted()))
            }
            for key in removingTags { v.tags[key] = nil }
            for (k, value) in tags { v.tags[k] = value }
            if let description { v.description = description.isEmpty ? nil : description }
            v.updatedAtMicros = Clock.nowMicros()
            try putVersion(v, db, &txn)
            return v
        }
    }
}
