import LMDB
import Tabular

/// The edges each command records, in its own write transaction (SPEC 9;
/// docs/lineage.md lists every edge kind and its attributes).
extension Store {
    /// `apply` (and, for stores from before lineage, `ingest`): table → version
    /// (`version_of`) and version → each of its features (`has_feature`).
    /// With `ifAbsent`, edges already recorded keep their time and attributes.
    func recordTableVersionLineage(_ version: FeatureTableVersion, ifAbsent: Bool, in txn: inout Transaction) throws {
        let node = LineageNode.tableVersion(version.name, version.version)
        if ifAbsent, try lineageEdgeExists(from: .table(version.name), node, "version_of", txn) { return }
        var edges = [LineageEdge(from: .table(version.name), to: node, kind: "version_of",
                                 atMicros: version.createdAtMicros,
                                 attributes: ["table_id": String(version.tableId),
                                              "ttl_micros": String(version.definition.ttlMicros)])]
        for f in version.definition.features {
            edges.append(LineageEdge(from: node, to: .feature(table: version.name, feature: f.name), kind: "has_feature",
                                     atMicros: version.createdAtMicros, attributes: ["type": f.type.description]))
        }
        try addLineage(edges, in: &txn)
    }

    /// `ingest`: source file → batch (`ingested`), batch → table version
    /// (`appended`), and batch → online (`pushed`) when rows went online.
    func recordIngestLineage(_ batch: BatchRecord, version: FeatureTableVersion, absolutePath: String,
                             in txn: inout Transaction) throws {
        try recordTableVersionLineage(version, ifAbsent: true, in: &txn)
        let node = LineageNode.batch(batch.id)
        var edges = [
            LineageEdge(from: .file(sha256: batch.sha256), to: node, kind: "ingested", atMicros: batch.createdAtMicros,
                        attributes: ["path": absolutePath, "rows": String(batch.rows),
                                     "rejected": String(batch.rejected), "table": batch.table]),
        ]
        let attributes = ["rows": String(batch.rows), "destination": batch.destination]
        if batch.destination != "online" {
            edges.append(LineageEdge(from: node, to: .tableVersion(batch.table, batch.tableVersion), kind: "appended",
                                     atMicros: batch.createdAtMicros, attributes: attributes))
        }
        if batch.destination != "offline" {
            edges.append(LineageEdge(from: node, to: .online(batch.table), kind: "pushed",
                                     atMicros: batch.createdAtMicros, attributes: attributes))
        }
        try addLineage(edges, in: &txn)
    }

    /// `materialize` / `materialize-incremental`: table and each of its
    /// versions → online (`materialized`), carrying the run's window and the
    /// new watermark. One edge per pair: a later run replaces the attributes.
    func recordMaterializeLineage(_ result: TableMaterialization, versions: [FeatureTableVersion], atMicros: Int64,
                                  in txn: inout Transaction) throws {
        var attributes = ["end": Timestamp.format(result.end), "watermark": Timestamp.format(result.watermark),
                          "events_scanned": String(result.eventsScanned), "entities": String(result.entities),
                          "online_updated": String(result.onlineUpdated)]
        if let start = result.start, start != Int64.min { attributes["start"] = Timestamp.format(start) }
        let online = LineageNode.online(result.table)
        var edges = [LineageEdge(from: .table(result.table), to: online, kind: "materialized",
                                 atMicros: atMicros, attributes: attributes)]
        for v in versions {
            try recordTableVersionLineage(v, ifAbsent: true, in: &txn)
            edges.append(LineageEdge(from: .tableVersion(v.name, v.version), to: online, kind: "materialized",
                                     atMicros: atMicros, attributes: attributes))
        }
        try addLineage(edges, in: &txn)
    }

    /// `export`: each table version read → training set (`exported`), the
    /// entity file → training set (`entities`), each feature read → training
    /// set (`reads`).
    func recordExportLineage(_ record: TrainingSetRecord, in txn: inout Transaction) throws {
        let node = LineageNode.trainingSet(record.id)
        let at = record.createdAtMicros
        var edges = [LineageEdge(from: .entityFile(sha256: record.entitiesSHA256), to: node, kind: "entities", atMicros: at,
                                 attributes: ["path": record.entitiesAbsolutePath ?? record.entities,
                                              "rows": String(record.rows), "output": FileSystem.absolutePath(record.output),
                                              "output_sha256": record.outputSHA256])]
        var versions: [String: Int] = [:]
        for pinned in record.features {
            guard let ref = try? FeatureRef(parsing: pinned), let version = ref.version,
                  case .feature(let feature) = ref.selection else {
                throw FeatureStoreError.corrupt("training set \(record.id): feature '\(pinned)' is not pinned as table@N:feature")
            }
            versions[ref.table] = version
            edges.append(LineageEdge(from: .feature(table: ref.table, feature: feature), to: node, kind: "reads",
                                     atMicros: at, attributes: ["version": String(version)]))
        }
        for t in record.tables {
            guard let version = versions[t.name] else { continue }
            edges.append(LineageEdge(from: .tableVersion(t.name, version), to: node, kind: "exported", atMicros: at,
                                     attributes: ["matched_rows": String(t.matchedRows), "ttl_micros": String(t.ttlMicros)]))
        }
        try addLineage(edges, in: &txn)
    }

    /// `delete table`: the table's nodes leave the graph (table, versions,
    /// features, online), since a table created later under the same name
    /// starts again at version 1.
    func removeTableLineage(_ versions: [FeatureTableVersion], in txn: inout Transaction) throws {
        guard let name = versions.first?.name else { return }
        try removeLineageNode(.table(name), in: &txn)
        try removeLineageNode(.online(name), in: &txn)
        for v in versions {
            try removeLineageNode(.tableVersion(name, v.version), in: &txn)
            for f in v.definition.features {
                try removeLineageNode(.feature(table: name, feature: f.name), in: &txn)
            }
        }
    }

    private func lineageEdgeExists(from: LineageNode, _ to: LineageNode, _ kind: String,
                                   _ txn: borrowing Transaction) throws -> Bool {
        guard let forward = db.lineage else { return false }
        return try txn.get(try LineageKey.key(from, kind, to), in: forward) != nil
    }
}
