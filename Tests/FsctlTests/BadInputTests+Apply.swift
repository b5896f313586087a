import Foundation
import Testing

/// `fsctl apply FILE`: definitions YAML.
extension BadInputTests {
    @Test func applyRefusesBadDefinitionsAndChangesNothing() throws {
        let box = try Self.ingested()
        let table = "feature_tables:\n  - name: t3\n    entities: [user]\n"
        try box.write("control.yaml", "entities: \u{1}\n")
        try box.write("list.yaml", "- a\n- b\n")
        try box.write("bigttl.yaml", table + "    ttl: 99999999999999999999d\n    features:\n      - {name: a, type: float64}\n")
        try box.write("negttl.yaml", table + "    ttl: -1d\n    features:\n      - {name: a, type: float64}\n")
        try box.write("minmax.yaml", table + "    features:\n      - {name: a, type: float64, expect: {min: 5, max: 1}}\n")
        try box.write("vector.yaml", table + "    features:\n      - {name: a, type: \"float32[0]\"}\n")
        try FileManager.default.createDirectory(atPath: box.dir + "/adir", withIntermediateDirectories: false)
        // A new table and a breaking change to user_stats in one file: neither lands.
        try box.write("mixed.yaml", Examples.definitions
            .replacingOccurrences(of: "{name: age, type: float64}", with: "{name: age, type: string}")
            .replacingOccurrences(of: "feature_services:", with: "  - name: t4\n    entities: [user]\n    features:\n      - {name: a, type: int64}\n\nfeature_services:"))
        let breaking = """
            mixed.yaml:7: feature table 'user_stats': breaking change refused; apply with --allow-breaking \
            to make version 2 anyway (events of older versions stay readable under their own schema):
              ~ feature age: float64 → string
            """
        try box.refuses([
            (["apply", "control.yaml"], 1, "control.yaml:1: cannot read YAML: control characters are not allowed"),
            (["apply", "list.yaml"], 1, "list.yaml:1: expected a mapping with 'entities', 'feature_tables' and 'feature_services', found a list"),
            (["apply", "bigttl.yaml"], 1, "bigttl.yaml:4: feature table 't3': ttl '99999999999999999999d' is too large"),
            (["apply", "negttl.yaml"], 1, "negttl.yaml:4: feature table 't3': ttl cannot be negative: '-1d'"),
            (["apply", "minmax.yaml"], 1, "minmax.yaml:5: feature 'a': expect.min (5) is greater than expect.max (1)"),
            (["apply", "vector.yaml"], 1, "vector.yaml:5: feature 'a': unknown type 'float32[0]' (did you mean 'float32'?)"),
            (["apply", "adir"], 1, "adir: cannot read: Is a directory"),
            (["apply", "mixed.yaml"], 1, breaking),
            (["apply", "mixed.yaml", "--dry-run"], 1, breaking),
        ])
    }
}
