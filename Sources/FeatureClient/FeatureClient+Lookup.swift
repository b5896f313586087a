import WireProtocol

extension FeatureClient {
    /// Resolves feature refs (`user_stats:age`, `user_stats:*`, `user_stats@2:age`)
    /// and services once (PREPARE), for ``getOnlineFeatures(_:entities:at:)``.
    public func prepare(features: [String] = [], services: [String] = [],
                        fullFeatureNames: Bool = false) async throws -> PreparedFeatureList {
        try await prepare(FeatureSelection(refs: features, services: services, fullFeatureNames: fullFeatureNames))
    }

    /// PREPARE of `selection`.
    public func prepare(_ selection: FeatureSelection) async throws -> PreparedFeatureList {
        let description = try await call(selection, FeatureListDescription.self)
        return PreparedFeatureList(selection: selection, description: description)
    }

    /// Looks features up for many entities: `entities` maps every join key to
    /// one value per entity (`["user_id": [1, 2]]`). `at` (UTC microseconds)
    /// replaces "now" when judging `OUTSIDE_MAX_AGE`.
    ///
    /// The selection is prepared on first use and its list id reused by later
    /// calls of this client; when the server no longer knows the id (restart)
    /// or the catalog changed its columns, it is prepared again once.
    ///
    /// ```swift
    /// let r = try await client.getOnlineFeatures(service: "churn_v1", entities: ["user_id": [1, 2, 3]])
    /// ```
    public func getOnlineFeatures(features: [String] = [], service: String? = nil, services: [String] = [],
                                  entities: [String: [any EntityKey]], at: Int64? = nil,
                                  fullFeatureNames: Bool = false) async throws -> OnlineFeatureResult {
        let selection = FeatureSelection(refs: features, services: (service.map { [$0] } ?? []) + services,
                                         fullFeatureNames: fullFeatureNames)
        var retried = false
        while true {
            let list = try await cachedList(selection)
            do {
                return try await getOnlineFeatures(list, entities: entities, at: at)
            } catch let error as FeatureClientError where !retried
                        && (error.code == .unknownFeatureList || error.code == .featureListStale) {
                preparedLists.withLockedValue { _ = $0.removeValue(forKey: selection) }
                retried = true
            }
        }
    }

    /// Looks `list`'s features up for `entities` (every join key of the list, one value per entity).
    public func getOnlineFeatures(_ list: PreparedFeatureList, entities: [String: [any EntityKey]],
                                  at: Int64? = nil) async throws -> OnlineFeatureResult {
        try await getOnlineFeatures(list, keys: try rowMajorKeys(list, entities), at: at)
    }

    /// The fast path: `keys` holds entity 0's join keys in `list.joinKeys`
    /// order, then entity 1's, … (so its count is a multiple of the key count).
    public func getOnlineFeatures(_ list: PreparedFeatureList, keys: [WireValue],
                                  at: Int64? = nil) async throws -> OnlineFeatureResult {
        let k = list.joinKeys.count
        guard k > 0, keys.count % k == 0 else {
            throw FeatureClientError(.invalidArgument, "\(keys.count) key values are not a whole number of entities of \(k) join key(s)",
                                     endpoint: endpoint, operation: "GET_ONLINE")
        }
        let reply = try await call(GetOnlineRequest(listId: list.id, at: at, keyCount: k, keys: keys), GetOnlineReply.self)
        guard reply.entityCount == keys.count / k, reply.cells.count == list.features.count else {
            throw FeatureClientError(.badReply, "\(reply.entityCount) entities × \(reply.cells.count) features for a request of \(keys.count / k) × \(list.features.count)",
                                     endpoint: endpoint, operation: "GET_ONLINE")
        }
        return OnlineFeatureResult(list: list, keys: keys, reply: reply)
    }

    /// The prepared list of `selection`, from this client's cache or a PREPARE.
    func cachedList(_ selection: FeatureSelection) async throws -> PreparedFeatureList {
        if let list = preparedLists.withLockedValue({ $0[selection] }) { return list }
        let list = try await prepare(selection)
        preparedLists.withLockedValue { $0[selection] = list }
        return list
    }

    /// The key values of `entities`, entity by entity, in `list`'s join-key order.
    func rowMajorKeys(_ list: PreparedFeatureList, _ entities: [String: [any EntityKey]]) throws -> [WireValue] {
        func refuse(_ message: String) -> FeatureClientError {
            FeatureClientError(.invalidArgument, message, endpoint: endpoint, operation: "GET_ONLINE")
        }
        let names = list.joinKeys.map(\.name)
        if let extra = entities.keys.sorted().first(where: { !names.contains($0) }) {
            throw refuse("entities: '\(extra)' is not a join key of these features (join keys: \(names.joined(separator: ", ")))")
        }
        var columns: [[any EntityKey]] = []
        for name in names {
            guard let values = entities[name] else {
                throw refuse("entities: join key '\(name)' is missing (join keys: \(names.joined(separator: ", ")))")
            }
            if let first = columns.first, first.count != values.count {
                throw refuse("entities: '\(name)' has \(values.count) value(s) but '\(names[0])' has \(first.count)")
            }
            columns.append(values)
        }
        let n = columns.first?.count ?? 0
        var keys: [WireValue] = []
        keys.reserveCapacity(n * names.count)
        for e in 0..<n {
            for c in columns { keys.append(c[e].wireValue) }
        }
        return keys
    }
}
