import FeatureStore
import Foundation
import Tabular
import Testing

/// `fsctl score` with request-time features in the entity file: a column
/// named like one of the model's inputs (`user_stats:age`, or the bare `age`)
/// overrides the stored value row by row, an empty cell keeps it, for CSV,
/// JSONL and Parquet, online and point-in-time; the scores equal scoring
/// after ingesting those values; bad values are refused naming file, line,
/// column, value and type, with no output.
@Suite struct ScoreRequestFeatureTests {
    typealias S = ScoreTests

    @Test func entityColumnsOverrideTheStoredValues() throws {
        let box = try S.sandbox()
        try box.write("entities.csv", """
            user_id,age,label,user_stats:num_purchases
            1,50,1,7
            2,,0,
            3,20.5,1,
            99,40,0,

            """)
        let said = try box.ok("score", "--model", "churn/1", "--entities", "entities.csv", "--out", "scores.csv")
        #expect(said == "scored 4 rows with churn/1 to scores.csv\nrequest-time features from columns: age, user_stats:num_purchases\n")
        let rows = S.csvRows(try box.read("scores.csv"))
        #expect(try box.read("scores.csv").hasPrefix("user_id,age,label,user_stats:num_purchases,model_version,prediction\n"))
        #expect(rows.map { $0["label"] } == ["1", "0", "1", "0"])
        let expected = [S.expected(50, 7), S.expected(nil, 5), S.expected(20.5, 0), S.expected(40, nil)]
        #expect(rows.map { Double($0["prediction"]!)! } == expected)
        let json = try #require(try box.run("score", "--model", "churn/1", "--entities", "entities.csv", "--out", "j.csv",
                                            "--json").json() as? [String: Any])
        #expect(json["request_features"] as? [String] == ["age", "user_stats:num_purchases"])

        // The same values ingested, then scored from the store alone: the same predictions.
        try box.write("newer.csv", """
            user_id,event_timestamp,age,num_purchases
            1,\(S.recent(60)),50,7
            3,\(S.recent(60)),20.5,0
            99,\(S.recent(60)),40,

            """)
        try box.ok("ingest", "user_stats", "newer.csv", "--to", "both")
        try box.write("plain.csv", "user_id,label\n1,1\n2,0\n3,1\n99,0\n")
        try box.ok("score", "--model", "churn/1", "--entities", "plain.csv", "--out", "plain-scores.csv")
        #expect(S.csvRows(try box.read("plain-scores.csv")).map { $0["prediction"] } == rows.map { $0["prediction"] })
    }

    @Test func jsonlAndParquetColumnsOverrideToo() throws {
        let box = try S.sandbox()
        try box.write("entities.jsonl", """
            {"user_id": 1, "user_stats:age": 50, "note": "a"}
            {"user_id": 3, "user_stats:age": null, "note": "b"}
            {"user_id": 2, "user_stats:age": 61.25, "note": "c"}

            """)
        try box.ok("score", "--model", "churn", "--entities", "entities.jsonl", "--out", "s.csv")
        let rows = S.csvRows(try box.read("s.csv"))
        #expect(rows.map { $0["note"] } == ["a", "b", "c"])
        #expect(rows.map { Double($0["prediction"]!)! } == [S.expected(50, 3), S.expected(45, 0), S.expected(61.25, 5)])

        // Parquet: a float64 'age' with a null, an int64 'num_purchases'.
        var ids = Column(type: .int64), ages = Column(type: .float64), purchases = Column(type: .int64)
        for (id, age, n) in [(Int64(1), 50.0 as Double?, Int64(7) as Int64?), (3, nil, 9), (2, 61.25, nil)] {
            ids.appendInt64(id)
            if let age { ages.appendFloat64(age) } else { ages.appendNull() }
            if let n { purchases.appendInt64(n) } else { purchases.appendNull() }
        }
        let fields = [Field("user_id", .int64), Field("age", .float64), Field("num_purchases", .int64)]
        let writer = try ParquetWriter(path: box.dir + "/in.parquet", fields: fields)
        try writer.write(batch: RecordBatch(fields: fields, columns: [ids, ages, purchases], sourceLines: [1, 2, 3]))
        try writer.close()
        try box.ok("score", "--model", "churn", "--entities", "in.parquet", "--out", "p.csv")
        #expect(S.csvRows(try box.read("p.csv")).map { Double($0["prediction"]!)! }
                == [S.expected(50, 7), S.expected(45, 9), S.expected(61.25, 5)])
    }

    @Test func pointInTimeRowsAreOverriddenAfterTheJoin() throws {
        let box = try S.sandbox()
        try S.ingestHistory(box)
        // A full-name column (as an export writes with --full-feature-names) does not clash with the join.
        try box.write("backtest.csv", """
            user_id,event_timestamp,age,user_stats__num_purchases
            7,2026-01-01T12:00:00Z,99,
            7,2026-01-02T12:00:00Z,,4
            7,2026-01-05T00:00:00Z,,

            """)
        try box.ok("score", "--model", "churn/1", "--entities", "backtest.csv", "--out", "bt.csv", "--point-in-time")
        let rows = S.csvRows(try box.read("bt.csv"))
        #expect(rows.map { Double($0["prediction"]!)! } == [S.expected(99, 2), S.expected(60, 4), S.expected(nil, nil)])
    }

    @Test func badValuesAreRefusedWithNoOutput() throws {
        let box = try S.sandbox()
        try box.write("out.csv", "an older file\n")
        let cases: [(file: String, text: String, error: String)] = [
            ("bad.csv", "user_id,age\n1,31\n2,abc\n", "bad.csv:3: column 'age': cannot parse \"abc\" as float64"),
            ("badint.csv", "user_id,user_stats:num_purchases\n1,2.5\n",
             "badint.csv:2: column 'user_stats:num_purchases': cannot parse \"2.5\" as int64"),
            ("bad.jsonl", "{\"user_id\": 1, \"age\": 3}\n{\"user_id\": 2, \"age\": \"old\"}\n",
             "bad.jsonl:2: column 'age': cannot parse \"old\" as float64"),
            ("twice.csv", "user_id,age,user_stats:age\n1,3,4\n",
             "twice.csv: columns 'age' and 'user_stats:age' both give input 'user_stats@1:age' of churn/1; keep one"),
        ]
        for c in cases {
            try box.write(c.file, c.text)
            try box.fails("score", "--model", "churn", "--entities", c.file, "--out", "out.csv", error: c.error)
        }
        // A Parquet column of another type.
        var ids = Column(type: .int64), ages = Column(type: .string)
        ids.appendInt64(1)
        ages.appendString("thirty")
        let fields = [Field("user_id", .int64), Field("age", .string)]
        let writer = try ParquetWriter(path: box.dir + "/bad.parquet", fields: fields)
        try writer.write(batch: RecordBatch(fields: fields, columns: [ids, ages], sourceLines: [1]))
        try writer.close()
        let parquet = try box.run("score", "--model", "churn", "--entities", "bad.parquet", "--out", "out.csv")
        #expect(parquet.code == 1)
        #expect(parquet.stderr.hasPrefix("error: bad.parquet") && parquet.stderr.contains("'age'")
                && parquet.stderr.contains("float64"), "\(parquet)")
        #expect(try box.read("out.csv") == "an older file\n")
        #expect(!box.exists("out.csv.partial"))
    }
}
