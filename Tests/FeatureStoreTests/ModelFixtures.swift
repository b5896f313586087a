import Testing
import Foundation
@testable import FeatureStore
import Tabular

// Small helpers shared by the hand-picked edge-case tests (Ingest*, Materialize*,
// Online*, Check* tests): a two-table definitions file, timestamps by name, and a
// snapshot of everything a failed operation must leave unchanged.

/// `stats` has a 1h ttl and a created-timestamp column; `forever` has neither.
let edgeYAML = """
entities:
  - name: user
    join_keys:
      - {name: user_id, type: int64}
feature_tables:
  - name: stats
    entities: [user]
    ttl: 1h
    created_timestamp_field: created_timestamp
    features:
      - {name: v, type: int64}
      - {name: s, type: string}
  - name: forever
    entities: [user]
    features:
      - {name: v, type: int64}

"""

/// `2025-11-15T00:00:00Z` plus `minutes` (and `micros`).
func edgeTime(_ minutes: Int64, micros: Int64 = 0) -> Int64 {
    Timestamp.parse("2025-11-15T00:00:00Z")! + minutes * 60_000_000 + micros
}

/// `edgeTime` as ISO-8601 text, for input files.
func edgeText(_ minutes: Int64, micros: Int64 = 0) -> String { Timestamp.format(edgeTime(minutes, micros: micros)) }

let edgeHour: Int64 = 3_600_000_000

/// Everything a refused ingest must leave as it was.
struct EdgeSnapshot: Equatable {
    var tables: [StoreStatistics.TableSize]
    var databases: [StoreStatistics.DatabaseSize]
    var batches: [BatchRecord]
    var lookup: OnlineFeatures
}

extension TempStore {
    /// Writes an input file inside the store's temporary directory (removed with it).
    func input(_ name: String, _ text: String) throws -> String {
        let path = dir + "/in-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func ingest(_ table: String, _ name: String, _ text: String, to destination: IngestOptions.Destination = .offline,
                force: Bool = false) throws -> BatchRecord {
        var options = IngestOptions()
        options.destination = destination
        options.force = force
        let r = try store.ingest(table: table, files: [try input(name, text)], options: options)
        return r.batches[0]
    }

    /// One feature of one `user_id` (value, status, event timestamp).
    func read(_ ref: String, user: Int64, at: Int64) throws -> (value: Value?, status: FeatureStatus, eventTimestamp: Int64?) {
        let r = try store.onlineFeatures(refs: [ref], entities: [["user_id": .int64(user)]], at: at)
        let c = r.columns[1]
        return (c.values[0], c.statuses[0], c.eventTimestamps[0])
    }

    func snapshot(refs: [String], users: [Int64] = [1, 2, 3], at: Int64 = edgeTime(0)) throws -> EdgeSnapshot {
        let s = try store.statistics()
        let lookup = try store.onlineFeatures(refs: refs, entities: users.map { ["user_id": .int64($0)] }, at: at)
        return EdgeSnapshot(tables: s.tables, databases: s.databases, batches: try store.batches(), lookup: lookup)
    }
}

/// The message of the `FeatureStoreError` or `TabularError` that `body` throws.
func edgeMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return "\(error)" }
    return nil
}
