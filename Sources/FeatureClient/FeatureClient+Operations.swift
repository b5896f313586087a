import WireProtocol

extension FeatureClient {
    /// Appends `rows` to `table` in one write transaction (all rows or none).
    /// Each row maps column names (join keys, the timestamp field, features) to
    /// values; nil or a missing name is null. A column's values must share one
    /// type; the server widens int64 to int32/float/timestamp and float64 to float32.
    ///
    /// ```swift
    /// let reply = try await client.push(table: "user_stats", rows: [
    ///     ["user_id": .int64(1), "event_timestamp": .timestamp(1_763_164_800_000_000), "age": .float64(31)],
    /// ], to: .both)
    /// print(reply.batchId, reply.rows)
    /// ```
    public func push(table: String, rows: [[String: WireValue?]],
                     to destination: PushRequest.Destination = .online) async throws -> PushReply {
        try await push(table: table, columns: try pushColumns(rows), to: destination)
    }

    /// Appends rows given column by column (every column the same length).
    public func push(table: String, columns: [PushColumn],
                     to destination: PushRequest.Destination = .online) async throws -> PushReply {
        guard let first = columns.first, !first.values.isEmpty else {
            throw FeatureClientError(.invalidArgument, "push to '\(table)': no rows", endpoint: endpoint, operation: "PUSH")
        }
        if let bad = columns.first(where: { $0.values.count != first.values.count }) {
            throw FeatureClientError(.invalidArgument, "push to '\(table)': column '\(bad.name)' has \(bad.values.count) value(s) but '\(first.name)' has \(first.values.count)",
                                     endpoint: endpoint, operation: "PUSH")
        }
        return try await call(PushRequest(table: table, destination: destination, columns: columns), PushReply.self)
    }

    /// Columns of `rows`: names sorted, the type of each column's first non-nil value.
    func pushColumns(_ rows: [[String: WireValue?]]) throws -> [PushColumn] {
        let names = Set(rows.flatMap(\.keys)).sorted()
        var columns: [PushColumn] = []
        for name in names {
            var type: WireType? = nil
            var values: [WireValue?] = []
            values.reserveCapacity(rows.count)
            for (i, row) in rows.enumerated() {
                let value = row[name] ?? nil
                if let value {
                    if let t = type, t != value.type {
                        throw FeatureClientError(.invalidArgument, "push: row \(i + 1): column '\(name)' is \(value.type) but earlier rows are \(t)",
                                                 endpoint: endpoint, operation: "PUSH")
                    }
                    type = value.type
                }
                values.append(value)
            }
            // A column of nulls only: its type does not matter, every cell is absent.
            columns.append(PushColumn(name: name, type: type ?? .int64, values: values))
        }
        return columns
    }

    /// The store's catalog: entities, feature tables (current versions) and services.
    public func catalog() async throws -> CatalogReply {
        try await call(CatalogRequest(), CatalogReply.self)
    }

    /// The server's health: serving or draining, uptime, connections, LMDB map and reader use.
    public func health() async throws -> HealthReply {
        try await call(HealthRequest(), HealthReply.self)
    }

    /// Re-authenticates this connection with another token; returns the scope now granted.
    /// An unknown token throws `UNAUTHENTICATED` and the connection keeps its scope.
    @discardableResult
    public func authenticate(token: String) async throws -> WireScope {
        try await call(Auth(token: token), AuthReply.self).scope
    }
}
