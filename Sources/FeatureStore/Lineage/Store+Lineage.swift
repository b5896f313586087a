import LMDB

/// Recording and reading lineage edges (SPEC 9, docs/lineage.md).
///
/// Edges are written inside the caller's write transaction, so they commit
/// (or roll back) with the change they describe:
///
/// ```swift
/// try store.environment.write { txn in
///     // … register model version churn/3 …
///     try store.addLineage([LineageEdge(from: .trainingSet(tsId), to: .modelVersion("churn", 3),
///                                       kind: "trained_on", atMicros: now)], in: &txn)
/// }
/// ```
extension Store {
    /// Adds edges inside the caller's write transaction, so they commit with the change they describe.
    /// Re-adding an identical (from, to, kind) edge replaces its attributes.
    public func addLineage(_ edges: [LineageEdge], in txn: inout Transaction) throws {
        let (forward, reverse) = try lineageDatabasesForWriting()
        for e in edges {
            guard !e.kind.isEmpty else {
                throw FeatureStoreError.invalid("lineage edge \(e.from) -> \(e.to): the edge kind is empty")
            }
            let key = try LineageKey.key(e.from, e.kind, e.to)
            try txn.put(key, LineageKey.value(atMicros: e.atMicros, attributes: e.attributes), in: forward)
            try txn.put(try LineageKey.key(e.to, e.kind, e.from), [], in: reverse)
        }
    }

    /// Removes every edge INTO `node` (an alias moving to another version).
    public func removeLineageEdges(into node: LineageNode, in txn: inout Transaction) throws {
        let (forward, reverse) = try lineageDatabasesForWriting()
        for e in try lineageKeys(startingWith: node, in: reverse, txn) {
            _ = try txn.delete(try LineageKey.key(e.1, e.0, node), in: forward)
            _ = try txn.delete(try LineageKey.key(node, e.0, e.1), in: reverse)
        }
    }

    /// Removes `node` and every edge touching it (a deleted model version or alias).
    public func removeLineageNode(_ node: LineageNode, in txn: inout Transaction) throws {
        let (forward, reverse) = try lineageDatabasesForWriting()
        try removeLineageEdges(into: node, in: &txn)
        for e in try lineageKeys(startingWith: node, in: forward, txn) {
            _ = try txn.delete(try LineageKey.key(node, e.0, e.1), in: forward)
            _ = try txn.delete(try LineageKey.key(e.1, e.0, node), in: reverse)
        }
    }

    /// The edges out of `node` (to the nodes made from it).
    public func lineageEdges(from node: LineageNode) throws -> [LineageEdge] {
        try environment.read { txn in try lineageEdges(from: node, txn) }
    }

    /// The edges into `node` (from the nodes it was made from).
    public func lineageEdges(into node: LineageNode) throws -> [LineageEdge] {
        try environment.read { txn in try lineageEdges(into: node, txn) }
    }

    /// Every edge of the graph, in key order (by from-node, kind, to-node).
    public func allLineageEdges() throws -> [LineageEdge] {
        guard let forward = db.lineage else { return [] }
        return try environment.read { txn in
            var out: [LineageEdge] = []
            try txn.withCursor(forward) { c in
                var more = try c.first()
                while more {
                    out.append(try Self.decodeEdge(key: c.key, value: c.value))
                    more = try c.next()
                }
            }
            return out
        }
    }

    // MARK: Internals (usable in read and write transactions)

    func lineageEdges(from node: LineageNode, _ txn: borrowing Transaction) throws -> [LineageEdge] {
        guard let forward = db.lineage else { return [] }
        let prefix = LineageKey.prefix(node)
        var out: [LineageEdge] = []
        try txn.withCursor(forward) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.starts(with: prefix) {
                out.append(try Self.decodeEdge(key: c.key, value: c.value))
                more = try c.next()
            }
        }
        return out
    }

    func lineageEdges(into node: LineageNode, _ txn: borrowing Transaction) throws -> [LineageEdge] {
        guard let forward = db.lineage, let reverse = db.lineageReverse else { return [] }
        var out: [LineageEdge] = []
        for (kind, from) in try lineageKeys(startingWith: node, in: reverse, txn) {
            let key = try LineageKey.key(from, kind, node)
            guard let value = try txn.get(key, in: forward) else {
                throw FeatureStoreError.corrupt(
                    "lineage: reverse index has \(from) -\(kind)-> \(node) but the edge is missing (run `fsctl check`)")
            }
            out.append(try value.withUnsafeBytes { v in try key.withUnsafeBytes { k in try Self.decodeEdge(key: k, value: v) } })
        }
        return out
    }

    /// The (kind, other node) of every key in `database` that starts with `node`.
    private func lineageKeys(startingWith node: LineageNode, in database: Database,
                             _ txn: borrowing Transaction) throws -> [(String, LineageNode)] {
        let prefix = LineageKey.prefix(node)
        var out: [(String, LineageNode)] = []
        try txn.withCursor(database) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.starts(with: prefix) {
                guard let (_, kind, other) = LineageKey.decodeKey(c.key) else {
                    throw FeatureStoreError.corrupt("lineage: malformed key in '\(database.name)' under \(node)")
                }
                out.append((kind, other))
                more = try c.next()
            }
        }
        return out
    }

    private func lineageDatabasesForWriting() throws -> (Database, Database) {
        guard let forward = db.lineage, let reverse = db.lineageReverse else {
            throw FeatureStoreError.invalid("\(path): the store is open read-only; lineage cannot be recorded")
        }
        return (forward, reverse)
    }

    static func decodeEdge(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> LineageEdge {
        guard let (from, kind, to) = LineageKey.decodeKey(key) else {
            throw FeatureStoreError.corrupt("lineage: malformed edge key")
        }
        guard let (at, attributes) = LineageKey.decodeValue(value) else {
            throw FeatureStoreError.corrupt("lineage: malformed value of edge \(from) -\(kind)-> \(to)")
        }
        return LineageEdge(from: from, to: to, kind: kind, atMicros: at, attributes: attributes)
    }
}
