import Foundation
import Testing

/// `fsctl init` and `fsctl apply`, as a user runs them.
@Suite struct InitApplyTests {
    @Test func initCreatesAStoreOnceAndSaysSo() throws {
        let box = try Sandbox()
        #expect(try box.ok("init") == "created an empty store at \(box.store)\n")
        #expect(try box.ok("init") == "store at \(box.store) already exists; nothing changed\n")
        #expect(try box.ok("init", "other") == "created an empty store at other\n")
        let json = try #require(try box.run("init", "third", "--json").json() as? [String: Any])
        #expect(json["path"] as? String == "third")
        #expect(json["created"] as? Bool == true)
        #expect((json["store_id"] as? String)?.count == 32)
        #expect(try box.ok("init", "--quiet") == "")
    }

    @Test func storeComesFromOptionThenEnvironmentThenDefault() throws {
        let box = try Sandbox()
        // No FSCTL_STORE: ./feature_store in the working directory.
        let r = try box.run(["init"], env: ["FSCTL_STORE": ""])
        #expect(r.stdout == "created an empty store at ./feature_store\n")
        #expect(box.exists("feature_store/data.mdb"))
        try box.ok("init")
        #expect(box.exists("store/data.mdb"))
        // --store wins over the environment, before or after the subcommand.
        try box.write("features.yaml", Examples.definitions)
        #expect(try box.ok("--store", "feature_store", "apply", "features.yaml").contains("table user_stats: create"))
        #expect(try box.ok("apply", "features.yaml", "--store=feature_store").contains("table user_stats: unchanged"))
        #expect(try box.ok("list", "--store", "store").contains("no feature tables"))
    }

    @Test func commandsOnAMissingStoreSayHowToCreateOne() throws {
        let box = try Sandbox()
        try box.fails("list", error: "no feature store at '\(box.store)' (create one with `fsctl init \(box.store)`)")
    }

    @Test func applyPrintsThePlanAndIsIdempotent() throws {
        let box = try Sandbox()
        try box.ok("init")
        try box.write("features.yaml", Examples.definitions)
        #expect(try box.ok("apply", "features.yaml") == """
            entity user: create
            table user_stats: create
            service churn_v1: create
            Plan: 3 to create, 0 new versions, 0 to update, 0 unchanged.
            Applied.

            """)
        #expect(try box.ok("apply", "features.yaml") == """
            entity user: unchanged
            table user_stats: unchanged
            service churn_v1: unchanged
            Plan: 0 to create, 0 new versions, 0 to update, 3 unchanged.
            No changes.

            """)
    }

    @Test func dryRunChangesNothing() throws {
        let box = try Sandbox()
        try box.ok("init")
        try box.write("features.yaml", Examples.definitions)
        let out = try box.ok("apply", "features.yaml", "--dry-run")
        #expect(out.hasSuffix("Plan: 3 to create, 0 new versions, 0 to update, 0 unchanged.\nDry run: nothing was changed.\n"))
        #expect(try box.ok("list").contains("no feature tables"))
        let json = try #require(try box.run("apply", "features.yaml", "--dry-run", "--json").json() as? [String: Any])
        #expect(json["dry_run"] as? Bool == true)
        #expect(json["changed"] as? Bool == false)
        #expect((json["summary"] as? [String: Int])?["create"] == 3)
    }

    @Test func breakingChangeIsRefusedThenAllowed() throws {
        let box = try Sandbox.withExample()
        try box.write("breaking.yaml", Examples.definitions.replacingOccurrences(
            of: "{name: num_purchases, type: int64}", with: "{name: num_purchases, type: float64}"))
        let before = try box.snapshot()
        try box.fails("apply", "breaking.yaml", error: """
            breaking.yaml:7: feature table 'user_stats': breaking change refused; apply with --allow-breaking \
            to make version 2 anyway (events of older versions stay readable under their own schema):
              ~ feature num_purchases: int64 → float64
            """)
        #expect(try box.snapshot() == before)
        #expect(try box.ok("apply", "breaking.yaml", "--allow-breaking") == """
            entity user: unchanged
            table user_stats: new version 2 (was 1, breaking)
              ~ feature num_purchases: int64 → float64 (breaking)
            service churn_v1: unchanged
            Plan: 0 to create, 1 new version, 0 to update, 2 unchanged.
            Applied.

            """)
        let json = try #require(try box.run("list", "--json").json() as? [String: Any])
        let table = try #require((json["tables"] as? [[String: Any]])?.first)
        #expect(table["current_version"] as? Int == 2)
        #expect(table["versions"] as? [Int] == [1, 2])
    }

    @Test func applyJSONNamesEachItem() throws {
        let box = try Sandbox.withExample()
        try box.write("more.yaml", Examples.definitions.replacingOccurrences(
            of: "      - {name: country, type: string}\n", with: "      - {name: country, type: string}\n      - {name: city, type: string}\n"))
        let json = try #require(try box.run("apply", "more.yaml", "--json").json() as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        let table = try #require(items.first { $0["kind"] as? String == "table" })
        #expect(table["action"] as? String == "new_version")
        #expect(table["from_version"] as? Int == 1)
        #expect(table["to_version"] as? Int == 2)
        #expect(table["changes"] as? [String] == ["+ feature city: string"])
        #expect(json["changed"] as? Bool == true)
    }

    /// Bad definitions files: each error names the file and line, and the store is unchanged.
    @Test(arguments: [
        ("entities:\n  - name: user\n    join_keys:\n      - {name: user_id, type: int64}\nfeature_tables:\n  - name: t\n    entities: [user]\n    features:\n      - {name: age, type: flaot64}\n",
         "bad.yaml:9: feature 'age': unknown type 'flaot64' (did you mean 'float64'?)"),
        ("entities: [\n",
         "bad.yaml:2: YAML syntax error: did not find expected node content (while parsing a flow node at line 2)"),
        ("feature_tables:\n  - name: t\n    entities: [nobody]\n    features:\n      - {name: a, type: int64}\n",
         "bad.yaml:2: feature table 't': unknown entity 'nobody'; declare it under 'entities'"),
        ("entities:\n  - name: user2\n",
         "bad.yaml:2: entity 'user2': an entity needs at least one join key, e.g. join_keys: [{name: user_id, type: int64}]"),
        ("feature_services:\n  - name: s\n    features: [nope:x]\n",
         "bad.yaml:2: feature service 's': feature ref 'nope:x': unknown feature table 'nope'"),
        ("entities:\n  - name: u\n    join_keys:\n      - {name: id, type: int64}\nfeature_tables:\n  - name: t\n    entities: [u]\n    ttl: 2x\n    features:\n      - {name: a, type: int64}\n",
         "bad.yaml:8: feature table 't': invalid ttl '2x': write 0 (no expiry), a number of seconds, or a number with a unit s, m, h, d or w (30s, 15m, 2h, 2d, 1w)"),
        ("bogus: 1\n", "bad.yaml:1: unknown field 'bogus'"),
    ])
    func badDefinitionsNameFileAndLine(yaml: String, message: String) throws {
        let box = try Sandbox.withExample()
        try box.write("bad.yaml", yaml)
        let before = try box.snapshot()
        try box.fails("apply", "bad.yaml", error: message)
        #expect(try box.snapshot() == before)
    }

    @Test func storePathThatIsAFile() throws {
        let box = try Sandbox()
        try box.write("afile", "hi\n")
        try box.fails("init", "afile", error: "afile: cannot open the store: mdb_env_open: Not a directory (20)")
        try box.fails("list", "--store", "afile", error: "no feature store at 'afile': it is a file, and a store is a directory (create one elsewhere with `fsctl init DIR`)")
    }

    @Test func missingDefinitionsFile() throws {
        let box = try Sandbox.withExample()
        try box.fails("apply", "nope.yaml", error: "nope.yaml: cannot open: No such file or directory")
    }
}
