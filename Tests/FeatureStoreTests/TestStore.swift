import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// A store in a fresh temporary directory, removed at the end of the test.
final class TempStore {
    let dir: String
    let store: Store

    init(_ yaml: String? = nil) throws {
        dir = NSTemporaryDirectory() + "fs-test-" + UUID().uuidString
        store = try Store.create(at: dir)
        if let yaml {
            try store.apply(DefinitionsParser.parse(yaml: yaml, file: "test.yaml"))
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes `text` to a file in the store's directory's sibling and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

let userStatsYAML = """
entities:
  - name: user
    join_keys:
      - {name: user_id, type: int64}
feature_tables:
  - name: user_stats
    entities: [user]
    ttl: 2d
    created_timestamp_field: created_timestamp
    features:
      - {name: age, type: float64}
      - {name: country, type: string}
      - {name: credit_score, type: float64, expect: {min: 300, max: 850}}
"""
