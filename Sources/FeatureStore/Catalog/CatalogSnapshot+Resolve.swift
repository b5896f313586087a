/// Feature-ref resolution: refs and feature services expanded into the
/// features they name, against this catalog.
extension CatalogSnapshot {
    /// Resolves refs (`table:feature`, `table:*`, `table@N:feature`,
    /// `table@N:*`), then the refs of the named feature services, into one
    /// ordered list: refs in the order given, `*` expanded in the version's
    /// declaration order, then each service's refs in its order.
    ///
    /// A feature named twice — `user_stats:age` with `user_stats:*`, or twice
    /// through a service — is an error naming both places, as in Feast. The
    /// same feature name in two different tables is not (export's
    /// `--full-feature-names` deals with that).
    ///
    /// ```swift
    /// try snapshot.resolve(refs: ["user_stats:age"], services: ["churn_v1"])
    /// ```
    public func resolve(refs: [String], services: [String] = []) throws(CatalogError) -> [ResolvedFeature] {
        var sources: [(ref: String, service: String?)] = refs.map { ($0, nil) }
        for name in services {
            guard let service = self.services[name] else {
                let hint = Suggestion.hint(for: name, among: self.services.keys.sorted())
                throw CatalogError("unknown feature service '\(name)'\(hint)")
            }
            sources += service.features.map { ($0, name) }
        }
        var result: [ResolvedFeature] = []
        var seen: [String: (ref: String, service: String?)] = [:]  // "table:feature" → where first requested
        for source in sources {
            let ref = try FeatureRef(parsing: source.ref)
            for feature in try resolve(ref) {
                let key = "\(feature.table):\(feature.name)"
                if let first = seen[key] {
                    // Name the service once when both refs come from the same one.
                    func origin(_ s: (ref: String, service: String?), _ showService: Bool) -> String {
                        "'\(s.ref)'" + (showService ? s.service.map { " of feature service '\($0)'" } ?? "" : "")
                    }
                    let both = "by \(origin(first, first.service != source.service)) and by \(origin(source, true))"
                    throw CatalogError(object: "feature ref '\(source.ref)'",
                                       "feature '\(key)' is requested twice (\(both))")
                }
                seen[key] = source
                result.append(feature)
            }
        }
        return result
    }

    /// Resolves the refs of one feature service; see ``resolve(refs:services:)``.
    public func resolve(service: String) throws(CatalogError) -> [ResolvedFeature] {
        try resolve(refs: [], services: [service])
    }

    /// Resolves one parsed ref. Duplicates are not checked here.
    public func resolve(_ ref: FeatureRef) throws(CatalogError) -> [ResolvedFeature] {
        let object = "feature ref '\(ref)'"
        guard let versions = tables[ref.table], let current = versions.last else {
            let hint = Suggestion.hint(for: ref.table, among: tables.keys.sorted())
            throw CatalogError(object: object, "unknown feature table '\(ref.table)'\(hint)")
        }
        let chosen: FeatureTableVersion
        if let pinned = ref.version {
            guard let match = versions.first(where: { $0.version == pinned }) else {
                let known = versions.count == 1 ? "its only version is \(current.version)"
                    : "its versions are \(versions.map { String($0.version) }.joined(separator: ", "))"
                throw CatalogError(object: object,
                                   "feature table '\(ref.table)' has no version \(pinned); \(known)")
            }
            chosen = match
        } else {
            chosen = current
        }
        let features = chosen.definition.features
        func resolved(_ index: Int) -> ResolvedFeature {
            ResolvedFeature(table: ref.table, tableId: chosen.tableId, version: chosen.version,
                            isPinned: ref.version != nil, feature: features[index], index: index)
        }
        switch ref.selection {
        case .all:
            return features.indices.map(resolved)
        case .feature(let name):
            guard let index = features.firstIndex(where: { $0.name == name }) else {
                throw CatalogError(object: object, missingFeatureMessage(name, in: chosen, of: versions))
            }
            return [resolved(index)]
        }
    }

    /// "feature table 't' version 2 has no feature 'x'", with a hint: a close
    /// name, or the versions that do have it.
    private func missingFeatureMessage(_ name: String, in chosen: FeatureTableVersion,
                                       of versions: [FeatureTableVersion]) -> String {
        var message = "feature table '\(chosen.name)' (version \(chosen.version)) has no feature '\(name)'"
        let having = versions.filter { $0.definition.feature(named: name) != nil }.map(\.version)
        if !having.isEmpty {
            let list = having.map(String.init).joined(separator: ", ")
            message += having.count == 1 ? " (version \(list) has it)" : " (versions \(list) have it)"
        } else {
            message += Suggestion.hint(for: name, among: chosen.definition.features.map(\.name))
        }
        return message
    }
}
