import FeatureStore
import Foundation
import LMDB
import Testing

/// `fsctl models …` end to end: every command, every refusal with its exact
/// message, exit code and an unchanged store, two processes registering at
/// once, and a corrupted artifact chunk caught on download.
@Suite struct ModelsTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/registry/\(name)").path
    }

    static let xgb = fixture("xgb_binary.json")
    static let lgb = fixture("lgb_binary.txt")
    static let linear = fixture("linear_logistic.json")
    static let onnx = fixture("sk_logreg.onnx")
    static let features = ["--features", "user_stats:age,user_stats:num_purchases"]

    /// The example store with churn/1 (xgboost, auc 0.80) and churn/2 (lightgbm, auc 0.90).
    static func sandbox() throws -> Sandbox {
        let box = try Sandbox.withExample()
        #expect(try box.ok(["models", "register", "churn", "--artifact", xgb, "--format", "xgboost-json",
                            "--metric", "auc=0.80"] + features) == "1\n")
        #expect(try box.ok(["models", "register", "churn", "--artifact", lgb, "--format", "lightgbm-text",
                            "--service", "churn_v1", "--metric", "auc=0.90", "--metric", "logloss=0.3"]) == "2\n")
        return box
    }

    /// Everything the registry shows, for "nothing changed" checks.
    static func state(_ box: Sandbox) throws -> String {
        var text = try box.snapshot()
        text += try box.run("models", "list", "--json").stdout
        for name in ["churn", "fraud"] {
            text += try box.run("models", "show", name, "--json").stdout
            text += try box.run("models", "history", name, "--json").stdout
        }
        return text
    }

    @Test func registerListShowDownloadEndToEnd() throws {
        let box = try Self.sandbox()
        #expect(try box.ok("check").contains("models: 1 (2 versions, 0 aliases, 2 artifacts in 2 chunks)\nstore is healthy\n"))
        let v3 = try box.ok(["models", "register", "churn", "--artifact", Self.linear, "--format", "linear-json",
                             "--param", "C=1.0", "--tag", "team=risk", "--description", "logistic baseline", "--json"]
                            + Self.features)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(v3.utf8)) as? [String: Any])
        #expect(json["ref"] as? String == "churn/3")
        #expect(json["format"] as? String == "linear-json")
        #expect((json["inputs"] as? [[String: Any]])?.compactMap { $0["ref"] as? String }
                == ["user_stats@1:age", "user_stats@1:num_purchases"])
        #expect(json["params"] as? [String: String] == ["C": "1.0"])
        #expect(json["description"] as? String == "logistic baseline")
        #expect(try box.ok("models", "register", "fraud", "--artifact", Self.onnx, "--format", "onnx") == "1\n")

        let list = try box.ok("models", "list")
        #expect(list.hasPrefix("MODEL  VERSIONS  LATEST  ALIASES  UPDATED\nchurn  1,2,3     3"), "\(list)")
        #expect(list.contains("\nfraud  1         1"), "\(list)")
        let rows = try #require(try box.run("models", "list", "--json").json() as? [[String: Any]])
        #expect(rows.map { $0["name"] as? String } == ["churn", "fraud"])
        #expect(rows[0]["versions"] as? [Int] == [1, 2, 3])

        let show = try box.ok("models", "show", "churn")
        #expect(show.hasPrefix("model churn (created "), "\(show)")
        #expect(show.contains("  aliases: none\n"), "\(show)")
        let one = try box.ok("models", "show", "churn/2")
        #expect(one.hasPrefix("model version churn/2\n  format: lightgbm-text\n  artifact: lgb_binary.txt, "), "\(one)")
        #expect(one.contains("  feature service: churn_v1\n  metrics: auc=0.9, logloss=0.3\n"), "\(one)")
        #expect(one.contains("    0  user_stats@1:age            float64\n    1  user_stats@1:num_purchases  int64\n"), "\(one)")

        // Download by number, by alias, by latest: the same bytes, hash verified.
        #expect(try box.ok("models", "download", "churn/1", "--out", "m1.json").hasPrefix("wrote m1.json (churn/1, xgboost-json, "))
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.dir + "/m1.json")) == Data(contentsOf: URL(fileURLWithPath: Self.xgb)))
        try box.ok("models", "alias", "set", "churn", "champion", "2")
        try box.ok("models", "download", "churn@champion", "--out", "champion.txt")
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.dir + "/champion.txt")) == Data(contentsOf: URL(fileURLWithPath: Self.lgb)))
        try box.ok("models", "download", "fraud", "--out", "fraud.onnx")
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.dir + "/fraud.onnx")) == Data(contentsOf: URL(fileURLWithPath: Self.onnx)))

        // fsctl list and describe show models.
        #expect(try box.ok("list").contains("\nMODEL  VERSIONS  LATEST  ALIASES     UPDATED\nchurn  1,2,3     3       champion=2  "))
        let listed = try #require(try box.run("list", "--json").json() as? [String: Any])
        #expect((listed["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["churn", "fraud"])
        let described = try #require(try box.run("describe", "churn", "--json").json() as? [[String: Any]])
        #expect(described.first?["kind"] as? String == "model")
        #expect((described.first?["versions"] as? [[String: Any]])?.count == 3)
        let version = try #require(try box.run("describe", "churn@champion", "--json").json() as? [[String: Any]])
        #expect(version.first?["ref"] as? String == "churn/2")
        #expect(version.first?["aliases"] as? [String] == ["champion"])
        #expect(try box.ok("describe", "churn/3").hasPrefix("model version churn/3\n"))
    }

    /// A store where no model was ever registered (its registry databases do
    /// not exist yet) answers read-only commands as an empty registry.
    @Test func aStoreWithoutModels() throws {
        let box = try Sandbox.withExample()
        #expect(try box.ok("models", "list") == "no models\n")
        #expect((try box.run("models", "list", "--json").json() as? [Any])?.isEmpty == true)
        try box.fails("models", "show", "churn", error: "no model named 'churn'")
        try box.fails("models", "history", "churn", error: "no model named 'churn'")
        try box.fails("models", "download", "churn/1", "--out", "m", error: "no model named 'churn'")
        #expect(!box.exists("m"))
        #expect(try box.ok("check").hasSuffix("store is healthy\n"))
    }

    @Test func aliasesGatesCanariesAndHistory() throws {
        let box = try Self.sandbox()
        #expect(try box.run(["models", "alias", "set", "churn", "production", "1"], env: ["FSCTL_USER": "alice"]).stdout
                == "churn@production -> 1 (new alias)\n")
        let moved = try box.run(["models", "alias", "set", "churn", "production", "2", "--require", "auc>=0.85",
                                 "--require", "logloss<0.5"], env: ["FSCTL_USER": "bob"])
        #expect(moved.code == 0 && moved.stdout == "churn@production -> 2 (was 1)\n", "\(moved)")
        #expect(try box.ok("models", "alias", "set", "churn", "production", "2") == "churn@production -> 2 (unchanged)\n")
        #expect(try box.ok("models", "alias", "set", "churn", "production", "2", "--canary", "1:10")
                == "churn@production -> 2 (canary 1:10%) (was 2)\n")
        let alias = try #require(try box.run("models", "show", "churn", "--json").json() as? [String: Any])
        let aliases = try #require(alias["aliases"] as? [[String: Any]])
        #expect(aliases.first?["version"] as? Int == 2)
        #expect((aliases.first?["canary"] as? [[String: Any]])?.first?["percent"] as? Double == 10)
        #expect(try box.ok("models", "alias", "delete", "churn", "production") == "deleted alias churn@production (was 2 (canary 1:10%))\n")

        let history = try box.ok("models", "history", "churn")
        let lines = history.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines[0] == ["#", "TIME", "BY", "ALIAS", "ACTION", "FROM", "TO", "GATES"])
        #expect(lines.count == 5, "\(history)")
        #expect(lines[1][2...] == ["alice", "production", "set", "-", "1"])
        #expect(lines[2][2...] == ["bob", "production", "set", "1", "2", "auc>=0.85", "logloss<0.5"])
        #expect(lines[3][5...] == ["2", "2", "(canary", "1:10%)"])
        #expect(lines[4][4...] == ["delete", "2", "(canary", "1:10%)", "-"])
        let moves = try #require(try box.run("models", "history", "churn", "--json").json() as? [[String: Any]])
        #expect(moves.map { $0["by"] as? String }.prefix(2) == ["alice", "bob"])
        #expect(moves.map { $0["sequence"] as? Int } == [1, 2, 3, 4])
        #expect(try box.ok("models", "history", "churn", "--json").contains("\"at\" : \"20"))
        // Global options before the nested subcommand work too.
        let hoisted = try box.run("--json", "--store", box.store, "models", "alias", "set", "churn", "staging", "1")
        #expect(hoisted.code == 0, "\(hoisted)")
        #expect((try hoisted.json() as? [String: Any])?["changed"] as? Bool == true)
        #expect(try box.run("--quiet", "models", "list").stdout == "")
    }

    @Test func aFailedGateExitsThreeAndChangesNothing() throws {
        let box = try Self.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "2")
        let before = try Self.state(box)
        let r = try box.run("models", "alias", "set", "churn", "production", "1", "--require", "auc>=0.85")
        #expect(r.code == 3, "\(r)")
        #expect(r.stderr == "quality gate failed: churn/1 has auc=0.8, required auc>=0.85; alias 'production' not changed\n")
        #expect(r.stdout == "")
        let j = try box.run("models", "alias", "set", "churn", "production", "1", "--require", "auc>=0.85", "--json")
        #expect(j.code == 3)
        let failure = try #require(try j.json() as? [String: Any])
        #expect(failure["changed"] as? Bool == false)
        #expect((failure["failed"] as? [[String: Any]])?.first?["value"] as? Double == 0.8)
        #expect(try Self.state(box) == before)
    }

    @Test func refusalsNameTheProblemAndChangeNothing() throws {
        let box = try Self.sandbox()
        try box.ok("models", "alias", "set", "churn", "production", "2")
        let before = try Self.state(box)
        let register = ["models", "register", "churn", "--format", "xgboost-json"]
        let cases: [([String], Int32, String)] = [
            (["models", "show", "chrun"], 1, "no model named 'chrun' (did you mean 'churn'?)"),
            (["models", "show", "churn/9"], 1, "model 'churn' has no version 9; its versions are 1, 2"),
            (["models", "show", "churn@prod"], 1, "model 'churn' has no alias 'prod'; its only alias is production"),
            (["models", "download", "churn@productoin", "--out", "x"], 1,
             "model 'churn' has no alias 'productoin' (did you mean 'production'?)"),
            (["models", "alias", "set", "churn", "staging", "3"], 1, "model 'churn' has no version 3; its versions are 1, 2"),
            (["models", "alias", "delete", "churn", "staging"], 1, "model 'churn' has no alias 'staging'; its only alias is production"),
            (["models", "alias", "set", "churn", "production", "1", "--require", "auc=>0.5"], 2,
             "invalid quality gate 'auc=>0.5': unknown operator '=>'; expected METRIC OP NUMBER with OP one of >=, >, <=, <, ==, != (as in 'auc>=0.85')"),
            (["models", "alias", "set", "churn", "production", "1", "--require", "acu>=0.5"], 1,
             "quality gate 'acu>=0.5': model version churn/1 has no metric 'acu' (did you mean 'auc'?)"),
            (["models", "alias", "set", "churn", "production", "1", "--canary", "2:150"], 2,
             "invalid canary '2:150': the percentage '150' must be a number between 0 and 100 (exclusive)"),
            (["models", "delete", "churn/2"], 1,
             "model version churn/2 cannot be deleted: alias 'production' points at it (move or delete it first: fsctl models alias delete churn production)"),
            (["models", "delete", "churn"], 1, "delete needs an explicit version, as in 'churn/3' (not 'churn')"),
            (register + ["--artifact", "missing.json"], 1, "missing.json: cannot read the artifact: No such file or directory"),
            (register + ["--artifact", Self.lgb], 1,
             "\(Self.lgb): xgboost-json: line 1 column 1: invalid JSON: expected true; it looks like a LightGBM text model (use --format lightgbm-text)"),
            (["models", "register", "churn", "--format", "xgb", "--artifact", Self.xgb], 2,
             "unknown model format 'xgb'; expected one of xgboost-json, lightgbm-text, linear-json, onnx"),
            (register + ["--artifact", Self.xgb, "--features", "user_stats:agee,user_stats:num_purchases"], 1,
             "model 'churn': feature ref 'user_stats:agee': feature table 'user_stats' (version 1) has no feature 'agee' (did you mean 'age'?)"),
            (register + ["--artifact", Self.xgb, "--features", "user_stats:age"], 1,
             "model 'churn': \(Self.xgb) takes 2 input columns, but --features names 1 feature (in the model's input order)"),
            (register + ["--artifact", Self.xgb, "--training-set", "ts-0123456789abcdef"], 1, "no training set 'ts-0123456789abcdef'"),
            (register + ["--artifact", Self.xgb, "--metric", "auc"], 2, "invalid metric 'auc': expected KEY=VALUE"),
            (register + ["--artifact", Self.xgb, "--metric", "auc=good"], 2, "invalid metric 'auc=good': 'good' is not a finite number"),
            (register + ["--artifact", Self.xgb, "--features", "user_stats:age", "--service", "churn_v1"], 2,
             "give --features or --service, not both"),
            (["models", "alias", "set", "churn", "production", "two"], 2, "The value 'two' is invalid for '<version>'"),
            (["models", "update", "churn/1"], 2, "nothing to change: give --tag, --remove-tag or --description"),
            (["describe", "churn/7"], 1, "model 'churn' has no version 7; its versions are 1, 2"),
        ]
        for (args, code, message) in cases {
            let r = try box.run(args)
            #expect(r.code == code, "\(args): \(r)")
            #expect(r.stderr.hasPrefix("error: \(message)\n"), "\(args): \(r.stderr)")
            #expect(r.stdout == "", "\(args)")
        }
        #expect(!box.exists("x"))
        #expect(try Self.state(box) == before)
    }

    @Test func updateAndDeleteVersions() throws {
        let box = try Self.sandbox()
        #expect(try box.ok("models", "update", "churn/1", "--tag", "stage=prod", "--description", "first") == "updated churn/1\n")
        let v = try #require(try box.run("models", "show", "churn/1", "--json").json() as? [String: Any])
        #expect(v["tags"] as? [String: String] == ["stage": "prod"])
        #expect(v["description"] as? String == "first")
        #expect(v["updated_at"] != nil)
        // Same bytes twice: the second delete removes the shared artifact.
        #expect(try box.ok(["models", "register", "fraud", "--artifact", Self.xgb, "--format", "xgboost-json"]) == "1\n")
        #expect(try box.ok("models", "delete", "churn/1") == "deleted churn/1 (artifact kept: other versions use it)\n")
        let json = try #require(try box.run("models", "delete", "fraud/1", "--json").json() as? [String: Any])
        #expect(json["artifact_removed"] as? Bool == true)
        #expect(try box.ok("models", "list").contains("churn  2         2"))
        #expect(try box.ok("models", "register", "churn", "--artifact", Self.xgb, "--format", "xgboost-json") == "3\n",
                "numbers are never given twice")
        // fsctl stats counts the registry's databases.
        let stats = try #require(try box.run("stats", "--json").json() as? [String: Any])
        let entries = Dictionary(uniqueKeysWithValues: (stats["databases"] as? [[String: Any]] ?? []).map {
            ($0["name"] as? String ?? "", $0["entries"] as? Int ?? -1)
        })
        #expect(entries["models"] == 2 && entries["model_versions"] == 2 && entries["artifact_refs"] == 2, "\(entries)")
    }

    /// Two `fsctl models register` processes at once, over and over: every
    /// version lands, and no number is given twice.
    @Test func twoProcessesRegisteringGetDistinctVersions() throws {
        let box = try Sandbox.withExample()
        let rounds = 8
        final class Numbers: @unchecked Sendable {
            let lock = NSLock()
            var all: [[Int]] = [[], []]
            var failures: [String] = []
        }
        let numbers = Numbers()
        let done = DispatchGroup()
        for writer in 0..<2 {
            done.enter()
            Thread {
                for i in 0..<rounds {
                    do {
                        let r = try box.run(["models", "register", "churn", "--artifact", writer == 0 ? Self.xgb : Self.lgb,
                                             "--format", writer == 0 ? "xgboost-json" : "lightgbm-text",
                                             "--tag", "writer=\(writer)", "--tag", "round=\(i)"] + Self.features)
                        numbers.lock.lock()
                        if r.code == 0, let n = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) {
                            numbers.all[writer].append(n)
                        } else {
                            numbers.failures.append("\(r)")
                        }
                        numbers.lock.unlock()
                    } catch {
                        numbers.lock.lock(); numbers.failures.append("\(error)"); numbers.lock.unlock()
                    }
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(numbers.failures.isEmpty, "\(numbers.failures)")
        let all = numbers.all[0] + numbers.all[1]
        #expect(all.sorted() == Array(1...(2 * rounds)), "\(numbers.all)")
        for writer in 0..<2 { #expect(numbers.all[writer] == numbers.all[writer].sorted()) }
        // Every version is stored with what its writer gave it.
        let shown = try #require(try box.run("models", "show", "churn", "--json").json() as? [String: Any])
        let versions = try #require(shown["versions"] as? [[String: Any]])
        #expect(versions.count == 2 * rounds)
        for v in versions {
            let n = try #require(v["version"] as? Int)
            let tags = try #require(v["tags"] as? [String: String])
            let writer = numbers.all[0].contains(n) ? 0 : 1
            #expect(tags["writer"] == String(writer), "version \(n)")
            #expect(v["format"] as? String == (writer == 0 ? "xgboost-json" : "lightgbm-text"))
        }
        let rounds0 = versions.filter { ($0["tags"] as? [String: String])?["writer"] == "0" }.compactMap { ($0["tags"] as? [String: String])?["round"] }
        #expect(rounds0 == (0..<rounds).map(String.init))
    }

    /// `models register` and `models alias set` record lineage: a walk from
    /// the source file reaches the production alias, and back.
    @Test func lineageFromTheSourceFileToTheProductionAliasAndBack() throws {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv")
        try box.write("labels.csv", "user_id,event_timestamp,label\n1,2025-11-16T00:00:00Z,1\n2,2025-11-16T00:00:00Z,0\n")
        let exported = try #require(try box.run("export", "--entities", "labels.csv", "--service", "churn_v1",
                                                "--out", "train.csv", "--json").json() as? [String: Any])
        let ts = try #require(exported["id"] as? String)
        try box.ok(["models", "register", "churn", "--artifact", Self.xgb, "--format", "xgboost-json",
                    "--training-set", ts, "--metric", "auc=0.9"] + Self.features)
        try box.ok("models", "alias", "set", "churn", "production", "1", "--require", "auc>=0.85")
        func nodes(_ args: String...) throws -> [String] {
            let json = try #require(try box.run(args).json() as? [String: Any])
            return (json["nodes"] as? [[String: String]] ?? []).map { "\($0["kind"]!) \($0["name"]!)" }
        }
        let down = try nodes("lineage", "events.csv", "--downstream", "--json")
        #expect(down.contains("training_set \(ts)") && down.contains("model_version churn/1")
                && down.contains("alias churn@production"), "\(down)")
        let up = try nodes("lineage", "churn@production", "--upstream", "--json")
        #expect(up.first == "alias churn@production")
        #expect(up.contains("model churn") && up.contains("training_set \(ts)") && up.contains("batch 1"), "\(up)")
        #expect(up.contains { $0.hasPrefix("file ") }, "\(up)")
        let feature = try box.ok("lineage", "user_stats:age", "--downstream")
        #expect(feature.contains("├── reads → model_version churn/1  position=0 version=1\n│   └── alias → alias churn@production  by="),
                "\(feature)")
        // Deleting the alias, then the version, takes them out of the graph.
        try box.ok("models", "alias", "delete", "churn", "production")
        #expect(!(try nodes("lineage", "events.csv", "--downstream", "--json")).contains("alias churn@production"))
        try box.ok("models", "delete", "churn/1")
        #expect(!(try nodes("lineage", "events.csv", "--downstream", "--json")).contains("model_version churn/1"))
    }

    @Test func aCorruptedChunkFailsTheDownload() throws {
        let box = try Self.sandbox()
        let sha = try #require((try box.run("models", "show", "churn/1", "--json").json() as? [String: Any])?["sha256"] as? String)
        do {
            // Flip one byte of the artifact's only chunk through the LMDB API.
            let store = try Store.open(at: box.store)
            let artifacts = try store.environment.openDatabase("artifacts")
            var key: [UInt8] = stride(from: 0, to: sha.count, by: 2).map {
                UInt8(sha[sha.index(sha.startIndex, offsetBy: $0)..<sha.index(sha.startIndex, offsetBy: $0 + 2)], radix: 16)!
            }
            key += [0, 0, 0, 0]
            try store.environment.write { txn in
                var chunk = try #require(try txn.get(key, in: artifacts))
                chunk[100] ^= 1
                try txn.put(key, chunk, in: artifacts)
            }
        }
        let r = try box.run("models", "download", "churn/1", "--out", "m.json")
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("error: artifact of churn/1 (sha256 \(sha)) is damaged: chunk 0 of 1 hashes to "), "\(r)")
        #expect(r.stderr.hasSuffix("expected \(sha); the store's copy cannot be trusted (restore the store from a backup, or register the file again)\n"))
        #expect(!box.exists("m.json"))
        let check = try box.run("check")
        #expect(check.code == 3, "\(check)")
        #expect(check.stdout.contains("models: 1 (2 versions, 0 aliases, 2 artifacts in 2 chunks)\n"), "\(check)")
        #expect(check.stdout.contains("  artifact \(sha): chunk 0 does not match its SHA-256\n"), "\(check)")
        // The other version is intact.
        try box.ok("models", "download", "churn/2", "--out", "m.txt")
    }
}
