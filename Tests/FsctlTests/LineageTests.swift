import Foundation
import Testing
import FeatureStore

/// `fsctl lineage` end to end: from a source file to a training set and back,
/// the tree, `--json`, `--openlineage` checked against the official
/// OpenLineage 2-0-2 schema, and every refusal with its message and exit code.
@Suite struct LineageTests {
    static let labels = """
        user_id,event_timestamp,label
        1,2025-11-15T06:00:00Z,1
        3,2025-11-15T06:00:00Z,0

        """

    /// init, apply, ingest, materialize, export: one of each recorded run.
    func filled() throws -> (Sandbox, trainingSet: String) {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        try box.ok("materialize", "2025-11-14T00:00:00Z", "2025-11-16T00:00:00Z")
        try box.write("labels.csv", Self.labels)
        let out = try box.ok("export", "--entities", "labels.csv", "--features", "user_stats:age,user_stats:country",
                             "--out", "train.csv", "--json")
        let ts = try #require((try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["id"] as? String)
        return (box, ts)
    }

    func nodes(_ json: Any) -> [String] {
        ((json as? [String: Any])?["nodes"] as? [[String: String]] ?? []).map { "\($0["kind"]!) \($0["name"]!)" }
    }

    @Test func fromTheSourceFileDownToTheTrainingSet() throws {
        let (box, ts) = try filled()
        let dir = (box.dir as NSString).standardizingPath
        let tree = try box.ok("lineage", "events.csv", "--downstream")
        let lines = tree.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("file ") && lines[0].hasSuffix("…"))
        #expect(lines[1].hasPrefix("└── ingested → batch 1  path=\(dir)/events.csv rejected=0 rows=3 table=user_stats"))
        #expect(lines[2] == "    └── appended → table_version user_stats@1  destination=offline rows=3")
        #expect(lines.contains("        ├── exported → training_set \(ts)  matched_rows=2 ttl_micros=172800000000"))
        #expect(lines.contains("        │   └── reads → training_set \(ts)  version=1  (see above)"))
        #expect(lines.contains { $0.hasPrefix("        └── materialized → online user_stats  end=2025-11-16T00:00:00Z") })
        let json = try box.run("lineage", "events.csv", "--downstream", "--json").json()
        #expect(Set(nodes(json)).isSuperset(of: ["batch 1", "table_version user_stats@1", "feature user_stats:age",
                                                 "feature user_stats:country", "training_set \(ts)", "online user_stats"]))
    }

    @Test func fromTheTrainingSetBackToTheSourceFile() throws {
        let (box, ts) = try filled()
        let json = try box.run("lineage", ts, "--upstream", "--json").json() as! [String: Any]
        #expect((json["root"] as? [String: String]) == ["kind": "training_set", "name": ts])
        #expect(json["direction"] as? String == "upstream")
        let found = nodes(json)
        #expect(found.first == "training_set \(ts)")
        #expect(found.contains("batch 1") && found.contains("table user_stats") && found.contains("feature user_stats:age"))
        let edges = json["edges"] as! [[String: Any]]
        let ingested = try #require(edges.first { $0["kind"] as? String == "ingested" })
        #expect((ingested["attributes"] as? [String: String])?["path"] == (box.dir as NSString).standardizingPath + "/events.csv")
        #expect((ingested["at"] as? String)?.hasSuffix("Z") == true && ingested["at_micros"] is Int)
        let file = (ingested["from"] as! [String: String])
        #expect(file["kind"] == "file" && file["name"]?.count == 64)
        // The file node the walk ends at is the one `lineage events.csv` names.
        let back = try box.run("lineage", "file:" + file["name"]!, "--downstream", "--json").json()
        #expect(nodes(back).contains("training_set \(ts)"))
        // The output file names its training set; the entity file is upstream of it.
        #expect(try box.ok("lineage", "train.csv", "--upstream", "--depth", "1").contains("← entities ─ entity_file "))
        // Both directions by default.
        let both = try box.ok("lineage", "user_stats:age")
        #expect(both.contains("├── upstream\n│   └── ← has_feature ─ table_version user_stats@1  type=float64\n"))
        #expect(both.contains("└── downstream\n    └── reads → training_set \(ts)  version=1\n"))
    }

    @Test func openLineageEventsMatchTheOfficialSchema() throws {
        let (box, ts) = try filled()
        let all = try box.ok("lineage", "--openlineage")
        let events = all.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.count == 3)
        #expect(events.map { ($0?["job"] as? [String: String])?["name"] } == ["ingest.user_stats", "materialize.user_stats", "export"])
        let walked = try box.ok("lineage", ts, "--upstream", "--openlineage")
        #expect(walked.split(separator: "\n").count == 2)
        guard OpenLineageOracle.available else { return }
        box.validateOpenLineage(all)
        box.validateOpenLineage(walked)
        // The oracle is not vacuous: a broken event is refused.
        #expect(OpenLineageOracle.validate(all.replacingOccurrences(of: "\"COMPLETE\"", with: "\"DONE\"")) != nil)
    }

    /// From the source file to the production alias and back, with the model
    /// registry's edges recorded through the library API (as `models register`
    /// and `models alias set` record them), and the register run checked
    /// against the OpenLineage schema.
    @Test func fromTheSourceFileToTheProductionAliasAndBack() throws {
        let (box, ts) = try filled()
        do {
            let store = try Store.open(at: box.store)
            let now = Clock.nowMicros()
            try store.environment.write { txn in
                try store.addLineage([
                    LineageEdge(from: .model("churn"), to: .modelVersion("churn", 1), kind: "version_of", atMicros: now),
                    LineageEdge(from: .trainingSet(ts), to: .modelVersion("churn", 1), kind: "trained_on", atMicros: now),
                    LineageEdge(from: .feature(table: "user_stats", feature: "age"), to: .modelVersion("churn", 1),
                                kind: "reads", atMicros: now),
                    LineageEdge(from: .modelVersion("churn", 1), to: .alias("churn", "production"), kind: "alias",
                                atMicros: now, attributes: ["by": "test"]),
                ], in: &txn)
            }
        }
        let down = try box.run("lineage", "events.csv", "--downstream", "--json").json()
        #expect(nodes(down).contains("model_version churn/1") && nodes(down).contains("alias churn@production"))
        let feature = try box.ok("lineage", "user_stats:age", "--downstream")
        #expect(feature == """
            feature user_stats:age
            ├── reads → model_version churn/1
            │   └── alias → alias churn@production  by=test
            └── reads → training_set \(ts)  version=1
                └── trained_on → model_version churn/1  (see above)

            """)
        let up = try box.run("lineage", "churn@production", "--upstream", "--json").json()
        #expect(nodes(up).first == "alias churn@production")
        #expect(Set(nodes(up)).isSuperset(of: ["model churn", "training_set \(ts)", "batch 1", "table_version user_stats@1"]))
        #expect(nodes(up).contains { $0.hasPrefix("file ") } && nodes(up).contains { $0.hasPrefix("entity_file ") })
        #expect(try box.ok("lineage", "churn").hasPrefix("model churn\n"))
        #expect(try box.ok("lineage", "churn/1", "--upstream", "--depth", "1").contains("← trained_on ─ training_set \(ts)"))
        let events = try box.ok("lineage", "churn@production", "--upstream", "--openlineage")
        #expect(events.split(separator: "\n").count == 3)   // ingest, export, register
        #expect(events.contains("\"name\":\"register.churn\""))
        if OpenLineageOracle.available { box.validateOpenLineage(events) }
    }

    @Test func refusals() throws {
        let (box, ts) = try filled()
        let forms = "a ref is a table (user_stats), a table version (user_stats@2), a feature (user_stats:age), "
            + "a training set (ts-…), a model (churn), a model version (churn/3), an alias (churn@production), "
            + "a batch (batch:17), an online table (online:user_stats) or a file path"
        try box.fails("lineage", "user_stat", error: "lineage: no 'user_stat' (did you mean 'user_stats'?); \(forms)")
        try box.fails("lineage", "user_stats:agee", error: "lineage: no feature 'agee' in table 'user_stats' (did you mean 'age'?)")
        try box.fails("lineage", "user_stats@2", error: "lineage: table 'user_stats' has no version 2 (it has user_stats@1)")
        try box.fails("lineage", ts + "0", error: "lineage: no training set '\(ts)0' (did you mean '\(ts)'?); \(forms)")
        try box.fails("lineage", "churn@production", error: "lineage: no alias 'churn@production'; \(forms)")
        try box.fails("lineage", "churn/3", error: "lineage: no model version 'churn/3'; \(forms)")
        try box.write("never.csv", "x\n")
        let r = try box.run("lineage", "never.csv")
        #expect(r.code == 1 && r.stderr.hasSuffix("was never ingested, used as an entity file or exported in this store\n"))
        for (args, message) in [
            (["user_stats", "--upstream", "--downstream"], "give --upstream or --downstream, not both (neither shows both)"),
            ([], "missing REF (only --openlineage may go without one)"),
            (["user_stats", "--depth", "0"], "--depth must be at least 1, got 0"),
            (["user_stats", "--json", "--openlineage"], "--openlineage and --json are two output formats; give one"),
        ] {
            let usage = try box.run(["lineage"] + args)
            #expect(usage.code == 2 && usage.stdout.isEmpty, "\(args): \(usage)")
            #expect(usage.stderr.hasPrefix("error: \(message)\nUsage: fsctl lineage "), "\(args): \(usage)")
        }
    }
}

/// tools/openlineage/validate.py (jsonschema and the official schema) in the
/// venv. Needs `make venv`; skips with a note otherwise, as the Parquet
/// interop tests do.
enum OpenLineageOracle {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let python = root + "/.venv/bin/python"
    static let script = root + "/tools/openlineage/validate.py"

    static var available: Bool {
        let ok = FileManager.default.isExecutableFile(atPath: python)
        if !ok { print("◇ OpenLineage schema check skipped: \(python) is missing (run `make venv` to create it)") }
        return ok
    }

    /// nil when every line validates; else what the validator printed.
    static func validate(_ lines: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        do { try p.run() } catch { return "cannot run \(python): \(error)" }
        input.fileHandleForWriting.write(Data(lines.utf8))
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 && text.hasPrefix("ok ") ? nil : text
    }
}

extension Sandbox {
    func validateOpenLineage(_ lines: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        if let problems = OpenLineageOracle.validate(lines) {
            Issue.record("OpenLineage events do not match the 2-0-2 schema:\n\(problems)\n\(lines)", sourceLocation: sourceLocation)
        }
    }
}
