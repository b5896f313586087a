import FeatureStore
import Foundation
import LMDB
import ModelRegistry
import Testing

/// A temporary store with the example catalog (`user_stats` with `age` and
/// `num_purchases`, service `churn_v1`), and its registry.
final class TestRegistry: @unchecked Sendable {
    let dir: String
    let store: Store
    let registry: ModelRegistry

    init(chunkSize: Int = 1 << 20, validator: any ArtifactValidator = LoadingArtifactValidator()) throws {
        var template = Array((NSTemporaryDirectory() + "/registry-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        dir = String(cString: made)
        store = try Store.create(at: dir + "/store")
        try Self.definitions.write(toFile: dir + "/features.yaml", atomically: true, encoding: .utf8)
        _ = try store.apply(definitionsFile: dir + "/features.yaml")
        registry = try ModelRegistry(store: store, validator: validator, chunkSize: chunkSize)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    static let definitions = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}
        feature_tables:
          - name: user_stats
            entities: [user]
            features:
              - {name: age, type: float64}
              - {name: num_purchases, type: int64}
              - {name: country, type: string}
        feature_services:
          - name: churn_v1
            features: [user_stats:age, user_stats:num_purchases]

        """

    /// A fixture model file's path (Tests/Fixtures/registry).
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/registry/\(name)").path
    }

    /// A registration of a fixture with the two `user_stats` features.
    func registration(_ name: String = "churn", file: String = "xgb_binary.json", format: ModelFormat = .xgboostJSON,
                      metrics: [String: Double] = ["auc": 0.9]) throws -> ModelRegistration {
        var r = try ModelRegistration(name: name, artifactFile: Self.fixture(file), format: format)
        r.features = ["user_stats:age", "user_stats:num_purchases"]
        r.metrics = metrics
        return r
    }

    @discardableResult
    func register(_ name: String = "churn", file: String = "xgb_binary.json", format: ModelFormat = .xgboostJSON,
                  metrics: [String: Double] = ["auc": 0.9]) throws -> ModelVersion {
        try registry.register(try registration(name, file: file, format: format, metrics: metrics), by: "tester")
    }

    /// Every key and value of the registry's databases, for "nothing changed" checks.
    func dump() throws -> [String: [[UInt8]]] {
        var out: [String: [[UInt8]]] = [:]
        for name in ["models", "model_versions", "model_aliases", "model_alias_history", "artifacts", "artifact_refs"] {
            let db = try store.environment.openDatabase(name)
            out[name] = try store.environment.read { txn in
                var rows: [[UInt8]] = []
                try txn.withCursor(db) { c in
                    var more = try c.first()
                    while more { rows.append(Array(c.key)); rows.append(Array(c.value)); more = try c.next() }
                }
                return rows
            }
        }
        return out
    }
}

/// `error.description` of what `body` throws (a FeatureStoreError's message).
func thrownMessage(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}
