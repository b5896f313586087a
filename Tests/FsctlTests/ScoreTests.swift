import FeatureStore
import Foundation
import ModelFormats
import Tabular
import Testing

/// `fsctl score` end to end: online and point-in-time scores equal
/// ModelFormats' on the same feature values, CSV / JSONL / Parquet in and
/// out, canary routing, the prediction log, and bad input refused with
/// clear errors and no output.
@Suite struct ScoreTests {
    static let xgb = ModelsTests.xgb
    static let model: any LoadedModel = {
        try! ModelLoader.load(Array(try! Data(contentsOf: URL(fileURLWithPath: xgb))), format: .xgboostJSON)
    }()

    /// ISO-8601 of `secondsAgo` before now (user_stats has a 2-day ttl).
    static func recent(_ secondsAgo: Double) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date().addingTimeInterval(-secondsAgo))
    }

    /// The example store with fresh events for users 1-3 (online and offline) and churn/1 (XGBoost).
    static func sandbox() throws -> Sandbox {
        let box = try Sandbox.withExample()
        try box.write("events.csv", """
            user_id,event_timestamp,age,num_purchases
            1,\(recent(3600)),31.5,3
            2,\(recent(3600)),,5
            3,\(recent(3600)),45,0

            """)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        try box.ok(["models", "register", "churn", "--artifact", xgb, "--format", "xgboost-json", "--metric", "auc=0.9"]
                   + ModelsTests.features)
        return box
    }

    /// The expected prediction for (age, num_purchases).
    static func expected(_ age: Double?, _ purchases: Double?) -> Double {
        model.predict([age ?? .nan, purchases ?? .nan])[0]
    }

    /// CSV rows of `text` as [column: value].
    static func csvRows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    @Test func scoresOnlineFeaturesToCSV() throws {
        let box = try Self.sandbox()
        try box.write("entities.csv", "user_id,label\n1,1\n2,0\n3,1\n99,0\n")
        let said = try box.ok("score", "--model", "churn/1", "--entities", "entities.csv", "--out", "scores.csv")
        #expect(said == "scored 4 rows with churn/1 to scores.csv\n")
        let text = try box.read("scores.csv")
        #expect(text.hasPrefix("user_id,label,model_version,prediction\n"), "\(text)")
        let rows = Self.csvRows(text)
        #expect(rows.map { $0["user_id"] } == ["1", "2", "3", "99"])
        #expect(rows.map { $0["label"] } == ["1", "0", "1", "0"])
        #expect(rows.allSatisfy { $0["model_version"] == "1" })
        let expected = [Self.expected(31.5, 3), Self.expected(nil, 5), Self.expected(45, 0), Self.expected(nil, nil)]
        #expect(rows.map { Double($0["prediction"]!)! } == expected)
        // The alias and the bare name resolve too; JSON summary.
        try box.ok("models", "alias", "set", "churn", "production", "1")
        let json = try #require(try box.run("score", "--model", "churn@production", "--entities", "entities.csv",
                                            "--out", "s2.csv", "--json").json() as? [String: Any])
        #expect(json["rows"] as? Int == 4)
        #expect(try box.read("s2.csv") == text)
    }

    @Test func jsonlAndParquetInAndOut() throws {
        let box = try Self.sandbox()
        try box.write("entities.jsonl", "{\"user_id\": 3, \"note\": \"a\"}\n{\"user_id\": 1, \"note\": \"b\"}\n")
        try box.ok("score", "--model", "churn", "--entities", "entities.jsonl", "--out", "scores.jsonl")
        let text = try box.read("scores.jsonl").split(separator: "\n")
        let lines = try text.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.map { $0["note"] as? String } == ["a", "b"])
        #expect(lines.map { $0["model_version"] as? Int } == [1, 1])
        // The number as written (Foundation's JSON parser rounds the last digit).
        let written = text.map { line in Double(line.split(separator: "\"prediction\":").last!.prefix { $0 != "," && $0 != "}" })! }
        #expect(written == [Self.expected(45, 0), Self.expected(31.5, 3)])

        try box.ok("score", "--model", "churn", "--entities", "entities.jsonl", "--out", "scores.parquet")
        let reader = try ParquetReader(path: box.dir + "/scores.parquet")
        #expect(reader.schema.map(\.name) == ["user_id", "note", "model_version", "prediction"])
        let batches = try reader.batches(schema: reader.schema.map { Field($0.name, $0.type) })
        let batch = try #require(try batches.next())
        #expect(batch.columns[3].value(at: 0) == .float64(Self.expected(45, 0)))
        #expect(batch.columns[2].value(at: 1) == .int64(1))

        // Parquet in, CSV out.
        var ids = Column(type: .int64)
        ids.appendInt64(3)
        let writer = try ParquetWriter(path: box.dir + "/in.parquet", fields: [Field("user_id", .int64)])
        try writer.write(batch: RecordBatch(fields: [Field("user_id", .int64)], columns: [ids], sourceLines: [1]))
        try writer.close()
        try box.ok("score", "--model", "churn", "--entities", "in.parquet", "--out", "again.csv")
        #expect(Self.csvRows(try box.read("again.csv")).map { Double($0["prediction"]!)! } == [Self.expected(45, 0)])
    }

    /// Two offline events of user 7: (30, 2) on January 1st, (60, 9) on the 2nd.
    static func ingestHistory(_ box: Sandbox) throws {
        try box.write("history.csv", """
            user_id,event_timestamp,age,num_purchases
            7,2026-01-01T00:00:00Z,30,2
            7,2026-01-02T00:00:00Z,60,9

            """)
        try box.ok("ingest", "user_stats", "history.csv")
    }

    @Test func pointInTimeScoresEachRowAsOfItsTimestamp() throws {
        let box = try Self.sandbox()
        try Self.ingestHistory(box)
        try box.write("backtest.csv", """
            user_id,event_timestamp
            7,2026-01-01T12:00:00Z
            7,2026-01-02T12:00:00Z
            7,2026-01-05T00:00:00Z

            """)
        try box.ok("score", "--model", "churn/1", "--entities", "backtest.csv", "--out", "bt.csv", "--point-in-time")
        let rows = Self.csvRows(try box.read("bt.csv"))
        // The third row is outside the table's 2-day ttl: no features.
        #expect(rows.map { Double($0["prediction"]!)! } == [Self.expected(30, 2), Self.expected(60, 9), Self.expected(nil, nil)])
        #expect(rows.map { $0["event_timestamp"] } == ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "2026-01-05T00:00:00Z"])
    }

    @Test func aCanaryAliasSplitsRowsByEntity() throws {
        let box = try Self.sandbox()
        try box.ok(["models", "register", "churn", "--artifact", ModelsTests.lgb, "--format", "lightgbm-text",
                    "--metric", "auc=0.9"] + ModelsTests.features)
        try box.ok("models", "alias", "set", "churn", "production", "1", "--canary", "2:30")
        try box.write("many.csv", "user_id\n" + (1...1000).map(String.init).joined(separator: "\n") + "\n")
        let said = try box.ok("score", "--model", "churn@production", "--entities", "many.csv", "--out", "m.csv")
        let rows = Self.csvRows(try box.read("m.csv"))
        let canary = rows.filter { $0["model_version"] == "2" }.count
        #expect((240...360).contains(canary), "\(canary) of 1000 rows on the canary")
        #expect(said == "scored 1,000 rows (churn/1: \(1000 - canary), churn/2: \(canary)) to m.csv\n"
                || said == "scored 1000 rows (churn/1: \(1000 - canary), churn/2: \(canary)) to m.csv\n", "\(said)")
        // Deterministic: the same split again.
        try box.ok("score", "--model", "churn@production", "--entities", "many.csv", "--out", "m2.csv")
        #expect(try box.read("m2.csv") == (try box.read("m.csv")))
    }

    @Test func theLogAppendsPredictionsAsEvents() throws {
        let box = try Self.sandbox()
        try box.write("entities.csv", "user_id\n1\n3\n")
        let said = try box.ok("score", "--model", "churn", "--entities", "entities.csv", "--out", "s.csv", "--log")
        #expect(said.contains("logged 2 predictions to predictions__churn (batch "), "\(said)")
        let table = try box.ok("describe", "predictions__churn")
        #expect(table.contains("model_version"), "\(table)")
        // Joined back like any feature, as of a moment after the scoring.
        try box.write("labels.csv", "user_id,event_timestamp,label\n1,\(Self.recent(-60)),1\n3,\(Self.recent(-60)),0\n")
        try box.ok("export", "--entities", "labels.csv", "--features", "predictions__churn:prediction,predictions__churn:model_version",
                   "--out", "joined.csv")
        let joined = Self.csvRows(try box.read("joined.csv"))
        #expect(joined.map { Double($0["prediction"]!)! } == [Self.expected(31.5, 3), Self.expected(45, 0)])
        #expect(joined.map { $0["model_version"] } == ["1", "1"])
        // A second scoring appends a second batch to the same table.
        try box.ok("score", "--model", "churn", "--entities", "entities.csv", "--out", "s.csv", "--log")
        #expect(try box.ok("describe", "predictions__churn").contains("events: 4 in 2 batches"))
    }

    @Test func aMulticlassModelWritesOneColumnPerClass() throws {
        let box = try Self.sandbox()
        let linear = """
            {"format": "linear-json", "version": 1, "model": "logistic_regression",
             "coefficients": [[0.05, -0.2], [-0.03, 0.1], [0.0, 0.3]], "intercepts": [0.1, -0.2, 0.05],
             "impute": [40.0, 2.0]}
            """
        try box.write("three.json", linear)
        try box.ok(["models", "register", "tier", "--artifact", "three.json", "--format", "linear-json"] + ModelsTests.features)
        try box.write("entities.csv", "user_id\n1\n2\n99\n")
        try box.ok("score", "--model", "tier", "--entities", "entities.csv", "--out", "tiers.csv", "--log")
        let text = try box.read("tiers.csv")
        #expect(text.hasPrefix("user_id,model_version,prediction_0,prediction_1,prediction_2\n"), "\(text)")
        let model = try ModelLoader.load(Array(linear.utf8), format: .linearJSON)
        let expected = [model.predict([31.5, 3]), model.predict([.nan, 5]), model.predict([.nan, .nan])]
        let rows = Self.csvRows(text)
        #expect(rows.map { r in (0..<3).map { Double(r["prediction_\($0)"]!)! } } == expected)
        let table = try box.ok("describe", "predictions__tier")
        #expect(table.contains("prediction_2"), "\(table)")
    }

    @Test func badInputIsRefusedClearly() throws {
        let box = try Self.sandbox()
        try box.write("entities.csv", "user_id\n1\n")
        try box.write("nokey.csv", "customer,label\n1,0\n")
        try box.write("nots.csv", "user_id\n1\n")
        try box.write("clash.csv", "user_id,prediction\n1,0.5\n")
        try box.fails("score", "--model", "chrn", "--entities", "entities.csv", "--out", "o.csv",
                      error: "no model named 'chrn' (did you mean 'churn'?)")
        try box.fails("score", "--model", "churn/9", "--entities", "entities.csv", "--out", "o.csv",
                      error: "model 'churn' has no version 9; its only version is 1")
        try box.fails("score", "--model", "churn@prod", "--entities", "entities.csv", "--out", "o.csv",
                      error: "model 'churn' has no alias 'prod'; it has no aliases")
        try box.fails("score", "--model", "churn", "--entities", "nokey.csv", "--out", "o.csv",
                      error: "nokey.csv has no column 'user_id', a join key of churn (its columns: customer, label)")
        try box.fails("score", "--model", "churn", "--entities", "nots.csv", "--out", "o.csv", "--point-in-time",
                      error: "nots.csv has no timestamp column 'event_timestamp' for --point-in-time (its columns: user_id; name another with --timestamp-column)")
        try box.fails("score", "--model", "churn", "--entities", "clash.csv", "--out", "o.csv",
                      error: "clash.csv already has a column 'prediction', which the output adds")
        try box.fails("score", "--model", "churn", "--entities", "missing.csv", "--out", "o.csv",
                      error: "missing.csv: cannot open: No such file or directory")
        #expect(!box.exists("o.csv"))
        let usage = try box.run("score", "--model", "churn", "--entities", "entities.csv")
        #expect(usage.code == 2)
        #expect(usage.stderr.hasPrefix("error: Missing expected argument '--out <file>'"), "\(usage)")
    }
}
