import LMDB
import Tabular
import Crypto
import FoundationEssentials

/// The record of one point-in-time export (SPEC 2, 7, 9): what went in, which
/// store state it saw, and what came out — stored in the `training_sets`
/// database under ``id`` so lineage and model versions can point at it.
///
/// The ``fingerprint`` is the SHA-256 of everything that decides the output:
/// the store's id, the entity file's SHA-256, the features with their schema
/// versions, each table's id and TTL, the largest batch id the join could see,
/// and the options. Same fingerprint → byte-identical file. The id is derived
/// from it (`ts-` and its first 16 hex digits), so exporting the same inputs
/// against the same store state twice names the same training set.
///
/// ```swift
/// let record = try store.exportTrainingSet(entities: "labels.csv", refs: ["user_stats:*"], to: "train.csv")
/// record.id                     // "ts-3f9a0c…"
/// try store.trainingSet(id: record.id)?.outputSHA256
/// ```
public struct TrainingSetRecord: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        public var tableId: UInt32
        /// The TTL the join applied (µs; 0 = none).
        public var ttlMicros: Int64
        /// Entity rows that found an event in this table.
        public var matchedRows: Int
    }

    public struct Options: Codable, Sendable, Equatable {
        public var timestampColumn: String
        public var fullFeatureNames: Bool
        public var asOfMicros: Int64?
        public var createdBeforeEntity: Bool
    }

    /// `ts-` and the first 16 hex digits of ``fingerprint``.
    public var id: String
    /// Lowercase hex SHA-256 of the canonical inputs (see the type's documentation).
    public var fingerprint: String
    public var storeId: String
    /// The entity file as given, its SHA-256 and its row count.
    public var entities: String
    /// The entity file's absolute path at export time, so a reproduction works
    /// from any directory (nil in records written before it was kept).
    public var entitiesAbsolutePath: String? = nil
    public var entitiesSHA256: String
    public var rows: Int
    /// The refs and services as requested.
    public var refs: [String]
    public var services: [String]
    /// The resolved features, pinned: `user_stats@2:age` (reproduce with these).
    public var features: [String]
    public var tables: [Table]
    /// The largest batch id the join could see: the store's high-water mark,
    /// or less under `asOf`. Reproduction passes it as ``PointInTimeOptions/throughBatch``.
    public var batchHighWaterMark: UInt64
    public var options: Options
    /// The output file as written, its SHA-256 and its column names.
    public var output: String
    public var outputSHA256: String
    public var columns: [String]
    /// When the export ran (UTC µs).
    public var createdAtMicros: Int64

    /// The text hashed into ``fingerprint``: one `name value` line per input.
    static func canonicalInputs(storeId: String, entitiesSHA256: String, features: [String], tables: [Table],
                                batchHighWaterMark: UInt64, options: Options) -> String {
        var lines = ["featurestore training set 1", "store \(storeId)", "entities \(entitiesSHA256)",
                     "features \(features.joined(separator: ","))"]
        for t in tables { lines.append("table \(t.name) id \(t.tableId) ttl \(t.ttlMicros)") }
        lines.append("batches \(batchHighWaterMark)")
        lines.append("timestamp_column \(options.timestampColumn)")
        lines.append("full_feature_names \(options.fullFeatureNames)")
        lines.append("as_of \(options.asOfMicros.map(String.init) ?? "-")")
        lines.append("created_before_entity \(options.createdBeforeEntity)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func sha256(_ text: String) -> String {
        FileHash.hex(Array(SHA256.hash(data: Array(text.utf8))))
    }
}

extension Store {
    /// Every training-set record, oldest first.
    public func trainingSets() throws -> [TrainingSetRecord] {
        try environment.read { txn in
            var out: [TrainingSetRecord] = []
            let decoder = JSONDecoder()
            try txn.withCursor(db.trainingSets) { c in
                var more = try c.first()
                while more {
                    out.append(try decoder.decode(TrainingSetRecord.self, from: Data(c.value)))
                    more = try c.next()
                }
            }
            return out.sorted { ($0.createdAtMicros, $0.id) < ($1.createdAtMicros, $1.id) }
        }
    }

    /// The training set `id` (`ts-…`), or nil when there is none.
    public func trainingSet(id: String) throws -> TrainingSetRecord? {
        try environment.read { txn in
            try txn.get(Array(id.utf8), in: db.trainingSets).map {
                try JSONDecoder().decode(TrainingSetRecord.self, from: Data($0))
            }
        }
    }

    /// Stores `record` unless a record with its id exists, with its lineage
    /// edges in the same transaction; returns the stored one.
    func putTrainingSet(_ record: TrainingSetRecord) throws -> TrainingSetRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = Array(try encoder.encode(record))
        return try environment.write { txn in
            let key = Array(record.id.utf8)
            if let existing = try txn.get(key, in: db.trainingSets) {
                return try JSONDecoder().decode(TrainingSetRecord.self, from: Data(existing))
            }
            try txn.put(key, value, in: db.trainingSets)
            try recordExportLineage(record, in: &txn)
            return record
        }
    }
}
