import FeatureStore
import Foundation
import ModelRegistry
import Tabular

/// A temporary store with `user_stats` (age float64, num_purchases int64,
/// country string) keyed by `user_id`, its registry, and the registry's
/// fixture models (Tests/Fixtures/registry, two inputs: age, num_purchases).
final class InferenceStore: @unchecked Sendable {
    let dir: String
    let store: Store
    let registry: ModelRegistry

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/inference-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        dir = String(cString: made)
        store = try Store.create(at: dir + "/store")
        try Self.definitions.write(toFile: dir + "/features.yaml", atomically: true, encoding: .utf8)
        _ = try store.apply(definitionsFile: dir + "/features.yaml")
        registry = try ModelRegistry(store: store)
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
              - {name: active, type: bool}

        """

    /// Ingests CSV `rows` (`user_id,event_timestamp,age,num_purchases,country,active`)
    /// into the event log and the online table.
    func ingest(_ rows: [String], name: String = "events.csv") throws {
        let path = dir + "/" + name
        try (["user_id,event_timestamp,age,num_purchases,country,active"] + rows).joined(separator: "\n")
            .appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        var options = IngestOptions()
        options.destination = .both
        options.force = true
        try store.ingest(table: "user_stats", files: [path], options: options)
    }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/registry/\(name)").path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
    }

    /// Registers a fixture model with `features` (default age, num_purchases).
    @discardableResult
    func register(_ name: String = "churn", file: String = "xgb_binary.json", format: ModelFormat = .xgboostJSON,
                  features: [String] = ["user_stats:age", "user_stats:num_purchases"]) throws -> ModelVersion {
        var r = try ModelRegistration(name: name, artifactFile: Self.fixture(file), format: format)
        r.features = features
        r.metrics = ["auc": 0.9]
        return try registry.register(r, by: "tester")
    }
}

/// `error.description` of what `body` throws.
func thrownMessage(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}
