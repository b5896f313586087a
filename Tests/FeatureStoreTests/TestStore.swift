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

    /// Removes the store and every sibling named `dir-…` (the tests' input and
    /// output files: `file(_:_:)`'s and the `t.dir + "-train.csv"` kind),
    /// which were left in the temporary directory before.
    deinit {
        let fm = FileManager.default
        try? fm.removeItem(atPath: dir)
        let parent = (dir as NSString).deletingLastPathComponent
        let prefix = (dir as NSString).lastPathComponent + "-"
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            try? fm.removeItem(atPath: (parent as NSString).appendingPathComponent(name))
        }
    }

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
